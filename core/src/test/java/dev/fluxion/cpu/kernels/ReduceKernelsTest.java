package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.ops.ReduceFn;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReduceKernelsTest {
    /** {outer, r, inner}: empty, short, block edges (2048), tails, narrow and wide inner. */
    static final int[][] SHAPES = {{0, 5, 3}, {3, 0, 4}, {2, 3, 0}, {1, 1, 1}, {1, 7, 1}, {3, 15, 1}, {2, 16, 1},
            {1, 17, 1}, {5, 31, 1}, {1, 33, 1}, {2, 97, 1}, {1, 2047, 1}, {1, 2048, 1}, {2, 2049, 1}, {1, 5000, 1},
            {4, 3, 2}, {2, 7, 3}, {3, 9, 8}, {2, 65, 17}, {1, 130, 33}, {2, 200, 600}, {3, 64, 9}, {1, 129, 1030}};

    static float[] data(int n, long seed, boolean specials) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3 + 1);
            if (specials && rnd.nextInt(500) == 0) x[i] = rnd.nextBoolean() ? Float.NaN : -0f;
        }
        return x;
    }

    static double exactSum(float[] x, int base, int r, int inner) {
        // float64 with Kahan compensation: far closer than any float32 order
        double s = 0, c = 0;
        for (int k = 0; k < r; k++) {
            double y = x[base + k * inner] - c, t = s + y;
            c = (t - s) - y;
            s = t;
        }
        return s;
    }

    static float reference(ReduceFn fn, float[] x, int base, int r, int inner) {
        double acc = fn.identity();
        for (int k = 0; k < r; k++) acc = fn.combine(acc, x[base + k * inner]);
        return (float) acc;
    }

    @Test
    void vectorEqualsScalarBitwiseAndIsNearReference() {
        for (ReduceFn fn : ReduceFn.values()) {
            for (int[] sh : SHAPES) {
                int outer = sh[0], r = sh[1], inner = sh[2];
                int n = outer * r * inner;
                // products of many gaussians overflow: keep their factors near 1
                float[] x = data(n + 3, n + fn.ordinal(), fn == ReduceFn.MAX || fn == ReduceFn.MIN);
                if (fn == ReduceFn.PROD) for (int i = 0; i < x.length; i++) x[i] = 1 + (x[i] - 1) * 1e-3f;
                float[] v = new float[outer * inner + 2], s = new float[outer * inner + 2];
                ReduceKernels.reduce(fn, x, 3, outer, r, inner, v, 2, true, 2);
                ReduceKernels.reduce(fn, x, 3, outer, r, inner, s, 2, false, 2);
                String what = fn + " " + java.util.Arrays.toString(sh);
                assertArrayEquals(s, v, what);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int base = 3 + o * r * inner + i;
                        float got = v[2 + o * inner + i], ref = reference(fn, x, base, r, inner);
                        if (fn == ReduceFn.MAX || fn == ReduceFn.MIN || r <= 1) {
                            assertEquals(Float.floatToIntBits(ref), Float.floatToIntBits(got), what);
                        } else if (!Float.isNaN(ref)) {
                            assertEquals(ref, got, Math.abs(ref) * 1e-5 + 1e-4, what);
                        } else {
                            assertTrue(Float.isNaN(got), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void emptyAxisGivesIdentity() {
        for (ReduceFn fn : ReduceFn.values()) {
            float[] f = new float[6];
            ReduceKernels.reduce(fn, new float[0], 0, 2, 0, 3, f, 0);
            for (float v : f) assertEquals((float) fn.identity(), v);
            double[] d = new double[6];
            ReduceKernels.reduce(fn, new double[0], 0, 3, 0, 2, d, 0);
            for (double v : d) assertEquals(fn.identity(), v);
        }
        int[] i = new int[2];
        ReduceKernels.reduce(ReduceFn.MAX, new int[0], 0, 2, 0, 1, i, 0);
        assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MIN_VALUE}, i);
        long[] l = new long[1];
        ReduceKernels.reduce(ReduceFn.PROD, new long[0], 0, 1, 0, 1, l, 0);
        assertEquals(1L, l[0]);
    }

    @Test
    void sumIsAccurateOnLongRows() {
        int r = 1_000_003;
        float[] x = new float[r];
        Random rnd = new Random(1);
        double abs = 0;
        for (int i = 0; i < r; i++) {
            x[i] = rnd.nextFloat(); // all positive: a plain running float sum drifts by ~1e-4 relative here
            abs += x[i];
        }
        float[] out = new float[1];
        ReduceKernels.reduce(ReduceFn.SUM, x, 0, 1, r, 1, out, 0);
        double exact = exactSum(x, 0, r, 1);
        double rel = Math.abs(out[0] - exact) / abs;
        assertTrue(rel < 1e-6, "relative error " + rel);
        float naive = 0;
        for (float v : x) naive += v;
        assertTrue(Math.abs(out[0] - exact) < Math.abs(naive - exact), "better than a running sum");

        // and down a column (inner > 1): blocks of rows combined pairwise
        int rows = 200_000, inner = 3;
        float[] col = new float[rows * inner];
        for (int i = 0; i < col.length; i++) col[i] = rnd.nextFloat();
        float[] cs = new float[inner];
        ReduceKernels.reduce(ReduceFn.SUM, col, 0, 1, rows, inner, cs, 0);
        for (int i = 0; i < inner; i++) {
            double e = exactSum(col, i, rows, inner);
            assertTrue(Math.abs(cs[i] - e) / e < 1e-6, "column " + i);
        }
    }

    /**
     * The documented order of a column reduction, written out: 64-row blocks folded row by row, the blocks combined
     * pairwise with the largest power of two of blocks on the left. Long reductions split over threads keep it.
     */
    @Test
    void longColumnReductionsFollowTheBlockedPairwiseOrderExactly() {
        int[][] shapes = {{1, 131_072 + 37, 32}, {2, 5000, 48}, {1, 70_001, 600}, {3, 64 * 16 + 1, 8}};
        for (int[] sh : shapes) {
            int outer = sh[0], r = sh[1], inner = sh[2];
            float[] x = data(outer * r * inner, r, false);
            float[] got = new float[outer * inner];
            ReduceKernels.reduce(ReduceFn.SUM, x, 0, outer, r, inner, got, 0, true, 2);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) {
                    int blocks = (r + 63) / 64;
                    float[] parts = new float[blocks];
                    for (int b = 0; b < blocks; b++) {
                        float acc = 0;
                        for (int k = b * 64; k < Math.min(r, b * 64 + 64); k++) acc += x[(o * r + k) * inner + i];
                        parts[b] = acc;
                    }
                    assertEquals(pairwise(parts, 0, blocks), got[o * inner + i], java.util.Arrays.toString(sh) + " column " + i);
                }
        }
    }

    private static float pairwise(float[] p, int from, int n) {
        if (n == 1) return p[from];
        int h = Integer.highestOneBit(n - 1);
        return pairwise(p, from, h) + pairwise(p, from + h, n - h);
    }

    /** Results must not depend on the thread count: same chunks, run on 1 or 2 threads. */
    @Test
    void oneAndTwoThreadsAgreeBitwise() {
        int[][] shapes = {{1, 1_000_003, 1}, {3, 300_001, 1}, {40, 5000, 1}, {2, 70_001, 5}, {1, 1000, 700},
                {7, 3000, 20}};
        for (int[] sh : shapes) {
            int outer = sh[0], r = sh[1], inner = sh[2];
            float[] x = data(outer * r * inner, r, false);
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) xd[i] = x[i];
            for (ReduceFn fn : new ReduceFn[] {ReduceFn.SUM, ReduceFn.MAX}) {
                float[] one = new float[outer * inner], two = new float[outer * inner], sc = new float[outer * inner];
                ReduceKernels.reduce(fn, x, 0, outer, r, inner, one, 0, true, 1);
                ReduceKernels.reduce(fn, x, 0, outer, r, inner, two, 0, true, 2);
                ReduceKernels.reduce(fn, x, 0, outer, r, inner, sc, 0, false, 2);
                assertArrayEquals(one, two, fn + " " + java.util.Arrays.toString(sh));
                assertArrayEquals(one, sc, fn + " scalar " + java.util.Arrays.toString(sh));
                double[] d1 = new double[outer * inner], d2 = new double[outer * inner];
                ReduceKernels.reduce(fn, xd, 0, outer, r, inner, d1, 0, 1);
                ReduceKernels.reduce(fn, xd, 0, outer, r, inner, d2, 0, 2);
                assertArrayEquals(d1, d2, fn + " double " + java.util.Arrays.toString(sh));
            }
        }
    }

    @Test
    void maxMinPropagateNaNAndOrderZeros() {
        float[] x = {1f, Float.NaN, 5f, -0f, 0f, -0f, 3f, Float.NEGATIVE_INFINITY};
        float[] out = new float[2];
        ReduceKernels.reduce(ReduceFn.MAX, x, 0, 2, 4, 1, out, 0);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(3f, out[1]);
        ReduceKernels.reduce(ReduceFn.MIN, x, 0, 2, 4, 1, out, 0);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(Float.NEGATIVE_INFINITY, out[1]);
        ReduceKernels.reduce(ReduceFn.MAX, new float[] {-0f, 0f, -0f}, 0, 1, 3, 1, out, 0);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(out[0]));
        ReduceKernels.reduce(ReduceFn.MIN, new float[] {0f, -0f, 0f}, 0, 1, 3, 1, out, 0);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(out[0]));
        double[] d = {2, Double.NaN, 1, 4};
        double[] dout = new double[2];
        ReduceKernels.reduce(ReduceFn.MAX, d, 0, 1, 2, 2, dout, 0);
        assertEquals(2.0, dout[0]);
        assertTrue(Double.isNaN(dout[1]));
        // NaN anywhere in a long row, vector or scalar
        float[] big = data(10_000, 3, false);
        big[7777] = Float.NaN;
        ReduceKernels.reduce(ReduceFn.MIN, big, 0, 1, big.length, 1, out, 0, true, 1);
        assertTrue(Float.isNaN(out[0]));
        ReduceKernels.reduce(ReduceFn.MIN, big, 0, 1, big.length, 1, out, 0, false, 1);
        assertTrue(Float.isNaN(out[0]));
    }

    @Test
    void doubleMatchesPlainFoldClosely() {
        for (ReduceFn fn : ReduceFn.values()) {
            for (int[] sh : SHAPES) {
                int outer = sh[0], r = sh[1], inner = sh[2];
                Random rnd = new Random(r);
                double[] x = new double[outer * r * inner + 1];
                for (int i = 0; i < x.length; i++) {
                    x[i] = fn == ReduceFn.PROD ? 1 + rnd.nextGaussian() * 1e-3 : rnd.nextGaussian();
                }
                double[] out = new double[outer * inner];
                ReduceKernels.reduce(fn, x, 1, outer, r, inner, out, 0);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        double acc = fn.identity();
                        for (int k = 0; k < r; k++) acc = fn.combine(acc, x[1 + (o * r + k) * inner + i]);
                        assertEquals(acc, out[o * inner + i],
                                1e-12 * Math.max(1, r), fn + " " + java.util.Arrays.toString(sh));
                    }
                }
            }
        }
    }

    @Test
    void integerReductionsWrap() {
        int[] x = {Integer.MAX_VALUE, 1, 5, -3, 7, 2};
        int[] out = new int[2];
        ReduceKernels.reduce(ReduceFn.SUM, x, 0, 1, 3, 2, out, 0);
        assertArrayEquals(new int[] {Integer.MAX_VALUE + 5 + 7, 1 - 3 + 2}, out);
        ReduceKernels.reduce(ReduceFn.PROD, x, 2, 2, 2, 1, out, 0);
        assertArrayEquals(new int[] {-15, 14}, out);
        ReduceKernels.reduce(ReduceFn.MAX, x, 0, 2, 3, 1, out, 0);
        assertArrayEquals(new int[] {Integer.MAX_VALUE, 7}, out);
        ReduceKernels.reduce(ReduceFn.MIN, x, 0, 1, 6, 1, out, 1);
        assertEquals(-3, out[1]);
        int n = 300_000;
        long[] l = new long[n * 2];
        for (int i = 0; i < l.length; i++) l[i] = i;
        long[] lo = new long[2];
        ReduceKernels.reduce(ReduceFn.SUM, l, 0, 2, n, 1, lo, 0);
        assertEquals((long) n * (n - 1) / 2, lo[0]);
        assertEquals((long) n * (n - 1) / 2 + (long) n * n, lo[1]);
        ReduceKernels.reduce(ReduceFn.MAX, l, 0, 1, n, 2, lo, 0);
        assertArrayEquals(new long[] {2L * n - 2, 2L * n - 1}, lo);
    }

    @Test
    void argMaxMinTakeFirstExtremeAndFirstNaN() {
        float[] x = {1, 3, 3, 2, Float.NaN, 3, Float.NaN, -1};
        long[] out = new long[2];
        ReduceKernels.argReduce(true, x, 0, 1, 4, 1, out, 0);
        assertEquals(1, out[0], "first of the tied maxima");
        ReduceKernels.argReduce(true, x, 0, 1, 8, 1, out, 0);
        assertEquals(4, out[0], "first NaN");
        ReduceKernels.argReduce(false, x, 0, 1, 8, 1, out, 0);
        assertEquals(4, out[0], "NaN is the min too");
        ReduceKernels.argReduce(false, x, 0, 1, 4, 1, out, 0);
        assertEquals(0, out[0]);
        ReduceKernels.argReduce(true, new float[] {-0f, 0f}, 0, 1, 2, 1, out, 0);
        assertEquals(0, out[0], "-0.0 equals 0.0");
        // inner > 1: columns of [2, 4, 2] (outer, r, inner)
        double[] d = {5, 1, 2, 9, 5, Double.NaN, 0, 9, 1, 1, 1, 1, 2, 0, 2, 0};
        long[] dout = new long[4];
        ReduceKernels.argReduce(true, d, 0, 2, 4, 2, dout, 0);
        assertArrayEquals(new long[] {0, 2, 2, 0}, dout);
        ReduceKernels.argReduce(false, d, 0, 2, 4, 2, dout, 0);
        assertArrayEquals(new long[] {3, 2, 0, 2}, dout);
        int[] ix = {4, 9, 9, 1};
        ReduceKernels.argReduce(true, ix, 0, 1, 4, 1, out, 0);
        assertEquals(1, out[0]);
        ReduceKernels.argReduce(false, new long[] {4, 9, 1, 1}, 0, 1, 4, 1, out, 1);
        assertEquals(2, out[1]);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReduceKernels.argReduce(true, new float[0], 0, 1, 0, 1, out, 0));
        assertEquals("argmax: empty reduction axis", e.getMessage());
        // big input against a plain scan, on the kernel threads
        int outer = 3, r = 50_000, inner = 2;
        float[] big = data(outer * r * inner, 4, false);
        long[] bo = new long[outer * inner];
        ReduceKernels.argReduce(true, big, 0, outer, r, inner, bo, 0);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                for (int k = 1; k < r; k++) {
                    if (big[(o * r + k) * inner + i] > big[(o * r + best) * inner + i]) best = k;
                }
                assertEquals(best, bo[o * inner + i]);
            }
        }
    }

    /** The index along r of the first NaN, else of the first strict extreme, by a plain scan in float64. */
    private static long argReference(boolean isMax, double[] x, int base, int r, int inner) {
        int best = 0;
        for (int k = 0; k < r; k++) {
            double v = x[base + k * inner], b = x[base + best * inner];
            if (Double.isNaN(v)) return k;
            if (isMax ? v > b : v < b) best = k;
        }
        return best;
    }

    @Test
    void argMaxMinOfEveryTypeMatchAPlainScanOnTiesAndNaNs() {
        int[][] shapes = {{1, 1, 1}, {2, 1, 3}, {3, 7, 1}, {2, 5, 3}, {3, 13, 8}, {2, 31, 17}, {1, 4, 33}};
        Random rnd = new Random(21);
        for (int[] sh : shapes) {
            int outer = sh[0], r = sh[1], inner = sh[2], n = outer * r * inner;
            double[] v = new double[n + 2];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(5) - 2; // small integers: many ties
            double[] withNaN = v.clone();
            for (int i = 0; i < withNaN.length; i++) if (rnd.nextInt(6) == 0) withNaN[i] = Double.NaN;
            float[] f = new float[v.length], fn = new float[v.length];
            int[] ints = new int[v.length];
            long[] longs = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
                fn[i] = (float) withNaN[i];
                ints[i] = (int) v[i];
                longs[i] = (long) v[i] * 1_000_000_007L;
            }
            for (boolean isMax : new boolean[] {true, false}) {
                long[] expect = new long[outer * inner], expectNaN = new long[outer * inner];
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++) {
                        expect[o * inner + i] = argReference(isMax, v, 2 + o * r * inner + i, r, inner);
                        expectNaN[o * inner + i] = argReference(isMax, withNaN, 2 + o * r * inner + i, r, inner);
                    }
                String what = (isMax ? "argmax " : "argmin ") + java.util.Arrays.toString(sh);
                // the kernel overwrites dst: it starts out holding garbage
                java.util.function.BiConsumer<String, java.util.function.Consumer<long[]>> check = (label, run) -> {
                    long[] out = new long[outer * inner + 1];
                    java.util.Arrays.fill(out, -7);
                    run.accept(out);
                    assertArrayEquals(label.contains("NaN") ? expectNaN : expect, java.util.Arrays.copyOfRange(out, 1, out.length), label + " " + what);
                };
                check.accept("float", out -> ReduceKernels.argReduce(isMax, f, 2, outer, r, inner, out, 1));
                check.accept("float NaN", out -> ReduceKernels.argReduce(isMax, fn, 2, outer, r, inner, out, 1));
                check.accept("double NaN", out -> ReduceKernels.argReduce(isMax, withNaN, 2, outer, r, inner, out, 1));
                check.accept("double", out -> ReduceKernels.argReduce(isMax, v, 2, outer, r, inner, out, 1));
                check.accept("int", out -> ReduceKernels.argReduce(isMax, ints, 2, outer, r, inner, out, 1));
                check.accept("long", out -> ReduceKernels.argReduce(isMax, longs, 2, outer, r, inner, out, 1));
            }
        }
        // empty outer or inner: nothing to do, even with an empty axis; an empty axis otherwise is an error
        long[] untouched = {-7};
        ReduceKernels.argReduce(false, new double[0], 0, 0, 0, 1, untouched, 0);
        ReduceKernels.argReduce(false, new int[0], 0, 1, 0, 0, untouched, 0);
        assertEquals(-7, untouched[0]);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReduceKernels.argReduce(false, new long[0], 0, 1, 0, 1, new long[1], 0));
        assertEquals("argmin: empty reduction axis", e.getMessage());
        var bounds = assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.argReduce(true, new int[5], 0, 2, 3, 1, new long[2], 0));
        assertEquals("source of 6 at 0 exceeds length 5", bounds.getMessage());
    }

    /**
     * Every threaded split against the definition: whole rows per chunk, the blocks of a few long rows, column tiles
     * (one column short of one and two tiles), and row runs of few long column tiles; float32 vector and scalar,
     * float64 too; and two tiles of a small input, on the calling thread.
     */
    @Test
    void threadedSplitsAndTileEdgesMatchTheReference() {
        int[][] shapes = {{5, 20_011, 1}, {2, 40_009, 1}, {1, 150, 511}, {3, 50, 1023}, {9, 70, 130}, {2, 300, 600},
                {2, 9, 1023}};
        for (int[] sh : shapes) {
            int outer = sh[0], r = sh[1], inner = sh[2], off = 3;
            for (ReduceFn fn : ReduceFn.values()) {
                String what = fn + " " + java.util.Arrays.toString(sh);
                float[] x = data(off + outer * r * inner, r + fn.ordinal(), fn == ReduceFn.MAX || fn == ReduceFn.MIN);
                if (fn == ReduceFn.PROD) for (int i = 0; i < x.length; i++) x[i] = 1 + (x[i] - 1) * 1e-4f;
                double[] xd = new double[x.length];
                for (int i = 0; i < x.length; i++) xd[i] = x[i];
                for (boolean simd : new boolean[] {true, false}) {
                    float[] got = new float[outer * inner + 1];
                    ReduceKernels.reduce(fn, x, off, outer, r, inner, got, 1, simd, 2);
                    double[] gotD = new double[outer * inner + 1];
                    ReduceKernels.reduce(fn, xd, off, outer, r, inner, gotD, 1, 2);
                    for (int o = 0; o < outer; o++) {
                        for (int i = 0; i < inner; i++) {
                            int base = off + o * r * inner + i;
                            double ref = fn.identity();
                            for (int k = 0; k < r; k++) ref = fn.combine(ref, x[base + k * inner]);
                            float g = got[1 + o * inner + i];
                            double gd = gotD[1 + o * inner + i];
                            String at = what + (simd ? " vector" : " scalar") + " at " + o + "," + i;
                            if (Double.isNaN(ref)) {
                                assertTrue(Float.isNaN(g) && Double.isNaN(gd), at);
                            } else {
                                assertEquals((float) ref, g, Math.abs(ref) * 1e-5 + 1e-3, at);
                                assertEquals(ref, gd, 1e-9 * (Math.abs(ref) + 1), at + " float64");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * MAX of zeros of both signs is +0.0 and MIN is -0.0 wherever the lanes meet them: full vectors, the masked tail,
     * the lane tree and down columns, vector and scalar, once C2 has compiled the loops.
     */
    @Test
    void signedZerosOrderTheSameInEveryLaneAndPath() {
        float[] x = new float[8000];
        for (int i = 0; i < x.length; i++) x[i] = (i * 7919 % 3) == 0 ? 0f : -0f;
        int[][] shapes = {{1, 2048, 1}, {2, 37, 1}, {3, 1, 1}, {1, 200, 33}, {2, 65, 8}};
        for (int rep = 0; rep < 600; rep++) {
            for (int[] sh : shapes) {
                int outer = sh[0], r = sh[1], inner = sh[2];
                for (boolean simd : new boolean[] {true, false}) {
                    float[] max = new float[outer * inner], min = new float[outer * inner];
                    ReduceKernels.reduce(ReduceFn.MAX, x, 1, outer, r, inner, max, 0, simd, 1);
                    ReduceKernels.reduce(ReduceFn.MIN, x, 1, outer, r, inner, min, 0, simd, 1);
                    if (rep % 200 != 0 && rep != 599) continue;
                    for (int j = 0; j < max.length; j++) {
                        int o = j / inner, i = j % inner;
                        boolean anyPos = false, anyNeg = false;
                        for (int k = 0; k < r; k++) {
                            float v = x[1 + (o * r + k) * inner + i];
                            anyPos |= Float.floatToIntBits(v) == 0;
                            anyNeg |= Float.floatToIntBits(v) != 0;
                        }
                        String what = java.util.Arrays.toString(sh) + (simd ? " vector" : " scalar") + " at " + j;
                        assertEquals(Float.floatToIntBits(anyPos ? 0f : -0f), Float.floatToIntBits(max[j]), "max " + what);
                        assertEquals(Float.floatToIntBits(anyNeg ? -0f : 0f), Float.floatToIntBits(min[j]), "min " + what);
                    }
                }
            }
        }
    }

    /** int32 and int64 of every function on [outer, r, inner] blocks from offsets, small and threaded. */
    @Test
    void integerReductionsOfEveryFunctionMatchAPlainLoop() {
        int[][] shapes = {{3, 5, 4}, {2, 7, 1}, {4, 3000, 7}};
        Random rnd = new Random(5);
        for (int[] sh : shapes) {
            int outer = sh[0], r = sh[1], inner = sh[2], off = 2, n = outer * r * inner;
            int[] xi = new int[off + n];
            long[] xl = new long[off + n];
            for (int i = 0; i < xi.length; i++) {
                xi[i] = rnd.nextInt(2001) - 1000;
                xl[i] = xi[i] * 3_000_000_019L;
            }
            for (ReduceFn fn : ReduceFn.values()) {
                int[] gi = new int[outer * inner + 1];
                long[] gl = new long[outer * inner + 1];
                ReduceKernels.reduce(fn, xi, off, outer, r, inner, gi, 1);
                ReduceKernels.reduce(fn, xl, off, outer, r, inner, gl, 1);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int base = off + o * r * inner + i;
                        int ei = xi[base];
                        long el = xl[base];
                        for (int k = 1; k < r; k++) {
                            int vi = xi[base + k * inner];
                            long vl = xl[base + k * inner];
                            switch (fn) {
                                case SUM -> { ei += vi; el += vl; }
                                case PROD -> { ei *= vi; el *= vl; }
                                case MAX -> { ei = Math.max(ei, vi); el = Math.max(el, vl); }
                                case MIN -> { ei = Math.min(ei, vi); el = Math.min(el, vl); }
                            }
                        }
                        String at = fn + " " + java.util.Arrays.toString(sh) + " at " + o + "," + i;
                        assertEquals(ei, gi[1 + o * inner + i], "int32 " + at);
                        assertEquals(el, gl[1 + o * inner + i], "int64 " + at);
                    }
                }
            }
        }
    }

    @Test
    void everyDtypeChecksBoundsWithMessages() {
        var f = assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.reduce(ReduceFn.SUM, new float[12], 0, 2, 3, 2, new float[4], 1));
        assertEquals("output of 4 at 1 exceeds length 4", f.getMessage());
        var d = assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.reduce(ReduceFn.MAX, new double[11], 0, 2, 3, 2, new double[4], 0));
        assertEquals("source of 12 at 0 exceeds length 11", d.getMessage());
        var i = assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.reduce(ReduceFn.MIN, new int[12], 0, 2, 3, 2, new int[3], 0));
        assertEquals("output of 4 at 0 exceeds length 3", i.getMessage());
        var l = assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.reduce(ReduceFn.PROD, new long[12], 1, 2, 3, 2, new long[4], 0));
        assertEquals("source of 12 at 1 exceeds length 12", l.getMessage());
        var neg = assertThrows(IllegalArgumentException.class,
                () -> ReduceKernels.reduce(ReduceFn.SUM, new double[4], 0, 1, -2, 2, new double[4], 0));
        assertEquals("negative extent [1, -2, 2]", neg.getMessage());
    }

    /**
     * The fused passes' contract: folding every block of {@code ROWS_PER_BLOCK} rows with foldBlock and merging the
     * blocks with mergeTree (whole, or as aligned power-of-two runs merged again) gives reduce's bits.
     */
    @Test
    void foldBlockAndMergeTreeGiveTheBitsOfReduce() {
        int rpb = ReduceKernels.ROWS_PER_BLOCK;
        int[][] shapes = {{1, 3}, {63, 17}, {64, 8}, {65, 9}, {5 * 64 + 3, 33}, {8 * 64, 2}, {11 * 64 + 1, 600}};
        for (ReduceFn fn : ReduceFn.values()) {
            for (int[] sh : shapes) {
                int r = sh[0], inner = sh[1], off = 5;
                float[] x = data(off + r * inner, r * 31L + inner, fn == ReduceFn.MAX || fn == ReduceFn.MIN);
                if (fn == ReduceFn.PROD) for (int i = 0; i < x.length; i++) x[i] = 1 + (x[i] - 1) * 1e-3f;
                float[] expect = new float[inner];
                ReduceKernels.reduce(fn, x, off, 1, r, inner, expect, 0, true, 1);
                int blocks = (r + rpb - 1) / rpb;
                float[][] whole = new float[blocks][], runs = new float[blocks][];
                for (int b = 0; b < blocks; b++) {
                    whole[b] = new float[inner];
                    java.util.Arrays.fill(whole[b], (float) fn.identity());
                    ReduceKernels.foldBlock(fn, x, off + b * rpb * inner, Math.min(rpb, r - b * rpb), inner, whole[b]);
                    runs[b] = whole[b].clone();
                }
                String what = fn + " r=" + r + " inner=" + inner;
                ReduceKernels.mergeTree(fn, whole, 0, blocks, inner);
                assertBitsEqual(expect, whole[0], what);
                // runs of 4 blocks (aligned subtrees), then their results merged in the same tree
                int runCount = (blocks + 3) / 4;
                float[][] heads = new float[runCount][];
                for (int q = 0; q < runCount; q++) {
                    ReduceKernels.mergeTree(fn, runs, 4 * q, Math.min(4, blocks - 4 * q), inner);
                    heads[q] = runs[4 * q];
                }
                ReduceKernels.mergeTree(fn, heads, 0, runCount, inner);
                assertBitsEqual(expect, heads[0], what + " in runs");
            }
        }
    }

    private static void assertBitsEqual(float[] expect, float[] got, String what) {
        for (int i = 0; i < expect.length; i++) {
            assertEquals(Float.floatToIntBits(expect[i]), Float.floatToIntBits(got[i]), what + " column " + i);
        }
    }

    @Test
    void boundsAreChecked() {
        float[] f = new float[12];
        assertThrows(IndexOutOfBoundsException.class, () -> ReduceKernels.reduce(ReduceFn.SUM, f, 1, 2, 3, 2, f, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> ReduceKernels.reduce(ReduceFn.SUM, f, 0, 2, 3, 2, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> ReduceKernels.reduce(ReduceFn.SUM, f, 0, -1, 3, 2, f, 0));
    }
}
