package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pairs with sample weights (Keras' (x, y, sample_weight) triples): every stage that builds or splits elements keeps
 * the weight of each example next to its x and y. Example i has x = [i, i + 0.5], y = i and weight (i + 1) / 4, so an
 * element is aligned exactly when its weight is (y + 1) / 4 and its x starts with y.
 */
class WeightedPairTest {
    private static final int N = 10;

    private static Pair weighted() {
        float[] x = new float[N * 2], w = new float[N];
        for (int i = 0; i < N; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = i + 0.5f;
            w[i] = (i + 1) / 4f;
        }
        return new Pair(Tensor.of(x, N, 2), iota(N), Tensor.of(w, N));
    }

    /** The examples of a (batched or single) element as {y, x0, x1, weight} rows, after checking their alignment. */
    private static List<List<Float>> rows(Pair p) {
        assertTrue(p.hasSampleWeight(), "the element lost its sample weight");
        int[] y = p.y().toIntArray();
        float[] x = p.x().contiguous().toFloatArray(), w = p.sampleWeight().contiguous().toFloatArray();
        assertEquals(y.length, w.length, "one weight per example");
        List<List<Float>> out = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], x[2 * i], "x of example " + i);
            assertEquals((y[i] + 1) / 4f, w[i], "weight of example " + y[i]);
            out.add(List.of((float) y[i], x[2 * i], x[2 * i + 1], w[i]));
        }
        return out;
    }

    private static List<List<Float>> all(Dataset<Pair> ds) {
        List<List<Float>> out = new ArrayList<>();
        for (Pair p : ds.toList()) out.addAll(rows(p));
        return out;
    }

    @Test
    void aPairWithoutWeightsIsTheTwoComponentPair() {
        Pair p = new Pair(iota(2), iota(2));
        assertNull(p.sampleWeight());
        assertFalse(p.hasSampleWeight());
        Tensor w = Tensor.of(new float[] {1, 2}, 2);
        Pair q = p.withSampleWeight(w);
        assertTrue(q.hasSampleWeight());
        assertEquals(w, q.sampleWeight());
        assertEquals(p, q.withSampleWeight(null));
        List<Pair> unweighted = Dataset.fromTensorSlices(new Pair(iota(3), iota(3))).toList();
        assertFalse(unweighted.getFirst().hasSampleWeight(), "a Pair without weights slices into unweighted pairs");
    }

    @Test
    void slicesBatchesAndUnbatchesKeepEachExampleWithItsWeight() {
        List<Pair> elements = Dataset.fromTensorSlices(weighted()).toList();
        assertEquals(N, elements.size());
        assertEquals(0, elements.get(3).sampleWeight().rank(), "one example's weight is a scalar");
        assertEquals(1f, elements.get(3).sampleWeight().item(), 0f);
        List<Pair> batches = Dataset.fromTensorSlices(weighted()).batch(4).toList();
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {4}, batches.getFirst().sampleWeight().shape());
        assertArrayEquals(new float[] {2.25f, 2.5f}, batches.getLast().sampleWeight().toFloatArray(), "the short last batch");
        List<List<Float>> inOrder = all(Dataset.fromTensorSlices(weighted()));
        assertEquals(inOrder, all(Dataset.fromTensorSlices(weighted()).batch(4)));
        assertEquals(inOrder, all(Dataset.fromTensorSlices(weighted()).batch(4).unbatch()));
        // rows gathered by position (shuffle straight into batch) and element by element (a map in between)
        List<List<Float>> shuffled = all(Dataset.fromTensorSlices(weighted()).shuffle(N, 7).batch(3));
        assertEquals(shuffled, all(Dataset.fromTensorSlices(weighted()).shuffle(N, 7).map(p -> p).batch(3)));
        assertEquals(new java.util.HashSet<>(inOrder), new java.util.HashSet<>(shuffled), "a permutation of the examples");
        assertTrue(!inOrder.equals(shuffled), "the shuffle moved examples");
    }

    @Test
    void paddedBatchPadsPerStepWeightsWithZero() {
        Dataset<Pair> seqs = Dataset.range(1, 4, 1).map(n -> {
            int len = n.intValue();
            float[] w = new float[len];
            java.util.Arrays.fill(w, 0.5f * len);
            return new Pair(Tensor.of(new int[len], len), Tensor.scalar(len, DType.INT32), Tensor.of(w, len));
        });
        Pair batch = seqs.paddedBatch(3, false, Padding.toLongest()).toList().getFirst();
        assertArrayEquals(new float[] {0.5f, 0, 0, 1, 1, 0, 1.5f, 1.5f, 1.5f}, batch.sampleWeight().toFloatArray());
        Pair fixed = Dataset.fromTensorSlices(weighted()).paddedBatch(4, false, Padding.shapes(new int[] {2}, new int[] {}, new int[] {}))
                .toList().getFirst();
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1f}, fixed.sampleWeight().toFloatArray(), "scalar weights stacked");
    }

    @Test
    void cachesInMemoryAndOnDiskKeepTheWeights(@TempDir Path dir) {
        List<List<Float>> want = all(Dataset.fromTensorSlices(weighted()).batch(3));
        Dataset<Pair> memory = Dataset.fromTensorSlices(weighted()).batch(3).cache();
        assertEquals(want, all(memory));
        assertEquals(want, all(memory), "the second pass, from memory");
        Path file = dir.resolve("weighted.bin");
        assertEquals(want, all(Dataset.fromTensorSlices(weighted()).batch(3).cache(file)));
        assertTrue(Files.exists(file));
        Dataset<Pair> fromFile = Dataset.fromTensorSlices(weighted()).batch(3).cache(file);
        assertEquals(want, all(fromFile), "read back from the file (written by a previous pipeline)");
        Path plain = dir.resolve("plain.bin");
        List<Pair> unweighted = Dataset.fromTensorSlices(iota(4), iota(4)).cache(plain).toList();
        List<Pair> reread = Dataset.fromTensorSlices(iota(4), iota(4)).cache(plain).toList();
        assertEquals(unweighted.size(), reread.size());
        for (Pair p : reread) assertFalse(p.hasSampleWeight(), "an unweighted pair stays unweighted in the file");
    }

    @Test
    void aSavedPositionResumesWithTheWeights() {
        Supplier<Dataset<Pair>> build = () -> Dataset.fromTensorSlices(weighted()).shuffle(6, 11).repeat(2).batch(3).prefetch(2);
        List<List<Float>> full = all(build.get());
        for (int cut : new int[] {1, 3, 5}) {
            IteratorState state;
            List<List<Float>> seen = new ArrayList<>();
            try (DataIterator<Pair> it = build.get().iterator()) {
                for (int i = 0; i < cut; i++) seen.addAll(rows(it.next()));
                state = IteratorState.fromBytes(it.save().toBytes());
            }
            try (DataIterator<Pair> it = build.get().iterator(state)) {
                while (it.hasNext()) seen.addAll(rows(it.next()));
            }
            assertEquals(full, seen, "resumed after batch " + cut);
        }
    }

    @Test
    void weightedAndUnweightedPairsCannotShareABatch() {
        Pair a = new Pair(iota(2), iota(2)), b = a.withSampleWeight(Tensor.of(new float[] {1, 1}, 2));
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> Dataset.of(a, b).unbatch().batch(4).toList());
        assertTrue(e.getMessage().contains("batch: element 2 has 3 components, element 0 had 2")
                && e.getMessage().contains("element 2 has a sample weight and element 0 has none"), e.getMessage());
        DataPipelineException p = assertThrows(DataPipelineException.class, () -> Dataset.of(b, a).unbatch().paddedBatch(4).toList());
        assertTrue(p.getMessage().contains("paddedBatch: element 2 has 2 components, element 0 had 3")
                && p.getMessage().contains("element 0 has a sample weight and element 2 has none"), p.getMessage());
    }

    @Test
    void weightsOfAnotherLengthAreRejectedWithEveryShape() {
        Pair bad = new Pair(iota(4), iota(4), Tensor.of(new float[] {1, 2, 3}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromTensorSlices(bad));
        assertTrue(e.getMessage().contains("same first dimension") && e.getMessage().contains("[4], [4], [3]"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Dataset.fromTensorSlices((Pair) null));
    }
}
