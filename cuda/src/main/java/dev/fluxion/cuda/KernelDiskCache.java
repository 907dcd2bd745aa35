package dev.fluxion.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Compiled kernels on disk, so a new process does not compile again what an earlier one did (NVRTC takes tens of
 * milliseconds per kernel): one file per (compute capability, source, options), named after a SHA-256 of all three,
 * under {@code ~/.fluxion/cache/kernels} or {@code -Dfluxion.cuda.kernelCache=<folder>} ({@code none} turns it off).
 * Files are written to a temporary name and moved into place, so a reader never sees half a file; any problem with
 * the cache (unwritable folder, unreadable file) only means compiling again, and a cached image the driver rejects is
 * recompiled and replaced by the caller ({@link #remove}).
 */
final class KernelDiskCache {
    private final Path dir;

    KernelDiskCache(Path dir) {
        this.dir = dir;
    }

    /** The cache the system properties ask for, or null when it is off. */
    static KernelDiskCache fromSystemProperties() {
        String configured = System.getProperty("fluxion.cuda.kernelCache");
        if ("none".equals(configured)) return null;
        Path dir = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".fluxion", "cache", "kernels");
        return new KernelDiskCache(dir);
    }

    /** The file of a kernel: {@code sm_<major><minor>/<name>-<sha256 of source, options and architecture>.ptx}. */
    Path fileOf(String name, String source, List<String> options, int major, int minor) {
        String key = major + "." + minor + "\n" + String.join(" ", options) + "\n" + source;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve("sm_" + major + minor).resolve(name + "-" + HexFormat.of().formatHex(digest, 0, 16) + ".ptx");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** The cached image, or null when there is none (or it cannot be read). */
    byte[] get(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        } catch (IOException unreadable) {
            return null;
        }
    }

    /** Stores an image; returns false when the cache cannot be written (compiling keeps working without it). */
    boolean put(Path file, byte[] image) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, image);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return true;
        } catch (IOException | SecurityException unwritable) {
            return false;
        }
    }

    /** Forgets a cached image the driver would not load. */
    void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next put replaces it
        }
    }
}
