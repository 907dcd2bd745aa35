package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ShuffleTest {
    private static final List<Long> ZERO_TO_49 = LongStream.range(0, 50).boxed().toList();

    @Test
    void sameSeedSameSequenceOfEpochs() {
        Dataset<Long> a = Dataset.range(50).shuffle(50, 7);
        Dataset<Long> b = Dataset.range(50).shuffle(50, 7);
        for (int epoch = 0; epoch < 3; epoch++) assertEquals(a.toList(), b.toList(), "epoch " + epoch);
        assertNotEquals(Dataset.range(50).shuffle(50, 7).toList(), Dataset.range(50).shuffle(50, 8).toList());
    }

    @Test
    void aPositionalInputIsShuffledExactlyAsAnInputOfElements() {
        // range and tensor slices are positional (the buffer holds positions); map hides that, so the buffer holds elements
        for (int buffer : new int[] {1, 7, 100, 300, 1000}) {
            Dataset<Long> positional = Dataset.range(300).shuffle(buffer, 5), elements = Dataset.range(300).map(x -> x).shuffle(buffer, 5);
            for (int epoch = 0; epoch < 2; epoch++) assertEquals(elements.toList(), positional.toList(), "buffer " + buffer + ", epoch " + epoch);
        }
        float[] values = new float[40];
        for (int i = 0; i < values.length; i++) values[i] = i;
        Tensor rows = Tensor.of(values, 20, 2);
        List<Double> sliced = Dataset.fromTensorSlices(rows).shuffle(20, 3).map(r -> r.get(0)).toList().stream().map(Tensor::item).toList();
        List<Double> mapped = Dataset.fromTensorSlices(rows).map(r -> r).shuffle(20, 3).map(r -> r.get(0)).toList().stream().map(Tensor::item).toList();
        assertEquals(mapped, sliced);
        assertNotEquals(mapped.stream().sorted().toList(), mapped, "shuffled");
    }

    @Test
    void fullBufferGivesPermutationsAndReshufflesEachEpoch() {
        Dataset<Long> ds = Dataset.range(50).shuffle(1000, 3);
        List<Long> e1 = ds.toList();
        List<Long> e2 = ds.toList();
        assertEquals(ZERO_TO_49, e1.stream().sorted().toList());
        assertEquals(ZERO_TO_49, e2.stream().sorted().toList());
        assertNotEquals(ZERO_TO_49, e1);
        assertNotEquals(e1, e2, "a new pass reshuffles");
        Dataset<Long> fixed = Dataset.range(50).shuffle(50, 3, false);
        assertEquals(fixed.toList(), fixed.toList(), "reshuffleEachIteration=false repeats the order");
        assertEquals(50, ds.cardinality());
    }

    @Test
    void smallBufferShufflesOnlyLocally() {
        assertEquals(ZERO_TO_49, Dataset.range(50).shuffle(1, 5).toList());
        for (long seed = 0; seed < 20; seed++) {
            List<Long> out = Dataset.range(50).shuffle(2, seed).toList();
            assertTrue(out.getFirst() <= 1, "with a buffer of 2 the first element is 0 or 1");
            for (int i = 0; i < out.size(); i++) assertTrue(out.get(i) <= i + 1, "element " + out.get(i) + " at " + i);
        }
    }

    @Test
    void positionFrequenciesAreUniform() {
        int n = 5;
        int passes = 24_000;
        long[][] counts = new long[n][n];
        Map<List<Long>, Integer> perms = new HashMap<>();
        Dataset<Long> ds = Dataset.range(n).shuffle(n, 11);
        for (int p = 0; p < passes; p++) {
            List<Long> order = ds.toList();
            perms.merge(order, 1, Integer::sum);
            for (int pos = 0; pos < n; pos++) counts[order.get(pos).intValue()][pos]++;
        }
        double expected = (double) passes / n;
        double chi2 = 0;
        for (long[] row : counts)
            for (long c : row) chi2 += (c - expected) * (c - expected) / expected;
        // 16 degrees of freedom; P(chi2 > 60) is about 1e-6
        assertTrue(chi2 < 60, "position chi-square " + chi2);
        assertEquals(120, perms.size(), "every permutation of 5 occurs");
        double expectedPerm = passes / 120.0;
        double chiPerm = perms.values().stream().mapToDouble(c -> (c - expectedPerm) * (c - expectedPerm) / expectedPerm).sum();
        assertTrue(chiPerm < 200, "permutation chi-square " + chiPerm + " (119 degrees of freedom)");
    }

    @Test
    void shuffleBeforeRepeatKeepsEpochsApartAfterMixesThem() {
        boolean mixed = false;
        for (long seed = 0; seed < 20; seed++) {
            List<Long> apart = Dataset.range(10).shuffle(10, seed).repeat(3).toList();
            for (int e = 0; e < 3; e++)
                assertEquals(LongStream.range(0, 10).boxed().toList(), apart.subList(10 * e, 10 * e + 10).stream().sorted().toList());
            assertNotEquals(apart.subList(0, 10), apart.subList(10, 20));
            List<Long> across = Dataset.range(10).repeat(2).shuffle(20, seed).toList();
            assertEquals(20, across.size());
            Set<Long> firstTen = new HashSet<>(across.subList(0, 10));
            if (firstTen.size() < 10) mixed = true;
        }
        assertTrue(mixed, "a shuffle after repeat draws from both epochs at once");
    }

    @Test
    void unseededShuffleStillPermutes() {
        assertEquals(ZERO_TO_49, Dataset.range(50).shuffle(64).toList().stream().sorted().toList());
    }

    @Test
    void aBufferLargerThan1024OverAnInputOfUnknownSizeHoldsEveryElement() {
        Dataset<Long> unknown = Dataset.range(1500).filter(v -> true);
        assertEquals(Dataset.UNKNOWN, unknown.cardinality());
        List<Long> out = unknown.shuffle(2000, 4).toList();
        assertEquals(LongStream.range(0, 1500).boxed().toList(), out.stream().sorted().toList());
        boolean late = false; // a buffer of only 1024 would always emit one of the first 1024 elements first
        for (long seed = 0; seed < 20; seed++) late |= unknown.shuffle(2000, seed).toList().getFirst() >= 1024;
        assertTrue(late, "a buffer holding the whole input draws its first element from all of it");
    }
}
