package dev.fluxion.nn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Crash-safe file replacement: the content goes to a unique temporary file in the target's directory
 * ({@code name.tmp-<uuid>}), is forced to disk ({@code FileChannel.force(true)}), then atomically renamed over the
 * target, and the directory is fsynced where the platform allows it. A crash or an exception at any point leaves
 * either the old file or the new one, never a torn one; on an exception the temporary file is deleted.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content produced by {@code writer}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** The infix of temporary files, for cleanup of leftovers from killed runs. */
    public static final String TMP_INFIX = ".tmp-";

    /** Replaces {@code target} with {@code bytes}, atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with what {@code writer} writes, atomically. */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = abs.resolveSibling(abs.getFileName() + TMP_INFIX + UUID.randomUUID());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            if (dir != null) fsyncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** Forces a directory's entries to disk; silently skipped where the OS does not allow opening directories. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows and some file systems cannot open or sync a directory: the rename is still atomic there.
        }
    }

    /** Deletes temporary files left by killed writes of {@code target} (named {@code target.tmp-*}); returns how many. */
    public static int deleteLeftovers(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) return 0;
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, abs.getFileName() + TMP_INFIX + "*")) {
            for (Path p : ds) if (Files.deleteIfExists(p)) n++;
        }
        return n;
    }

    /** Reads a whole file into memory, refusing files of 2 GiB or more. */
    static byte[] readAll(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) throw new IOException(file + ": file of " + size + " bytes is too large (limit 2 GiB)");
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining()) if (ch.read(b) < 0) break;
            if (b.hasRemaining()) throw new IOException(file + ": file shrank while reading");
            return b.array();
        }
    }
}
