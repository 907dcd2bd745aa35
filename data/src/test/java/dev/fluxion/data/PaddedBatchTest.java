package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** paddedBatch: tf.data's padded_batch, checked against batches built by hand. */
class PaddedBatchTest {
    /** The vector [n, n, ..., n] of length n, as int64 (tf.data's own padded_batch example). */
    private static Tensor repeated(long n) {
        long[] a = new long[(int) n];
        java.util.Arrays.fill(a, n);
        return Tensor.of(a, (int) n);
    }

    /** A float32 h x w element whose value at (i, j) is 100 * id + 10 * i + j, never 0. */
    private static Tensor grid(int id, int h, int w) {
        float[] a = new float[h * w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) a[i * w + j] = 100 * id + 10 * i + j + 1;
        return Tensor.of(a, h, w);
    }

    @Test
    void padsEachBatchToItsLongestElement() {
        List<Tensor> batches = Dataset.range(1, 5, 1).map(PaddedBatchTest::repeated).paddedBatch(2).toList();
        assertEquals(2, batches.size());
        assertArrayEquals(new int[] {2, 2}, batches.get(0).shape());
        assertArrayEquals(new long[] {1, 0, 2, 2}, batches.get(0).toLongArray());
        assertArrayEquals(new int[] {2, 4}, batches.get(1).shape());
        assertArrayEquals(new long[] {3, 3, 3, 0, 4, 4, 4, 4}, batches.get(1).toLongArray());
        assertEquals(DType.INT64, batches.get(1).dtype());
    }

    @Test
    void padsEveryAxisOfStridedAndEmptyElements() {
        // a transposed view (not contiguous), an empty element and a full one in one batch of rank-2 elements
        List<Tensor> elements = List.of(grid(1, 3, 2).transpose(1, 0), grid(2, 0, 4), grid(3, 1, 3));
        Tensor batch = Dataset.fromIterable(elements).paddedBatch(3).toList().getFirst();
        assertArrayEquals(new int[] {3, 2, 4}, batch.shape(), "the empty element's 4 columns count");
        float[] want = new float[3 * 2 * 4];
        for (int e = 0; e < 3; e++) {
            float[] v = elements.get(e).contiguous().toFloatArray();
            int h = elements.get(e).dim(0), w = elements.get(e).dim(1);
            for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) want[e * 8 + i * 4 + j] = v[i * w + j];
        }
        assertArrayEquals(want, batch.toFloatArray());
        assertEquals(111f, batch.toFloatArray()[1], "element 0 is the transpose: its (0, 1) is the grid's (1, 0)");
    }

    @Test
    void fixedShapesAndValuesPerComponentGiveOneBatchShape() {
        Dataset<Pair> ds = Dataset.range(7).map(n -> new Pair(
                Tensor.of(new int[n.intValue() % 4 + 1], n.intValue() % 4 + 1).add(Tensor.scalar(n + 1, DType.INT32)),
                Tensor.scalar(n, DType.INT32)));
        Padding padding = Padding.shapes(new int[] {5}, new int[] {}).withValues(-1, 0);
        Dataset<Pair> batched = ds.paddedBatch(3, true, padding);
        assertEquals(2, batched.cardinality(), "7 elements in batches of 3, remainder dropped");
        List<Pair> batches = batched.toList();
        assertEquals(2, batches.size());
        for (Pair b : batches) assertArrayEquals(new int[] {3, 5}, b.x().shape());
        assertArrayEquals(new int[] {1, -1, -1, -1, -1, 2, 2, -1, -1, -1, 3, 3, 3, -1, -1}, batches.get(0).x().toIntArray());
        assertArrayEquals(new int[] {4, 4, 4, 4, -1, 5, -1, -1, -1, -1, 6, 6, -1, -1, -1}, batches.get(1).x().toIntArray());
        assertArrayEquals(new int[] {3, 4, 5}, batches.get(1).y().toIntArray(), "scalar components are stacked");
        assertEquals(3, ds.paddedBatch(3, false, padding).cardinality(), "the remainder is kept without dropRemainder");
        assertEquals(1, ds.paddedBatch(3, false, padding).toList().getLast().x().dim(0));
    }

    @Test
    void mixedFixedAndLongestDimensions() {
        Dataset<Tensor> ds = Dataset.of(grid(1, 2, 1), grid(2, 1, 3));
        Tensor batch = ds.paddedBatch(2, false, Padding.shapes(new int[] {4, -1})).toList().getFirst();
        assertArrayEquals(new int[] {2, 4, 3}, batch.shape(), "axis 0 fixed at 4, axis 1 to the longest (3)");
        assertArrayEquals(new float[] {101, 0, 0, 111, 0, 0, 0, 0, 0, 0, 0, 0, 201, 202, 203, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                batch.toFloatArray());
    }

    @Test
    void paddingValuesOfEveryDtype() {
        Tensor f64 = Dataset.of(Tensor.of(new double[] {2}, 1), Tensor.of(new double[0], 0))
                .paddedBatch(2, false, Padding.toLongest().withValues(Double.NaN)).toList().getFirst();
        assertEquals(2.0, f64.toDoubleArray()[0]);
        assertEquals(Double.NaN, f64.toDoubleArray()[1]);
        Tensor f32 = Dataset.of(Tensor.vector(1f), Tensor.vector(2f, 3f))
                .paddedBatch(2, false, Padding.toLongest().withValues(-0.0)).toList().getFirst();
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f32.toFloatArray()[1]), "-0.0 pads as -0.0");
        Tensor bools = Dataset.of(Tensor.of(new boolean[] {false}, 1), Tensor.of(new boolean[] {false, false}, 2))
                .paddedBatch(2, false, Padding.toLongest().withValues(1)).toList().getFirst();
        assertArrayEquals(new boolean[] {false, true, false, false}, bools.toBooleanArray());
        Pair both = Dataset.of(new Pair(repeated(1), Tensor.vector(1f)), new Pair(repeated(2), Tensor.vector(1f, 2f)))
                .paddedBatch(2, false, Padding.toLongest().withValues(7)).toList().getFirst();
        assertArrayEquals(new long[] {1, 7, 2, 2}, both.x().toLongArray(), "one value pads every component");
        assertArrayEquals(new float[] {1, 7, 1, 2}, both.y().toFloatArray());
        Tensor longs = Dataset.of(repeated(1), repeated(2))
                .paddedBatch(2, false, Padding.toLongest().withValues(Long.MAX_VALUE)).toList().getFirst();
        assertEquals(Long.MAX_VALUE, longs.toLongArray()[1], "an int64 value keeps every bit");
    }

    @Test
    void resumesMidEpoch() {
        // a fresh pipeline per run, as after a restart: the shuffle's order is a function of its seed and pass
        java.util.function.Supplier<Dataset<Tensor>> build =
                () -> Dataset.range(1, 12, 1).shuffle(5, 7).map(PaddedBatchTest::repeated).paddedBatch(3);
        List<long[]> full = new ArrayList<>();
        for (Tensor t : build.get()) full.add(t.toLongArray());
        assertEquals(4, full.size());
        IteratorState state;
        try (DataIterator<Tensor> it = build.get().iterator()) {
            it.next();
            it.next();
            state = IteratorState.fromBytes(it.save().toBytes());
        }
        Dataset<Tensor> ds = build.get();
        try (DataIterator<Tensor> it = ds.iterator(state)) {
            for (int i = 2; i < full.size(); i++) assertArrayEquals(full.get(i), it.next().toLongArray(), "batch " + i);
            assertFalse(it.hasNext());
        }
    }

    @Test
    void elementsThatCannotBePaddedAreNamed() {
        Padding toTwo = Padding.shapes(new int[] {2});
        DataPipelineException longer = assertThrows(DataPipelineException.class,
                () -> Dataset.range(1, 5, 1).map(PaddedBatchTest::repeated).paddedBatch(3, false, toTwo).toList());
        assertMentions(longer, "paddedBatch", "component 0 of element 2 ", "int64[3]", "[2]", "axis 0", "never truncates");
        DataPipelineException overZero = assertThrows(DataPipelineException.class, () -> Dataset.of(repeated(1))
                .paddedBatch(1, false, Padding.shapes(new int[] {0})).toList());
        assertMentions(overZero, "int64[1], longer than the padded shape [0]");
        DataPipelineException parts = assertThrows(DataPipelineException.class, () -> Dataset.of(TensorTuple.of(repeated(1)),
                TensorTuple.of(repeated(1), repeated(2))).paddedBatch(2).toList());
        assertMentions(parts, "paddedBatch: element 1 has 2 components, element 0 had 1");
        DataPipelineException rank = assertThrows(DataPipelineException.class,
                () -> Dataset.of(grid(1, 1, 1), Tensor.vector(1f)).paddedBatch(2).toList());
        assertMentions(rank, "paddedBatch", "element 1", "float32[1]", "element 0 had float32[1, 1]");
        DataPipelineException dtype = assertThrows(DataPipelineException.class,
                () -> Dataset.of(Tensor.vector(1f), repeated(1)).paddedBatch(2).toList());
        assertMentions(dtype, "paddedBatch", "int64[1]", "float32[1]");
        DataPipelineException shapeRank = assertThrows(DataPipelineException.class,
                () -> Dataset.of(Tensor.vector(1f)).paddedBatch(1, false, Padding.shapes(new int[] {2, 2})).toList());
        assertMentions(shapeRank, "padded shape [2, 2]", "rank 2", "float32[1]");
        DataPipelineException count = assertThrows(DataPipelineException.class,
                () -> Dataset.of(Tensor.vector(1f)).paddedBatch(1, false, Padding.shapes(new int[] {2}, new int[] {})).toList());
        assertMentions(count, "2 padded shapes for elements of 1 components");
        DataPipelineException values = assertThrows(DataPipelineException.class, () -> Dataset.of(new Pair(Tensor.vector(1f),
                Tensor.vector(1f))).paddedBatch(1, false, Padding.toLongest().withValues(1, 2, 3)).toList());
        assertMentions(values, "3 padding values for elements of 2 components");
        DataPipelineException fraction = assertThrows(DataPipelineException.class,
                () -> Dataset.of(repeated(1)).paddedBatch(1, false, Padding.toLongest().withValues(0.5)).toList());
        assertMentions(fraction, "padding value 0.5", "component 0", "int64");
        DataPipelineException bool = assertThrows(DataPipelineException.class, () -> Dataset.of(Tensor.of(new boolean[] {true}, 1))
                .paddedBatch(1, false, Padding.toLongest().withValues(2)).toList());
        assertMentions(bool, "padding value 2", "bool", "0 or 1");
        DataPipelineException int32 = assertThrows(DataPipelineException.class, () -> Dataset.of(Tensor.of(new int[] {1}, 1))
                .paddedBatch(1, false, Padding.toLongest().withValues(1L << 40)).toList());
        assertMentions(int32, "padding value 1099511627776", "int32");
        DataPipelineException notTensors = assertThrows(DataPipelineException.class, () -> Dataset.range(3).paddedBatch(2).toList());
        assertMentions(notTensors, "paddedBatch needs elements made of tensors", "java.lang.Long");
    }

    @Test
    void badArgumentsAreRejectedWhenTheStageIsBuilt() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).paddedBatch(0)),
                "paddedBatch", "batch size must be >= 1, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Padding.shapes(new int[] {3, -2})),
                "paddedBatch", "[3, -2]", "component 0", "-1 for the batch's longest");
        assertMentions(assertThrows(IllegalArgumentException.class, Padding::shapes), "at least one padded shape");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Padding.toLongest().withValues()), "at least one padding value");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Padding.toLongest().withValues(1, null)), "null");
        assertThrows(NullPointerException.class, () -> Dataset.range(3).paddedBatch(2, false, null));
    }
}
