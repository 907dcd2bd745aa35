package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static dev.fluxion.data.ErrorMessages.assertMentions;

/**
 * cache(Path) failures: a file that cannot be written leaves nothing behind, and a damaged cache file raises
 * DataPipelineException naming the file and what is wrong (the cause is a DatasetFormatException), never a shorter
 * or wrong data set.
 */
class CacheErrorsTest {
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Dataset<Tensor> cached(Path file) {
        return Dataset.fromTensorSlices(iota(3)).cache(file);
    }

    /** The offset of the first element: magic and version, the length of the saved start position, the position. */
    private static int firstElement(byte[] bytes) {
        return 9 + ByteBuffer.wrap(bytes, 5, 4).getInt();
    }

    /** Reading {@code file} back fails with a format error naming it. */
    private static DataPipelineException unreadable(Path file) {
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> cached(file).toList());
        assertInstanceOf(DatasetFormatException.class, e.getCause());
        assertMentions(e, "cache", file.toString());
        return e;
    }

    @Test
    void aCacheUnderAFileCannotBeCreated(@TempDir Path dir) throws IOException {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "not a directory");
        Path file = blocker.resolve("c.bin");
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> cached(file).toList());
        assertMentions(e, "cache: cannot create", file.toString());
        assertEquals(List.of("blocker"), names(dir));
    }

    @Test
    void aDirectoryInTheCachesPlaceIsNotReplaced(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "user data");
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> cached(target).toList());
        assertMentions(e, "cache: writing " + target + " failed");
        assertEquals(List.of("target"), names(dir), "no temporary file is left");
        assertEquals("user data", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void elementsThatAreNotTensorsCannotBeCachedToAFile(@TempDir Path dir) throws IOException {
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> Dataset.range(3).cache(dir.resolve("c.bin")).toList());
        assertMentions(e, "cache(Path) stores Tensor, Pair and TensorTuple elements, got java.lang.Long");
        assertEquals(List.of(), names(dir), "neither the cache nor a temporary file is left");
    }

    @Test
    void aFileTooShortForTheHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.bin");
        Files.write(file, new byte[] {'F', 'X', 'D'});
        assertMentions(unreadable(file), "truncated header", "only 3 bytes");
    }

    @Test
    void aFileThatIsNotACache(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.bin");
        Files.writeString(file, "x,y\n1,2\n");
        assertMentions(unreadable(file), "not a Fluxion dataset cache (expected magic FXDC)");
    }

    @Test
    void aDamagedSavedPositionInTheHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.bin");
        byte[] bytes = Files.readAllBytes(written(file));
        bytes[firstElement(bytes) - 6] ^= 0x40; // inside the saved start position
        Files.write(file, bytes);
        assertMentions(unreadable(file), "corrupt header", "CRC32");
    }

    private static Path written(Path file) {
        cached(file).toList();
        return file;
    }

    @Test
    void aFileCutAtAnElementBoundaryLacksItsEndMarker(@TempDir Path dir) throws IOException {
        Path file = written(dir.resolve("c.bin"));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 9)); // the end marker: tag 0 and a long count
        assertMentions(unreadable(file), "truncated: the file ends at element 3 without its end marker");
    }

    @Test
    void anUnknownElementTag(@TempDir Path dir) throws IOException {
        Path file = written(dir.resolve("c.bin"));
        byte[] bytes = Files.readAllBytes(file);
        bytes[firstElement(bytes)] = 9;
        Files.write(file, bytes);
        assertMentions(unreadable(file), "element 0: unknown tag 9");
    }

    @Test
    void anUnknownDtypeCode(@TempDir Path dir) throws IOException {
        Path file = written(dir.resolve("c.bin"));
        byte[] bytes = Files.readAllBytes(file);
        int second = firstElement(bytes) + 1 + 2 + 4; // tag, then the first tensor: dtype, rank 0, its int32 value
        assertEquals(1, bytes[second], "tag of element 1");
        bytes[second + 1] = 42;
        Files.write(file, bytes);
        assertMentions(unreadable(file), "element 1: unknown dtype code 42");
    }

    @Test
    void aBadTupleSize(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.bin");
        Dataset<TensorTuple> triples = Dataset.fromTensorSlices(iota(3), iota(3), iota(3)).cache(file);
        triples.toList();
        byte[] bytes = Files.readAllBytes(file);
        int at = firstElement(bytes);
        assertEquals(3, bytes[at], "a tuple is written with tag 3");
        assertEquals(3, ByteBuffer.wrap(bytes, at + 1, 4).getInt(), "then its size");
        Arrays.fill(bytes, at + 1, at + 5, (byte) 0);
        Files.write(file, bytes);
        DataPipelineException e = assertThrows(DataPipelineException.class, triples::toList);
        assertInstanceOf(DatasetFormatException.class, e.getCause());
        assertMentions(e, file.toString(), "element 0: bad tuple size 0");
    }
}
