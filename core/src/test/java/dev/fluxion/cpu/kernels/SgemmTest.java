package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SgemmTest {
    private static final int[] SMALL = {0, 1, 2, 7, 8, 9, 31, 33};

    /** One product: sizes, layouts and inputs, plus a float64 reference. */
    private static final class Case {
        final boolean ta, tb, acc;
        final int m, n, k, lda, ldb, ldc, aOff, bOff, cOff;
        final float[] a, b, c0;

        Case(Random rnd, int m, int n, int k, boolean ta, boolean tb, boolean acc, boolean padded) {
            this(rnd, m, n, k, ta, tb, acc, padded, 4);
        }

        /** {@code slack}: floats after the last element of each operand (0: operands end at their arrays' ends). */
        Case(Random rnd, int m, int n, int k, boolean ta, boolean tb, boolean acc, boolean padded, int slack) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.ta = ta;
            this.tb = tb;
            this.acc = acc;
            int pad = padded ? 3 : 0;
            lda = Math.max(1, (ta ? m : k) + pad);
            ldb = Math.max(1, (tb ? k : n) + pad);
            ldc = Math.max(1, n + pad);
            aOff = padded ? 5 : 0;
            bOff = padded ? 2 : 0;
            cOff = padded ? 7 : 0;
            a = random(rnd, aOff + (ta ? k : m) * lda + slack);
            b = random(rnd, bOff + (tb ? n : k) * ldb + slack);
            c0 = random(rnd, cOff + m * ldc + 4);
        }

        float[] simd(int threads) {
            float[] c = c0.clone();
            Sgemm.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, threads);
            return c;
        }

        float[] scalar() {
            float[] c = c0.clone();
            Sgemm.sgemmScalar(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
            return c;
        }

        /** Checks {@code c} against the float64 product (error bound ~ k * eps * sum |a*b|) and its untouched padding. */
        void check(float[] c, String what) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = acc ? c0[cOff + i * ldc + j] : 0, mag = Math.abs(s);
                    for (int p = 0; p < k; p++) {
                        double x = a[aOff + (ta ? p * lda + i : i * lda + p)] * (double) b[bOff + (tb ? j * ldb + p : p * ldb + j)];
                        s += x;
                        mag += Math.abs(x);
                    }
                    float got = c[cOff + i * ldc + j];
                    double tol = 1e-6 * (k + 2) * mag + 1e-30;
                    if (!(Math.abs(got - s) <= tol)) {
                        fail(what + " " + this + ": C[" + i + "," + j + "] = " + got + ", expected " + s);
                    }
                }
            }
            // everything outside the m x n window is untouched
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff, i = Math.floorDiv(rel, ldc), j = rel - i * ldc;
                boolean inside = rel >= 0 && i < m && j < n;
                if (!inside && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(what + " " + this + ": wrote outside C at index " + idx);
                }
            }
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc + " lda=" + lda
                    + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    @Test
    void smallSizesAllLayoutsMatchReference() {
        Random rnd = new Random(1);
        int count = 0;
        for (int m : SMALL) {
            for (int n : SMALL) {
                for (int k : SMALL) {
                    for (int t = 0; t < 4; t++) {
                        Case cs = new Case(rnd, m, n, k, (t & 1) != 0, (t & 2) != 0, (count & 1) == 0, (count & 2) == 0);
                        cs.check(cs.simd(1), "simd");
                        cs.check(cs.scalar(), "scalar");
                        count++;
                    }
                }
            }
        }
    }

    @Test
    void largerAwkwardSizesMatchReferenceAndScalarTwin() {
        Random rnd = new Random(2);
        int[][] sizes = {{127, 33, 257}, {257, 31, 9}, {33, 257, 127}, {9, 127, 1000}, {1, 300, 257}, {300, 1, 64},
            {64, 48, 1}, {37, 97, 513}, {128, 10, 784}, {32, 784, 10}};
        int count = 0;
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                Case cs = new Case(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (count & 1) == 1, count % 3 == 0);
                float[] simd = cs.simd(1), scalar = cs.scalar();
                cs.check(simd, "simd");
                cs.check(scalar, "scalar");
                count++;
            }
        }
    }

    @Test
    void resultsAreBitwiseIndependentOfThreadCount() {
        Random rnd = new Random(3);
        int[][] sizes = {{200, 150, 300}, {128, 128, 784}, {97, 61, 1000}, {16, 700, 400}, {700, 20, 300},
            {513, 300, 40}, {1, 2500, 500}, {2500, 1, 500}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                Case cs = new Case(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, t == 2, t == 1);
                float[] one = cs.simd(1);
                for (int threads : new int[] {2, 3, 7}) {
                    assertArrayEquals(one, cs.simd(threads), "threads=" + threads + " " + cs);
                }
                if (t == 0 || s[0] == 1 || s[1] == 1) cs.check(one, "simd");
            }
        }
    }

    @Test
    void sizesAroundTileAndBlockEdgesMatchReferenceOnAnyThreadCount() {
        // MR x NR tiles (5 or 8 rows, 2 vectors), MC rows (160 or 128), KC = 512 steps, NC = 32 * NR columns: one
        // either side of each, for this species, and the edges of the other species' tiles and blocks too
        int mr = GemmMicroKernels.MR, mc = GemmEngine.MC, kc = GemmEngine.KC;
        Random rnd = new Random(6);
        int[][] sizes = {{129, 17, kc + 1}, {3, 513, kc - 1}, {5, 15, kc}, {128, 16, 2 * kc}, {65, 511, 300},
            {257, 33, 9}, {9, 1025, 40}, {2, 2, 2 * kc + 88}, {mc + 1, 31, 100}, {mc - 1, 40, kc + 1},
            {mr + 1, 33, 70}, {2 * mr - 1, 9, 5}, {7, 20, 257}, {6, 18, 255}};
        int count = 0;
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                Case cs = new Case(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (count & 1) == 1, count % 3 != 1);
                float[] one = cs.simd(1);
                cs.check(one, "simd");
                assertArrayEquals(one, cs.simd(2), "threads=2 " + cs);
                count++;
            }
        }
        Case twin = new Case(rnd, 37, 41, 300, true, true, true, true);
        twin.check(twin.scalar(), "scalar");
    }

    @Test
    void operandsEndingAtTheirArraysEndsAreReadWithinBounds() {
        // packing copies whole vectors where a row of a panel needs fewer values; the last steps of an operand that
        // ends at its array's end must not read past it
        int mr = GemmMicroKernels.MR;
        Random rnd = new Random(7);
        int[][] sizes = {{3 * mr, 40, 33}, {2 * mr, 3 * GemmMicroKernels.NR, 7}, {mr, 64, 1}, {4 * mr + 1, 37, 50}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                Case cs = new Case(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, false, false, 0);
                float[] one = cs.simd(1);
                cs.check(one, "simd");
                assertArrayEquals(one, cs.simd(2), "threads=2 " + cs);
            }
        }
    }

    @Test
    void blockAndScalarTransposesAgree() {
        // both ways of interleaving four rows run whatever the machine picks (BLOCK_TRANSPOSE), at lengths around
        // the 4-step blocks and at the strides packing uses (5- and 8-row A tiles, NR-wide B panels)
        Random rnd = new Random(8);
        float[] x = new float[4 * 40 + 7];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() - 0.5f;
        for (int stride : new int[] {4, 5, 8, GemmMicroKernels.NR}) {
            for (int len = 0; len <= 9; len++) {
                float[] blocks = new float[stride * 9 + 8], scalar = new float[stride * 9 + 8];
                int s0 = 3, s1 = 50, s2 = 91, s3 = 130;
                SgemmPacking.transposeInBlocks(x, s0, s1, s2, s3, len, blocks, 1, stride);
                SgemmPacking.transposeScalar(x, s0, s1, s2, s3, 0, len, scalar, 1, stride);
                assertArrayEquals(scalar, blocks, "stride " + stride + ", len " + len);
                for (int p = 0; p < len; p++) {
                    assertEquals(x[s2 + p], scalar[1 + p * stride + 2], "step " + p + " of row 2");
                }
            }
        }
    }

    /**
     * The SIMD path's bits, written out: k is cut into ceil(k / KC) k-blocks whose sizes differ by at most one
     * (block kb starts at floor(kb * k / blocks)); each block's sum is a chain of fused multiply-adds from 0 in step
     * order, and C is that sum for the first block (unless accumulating) and C plus it for every other block.
     */
    @Test
    void simdPathFollowsTheDocumentedKBlockOrderBitwise() {
        int kc = GemmEngine.KC, mc = GemmEngine.MC, nr = GemmMicroKernels.NR;
        Random rnd = new Random(9);
        int[][] sizes = {{7, 20, 2 * kc + 88}, {13, 3 * nr + 5, kc + 1}, {mc + 3, 35, 2 * kc + 2}, {6, 2, 3 * kc - 1}};
        int count = 0;
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++, count++) {
                Case cs = new Case(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (count & 1) == 1, t != 1);
                float[] expect = cs.c0.clone();
                int blocks = (cs.k + kc - 1) / kc;
                for (int i = 0; i < cs.m; i++) {
                    for (int j = 0; j < cs.n; j++) {
                        int ci = cs.cOff + i * cs.ldc + j;
                        for (int kb = 0; kb < blocks; kb++) {
                            float sum = 0f;
                            for (int p = (int) ((long) kb * cs.k / blocks); p < (int) ((long) (kb + 1) * cs.k / blocks); p++) {
                                float x = cs.a[cs.aOff + (cs.ta ? p * cs.lda + i : i * cs.lda + p)];
                                float y = cs.b[cs.bOff + (cs.tb ? j * cs.ldb + p : p * cs.ldb + j)];
                                sum = Math.fma(x, y, sum);
                            }
                            expect[ci] = kb == 0 && !cs.acc ? sum : expect[ci] + sum;
                        }
                    }
                }
                assertArrayEquals(expect, cs.simd(1), "threads=1 " + cs);
                assertArrayEquals(expect, cs.simd(2), "threads=2 " + cs);
            }
        }
    }

    @Test
    void deepProductsSpanningSeveralPackedBGroupsAgree() {
        // k * (columns rounded to panels) exceeds GemmEngine.B_CAP: B is packed in several groups of k-blocks
        Random rnd = new Random(7);
        for (int t = 0; t < 2; t++) {
            Case cs = new Case(rnd, 6, 300, 4200, t == 1, false, t == 1, t == 0);
            float[] one = cs.simd(1);
            cs.check(one, "simd");
            assertArrayEquals(one, cs.simd(2), "threads=2 " + cs);
        }
    }

    @Test
    void publicEntryPointsAgree() {
        Random rnd = new Random(4);
        Case cs = new Case(rnd, 70, 45, 90, true, false, true, true);
        float[] c = cs.c0.clone();
        Sgemm.sgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.a, cs.aOff, cs.lda, cs.b, cs.bOff, cs.ldb, c, cs.cOff, cs.ldc,
                cs.acc);
        cs.check(c, "sgemm");

        double[] a = toDouble(cs.a), b = toDouble(cs.b), cd = toDouble(cs.c0);
        Sgemm.dgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, a, cs.aOff, cs.lda, b, cs.bOff, cs.ldb, cd, cs.cOff, cs.ldc, cs.acc);
        for (int i = 0; i < cs.m; i++) {
            for (int j = 0; j < cs.n; j++) {
                int idx = cs.cOff + i * cs.ldc + j;
                assertEquals(cd[idx], c[idx], 1e-4, "dgemm vs sgemm at " + i + "," + j);
            }
        }
    }

    @Test
    void dgemmMatchesNaiveProductForAllTransposes() {
        Random rnd = new Random(5);
        int m = 13, n = 11, k = 17;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextGaussian();
            Sgemm.dgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                    assertEquals(s, c[i * n + j], 1e-12);
                }
            }
        }
    }

    @Test
    void nanAndInfinityPropagate() {
        int m = 9, n = 40, k = 5;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        a[2 * k + 1] = Float.NaN;
        b[3 * n + 33] = Float.POSITIVE_INFINITY;
        Sgemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false, 1);
        assertTrue(Float.isNaN(c[2 * n + 5]), "NaN row");
        assertTrue(Float.isNaN(c[0 * n + 33]), "0 * inf is NaN");
    }

    @Test
    void zeroKClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4};
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, false);
        assertArrayEquals(new float[4], c);
    }

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        float[] small = new float[10], big = new float[1000];
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(false, false, 4, 4, 4, small, 0, 4, big, 0, 4, big, 0, 4, false));
        assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("m=4"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(false, false, 4, 4, 4, big, 0, 3, big, 0, 4, big, 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(false, true, 4, 4, 4, big, 0, 4, big, 998, 4, big, 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemmScalar(false, false, -1, 4, 4, big, 0, 4, big, 0, 4, big, 0, 4, false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.dgemm(false, false, 4, 4, 4, new double[3], 0, 4, new double[16], 0, 4, new double[16], 0, 4,
                        false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(false, false, 4, 4, 4, null, 0, 4, big, 0, 4, big, 0, 4, false));
    }

    @Test
    void stripesCoverThePanelsWithSizesLevelPerThread() {
        assertArrayEquals(new int[] {0, 7, 13, 20, 26}, java.util.stream.IntStream.rangeClosed(0, 4)
                .map(i -> GemmEngine.stripeStart(i, 4, 26)).toArray()); // 7, 6, 7, 6: two threads get 13 each
        for (int panels : new int[] {1, 5, 26, 157}) {
            for (int count = 1; count <= Math.min(panels, 9); count++) {
                int previous = 0, smallest = Integer.MAX_VALUE, largest = 0;
                assertEquals(0, GemmEngine.stripeStart(0, count, panels));
                for (int i = 1; i <= count; i++) {
                    int start = GemmEngine.stripeStart(i, count, panels), size = start - previous;
                    smallest = Math.min(smallest, size);
                    largest = Math.max(largest, size);
                    previous = start;
                }
                assertEquals(panels, previous, panels + " panels in " + count);
                assertTrue(smallest >= 1 && largest - smallest <= 1, panels + " panels in " + count);
            }
        }
    }

    @Test
    void parallelCoversEveryIndexOnceAndPropagatesErrors() {
        for (int threads : new int[] {1, 2, 4}) {
            int n = 1003;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.forRange(n, 17, threads, (from, to) -> {
                assertEquals(Math.min(n, from + 17), to);
                for (int i = from; i < to; i++) seen.incrementAndGet(i);
                // nested loops still cover their range
                AtomicInteger inner = new AtomicInteger();
                Parallel.forRange(5, 1, (f, t) -> inner.addAndGet(t - f));
                assertEquals(5, inner.get());
            });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i);
        }
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(8, 1, 2, (from, to) -> {
            if (from == 5) throw new IllegalStateException("boom");
        }));
        assertEquals("boom", e.getMessage());
        // the pool is still usable after a failure
        int[] sum = new int[1];
        Parallel.forRange(4, 4, (from, to) -> sum[0] += to - from);
        assertEquals(4, sum[0]);
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
