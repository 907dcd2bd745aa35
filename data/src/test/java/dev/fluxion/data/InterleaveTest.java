package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static dev.fluxion.data.TestData.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** interleave, flatMap and shard: tf.data's semantics, against a reference written out here, and exact resume. */
class InterleaveTest {
    /**
     * tf.data's interleave as a plain list program: the sequences of {@code lengths}, element i's sequence being
     * 100 i, 100 i + 1, ...; up to {@code cycle} open, each giving {@code block} per turn.
     */
    private static List<Long> reference(int[] lengths, int cycle, int block) {
        List<Long> out = new ArrayList<>();
        long[][] open = new long[cycle][]; // {element, next offset}
        int next = 0, at = 0, given = 0;
        while (true) {
            if (open[at] == null && next < lengths.length) open[at] = new long[] {next++, 0};
            if (open[at] != null && open[at][1] < lengths[(int) open[at][0]]) {
                out.add(100 * open[at][0] + open[at][1]++);
                if (++given < block) continue;
            } else if (open[at] != null) {
                open[at] = null;
            } else if (java.util.Arrays.stream(open).allMatch(java.util.Objects::isNull)) {
                return out;
            }
            given = 0;
            at = (at + 1) % cycle;
        }
    }

    private static Dataset<Long> sequences(int[] lengths, int cycle, int block) {
        return Dataset.range(lengths.length).interleave(i -> Dataset.range(100 * i, 100 * i + lengths[i.intValue()], 1), cycle, block);
    }

    @Test
    void tfDataDocumentationExample() {
        // range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), cycle_length=2, block_length=4)
        List<Long> got = longs(Dataset.range(1, 6, 1).interleave(x -> Dataset.of(x).repeat(6), 2, 4));
        assertEquals(List.of(1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L, 1L, 1L, 2L, 2L, 3L, 3L, 3L, 3L, 4L, 4L, 4L, 4L, 3L, 3L, 4L, 4L,
                5L, 5L, 5L, 5L, 5L, 5L), got);
    }

    @Test
    void matchesTheReferenceForRandomLengthsCyclesAndBlocks() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            int[] lengths = r.ints(r.nextInt(0, 7), 0, 6).toArray();
            int cycle = r.nextInt(1, 5), block = r.nextInt(1, 4);
            assertEquals(reference(lengths, cycle, block), longs(sequences(lengths, cycle, block)),
                    java.util.Arrays.toString(lengths) + " cycle " + cycle + " block " + block);
        }
    }

    @Test
    void flatMapConcatenatesTheDatasetsInOrder() {
        assertEquals(List.of(0L, 0L, 1L, 0L, 1L, 2L), longs(Dataset.range(4).flatMap(n -> Dataset.range(n))));
        assertEquals(List.of(), longs(Dataset.range(0).flatMap(n -> Dataset.range(n))));
        assertEquals(0, Dataset.range(0).flatMap(n -> Dataset.range(n)).cardinality());
        assertEquals(Dataset.UNKNOWN, Dataset.range(4).flatMap(n -> Dataset.range(n)).cardinality());
        // each pass reopens the datasets
        Dataset<Long> twice = Dataset.range(3).flatMap(n -> Dataset.of(n, n));
        assertEquals(longs(twice), longs(twice));
    }

    @Test
    void resumesInsideTheCycle() {
        TestData.resumesAtEveryCut(() -> sequences(new int[] {3, 0, 5, 1, 4, 2}, 3, 2));
        // shuffled input, shuffled inner datasets, a map after: the replayed elements rebuild the same datasets
        TestData.resumesAtEveryCut(() -> Dataset.range(6).shuffle(4, 3)
                .interleave(i -> Dataset.range(10 * i, 10 * i + i % 4, 1).shuffle(3, i), 2, 1).map(x -> x * 2));
        TestData.resumesAtEveryCut(() -> Dataset.range(5).flatMap(n -> Dataset.range(n).batch(2, false, List::copyOf)));
    }

    @Test
    void shardKeepsEveryCountthElement() {
        assertEquals(List.of(0L, 3L, 6L, 9L), longs(Dataset.range(10).shard(3, 0)));
        assertEquals(List.of(1L, 4L, 7L), longs(Dataset.range(10).shard(3, 1)));
        assertEquals(List.of(2L, 5L, 8L), longs(Dataset.range(10).shard(3, 2)));
        assertEquals(List.of(), longs(Dataset.range(2).shard(3, 2)));
        for (int n = 0; n < 8; n++)
            for (int count = 1; count < 4; count++)
                for (int index = 0; index < count; index++)
                    assertEquals(Dataset.range(n).shard(count, index).toList().size(), Dataset.range(n).shard(count, index).cardinality(),
                            n + " elements, shard " + index + " of " + count);
        assertEquals(Dataset.INFINITE, Dataset.range(3).repeat().shard(2, 1).cardinality());
        assertEquals(Dataset.UNKNOWN, Dataset.range(3).filter(x -> true).shard(2, 1).cardinality());
        assertEquals(List.of(1L, 3L, 5L), longs(Dataset.range(7).filter(x -> true).shard(2, 1)));
        TestData.resumesAtEveryCut(() -> Dataset.range(20).shard(3, 2).shuffle(3, 5));
    }

    @Test
    void closingStopsTheOpenDatasetsThreads() throws InterruptedException {
        Set<String> before = TestData.pipelineThreads();
        try (DataIterator<Long> it = Dataset.range(4).interleave(i -> Dataset.range(1000).prefetch(2), 3, 1).iterator()) {
            for (int i = 0; i < 5; i++) it.next();
            assertFalse(TestData.pipelineThreads().equals(before), "each open dataset prefetches on its own thread");
        }
        TestData.assertNoNewThreads(before, 2000);
    }

    @Test
    void failuresNameTheOpAndElement() {
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(3).<Long>flatMap(n -> {
            if (n == 2) throw new IllegalStateException("no file " + n);
            return Dataset.of(n);
        }).toList()), "flatMap: the function failed on element 2", "no file 2");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(3).<Long>interleave(n -> null, 2, 1).toList()),
                "interleave: the function returned null for element 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).interleave(Dataset::range, 0, 1)),
                "interleave: cycleLength must be >= 1, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).interleave(Dataset::range, 1, 0)),
                "interleave: blockLength must be >= 1, got 0");
        assertThrows(NullPointerException.class, () -> Dataset.range(3).flatMap(null));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).shard(0, 0)),
                "shard: the number of shards must be >= 1, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).shard(2, 2)),
                "shard: index must be in 0..1 for 2 shards, got 2");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).shard(2, -1)), "got -1");
    }

    @Test
    void restoringOntoAnotherCycleOrFewerElementsIsRefused() {
        IteratorState s;
        try (DataIterator<Long> it = sequences(new int[] {2, 2, 2}, 2, 1).iterator()) {
            for (int i = 0; i < 5; i++) it.next(); // 0, 100, 1, 101, 200: element 2 is open in slot 0
            s = it.save();
        }
        IteratorState saved = s;
        assertMentions(assertThrows(IllegalArgumentException.class, () -> sequences(new int[] {2, 2, 2}, 3, 1).iterator(saved)),
                "interleave saved with a cycle of 2 datasets, this pipeline's has 3");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).flatMap(Dataset::range).iterator(saved)),
                "expected a 'flatMap' stage, found 'interleave'");
        // the input now filters element 2 out: its dataset cannot be reopened
        java.util.function.LongFunction<Dataset<Long>> below = limit -> Dataset.range(3).filter(x -> x < limit)
                .interleave(i -> Dataset.range(100 * i, 100 * i + 2, 1), 2, 1);
        IteratorState filtered;
        try (DataIterator<Long> it = below.apply(3).iterator()) {
            for (int i = 0; i < 5; i++) it.next();
            filtered = it.save();
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> below.apply(2).iterator(filtered)),
                "interleave input ended before the saved element 2");
        IteratorState badBlock = IteratorState.fromJson(s.toJson().replace("\"block\":[0]", "\"block\":[5]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> sequences(new int[] {2, 2, 2}, 2, 1).iterator(badBlock)),
                "'block' 5 outside 0..0");
        IteratorState badCycle = IteratorState.fromJson(s.toJson().replace("\"cycle\":[1]", "\"cycle\":[2]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> sequences(new int[] {2, 2, 2}, 2, 1).iterator(badCycle)),
                "'cycle' 2 outside 0..1");
        try (DataIterator<Long> it = Dataset.fromGenerator(() -> List.of(1L, 2L).iterator()).map(x -> x, 2, false)
                .flatMap(n -> Dataset.of(n, n)).iterator()) {
            it.next();
            // the input's own refusal, which names the reason
            IllegalStateException e = assertThrows(IllegalStateException.class, it::save);
            assertMentions(e, "deterministic=false", "cannot be saved");
        }
    }
}
