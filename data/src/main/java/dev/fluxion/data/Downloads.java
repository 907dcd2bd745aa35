package dev.fluxion.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Downloads into the cache: fetched to a temporary file, checked against the published MD5, synced, then renamed
 * into place, so a file under its final name is always complete and verified. Archives are unpacked the same way.
 */
final class Downloads {
    private Downloads() {}

    private static final System.Logger LOG = System.getLogger("dev.fluxion.data");
    private static volatile HttpClient client;

    private static HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (Downloads.class) {
                if (client == null)
                    client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
                c = client;
            }
        }
        return c;
    }

    /** Fetches {@code url} to {@code target} unless a file there already has the right MD5. */
    static void fetch(URI url, Path target, String md5) throws IOException {
        if (Files.isRegularFile(target) && md5(target).equals(md5)) return;
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".part-" + UUID.randomUUID());
        try {
            LOG.log(System.Logger.Level.INFO, "downloading " + url + " to " + target);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            switch (scheme) {
                case "file" -> Files.copy(Path.of(url), tmp);
                case "http", "https" -> {
                    HttpRequest req = HttpRequest.newBuilder(url).GET().build();
                    HttpResponse<Path> resp;
                    try {
                        resp = client().send(req, HttpResponse.BodyHandlers.ofFile(tmp));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("download of " + url + " interrupted", e);
                    }
                    if (resp.statusCode() != 200) throw new IOException("download of " + url + " failed: HTTP " + resp.statusCode());
                }
                default -> throw new IOException("cannot download " + url + ": only http, https and file URLs are supported");
            }
            String found = md5(tmp);
            if (!found.equals(md5))
                throw new DatasetFormatException(url.toString(), "checksum mismatch: expected md5 " + md5 + ", found " + found
                        + " (" + Files.size(tmp) + " bytes); the download is corrupt or the file has changed, so it was not used");
            sync(tmp);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Unpacks the members of a .tar.gz whose base names are in {@code wanted} into {@code dir}, each atomically. */
    static void unpack(Path archive, Path dir, Set<String> wanted) throws IOException {
        try (InputStream raw = Files.newInputStream(archive); InputStream gz = new GZIPInputStream(raw, 1 << 16)) {
            Tar tar = new Tar(gz, archive.toString());
            for (Tar.Entry e; (e = tar.next()) != null; ) {
                if (!e.isFile() || !wanted.contains(e.baseName())) continue;
                Path target = dir.resolve(e.baseName());
                Path tmp = dir.resolve(e.baseName() + ".part-" + UUID.randomUUID());
                try {
                    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
                        long n = tar.data().transferTo(out);
                        if (n != e.size()) throw new DatasetFormatException(archive.toString(), e.path() + ": expected " + e.size() + " bytes, found " + n);
                    }
                    sync(tmp);
                    moveIntoPlace(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DatasetFormatException(archive.toString(), "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    static String md5(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
