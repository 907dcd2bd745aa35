package dev.fluxion.cuda.codegen;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernels' index math (IndexPlan.offset is fx_offset written in Java) against a naive multi-index walk, over
 * broadcasts, transposes, slices with negative steps and offsets, and the coalescing of axes.
 */
class IndexPlanTest {
    /** A random strided view: some permutation of a contiguous base, with steps (possibly negative). */
    private record View(int[] shape, int[] strides, int offset) {}

    private static View randomView(Random r, int[] shape) {
        int rank = shape.length;
        int[] step = new int[rank], baseShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            step[i] = r.nextInt(4) == 0 ? (r.nextBoolean() ? 2 : -1) : 1;
            baseShape[i] = Math.max(1, shape[i] * Math.abs(step[i]));
        }
        int[] perm = shuffled(r, rank);
        int[] permutedBase = new int[rank];
        for (int i = 0; i < rank; i++) permutedBase[perm[i]] = baseShape[i];
        int[] baseStrides = dev.fluxion.Shapes.contiguousStrides(permutedBase);
        int[] strides = new int[rank];
        int offset = 0;
        for (int i = 0; i < rank; i++) {
            int s = baseStrides[perm[i]];
            strides[i] = s * step[i];
            if (step[i] < 0) offset += s * (baseShape[i] - 1);
        }
        return new View(shape, strides, offset);
    }

    private static int[] shuffled(Random r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int naiveOffset(int linear, int[] outShape, int[] shape, int[] strides) {
        int off = 0;
        for (int d = outShape.length - 1; d >= 0; d--) {
            int c = linear % outShape[d];
            linear /= outShape[d];
            int axis = d - (outShape.length - shape.length);
            if (axis >= 0 && shape[axis] != 1) off += c * strides[axis];
        }
        return off;
    }

    @Test
    void offsetsMatchANaiveWalkForRandomBroadcastViews() {
        Random r = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            int rank = r.nextInt(6);
            int[] out = new int[rank];
            for (int i = 0; i < rank; i++) out[i] = 1 + r.nextInt(5);
            int operands = 1 + r.nextInt(3);
            int[][] shapes = new int[operands][], strides = new int[operands][];
            for (int j = 0; j < operands; j++) {
                int drop = rank == 0 ? 0 : r.nextInt(rank + 1); // leading axes the operand lacks
                int[] s = Arrays.copyOfRange(out, drop, rank);
                for (int i = 0; i < s.length; i++) if (r.nextInt(4) == 0) s[i] = 1; // broadcast axes
                View v = randomView(r, s);
                shapes[j] = v.shape();
                strides[j] = v.strides();
            }
            IndexPlan plan = IndexPlan.elementwise(out, shapes, strides);
            int n = dev.fluxion.Shapes.size(out);
            assertEquals(n, plan.size());
            for (int i = 0; i < n; i++)
                for (int j = 0; j < operands; j++)
                    assertEquals(naiveOffset(i, out, shapes[j], strides[j]), plan.offset(i, j),
                            () -> "trial shapes " + Arrays.deepToString(shapes) + " strides " + Arrays.deepToString(strides) + " out " + Arrays.toString(out));
        }
    }

    @Test
    void contiguousOperandsCoalesceToOneAxis() {
        int[] s = {4, 5, 6};
        int[] st = dev.fluxion.Shapes.contiguousStrides(s);
        IndexPlan plan = IndexPlan.elementwise(s, new int[][] {s, s}, new int[][] {st, st});
        assertArrayEquals(new int[] {120}, plan.dims());
        assertArrayEquals(new int[] {1}, plan.strides()[0]);
    }

    @Test
    void biasAddKeepsTwoAxesAndAScalarHasStrideZero() {
        int[] x = {128, 10};
        IndexPlan plan = IndexPlan.elementwise(x, new int[][] {x, {10}, {}}, new int[][] {{10, 1}, {1}, {}});
        assertArrayEquals(new int[] {128, 10}, plan.dims());
        assertArrayEquals(new int[] {10, 1}, plan.strides()[0]);
        assertArrayEquals(new int[] {0, 1}, plan.strides()[1]);
        assertArrayEquals(new int[] {0, 0}, plan.strides()[2]);
        assertEquals(10 * 7 + 3, plan.offset(73, 0));
        assertEquals(3, plan.offset(73, 1));
    }

    @Test
    void transposedOperandDoesNotCoalesce() {
        int[] s = {3, 4};
        IndexPlan plan = IndexPlan.elementwise(s, new int[][] {s, s}, new int[][] {{4, 1}, {1, 3}});
        assertEquals(2, plan.rank());
        int linear = 1 * 4 + 2; // element (1, 2)
        assertEquals(6, plan.offset(linear, 0));
        assertEquals(1 * 1 + 2 * 3, plan.offset(linear, 1));
    }

    @Test
    void scalarOutputHasRankZeroAndOffsetZero() {
        IndexPlan plan = IndexPlan.elementwise(new int[] {1, 1}, new int[][] {{}, {1, 1}}, new int[][] {{}, {1, 1}});
        assertEquals(0, plan.rank());
        assertEquals(1, plan.size());
        assertEquals(0, plan.offset(0, 1));
    }

    @Test
    void tooManyAxesAfterCoalescingAreRejectedWithAHint() {
        int[] s = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] st = {1, 2, 4, 8, 16, 32, 64, 128, 256}; // fully reversed: nothing merges
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IndexPlan.elementwise(s, new int[][] {s}, new int[][] {st}));
        assertTrue(e.getMessage().contains("contiguous"), e.getMessage());
    }

    @Test
    void reducePlanOffsetsMatchANaiveWalk() {
        Random r = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(5);
            int[] shape = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = 1 + r.nextInt(4);
            View v = randomView(r, shape);
            int[] axes = java.util.stream.IntStream.range(0, rank).filter(i -> r.nextBoolean()).toArray();
            ReducePlan plan = ReducePlan.of(shape, v.strides(), axes);
            boolean[] reduced = new boolean[rank];
            for (int a : axes) reduced[a] = true;
            int[] keptShape = java.util.stream.IntStream.range(0, rank).filter(i -> !reduced[i]).map(i -> shape[i]).toArray();
            int[] redShape = Arrays.stream(axes).map(i -> shape[i]).toArray();
            assertEquals(dev.fluxion.Shapes.size(keptShape), plan.outputs());
            assertEquals(dev.fluxion.Shapes.size(redShape), plan.reducedCount());
            for (int o = 0; o < plan.outputs(); o++) {
                int[] kc = unravel(o, keptShape);
                for (int j = 0; j < plan.reducedCount(); j++) {
                    int[] rc = unravel(j, redShape);
                    int expected = 0;
                    for (int i = 0, a = 0, b = 0; i < rank; i++) expected += (reduced[i] ? rc[b++] : kc[a++]) * v.strides()[i];
                    assertEquals(expected, plan.offset(o, j), plan + " for " + Arrays.toString(shape) + " axes " + Arrays.toString(axes));
                }
            }
        }
    }

    private static int[] unravel(int linear, int[] shape) {
        int[] c = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = linear % shape[d];
            linear /= shape[d];
        }
        return c;
    }
}
