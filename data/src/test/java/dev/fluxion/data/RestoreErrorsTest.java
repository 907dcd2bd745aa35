package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static dev.fluxion.data.ErrorMessages.assertMentions;

/**
 * Restoring a saved position onto a pipeline it does not fit (the same stages over other data, or a hand-edited
 * state) fails in {@code iterator(state)} with IllegalArgumentException naming the stage and the saved position,
 * instead of continuing at a wrong place.
 */
class RestoreErrorsTest {
    /** The position after {@code n} elements of a fresh pass. */
    private static <E> IteratorState after(Dataset<E> ds, int n) {
        try (DataIterator<E> it = ds.iterator()) {
            for (int i = 0; i < n; i++) it.next();
            return it.save();
        }
    }

    private static IllegalArgumentException refused(Dataset<?> ds, IteratorState state) {
        return assertThrows(IllegalArgumentException.class, () -> ds.iterator(state).close());
    }

    private static Dataset<Tensor> rowsOf(int rows, int cols) {
        return Dataset.fromTensorSlices(iota(rows * cols).reshape(rows, cols));
    }

    @Test
    void unbatchOverFewerElements() {
        IteratorState s = after(rowsOf(3, 2).unbatch(), 5); // inside element 2
        assertMentions(refused(rowsOf(2, 2).unbatch(), s), "unbatch input ended before the saved element 2");
    }

    @Test
    void unbatchOverShorterElements() {
        IteratorState s = after(rowsOf(2, 3).unbatch(), 2); // two rows into element 0
        assertMentions(refused(rowsOf(2, 1).unbatch(), s), "row 2 beyond an element of 1 rows");
    }

    @Test
    void unbatchInsideAnElementOfAnUnsaveableInput() {
        try (DataIterator<Tensor> it = rowsOf(3, 2).map(t -> t, 2, false).unbatch().iterator()) {
            it.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::save);
            assertMentions(e, "unbatch", "cannot be saved");
            assertTrue(e.getCause() instanceof UnsaveableException, "cause: " + e.getCause());
        }
    }

    @Test
    void shuffleStateWithAnEditedReadCount() {
        IteratorState s = after(Dataset.range(10).shuffle(4, 7), 2);
        assertEquals(6, s.get("reads"));
        IteratorState edited = IteratorState.fromJson(s.toJson().replace("\"reads\":[6]", "\"reads\":[1]"));
        assertMentions(refused(Dataset.range(10).shuffle(4, 7), edited), "shuffle buffer ordinal", ", 1)");
    }

    @Test
    void iterableWithFewerElements() {
        IteratorState s = after(Dataset.fromIterable(new LinkedList<>(List.of(0, 1, 2, 3, 4))), 4);
        assertMentions(refused(Dataset.fromIterable(new LinkedList<>(List.of(0, 1))), s), "iterable has fewer than 4 elements");
    }

    @Test
    void listWithFewerElements() {
        IteratorState s = after(Dataset.of(0, 1, 2, 3, 4), 4);
        assertMentions(refused(Dataset.of(7, 8), s), "list index 4 outside [0, 2]");
    }

    @Test
    void memoryCacheOverFewerElements() {
        Dataset<Long> ten = Dataset.range(10).cache();
        ten.toList(); // fills the cache; the next pass reads it
        IteratorState s = after(ten, 8);
        assertEquals(1, s.get("mode"));
        assertMentions(refused(Dataset.range(5).cache(), s), "cache position 8 outside [0, 5]");
    }

    @Test
    void fileCacheOverFewerElements(@TempDir Path dir) throws Exception {
        IteratorState s = after(Dataset.fromTensorSlices(iota(10)).cache(dir.resolve("ten.bin")), 8); // saved while filling
        Path five = dir.resolve("five.bin");
        assertMentions(refused(Dataset.fromTensorSlices(iota(5)).cache(five), s), "cache position 8 beyond the end of", five.toString());
        assertTrue(Files.isRegularFile(five), "the refill of the five elements completed");
    }

    @Test
    void prefetchOverFewerElementsFailsInIteratorNotLater() {
        IteratorState s = after(Dataset.range(10).prefetch(2), 5);
        assertMentions(refused(Dataset.range(3).prefetch(2), s), "prefetch input ended before the saved position", "5 elements");
        // the same state still restores where it fits
        try (DataIterator<Long> it = Dataset.range(10).prefetch(2).iterator(s)) {
            assertEquals(5L, it.next());
        }
    }

    @Test
    void parallelMapOverFewerElements() {
        IteratorState s = after(Dataset.range(10).map(v -> v, 2, true), 5);
        assertMentions(refused(Dataset.range(3).map(v -> v, 2, true), s), "map's input ended before the saved position", "5 elements");
    }

    @Test
    void shuffleStateWhoseBufferHoldsAnElementNotYetRead() {
        IteratorState s = after(Dataset.range(10).shuffle(4, 7), 2);
        long last = java.util.Arrays.stream(s.getArray("buffer")).max().orElseThrow();
        assertEquals(5, last);
        IteratorState edited = IteratorState.fromJson(s.toJson().replace("\"reads\":[6]", "\"reads\":[5]"));
        assertMentions(refused(Dataset.range(10).shuffle(4, 7), edited), "shuffle buffer ordinal 5 outside", ", 5)");
    }
}
