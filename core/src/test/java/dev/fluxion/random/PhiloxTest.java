package dev.fluxion.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PhiloxTest {
    static final int N = 1_000_000;

    /** Known-answer vectors of Philox4x32-10 from Random123's kat_vectors. */
    @Test
    void knownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.block(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                        new int[] {0xa4093822, 0x299f31d0}));
    }

    @Test
    void layoutFollowsTheDocumentedCounterAndKey() {
        long seed = 0x1234_5678_9abc_def0L, counter = 0xffff_ffffL; // block 1 carries into counter word 1
        float[] f = new float[8];
        Philox.uniform(seed, counter, f, 0, 8);
        int[] key = {(int) seed, (int) (seed >>> 32)};
        int[] b0 = Philox.block(new int[] {-1, 0, 0, 0}, key), b1 = Philox.block(new int[] {0, 1, 0, 0}, key);
        for (int t = 0; t < 4; t++) {
            assertEquals((b0[t] >>> 8) * 0x1p-24f, f[t]);
            assertEquals((b1[t] >>> 8) * 0x1p-24f, f[4 + t]);
        }
        double[] d = new double[3];
        Philox.uniform(seed, 5, d, 0, 3);
        int[] c5 = Philox.block(new int[] {5, 0, 0, 0}, key), c6 = Philox.block(new int[] {6, 0, 0, 0}, key);
        assertEquals((((long) c5[0] << 32 | (c5[1] & 0xffffffffL)) >>> 11) * 0x1p-53, d[0]);
        assertEquals((((long) c5[2] << 32 | (c5[3] & 0xffffffffL)) >>> 11) * 0x1p-53, d[1]);
        assertEquals((((long) c6[0] << 32 | (c6[1] & 0xffffffffL)) >>> 11) * 0x1p-53, d[2]);
    }

    /**
     * The vector-lane path (blocks side by side in 64-bit lanes) gives the words of the scalar block: every float
     * uniform and bernoulli draw checked against {@link Philox#block}, at sizes around the lane groups (with a
     * tail), from offsets, with counters that carry into word 1 inside a lane group, and above the parallel threshold.
     */
    @Test
    void laneGenerationMatchesTheScalarBlock() {
        long seed = 0x0123_4567_89ab_cdefL;
        int[] key = {(int) seed, (int) (seed >>> 32)};
        int group = 8 * PhiloxLanes.LANES;
        for (long counter : new long[] {0, 0xffff_fffdL, -3}) {
            for (int n : new int[] {1, group - 1, group, group + 5, 3 * group + 7, Philox.PARALLEL_THRESHOLD + 13}) {
                float[] f = new float[n + 2];
                boolean[] b = new boolean[n + 2];
                Philox.uniform(seed, counter, f, 2, n);
                Philox.bernoulli(seed, counter, 0.37, b, 2, n);
                for (int i = 0; i < n; i += 4) {
                    long c = counter + i / 4;
                    int[] w = Philox.block(new int[] {(int) c, (int) (c >>> 32), 0, 0}, key);
                    for (int t = 0; t < 4 && i + t < n; t++) {
                        String at = "n=" + n + " counter=" + counter + " i=" + (i + t);
                        assertEquals((w[t] >>> 8) * 0x1p-24f, f[2 + i + t], "uniform " + at);
                        assertEquals((w[t] & 0xffffffffL) < 0.37 * 0x1p32, b[2 + i + t], "bernoulli " + at);
                    }
                }
            }
        }
    }

    @Test
    void uniformStatistics() {
        float[] f = new float[N];
        Philox.uniform(42, 0, f, 0, N);
        double[] m = moments(f);
        for (float v : f) assertTrue(v >= 0 && v < 1);
        assertEquals(0.5, m[0], 1.5e-3);
        assertEquals(1.0 / 12, m[1], 1e-3);
        double[] d = new double[N];
        Philox.uniform(43, 0, d, 0, N);
        for (double v : d) assertTrue(v >= 0 && v < 1);
        m = moments(d);
        assertEquals(0.5, m[0], 1.5e-3);
        assertEquals(1.0 / 12, m[1], 1e-3);
        // bucket counts: a coarse chi-square over 100 cells (99 dof; 99 + 5 sd is about 169)
        long[] cells = new long[100];
        for (float v : f) cells[(int) (v * 100)]++;
        double chi = 0;
        for (long c : cells) chi += (c - N / 100.0) * (c - N / 100.0) / (N / 100.0);
        assertTrue(chi < 170, "chi-square " + chi);
    }

    @Test
    void normalStatistics() {
        float[] f = new float[N];
        Philox.normal(7, 0, f, 0, N);
        double[] m = moments(f);
        assertEquals(0, m[0], 5e-3);
        assertEquals(1, m[1], 5e-3);
        assertEquals(3, m[3], 0.03); // kurtosis
        for (float v : f) assertTrue(Float.isFinite(v));
        double[] d = new double[N];
        Philox.normal(8, 0, d, 0, N);
        m = moments(d);
        assertEquals(0, m[0], 5e-3);
        assertEquals(1, m[1], 5e-3);
        assertEquals(0, m[2], 0.01); // skewness
        long beyond3 = Arrays.stream(d).filter(v -> Math.abs(v) > 3).count();
        assertEquals(2700, beyond3, 300, "P(|z| > 3) = 0.27%");
    }

    @Test
    void truncatedNormalStatistics() {
        float[] f = new float[N];
        Philox.truncatedNormal(9, 0, f, 0, N);
        for (float v : f) assertTrue(Math.abs(v) <= 2, "value " + v);
        double[] m = moments(f);
        // variance of a standard normal truncated to [-2, 2]: 1 - 4 phi(2) / (Phi(2) - Phi(-2))
        double phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI), mass = 0.9544997361036416;
        assertEquals(0, m[0], 5e-3);
        assertEquals(1 - 4 * phi2 / mass, m[1], 5e-3);
        double[] d = new double[N];
        Philox.truncatedNormal(9, 0, d, 0, N);
        for (double v : d) assertTrue(Math.abs(v) <= 2);
        assertEquals(1 - 4 * phi2 / mass, moments(d)[1], 5e-3);
        // numbers that needed no redraw are the plain normals
        float[] plain = new float[1000];
        Philox.normal(9, 0, plain, 0, 1000);
        for (int i = 0; i < 1000; i++) if (Math.abs(plain[i]) <= 2) assertEquals(plain[i], f[i]);
    }

    @Test
    void bernoulliAndItsArguments() {
        boolean[] b = new boolean[N];
        Philox.bernoulli(11, 0, 0.3, b, 0, N);
        int ones = 0;
        for (boolean v : b) ones += v ? 1 : 0;
        assertEquals(0.3, ones / (double) N, 2.5e-3);
        Philox.bernoulli(11, 0, 0, b, 0, 1000);
        for (int i = 0; i < 1000; i++) assertFalse(b[i]);
        Philox.bernoulli(11, 0, 1, b, 0, 1000);
        for (int i = 0; i < 1000; i++) assertTrue(b[i]);
        // draw i compares word i % 4 of block i / 4 with p * 2^32 (12 draws: two blocks at a time, then one)
        boolean[] few = new boolean[12];
        Philox.bernoulli(11, 7, 0.3, few, 0, 12);
        for (int i = 0; i < 12; i++) {
            int word = Philox.block(new int[] {7 + i / 4, 0, 0, 0}, new int[] {11, 0})[i % 4];
            assertEquals((word & 0xFFFFFFFFL) < 0.3 * 0x1p32, few[i], "draw " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> Philox.bernoulli(1, 0, 1.5, b, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Philox.bernoulli(1, 0, Double.NaN, b, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.uniform(1, 0, new float[3], 1, 3));
    }

    @Test
    void permutations() {
        int[] p = Philox.permutation(5, 0, 1000);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(p, Philox.permutation(5, 0, 1000), "deterministic");
        assertFalse(Arrays.equals(p, Philox.permutation(6, 0, 1000)), "seed matters");
        assertArrayEquals(new int[0], Philox.permutation(5, 0, 0));
        assertArrayEquals(new int[] {0}, Philox.permutation(5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Philox.permutation(5, 0, -1));
        // all 6 orders of 3 equally often, each permutation from its own counter range
        int[] counts = new int[6];
        int trials = 60_000;
        long counter = 0;
        for (int t = 0; t < trials; t++) {
            int[] q = Philox.permutation(77, counter, 3);
            counter += Philox.countersForPermutation(3);
            counts[q[0] * 2 + (q[1] > q[2] ? 1 : 0)]++;
        }
        for (int c : counts) assertEquals(trials / 6.0, c, 400);
    }

    @Test
    void chunkedGenerationEqualsOneShot() {
        int chunk = 4096; // a multiple of 4, so the next request starts on the next block
        float[] whole = new float[N], parts = new float[N];
        Philox.uniform(3, 100, whole, 0, N);
        long counter = 100;
        for (int off = 0; off < N; off += chunk) {
            int n = Math.min(chunk, N - off);
            Philox.uniform(3, counter, parts, off, n);
            counter += Philox.countersForFloats(n);
        }
        assertArrayEquals(whole, parts);
        float[] nw = new float[N], np = new float[N];
        Philox.normal(3, 100, nw, 0, N);
        counter = 100;
        for (int off = 0; off < N; off += chunk) {
            int n = Math.min(chunk, N - off);
            Philox.normal(3, counter, np, off, n);
            counter += Philox.countersForFloats(n);
        }
        assertArrayEquals(nw, np);
        double[] dw = new double[N], dp = new double[N];
        Philox.truncatedNormal(3, 100, dw, 0, N);
        counter = 100;
        for (int off = 0; off < N; off += 1002) {
            int n = Math.min(1002, N - off);
            Philox.truncatedNormal(3, counter, dp, off, n);
            counter += Philox.countersForDoubles(n);
        }
        assertArrayEquals(dw, dp);
    }

    @Test
    void numberIDependsOnlyOnSeedCounterAndI() {
        float[] a = new float[13], b = new float[21];
        Philox.normal(1, 9, a, 0, 13);
        Philox.normal(1, 9, b, 8, 13);
        assertArrayEquals(a, Arrays.copyOfRange(b, 8, 21));
        float[] c = new float[5];
        Philox.normal(1, 9, c, 0, 5);
        assertArrayEquals(Arrays.copyOf(a, 5), c);
        double[] u = new double[3], v = new double[2];
        Philox.uniform(1, 9, u, 0, 3);
        Philox.uniform(1, 9, v, 0, 2);
        assertEquals(u[1], v[1]);
        Philox.uniform(2, 9, v, 0, 2);
        assertTrue(u[0] != v[0], "seed matters");
    }

    @Test
    void counterAccounting() {
        assertEquals(0, Philox.countersForFloats(0));
        assertEquals(1, Philox.countersForFloats(1));
        assertEquals(1, Philox.countersForFloats(4));
        assertEquals(2, Philox.countersForFloats(5));
        assertEquals(1, Philox.countersForDoubles(2));
        assertEquals(2, Philox.countersForDoubles(3));
        assertEquals(0, Philox.countersForPermutation(1));
        assertEquals(1, Philox.countersForPermutation(3));
        assertEquals(2, Philox.countersForPermutation(4));
        // consecutive requests advanced by the rule never share a block: they differ
        float[] a = new float[5], b = new float[5];
        Philox.uniform(1, 0, a, 0, 5);
        Philox.uniform(1, Philox.countersForFloats(5), b, 0, 5);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) assertTrue(a[i] != b[j]);
    }

    /** The four words of block j of a request at (seed, counter), redraw plane in word 3, as documented. */
    private static int[] words(long seed, long counter, long j, int plane) {
        long c = counter + j;
        return Philox.block(new int[] {(int) c, (int) (c >>> 32), 0, plane}, new int[] {(int) seed, (int) (seed >>> 32)});
    }

    /** Float-path normal number i (Box-Muller on the words of its pair) from the given plane. */
    private static double normal32(long seed, long counter, int i, int plane) {
        int[] w = words(seed, counter, i / 4, plane);
        int p = (i % 4) / 2;
        double u1 = ((w[2 * p] & 0xFFFFFFFFL) + 1) * 0x1p-32, t = 2 * Math.PI * ((w[2 * p + 1] & 0xFFFFFFFFL) * 0x1p-32);
        double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
        return i % 2 == 0 ? r * StrictMath.cos(t) : r * StrictMath.sin(t);
    }

    private static long bits53(int hi, int lo) {
        return ((long) hi << 32 | (lo & 0xFFFFFFFFL)) >>> 11;
    }

    /** Double-path normal number i: one block per pair, u1 from words 0-1, t from words 2-3. */
    private static double normal64(long seed, long counter, int i, int plane) {
        int[] w = words(seed, counter, i / 2, plane);
        double u1 = (bits53(w[0], w[1]) + 1) * 0x1p-53, t = 2 * Math.PI * (bits53(w[2], w[3]) * 0x1p-53);
        double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
        return i % 2 == 0 ? r * StrictMath.cos(t) : r * StrictMath.sin(t);
    }

    @Test
    void normalsAreTheDocumentedBoxMullerOfTheirWords() {
        long seed = 0x1234_5678_9ABCL, counter = (1L << 32) - 3; // the counter crosses into word 1
        int n = 37;
        float[] f = new float[n];
        double[] d = new double[n];
        Philox.normal(seed, counter, f, 0, n);
        Philox.normal(seed, counter, d, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals((float) normal32(seed, counter, i, 0), f[i], "float normal " + i);
            assertEquals(normal64(seed, counter, i, 0), d[i], "double normal " + i);
        }
    }

    @Test
    void truncatedNormalsRedrawFromTheNextPlaneUntilWithinTwo() {
        long seed = 77, counter = 5;
        int n = 203, redrawn = 0;
        float[] f = new float[n];
        double[] d = new double[n];
        Philox.truncatedNormal(seed, counter, f, 0, n);
        Philox.truncatedNormal(seed, counter, d, 0, n);
        for (int i = 0; i < n; i++) {
            double v = normal32(seed, counter, i, 0);
            for (int plane = 1; Math.abs(v) > 2; plane++) v = normal32(seed, counter, i, plane);
            assertEquals((float) v, f[i], "float truncated normal " + i);
            double v64 = normal64(seed, counter, i, 0);
            if (Math.abs(v64) > 2) redrawn++;
            for (int plane = 1; Math.abs(v64) > 2; plane++) v64 = normal64(seed, counter, i, plane);
            assertEquals(v64, d[i], "double truncated normal " + i);
        }
        assertTrue(redrawn > 0, "some numbers were redrawn");
    }

    @Test
    void smallRequestsAreThePrefixOfALargeOneAndWriteOnlyTheirSlots() {
        float[] whole = new float[1000];
        boolean[] wholeDraws = new boolean[1000];
        Philox.uniform(8, 3, whole, 0, 1000);
        Philox.bernoulli(8, 3, 0.5, wholeDraws, 0, 1000);
        for (int n : new int[] {1, 5, 9, 13, 70}) {
            float[] part = new float[n];
            boolean[] draws = new boolean[n];
            Philox.uniform(8, 3, part, 0, n);
            Philox.bernoulli(8, 3, 0.5, draws, 0, n);
            assertArrayEquals(Arrays.copyOf(whole, n), part, "uniform, n = " + n);
            assertArrayEquals(Arrays.copyOf(wholeDraws, n), draws, "bernoulli, n = " + n);
        }
    }

    @Test
    void permutationsAreTheDocumentedFisherYates() {
        long seed = 99, counter = 12;
        int n = 11;
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) expected[i] = i;
        for (int i = n - 1, draw = 0; i > 0; i--, draw++) {
            int[] w = words(seed, counter, draw / 2, 0);
            long u = (long) w[2 * (draw % 2)] << 32 | (w[2 * (draw % 2) + 1] & 0xFFFFFFFFL);
            int j = (int) Math.unsignedMultiplyHigh(u, i + 1L);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, Philox.permutation(seed, counter, n));
    }

    /** mean, variance, skewness, kurtosis. */
    static double[] moments(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return moments(d);
    }

    static double[] moments(double[] x) {
        double mean = Arrays.stream(x).sum() / x.length, m2 = 0, m3 = 0, m4 = 0;
        for (double v : x) {
            double c = v - mean;
            m2 += c * c;
            m3 += c * c * c;
            m4 += c * c * c * c;
        }
        m2 /= x.length;
        m3 /= x.length;
        m4 /= x.length;
        return new double[] {mean, m2, m3 / Math.pow(m2, 1.5), m4 / (m2 * m2)};
    }
}
