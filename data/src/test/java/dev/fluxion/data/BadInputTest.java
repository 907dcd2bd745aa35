package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Each damaged input raises DatasetFormatException naming the file and what was expected and found. */
class BadInputTest {
    private static DatasetFormatException fails(Executable load, Path file, String... words) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, load);
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "message names the file: " + m);
        assertTrue(e.file().contains(file.getFileName().toString()), "file(): " + e.file());
        for (String w : words) assertTrue(m.contains(w), "message has '" + w + "': " + m);
        return e;
    }

    @Test
    void truncatedIdxFiles(@TempDir Path dir) throws IOException {
        TestData.writeTinyIdx(dir, 3, 2, 0, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] full = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(full, full.length - 100));
        fails(() -> Datasets.mnist(dir), images, "truncated", "expected 2352", "found 2252");
        Files.write(images, Arrays.copyOf(full, 10));
        fails(() -> Datasets.mnist(dir), images, "truncated header");
        Files.write(images, Arrays.copyOf(full, full.length + 1));
        fails(() -> Datasets.mnist(dir), images, "trailing data");
        // a cut gzip stream
        Files.delete(images);
        byte[] gz = TestData.gzip(full);
        Path gzFile = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(gzFile, Arrays.copyOf(gz, gz.length / 2));
        fails(() -> Datasets.mnist(dir), gzFile, "gzip");
    }

    @Test
    void wrongMagicNumber(@TempDir Path dir) throws IOException {
        TestData.writeTinyIdx(dir, 3, 2, 0, true);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Path images = dir.resolve("t10k-images-idx3-ubyte.gz");
        Files.copy(labels, images, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // labels where images belong
        fails(() -> Datasets.mnist(dir), images, "wrong magic number", "expected 2051", "found 2049");
    }

    @Test
    void imageAndLabelCountsDisagree(@TempDir Path dir) throws IOException {
        TestData.writeTinyIdx(dir, 3, 2, 0, true);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(labels, TestData.gzip(TestData.idx(2049, new int[] {4}, new byte[] {1, 2, 3, 4})));
        fails(() -> Datasets.mnist(dir), labels, "3 images", "4 labels");
    }

    @Test
    void truncatedOrInvalidCifar(@TempDir Path dir) throws IOException {
        for (int b = 1; b <= 5; b++) Files.write(dir.resolve("data_batch_" + b + ".bin"), TestData.cifarRecords(2, new int[][] {{1}, {2}}));
        byte[] test = TestData.cifarRecords(2, new int[][] {{1}, {2}});
        Path testFile = dir.resolve("test_batch.bin");
        Files.write(testFile, Arrays.copyOf(test, test.length - 5));
        DatasetSpec s = DatasetSpec.CIFAR10;
        Map<String, Integer> any = Map.of();
        DatasetSpec spec = new DatasetSpec(s.name(), s.title(), s.envVar(), s.files(), s.subdirs(), null, s.downloads(), s.mirrors(), any);
        fails(() -> Datasets.loadCifar10(spec, DataLocator.explicit(spec, dir, "directory")), testFile, "3073-byte records", "found 6141 bytes");
        // the real loader checks the record count even when the file ends on a record boundary
        Files.write(testFile, test);
        fails(() -> Datasets.cifar10(dir), dir.resolve("data_batch_1.bin"), "expected 10000 records", "found 6146 bytes");
        test[3073] = 10; // label of record 1
        Files.write(testFile, test);
        fails(() -> Datasets.loadCifar10(spec, DataLocator.explicit(spec, dir, "directory")), testFile, "record 1", "label 10");
    }

    @Test
    void truncatedArchive(@TempDir Path dir) throws IOException {
        byte[] tgz = TestData.tarGz(Map.of("a/test.bin", new byte[5000]));
        byte[] tar = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(tgz)).readAllBytes();
        Path archive = dir.resolve("x.tar.gz");
        Files.write(archive, TestData.gzip(Arrays.copyOf(tar, 512 + 1000)));
        fails(() -> Downloads.unpack(archive, dir, java.util.Set.of("test.bin")), archive, "truncated");
        assertTrue(!Files.exists(dir.resolve("test.bin")), "no partial member is left");
    }

    @Test
    void badCsvFiles(@TempDir Path dir) throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,c\n1,2,3\n4,5\n");
        fails(() -> Csv.read(ragged), ragged, "line 3", "expected 3 fields", "found 2");
        Path text = dir.resolve("text.csv");
        Files.writeString(text, "a,b\n1,2\n3,abc\n");
        fails(() -> Csv.read(text), text, "line 3", "column 'b'", "'abc'");
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "a,b\n1,\n");
        fails(() -> Csv.read(empty), empty, "empty cell");
        Path noHeader = dir.resolve("blank.csv");
        Files.writeString(noHeader, "");
        fails(() -> Csv.read(noHeader), noHeader, "header");
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "x,y\n1,0\n2,1.5\n");
        fails(() -> Csv.read(labels, Csv.Options.defaults().withLabel("y")), labels, "not a whole number");
        fails(() -> Csv.read(labels, Csv.Options.defaults().withLabel("z")), labels, "no column named 'z'", "[x, y]");
    }

    @Test
    void idxMagicNumbersAndDimensionsAreReadAsBigEndianInt32(@TempDir Path dir) throws IOException {
        byte[] data = new byte[4];
        Path f = dir.resolve("images-idx3-ubyte");
        Files.write(f, TestData.idx(0x01000803, new int[] {1, 2, 2}, data));
        fails(() -> Idx.readImages(f), f, "wrong magic number", "expected 2051 (0x00000803, IDX images: unsigned bytes, 3 dimensions)",
                "found 16779267 (0x01000803)");
        Files.write(f, TestData.idx(0x00010803, new int[] {1, 2, 2}, data));
        fails(() -> Idx.readImages(f), f, "found 67587 (0x00010803)");
        Files.write(f, TestData.idx(2051, new int[] {1, 2, 2}, data));
        fails(() -> Idx.readLabels(f), f, "expected 2049 (0x00000801, IDX labels: unsigned bytes, 1 dimension)", "found 2051");
        Files.write(f, TestData.idx(2051, new int[] {0x80000001, 2, 2}, data));
        fails(() -> Idx.readImages(f), f, "dimension 0 is negative: -2147483647");
        Files.write(f, TestData.idx(2051, new int[] {1 << 20, 1 << 10, 1 << 10}, data));
        fails(() -> Idx.readImages(f), f, "dimensions [1048576, 1024, 1024] are too large");
        Files.write(f, Arrays.copyOf(TestData.idx(2051, new int[] {1, 2, 2}, data), 10));
        fails(() -> Idx.readImages(f), f, "truncated header: expected 3 dimensions (12 bytes), found 6 bytes");
    }

    @Test
    void csvErrorsNameTheLineCountingBlankLinesAndTheDataRow(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("late.csv");
        Files.writeString(f, "\n\na,b\n1,2\n\n3,x\n");
        fails(() -> Csv.read(f), f, "line 6, column 'b'", "'x'");
        Path quoted = dir.resolve("quoted.csv");
        Files.writeString(quoted, "a,b\n1,\"\"\n");
        fails(() -> Csv.read(quoted), quoted, "line 2, column 'b': empty cell");
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "x,y\n1,0\n2,1\n3,2.5\n");
        fails(() -> Csv.read(labels, Csv.Options.defaults().withLabel("y")), labels, "data row 3, column 'y': label 2.5");
        Path big = dir.resolve("big.csv");
        Files.writeString(big, "x,y\n1,3e9\n");
        fails(() -> Csv.read(big, Csv.Options.defaults().withLabel("y")), big, "label 3.0E9 is not a whole number in range");
        assertArrayEquals(new long[] {3_000_000_000L}, Csv.read(big, Csv.Options.defaults().withLabel("y", dev.fluxion.DType.INT64)).labels().toLongArray());
    }
}
