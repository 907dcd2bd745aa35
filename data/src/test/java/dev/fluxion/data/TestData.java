package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the tests: the shared real data, generated files, element decoding, thread checks. */
final class TestData {
    private TestData() {}

    /**
     * The shared data folder (/work/shared/data on the build machine): the system property fluxion.shared.data, or
     * shared/data next to the repository root, searched upwards from the working directory.
     */
    static Path sharedData() {
        String prop = System.getProperty("fluxion.shared.data");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; up < 5 && p != null; up++, p = p.getParent()) {
            for (Path candidate : List.of(p.resolve("shared/data"), p.resolve("../shared/data")))
                if (Files.isDirectory(candidate.resolve("mnist"))) return candidate.normalize();
        }
        return null;
    }

    static Path sharedDataOrSkip(String sub) {
        Path d = sharedData();
        Assumptions.assumeTrue(d != null && Files.isDirectory(d.resolve(sub)), "shared data folder " + sub + " not found");
        return d.resolve(sub);
    }

    /** A vector 0..n-1 as int32. */
    static Tensor iota(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return Tensor.of(a, n);
    }

    static int scalar(Tensor t) {
        return t.toIntArray()[0];
    }

    static List<Integer> scalars(List<Tensor> ts) {
        return ts.stream().map(TestData::scalar).toList();
    }

    static List<List<Integer>> rows(List<Tensor> batches) {
        return batches.stream().map(t -> java.util.Arrays.stream(t.toIntArray()).boxed().toList()).toList();
    }

    // ------------------------------------------------------------------ generated files

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(raw);
        }
        return bos.toByteArray();
    }

    /** Writes a tiny MNIST-like set: n train and m test images of 28x28 whose pixels encode (index + seed). */
    static void writeTinyIdx(Path dir, int n, int m, int seed, boolean gz) throws IOException {
        Files.createDirectories(dir);
        writeIdxPair(dir, "train", n, seed, gz);
        writeIdxPair(dir, "t10k", m, seed + 100, gz);
    }

    private static void writeIdxPair(Path dir, String prefix, int n, int seed, boolean gz) throws IOException {
        byte[] px = new byte[n * 784];
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((i / 784 + seed) * 7 + i);
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) lb[i] = (byte) ((i + seed) % 10);
        write(dir.resolve(prefix + "-images-idx3-ubyte"), idx(2051, new int[] {n, 28, 28}, px), gz);
        write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(2049, new int[] {n}, lb), gz);
    }

    static void write(Path file, byte[] raw, boolean gz) throws IOException {
        if (gz) Files.write(file.resolveSibling(file.getFileName() + ".gz"), gzip(raw));
        else Files.write(file, raw);
    }

    /** CIFAR binary records: label bytes, then 3072 pixels in CHW order; pixel (c, p) of record r is (r*31 + c*7 + p) mod 256. */
    static byte[] cifarRecords(int n, int[][] labels) {
        int labelBytes = labels[0].length;
        int rec = labelBytes + 3072;
        byte[] out = new byte[n * rec];
        for (int r = 0; r < n; r++) {
            for (int l = 0; l < labelBytes; l++) out[r * rec + l] = (byte) labels[r][l];
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++) out[r * rec + labelBytes + c * 1024 + p] = (byte) cifarPixel(r, c, p);
        }
        return out;
    }

    static int cifarPixel(int r, int c, int p) {
        return (r * 31 + c * 7 + p) & 0xFF;
    }

    /** A minimal ustar archive holding the given files (path to contents), gzip-compressed. */
    static byte[] tarGz(java.util.Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (var e : files.entrySet()) {
            tar.write(tarHeader(e.getKey(), '0', e.getValue().length));
            tar.write(e.getValue());
            tar.write(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        tar.write(new byte[1024]);
        return gzip(tar.toByteArray());
    }

    /** One ustar header block: the path, a type flag ('0' a file, 'x' a pax extension header) and a data size. */
    static byte[] tarHeader(String path, char type, long size) {
        return tarHeader("", path, type, size);
    }

    /** A ustar header whose path is split into the prefix field and the name field (joined by '/' when read). */
    static byte[] tarHeader(String prefix, String path, char type, long size) {
        byte[] h = new byte[512];
        byte[] name = path.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, h, 0, name.length);
        byte[] pre = prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(pre, 0, h, 345, pre.length);
        putOctal(h, 100, 8, 0644);
        putOctal(h, 108, 8, 0);
        putOctal(h, 116, 8, 0);
        putOctal(h, 124, 12, size);
        putOctal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy(("ustar\u0000" + "00").getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xFF;
        putOctal(h, 148, 7, sum);
        return h;
    }

    private static void putOctal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    // ------------------------------------------------------------------ threads

    static Set<String> pipelineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("fluxion-prefetch-") || n.startsWith("fluxion-map-")).collect(Collectors.toSet());
    }

    /** Waits up to {@code millis} for the pipeline threads started since {@code before} to end, then asserts they did. */
    static void assertNoNewThreads(Set<String> before, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        Set<String> now;
        do {
            now = pipelineThreads();
            now.removeAll(before);
            if (now.isEmpty()) return;
            Thread.sleep(10);
        } while (System.nanoTime() < end);
        assertTrue(now.isEmpty(), "pipeline threads still alive: " + now);
    }

    static List<Long> longs(Dataset<Long> ds) {
        return new ArrayList<>(ds.toList());
    }

    /** Cuts a run after every element, resumes a fresh pipeline from the saved bytes, and compares with the full run. */
    static <E> void resumesAtEveryCut(java.util.function.Supplier<Dataset<E>> build) {
        resumesAt(build, java.util.stream.IntStream.rangeClosed(0, build.get().toList().size()).toArray());
    }

    /** As {@link #resumesAtEveryCut}, at the given cuts only: for inputs too long to cut everywhere. */
    static <E> void resumesAt(java.util.function.Supplier<Dataset<E>> build, int... cuts) {
        List<E> full = build.get().toList();
        for (int k : cuts) {
            IteratorState state;
            try (DataIterator<E> it = build.get().iterator()) {
                for (int i = 0; i < k; i++) it.next();
                state = IteratorState.fromBytes(it.save().toBytes());
            }
            List<E> rest = new ArrayList<>();
            try (DataIterator<E> it = build.get().iterator(state)) {
                it.forEachRemaining(rest::add);
            }
            assertEquals(full.subList(k, full.size()), rest, "resumed after " + k);
        }
    }
}
