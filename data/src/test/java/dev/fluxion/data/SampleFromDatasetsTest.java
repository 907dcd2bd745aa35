package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static dev.fluxion.data.TestData.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sampleFromDatasets and chooseFromDatasets: tf.data's semantics, frequencies, determinism and exact resume. */
class SampleFromDatasetsTest {
    /** n elements tagged by dataset: 1000 * tag + i. */
    private static Dataset<Long> tagged(int tag, int n) {
        return Dataset.range(1000L * tag, 1000L * tag + n, 1);
    }

    @Test
    void everyElementOfEveryDatasetComesOutInItsOwnOrder() {
        Dataset<Long> mixed = Dataset.sampleFromDatasets(List.of(tagged(0, 30), tagged(1, 50), tagged(2, 5)), new double[] {1, 2, 1}, 7);
        assertEquals(85, mixed.cardinality());
        List<Long> out = longs(mixed);
        assertEquals(85, out.size());
        for (int tag = 0; tag < 3; tag++) {
            int t = tag;
            assertEquals(longs(tagged(tag, List.of(30, 50, 5).get(tag))), out.stream().filter(x -> x / 1000 == t).toList(), "dataset " + tag);
        }
        assertNotEquals(longs(tagged(0, 30).concatenate(tagged(1, 50)).concatenate(tagged(2, 5))), out, "interleaved, not concatenated");
    }

    @Test
    void drawsFollowTheWeights() {
        Dataset<Long> mixed = Dataset.sampleFromDatasets(List.of(tagged(0, 1).repeat(), tagged(1, 1).repeat(), tagged(2, 1).repeat(),
                tagged(3, 1).repeat()), new double[] {2, 5, 3, 0}, 11);
        assertEquals(Dataset.INFINITE, mixed.cardinality());
        long[] counts = new long[4];
        for (long x : mixed.take(20_000)) counts[(int) (x / 1000)]++;
        // binomial standard deviation of a share: at most sqrt(0.25 / 20000) = 0.0035; allow 4 of them
        assertEquals(0.2, counts[0] / 20_000.0, 0.014);
        assertEquals(0.5, counts[1] / 20_000.0, 0.014);
        assertEquals(0.3, counts[2] / 20_000.0, 0.014);
        assertEquals(0, counts[3], "a weight of 0 is never drawn");
        assertEquals(List.of(0L, 1L, 2L), longs(Dataset.sampleFromDatasets(List.of(tagged(0, 3), tagged(1, 3)), new double[] {1, 0}, 2)),
                "it ends when only weights of 0 are left");
    }

    @Test
    void drawsAreAFunctionOfTheSeedAndDifferEachPass() {
        var build = (java.util.function.Supplier<Dataset<Long>>) () ->
                Dataset.sampleFromDatasets(List.of(tagged(0, 20), tagged(1, 20)), new double[] {1, 1}, 3);
        Dataset<Long> ds = build.get();
        List<Long> first = longs(ds), second = longs(ds);
        assertEquals(first, longs(build.get()), "the same seed, the same first pass");
        assertNotEquals(first, second, "the next pass draws anew");
        assertNotEquals(first, longs(Dataset.sampleFromDatasets(List.of(tagged(0, 20), tagged(1, 20)), new double[] {1, 1}, 4)));
        // after a restore, the next fresh pass is the one after the restored pass
        Dataset<Long> restored = build.get();
        IteratorState mid;
        try (DataIterator<Long> it = build.get().iterator()) {
            it.next();
            mid = it.save();
        }
        try (DataIterator<Long> it = restored.iterator(mid)) {
            it.forEachRemaining(x -> {});
        }
        assertEquals(second, longs(restored));
    }

    @Test
    void stopOnEmptyEndsWithTheFirstDatasetToEnd() {
        List<Long> out = longs(Dataset.sampleFromDatasets(List.of(tagged(0, 3), tagged(1, 1000)), new double[] {1, 1}, 5, true));
        assertEquals(3, out.stream().filter(x -> x < 1000).count(), "all of the short one");
        assertTrue(out.size() < 100, "stopped early: " + out.size());
        assertEquals(Dataset.UNKNOWN, Dataset.sampleFromDatasets(List.of(tagged(0, 3)), new double[] {1}, 5, true).cardinality());
    }

    @Test
    void chooseFollowsTheChoices() {
        Dataset<Long> choices = Dataset.of(0L, 1L, 1L, 2L, 0L, 2L);
        assertEquals(List.of(0L, 1000L, 1001L, 2000L, 1L, 2001L), longs(Dataset.chooseFromDatasets(List.of(tagged(0, 5), tagged(1, 5), tagged(2, 5)), choices)));
        // dataset 1 has one element: by default its second choice ends everything, otherwise that choice is skipped
        Dataset<Long> again = Dataset.of(1L, 0L, 1L, 0L);
        assertEquals(List.of(1000L, 0L), longs(Dataset.chooseFromDatasets(List.of(tagged(0, 5), tagged(1, 1)), again)));
        assertEquals(List.of(1000L, 0L, 1L), longs(Dataset.chooseFromDatasets(List.of(tagged(0, 5), tagged(1, 1)), again, false)));
        assertEquals(List.of(1000L, 0L), longs(Dataset.chooseFromDatasets(List.of(tagged(0, 5), tagged(1, 1)), Dataset.of(1L, 1L, 1L, 0L), false)),
                "choices of an ended dataset are skipped");
        // endless choices end once every dataset has ended
        assertEquals(List.of(0L, 1000L, 1L), longs(Dataset.chooseFromDatasets(List.of(tagged(0, 2), tagged(1, 1)), Dataset.of(0L, 1L).repeat(), false)));
    }

    @Test
    void resumesExactly() {
        TestData.resumesAtEveryCut(() -> Dataset.sampleFromDatasets(List.of(tagged(0, 7), tagged(1, 9).shuffle(4, 2), tagged(2, 3)),
                new double[] {1, 3, 2}, 9));
        TestData.resumesAtEveryCut(() -> Dataset.sampleFromDatasets(List.of(tagged(0, 4), tagged(1, 9)), new double[] {1, 1}, 9, true));
        TestData.resumesAtEveryCut(() -> Dataset.chooseFromDatasets(List.of(tagged(0, 3), tagged(1, 4)),
                Dataset.range(12).map(i -> i % 3 == 0 ? 0L : 1L), false));
    }

    @Test
    void badArgumentsAndChoicesAreNamed() {
        List<Dataset<Long>> two = List.of(tagged(0, 3), tagged(1, 3));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(two, new double[] {1}, 0)),
                "sampleFromDatasets: 1 weights for 2 datasets");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(two, new double[] {1, -1}, 0)),
                "weight 1 is -1.0", "finite and >= 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(two, new double[] {1, Double.NaN}, 0)), "weight 1 is NaN");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(two, new double[] {0, 0}, 0)), "weights are all 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(List.of(), new double[0], 0)),
                "sampleFromDatasets: give at least one dataset");
        List<Dataset<Long>> withNull = new ArrayList<>(two);
        withNull.add(null);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.chooseFromDatasets(withNull, Dataset.of(0L))),
                "chooseFromDatasets: dataset 2 is null");
        assertMentions(assertThrows(DataPipelineException.class, () -> longs(Dataset.chooseFromDatasets(two, Dataset.of(0L, 1L, 2L)))),
                "chooseFromDatasets: choice 2 is 2", "there are 2 datasets (indices 0..1)");
        IteratorState three;
        try (DataIterator<Long> it = Dataset.sampleFromDatasets(List.of(tagged(0, 3), tagged(1, 3), tagged(2, 3)), new double[] {1, 1, 1}, 0).iterator()) {
            it.next();
            three = it.save();
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.sampleFromDatasets(two, new double[] {1, 1}, 0).iterator(three)),
                "sampleFromDatasets saved over 3 datasets, this pipeline has 2");
    }
}
