package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static dev.fluxion.data.ErrorMessages.assertMentions;

/**
 * Loader and download failures: damaged gzip data, damaged tar archives and unusable mirrors raise an IOException
 * (a DatasetFormatException for a damaged file) naming the file or URL, and leave no partial file in the cache.
 */
class LoaderErrorsTest {
    private static DataLocator isolated(Path home) {
        return DataLocator.defaults().withEnvironment(k -> null).withHome(home).withSystemDirs(List.of()).withBundled(false).withDownloads(false);
    }

    private static void noPartialFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> left = s.filter(p -> p.getFileName().toString().contains(".part-")).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }

    @Test
    void idxWithACorruptGzipHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("images.gz");
        Files.write(file, new byte[] {0x1f, (byte) 0x8b, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // method 7 is not deflate
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Idx.readImages(file));
        assertMentions(e, file.toString(), "corrupt or truncated gzip header");
        // only the two magic bytes, through the MNIST loader
        TestData.writeTinyIdx(dir, 2, 1, 0, true);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(labels, new byte[] {0x1f, (byte) 0x8b});
        DatasetFormatException m = assertThrows(DatasetFormatException.class, () -> Datasets.mnist(dir));
        assertMentions(m, labels.toString(), "gzip header");
    }

    @Test
    void cifarWithCutGzipData(@TempDir Path dir) throws IOException {
        byte[] records = TestData.cifarRecords(2, new int[][] {{1}, {2}});
        for (String f : DatasetSpec.CIFAR10.files()) Files.write(dir.resolve(f), records);
        Path first = dir.resolve("data_batch_1.bin");
        Files.delete(first);
        byte[] gz = TestData.gzip(records);
        Path cut = dir.resolve("data_batch_1.bin.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Datasets.cifar10(dir));
        assertMentions(e, cut.toString(), "corrupt or truncated gzip data");
    }

    @Test
    void aMirrorWithAnUnsupportedScheme(@TempDir Path home) throws IOException {
        DataLocator loc = isolated(home).withDownloads(true).withMirror("mnist", URI.create("ftp://mirror.example/mnist/"));
        IOException e = assertThrows(IOException.class, () -> Datasets.mnist(loc));
        assertMentions(e, "MNIST", "cannot download ftp://mirror.example/mnist/train-images-idx3-ubyte.gz",
                "only http, https and file URLs are supported");
        noPartialFiles(loc.cacheDir("mnist"));
    }

    @Test
    // the server never answers: a client that ignored the interrupt would hang here instead of failing
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInterruptedDownload(@TempDir Path home) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try {
                release.await(); // never answers while the client waits
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/m/");
        DataLocator loc = isolated(home).withDownloads(true).withMirror("mnist", base);
        IOException e;
        boolean stillInterrupted;
        try {
            Thread.currentThread().interrupt(); // as a cancelled task's thread is
            e = assertThrows(IOException.class, () -> Datasets.mnist(loc));
        } finally {
            stillInterrupted = Thread.interrupted();
            release.countDown();
            server.stop(0);
        }
        assertMentions(e, "download of " + base + "train-images-idx3-ubyte.gz interrupted");
        assertTrue(stillInterrupted, "the interrupt is kept for the caller");
        noPartialFiles(loc.cacheDir("mnist"));
    }

    /** Downloads {@code archive} as the CIFAR-10 archive from a file: mirror (its MD5 matches) and unpacks it. */
    private static DatasetFormatException unpackFails(Path tmp, byte[] archive) throws IOException {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror);
        Path a = mirror.resolve("cifar-10-binary.tar.gz");
        Files.write(a, archive);
        DatasetSpec s = DatasetSpec.CIFAR10;
        DatasetSpec spec = new DatasetSpec(s.name(), s.title(), s.envVar(), s.files(), s.subdirs(), null,
                List.of(new DatasetSpec.Download("cifar-10-binary.tar.gz", Downloads.md5(a), true)), List.of(mirror.toUri()), Map.of());
        DataLocator loc = isolated(tmp.resolve("home")).withDownloads(true);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> loc.locate(spec));
        assertMentions(e, loc.cacheDir("cifar10").resolve("cifar-10-binary.tar.gz").toString());
        noPartialFiles(loc.cacheDir("cifar10"));
        assertFalse(Files.exists(loc.cacheDir("cifar10").resolve("test_batch.bin")), "no member unpacked");
        return e;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void anArchiveThatIsNotGzip(@TempDir Path tmp) throws IOException {
        DatasetFormatException e = unpackFails(tmp, "<html>moved</html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertMentions(e, "corrupt or truncated gzip data");
        assertInstanceOf(java.util.zip.ZipException.class, e.getCause());
    }

    @Test
    void anImplausiblyLargeTarExtensionHeader(@TempDir Path tmp) throws IOException {
        byte[] tar = concat(TestData.tarHeader("PaxHeader/test_batch.bin", 'x', 2 << 20), new byte[1024]);
        assertMentions(unpackFails(tmp, TestData.gzip(tar)), "tar extension header of 2097152 bytes is implausibly large");
    }

    @Test
    void aTruncatedTarExtensionHeader(@TempDir Path tmp) throws IOException {
        byte[] tar = concat(TestData.tarHeader("PaxHeader/test_batch.bin", 'x', 1000), new byte[100]);
        assertMentions(unpackFails(tmp, TestData.gzip(tar)), "truncated tar extension header: 100 of 1000 bytes");
    }

    @Test
    void anArchiveCutInsideAMemberThatIsSkipped(@TempDir Path tmp) throws IOException {
        // README is not wanted, so its data is skipped; the archive ends 4000 bytes early
        byte[] tar = concat(TestData.tarHeader("cifar-10-batches-bin/README", '0', 5000), new byte[1000]);
        assertMentions(unpackFails(tmp, TestData.gzip(tar)), "truncated: the archive ends inside an entry", "bytes missing");
    }
}
