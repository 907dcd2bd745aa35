package dev.fluxion.data;

import static dev.fluxion.data.TestData.cifarPixel;
import static dev.fluxion.data.TestData.cifarRecords;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderTest {
    /** Sum of the pixel bytes (values * 255) and first labels of a split. */
    private static long pixelSum(Tensor x) {
        long sum = 0;
        for (float v : x.toFloatArray()) sum += Math.round(v * 255);
        return sum;
    }

    private static int[] firstLabels(Tensor y) {
        return Arrays.copyOf(y.toIntArray(), 10);
    }

    private static DataLocator isolated(Path home) {
        return DataLocator.defaults().withEnvironment(k -> null).withHome(home).withSystemDirs(List.of()).withBundled(false).withDownloads(false);
    }

    @Test
    void mnistFromTheSharedFiles() throws IOException {
        TrainTest m = Datasets.mnist(TestData.sharedDataOrSkip("mnist"));
        assertArrayEquals(new int[] {60000, 28, 28, 1}, m.train().x().shape());
        assertArrayEquals(new int[] {60000}, m.train().y().shape());
        assertArrayEquals(new int[] {10000, 28, 28, 1}, m.test().x().shape());
        assertEquals(DType.FLOAT32, m.train().x().dtype());
        assertEquals(DType.INT32, m.train().y().dtype());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, firstLabels(m.train().y()));
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, firstLabels(m.test().y()));
        assertEquals(264_923_200L, pixelSum(m.test().x()));
        assertEquals(1_567_298_545L, pixelSum(m.train().x()));
        assertEquals(44_434, Arrays.stream(m.test().y().toIntArray()).sum());
    }

    @Test
    void fashionMnistFromTheSharedFiles() throws IOException {
        TrainTest f = Datasets.fashionMnist(TestData.sharedDataOrSkip("fashion-mnist"));
        assertArrayEquals(new int[] {60000, 28, 28, 1}, f.train().x().shape());
        assertArrayEquals(new int[] {10000}, f.test().y().shape());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstLabels(f.train().y()));
        assertEquals(573_469_082L, pixelSum(f.test().x()));
        assertEquals(270_000, Arrays.stream(f.train().y().toIntArray()).sum());
    }

    @Test
    void mnistFromTheBundledCopy(@TempDir Path home) throws IOException {
        TrainTest m = Datasets.mnist(isolated(home).withBundled(true));
        assertTrue(m.source().startsWith("classpath:"), m.source());
        assertArrayEquals(new int[] {60000, 28, 28, 1}, m.train().x().shape());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, firstLabels(m.train().y()));
        assertEquals(264_923_200L, pixelSum(m.test().x()));
    }

    @Test
    void lookupOrderEnvironmentDataDirCacheSystem(@TempDir Path tmp) throws IOException {
        Path specific = tmp.resolve("specific");
        Path dataDir = tmp.resolve("data");
        Path home = tmp.resolve("home");
        Path system = tmp.resolve("system");
        TestData.writeTinyIdx(specific, 1, 1, 0, true);
        TestData.writeTinyIdx(dataDir.resolve("fashion-mnist"), 2, 1, 0, false);
        TestData.writeTinyIdx(home.resolve(".fluxion/datasets/fashion-mnist"), 3, 1, 0, true);
        TestData.writeTinyIdx(system.resolve("fashion-mnist"), 4, 1, 0, true);
        Map<String, String> env = new HashMap<>();
        DataLocator loc = isolated(home).withEnvironment(env::get).withSystemDirs(List.of(system));
        env.put("FLUXION_FASHION_MNIST_DIR", specific.toString());
        env.put("FLUXION_DATA_DIR", dataDir.toString());
        assertEquals(1, Datasets.fashionMnist(loc).train().x().shape()[0]);
        env.remove("FLUXION_FASHION_MNIST_DIR");
        TrainTest fromDataDir = Datasets.fashionMnist(loc);
        assertEquals(2, fromDataDir.train().x().shape()[0]);
        assertEquals(dataDir.resolve("fashion-mnist").toString(), fromDataDir.source());
        env.clear();
        assertEquals(3, Datasets.fashionMnist(loc).train().x().shape()[0]);
        assertEquals(4, Datasets.fashionMnist(loc.withHome(tmp.resolve("nohome"))).train().x().shape()[0]);
        FileNotFoundException none = assertThrows(FileNotFoundException.class,
                () -> Datasets.fashionMnist(loc.withHome(tmp.resolve("nohome")).withSystemDirs(List.of())));
        assertTrue(none.getMessage().contains("FLUXION_FASHION_MNIST_DIR"), none.getMessage());
        // a directory named explicitly must be complete
        Files.delete(specific.resolve("t10k-labels-idx1-ubyte.gz"));
        env.put("FLUXION_FASHION_MNIST_DIR", specific.toString());
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Datasets.fashionMnist(loc));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains(specific.toString()), e.getMessage());
        assertThrows(FileNotFoundException.class, () -> Datasets.mnist(specific));
        // raw (uncompressed) files in an explicit directory
        TrainTest raw = Datasets.mnist(dataDir.resolve("fashion-mnist"));
        assertArrayEquals(new int[] {2, 28, 28, 1}, raw.train().x().shape());
        assertArrayEquals(new int[] {0, 1}, raw.train().y().toIntArray());
        assertEquals(((0 * 7) & 0xFF) / 255f, raw.train().x().toFloatArray()[0]);
    }

    @Test
    void anUnreachableMirrorNamesWhereItLookedAndWhyTheDownloadFailed(@TempDir Path home) {
        // a host name that cannot resolve (the .invalid top-level domain is reserved for this)
        DataLocator loc = isolated(home).withDownloads(true).withMirror("cifar10", URI.create("http://fluxion-data.invalid/"));
        IOException e = assertThrows(IOException.class, () -> Datasets.cifar10(loc));
        String m = e.getMessage();
        assertTrue(m.startsWith("CIFAR-10: not found (looked in $FLUXION_CIFAR10_DIR (unset), $FLUXION_DATA_DIR (unset), "), m);
        assertTrue(m.contains(loc.cacheDir("cifar10").toString()), m);
        assertTrue(m.contains("http://fluxion-data.invalid/") && !m.endsWith("null"), m);
        assertTrue(m.contains("set $FLUXION_CIFAR10_DIR"), m);
    }

    @Test
    void downloadFromAFileUrlVerifiesThePublishedChecksums(@TempDir Path home) throws IOException {
        Path shared = TestData.sharedDataOrSkip("mnist");
        DataLocator loc = isolated(home).withDownloads(true).withMirror("mnist", shared.toUri());
        TrainTest m = Datasets.mnist(loc);
        assertEquals(loc.cacheDir("mnist").toString(), m.source());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, firstLabels(m.train().y()));
        try (var s = Files.list(loc.cacheDir("mnist"))) {
            assertEquals(4, s.count(), "four verified files and no temporary ones");
        }
    }

    @Test
    void downloadOverHttpWithAChecksumMismatch(@TempDir Path tmp) throws Exception {
        Path src = tmp.resolve("src");
        TestData.writeTinyIdx(src, 5, 2, 3, true);
        Map<String, byte[]> served = new HashMap<>();
        List<DatasetSpec.Download> downloads = new java.util.ArrayList<>();
        for (String f : DatasetSpec.MNIST.files()) {
            byte[] b = Files.readAllBytes(src.resolve(f + ".gz"));
            served.put("/d/" + f + ".gz", b);
            Path one = tmp.resolve("md5-" + f);
            Files.write(one, b);
            downloads.add(new DatasetSpec.Download(f + ".gz", Downloads.md5(one), false));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/d/");
            DatasetSpec spec = new DatasetSpec("tiny", "Tiny", "FLUXION_TINY_DIR", DatasetSpec.MNIST.files(), List.of(), null,
                    downloads, List.of(base), Map.of());
            DataLocator loc = isolated(tmp.resolve("home")).withDownloads(true);
            TrainTest t = Datasets.loadIdx(spec, loc.locate(spec));
            assertArrayEquals(new int[] {5, 28, 28, 1}, t.train().x().shape());
            assertArrayEquals(new int[] {3, 4, 5, 6, 7}, t.train().y().toIntArray());
            // a second copy elsewhere with a corrupted file on the server
            served.put("/d/t10k-labels-idx1-ubyte.gz", TestData.gzip(TestData.idx(2049, new int[] {2}, new byte[] {1, 1})));
            DataLocator other = isolated(tmp.resolve("home2")).withDownloads(true);
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> other.locate(spec));
            assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(base + "t10k-labels-idx1-ubyte.gz")
                    && e.getMessage().contains(downloads.get(3).md5()), e.getMessage());
            Path cache = other.cacheDir("tiny");
            assertTrue(!Files.exists(cache.resolve("t10k-labels-idx1-ubyte.gz")), "a mismatched download is not kept");
            try (var s = Files.list(cache)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".part")), "no temporary files left");
            }
            // a server error is reported as a failed download
            served.clear();
            IOException notFound = assertThrows(IOException.class, () -> isolated(tmp.resolve("home3")).withDownloads(true).locate(spec));
            assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
        } finally {
            server.stop(0);
        }
    }

    private static DatasetSpec smallCifar10(Map<String, Integer> counts) {
        DatasetSpec s = DatasetSpec.CIFAR10;
        return new DatasetSpec(s.name(), s.title(), s.envVar(), s.files(), s.subdirs(), null, s.downloads(), s.mirrors(), counts);
    }

    @Test
    void cifar10BinaryToNhwc(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int b = 1; b <= 5; b++) {
            int[][] labels = {{b}, {(b + 1) % 10}, {9}};
            members.put("cifar-10-batches-bin/data_batch_" + b + ".bin", cifarRecords(3, labels));
            counts.put("data_batch_" + b + ".bin", 3);
        }
        members.put("cifar-10-batches-bin/test_batch.bin", cifarRecords(2, new int[][] {{3}, {4}}));
        counts.put("test_batch.bin", 2);
        Path dir = tmp.resolve("cifar10");
        for (var e : members.entrySet()) {
            Files.createDirectories(dir.resolve(e.getKey()).getParent());
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        DatasetSpec spec = smallCifar10(counts);
        TrainTest c = Datasets.loadCifar10(spec, DataLocator.explicit(spec, dir, "directory"));
        checkCifar(c.train(), 15, new int[] {1, 2, 9, 2, 3, 9});
        checkCifar(c.test(), 2, new int[] {3, 4});
        // the same files from a downloaded .tar.gz archive (through a file: URL)
        Path archive = tmp.resolve("mirror/cifar-10-binary.tar.gz");
        Files.createDirectories(archive.getParent());
        Files.write(archive, TestData.tarGz(members));
        DatasetSpec.Download d = new DatasetSpec.Download("cifar-10-binary.tar.gz", Downloads.md5(archive), true);
        DatasetSpec dl = new DatasetSpec(spec.name(), spec.title(), spec.envVar(), spec.files(), spec.subdirs(), null, List.of(d),
                List.of(archive.getParent().toUri()), counts);
        DataLocator loc = isolated(tmp.resolve("home")).withDownloads(true);
        TrainTest fromArchive = Datasets.loadCifar10(dl, loc.locate(dl));
        checkCifar(fromArchive.train(), 15, new int[] {1, 2, 9, 2, 3, 9});
        assertTrue(Files.isRegularFile(loc.cacheDir("cifar10").resolve("test_batch.bin")));
        assertTrue(!Files.exists(loc.cacheDir("cifar10").resolve("cifar-10-binary.tar.gz")));
    }

    private static void checkCifar(Pair p, int n, int[] firstLabels) {
        assertArrayEquals(new int[] {n, 32, 32, 3}, p.x().shape());
        assertArrayEquals(firstLabels, Arrays.copyOf(p.y().toIntArray(), firstLabels.length));
        float[] x = p.x().toFloatArray();
        int r = 1; // record 1 of the first file: row 2, column 5, each channel
        for (int c = 0; c < 3; c++) {
            int pixel = 2 * 32 + 5;
            assertEquals(cifarPixel(r, c, pixel) / 255f, x[r * 3072 + pixel * 3 + c], 0f);
        }
    }

    @Test
    void cifar100CoarseAndFineLabels(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("cifar-100-binary");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train.bin"), cifarRecords(4, new int[][] {{1, 11}, {2, 22}, {19, 99}, {0, 0}}));
        Files.write(dir.resolve("test.bin"), cifarRecords(1, new int[][] {{5, 55}}));
        DatasetSpec s = DatasetSpec.CIFAR100;
        DatasetSpec spec = new DatasetSpec(s.name(), s.title(), s.envVar(), s.files(), s.subdirs(), null, s.downloads(), s.mirrors(),
                Map.of("train.bin", 4, "test.bin", 1));
        TrainTest fine = Datasets.loadCifar100(spec, DataLocator.explicit(spec, tmp, "directory"), Datasets.LabelMode.FINE);
        assertArrayEquals(new int[] {11, 22, 99, 0}, fine.train().y().toIntArray());
        assertArrayEquals(new int[] {1, 32, 32, 3}, fine.test().x().shape());
        TrainTest coarse = Datasets.loadCifar100(spec, DataLocator.explicit(spec, tmp, "directory"), Datasets.LabelMode.COARSE);
        assertArrayEquals(new int[] {1, 2, 19, 0}, coarse.train().y().toIntArray());
        assertEquals(cifarPixel(3, 2, 1023) / 255f, coarse.train().x().toFloatArray()[3 * 3072 + 1023 * 3 + 2], 0f);
        // the real loader insists on the real record counts
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Datasets.cifar100(tmp, Datasets.LabelMode.FINE));
        assertTrue(e.getMessage().contains("train.bin") && e.getMessage().contains("expected 50000 records"), e.getMessage());
    }

    @Test
    void csvWithAHeaderAndALabelColumn(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("iris.csv");
        Files.writeString(f, "sepal,\"petal\",species,width\n1.5,2,0,3\n\n4,5.25,2,-6e-1\n");
        Csv.Table t = Csv.read(f, Csv.Options.defaults().withLabel("species"));
        assertEquals(List.of("sepal", "petal", "width"), t.featureNames());
        assertArrayEquals(new int[] {2, 3}, t.features().shape());
        assertArrayEquals(new float[] {1.5f, 2, 3, 4, 5.25f, -0.6f}, t.features().toFloatArray());
        assertArrayEquals(new int[] {0, 2}, t.labels().toIntArray());
        Csv.Table sub = Csv.read(f, Csv.Options.defaults().withLabel("width", DType.FLOAT32).withFeatures("petal"));
        assertArrayEquals(new float[] {2, 5.25f}, sub.features().toFloatArray());
        assertArrayEquals(new float[] {3, -0.6f}, sub.labels().toFloatArray());
        Path semi = tmp.resolve("semi.csv");
        Files.writeString(semi, "a;b\n1;2\n");
        assertArrayEquals(new float[] {1, 2}, Csv.read(semi, Csv.Options.defaults().withDelimiter(';')).features().toFloatArray());
        assertEquals(2, Dataset.fromTensorSlices(t.pair().x(), t.pair().y()).cardinality());
    }

    @Test
    void idxFilesWithMultiByteDimensionsRawOrGzipped(@TempDir Path tmp) throws IOException {
        int rows = 3, cols = 300; // 300 needs two bytes of its big-endian int32
        byte[] px = new byte[2 * rows * cols];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 13);
        Path images = tmp.resolve("images");
        Files.write(images, TestData.idx(2051, new int[] {2, rows, cols}, px));
        Tensor x = Idx.readImages(images);
        assertArrayEquals(new int[] {2, rows, cols, 1}, x.shape());
        float[] v = x.toFloatArray();
        for (int i = 0; i < px.length; i++) assertEquals((px[i] & 0xFF) / 255f, v[i], 0f, "pixel " + i);
        int n = 70_000; // a count that needs three bytes
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) lb[i] = (byte) (i % 251);
        Path labels = tmp.resolve("labels");
        TestData.write(labels, TestData.idx(2049, new int[] {n}, lb), true);
        Tensor y = Idx.readLabels(tmp.resolve("labels.gz"));
        assertArrayEquals(new int[] {n}, y.shape());
        assertEquals(DType.INT32, y.dtype());
        int[] yv = y.toIntArray();
        assertEquals(250, yv[250], "label bytes are unsigned");
        assertEquals((n - 1) % 251, yv[n - 1]);
        // an empty split is a valid file
        Path none = tmp.resolve("none");
        Files.write(none, TestData.idx(2051, new int[] {0, 28, 28}, new byte[0]));
        assertArrayEquals(new int[] {0, 28, 28, 1}, Idx.readImages(none).shape());
    }

    @Test
    void csvDefaultsReadEveryColumnAsAFeature(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("all.csv");
        StringBuilder text = new StringBuilder("\n\nlabel,a,b\n"); // blank lines before the header are skipped
        int n = 700; // more values than the reader's first buffer holds
        for (int i = 0; i < n; i++) text.append(i % 3).append(',').append(i).append(",\"").append(-i).append("\"\n");
        Files.writeString(f, text);
        Csv.Table all = Csv.read(f);
        assertEquals(List.of("label", "a", "b"), all.featureNames());
        assertArrayEquals(new int[] {n, 3}, all.features().shape());
        float[] v = all.features().toFloatArray();
        assertArrayEquals(new float[] {(n - 1) % 3, n - 1, -(n - 1)}, Arrays.copyOfRange(v, 3 * n - 3, 3 * n));
        assertEquals(null, all.labels());
        assertThrows(IllegalStateException.class, all::pair);
        // the first column as the label, and as the only feature
        Csv.Table labelled = Csv.read(f, Csv.Options.defaults().withLabel("label"));
        assertEquals(List.of("a", "b"), labelled.featureNames());
        assertArrayEquals(new int[] {0, 1, 2, 0}, Arrays.copyOf(labelled.labels().toIntArray(), 4));
        Csv.Table first = Csv.read(f, Csv.Options.defaults().withLabel("b", DType.INT64).withFeatures("label"));
        assertEquals(List.of("label"), first.featureNames());
        assertArrayEquals(new float[] {0, 1, 2}, Arrays.copyOf(first.features().toFloatArray(), 3));
        assertEquals(DType.INT64, first.labels().dtype());
        assertEquals(-(n - 1), first.labels().toDoubleArray()[n - 1]);
        Path extremes = tmp.resolve("extremes.csv");
        Files.writeString(extremes, "x,y\n0,2147483647\n1,-2147483648\n");
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE},
                Csv.read(extremes, Csv.Options.defaults().withLabel("y")).labels().toIntArray(), "the int32 range is inclusive");
    }

    /** One tar member: a header and its data padded to 512-byte blocks. */
    private static void member(java.io.ByteArrayOutputStream tar, byte[] header, byte[] data) {
        tar.writeBytes(header);
        tar.writeBytes(data);
        tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    @Test
    void tarEntriesNamedByUstarPrefixGnuLongNameAndPaxPath() throws IOException {
        byte[] a = new byte[700], b = {1, 2, 3}, c = {4}, d = {5, 6};
        Arrays.fill(a, (byte) 9);
        String longName = "cifar-100-binary/" + "x".repeat(120) + "/train.bin";
        String pax = "33 path=cifar/pax/named/test.bin\n";
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        member(tar, TestData.tarHeader("cifar-10-batches-bin", '5', 0), new byte[0]);
        member(tar, TestData.tarHeader("top/level", "data_batch_1.bin", '0', a.length), a);
        member(tar, TestData.tarHeader("././@LongLink", 'L', longName.length() + 1), (longName + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        member(tar, TestData.tarHeader("short-name", '0', b.length), b);
        member(tar, TestData.tarHeader("PaxHeader/x", 'x', pax.length()), pax.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        member(tar, TestData.tarHeader("ignored-name", '\0', c.length), c);
        member(tar, TestData.tarHeader("after/pax.bin", '0', d.length), d);
        tar.writeBytes(new byte[1024]);
        Tar t = new Tar(new java.io.ByteArrayInputStream(tar.toByteArray()), "test.tar");
        Tar.Entry dir = t.next();
        assertEquals("cifar-10-batches-bin", dir.path());
        assertTrue(!dir.isFile());
        Tar.Entry first = t.next();
        assertEquals(new Tar.Entry("top/level/data_batch_1.bin", '0', 700), first);
        assertTrue(first.isFile());
        assertEquals("data_batch_1.bin", first.baseName());
        try (var in = t.data()) {
            assertEquals(9, in.read(), "one byte at a time");
            assertArrayEquals(Arrays.copyOf(a, 699), in.readAllBytes());
            assertEquals(-1, in.read());
        }
        Tar.Entry gnu = t.next();
        assertEquals(longName, gnu.path());
        assertEquals("train.bin", gnu.baseName());
        assertArrayEquals(b, t.data().readAllBytes());
        Tar.Entry paxNamed = t.next();
        assertEquals(new Tar.Entry("cifar/pax/named/test.bin", '\0', 1), paxNamed);
        assertTrue(paxNamed.isFile(), "a NUL type flag is a regular file");
        // the pax path named only the entry after it (whose data was skipped unread)
        Tar.Entry last = t.next();
        assertEquals("after/pax.bin", last.path());
        assertArrayEquals(d, t.data().readAllBytes());
        assertEquals(null, t.next());
        assertEquals("dir", new Tar.Entry("a/dir/", '5', 0).baseName(), "a directory's name without its trailing slash");
    }
}
