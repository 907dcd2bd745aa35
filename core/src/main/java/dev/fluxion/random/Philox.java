package dev.fluxion.random;

import dev.fluxion.cpu.kernels.Parallel;
import java.util.Objects;

/**
 * The Philox4x32-10 counter-based generator (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1,
 * 2, 3", SC11) and the distributions drawn from it.
 *
 * <p><b>Layout.</b> The 64-bit key is the seed: key word 0 is its low 32 bits, word 1 its high 32 bits. A request
 * with counter base {@code c} draws its j-th block from the 128-bit counter (c0, c1, c2, c3) with c0 + 2^32 c1 =
 * c + j (mod 2^64), c2 = 0 (reserved) and c3 = 0; only redraws of truncated normals use c3 > 0 (see
 * {@link #truncatedNormal(long, long, float[], int, int)}). Each block gives four 32-bit words. Number i of a request
 * depends on (seed, c, i) only, never on threads or chunking:
 * <ul>
 *   <li>float uniform, normal and truncated normal, and bernoulli: 4 numbers per block, number i from block i / 4
 *       (normals: the pair i / 2 takes words 2 (i / 2 % 2) and the next one);</li>
 *   <li>double uniform: 2 per block, number i from words 2 (i % 2) and 2 (i % 2) + 1 of block i / 2;</li>
 *   <li>double normal and truncated normal: 2 per block, the Box–Muller pair i / 2 from all four words of block
 *       i / 2;</li>
 *   <li>permutation(n): n - 1 draws of 64 bits, 2 per block.</li>
 * </ul>
 * A stateful generator advances its counter by {@link #countersForFloats}, {@link #countersForDoubles} or
 * {@link #countersForPermutation} after each request so that requests never share blocks. Two requests, the second
 * at counter {@code c + countersForFloats(n1)}, give the same numbers as one request of n1 + n2 when n1 is a
 * multiple of 4 (2 for doubles).
 *
 * <p>Transcendentals use {@link StrictMath}, so the numbers are bitwise the same on every JVM and platform.
 */
public final class Philox {
    private Philox() {}

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /**
     * Requests at least this large are generated on the kernel threads: the MLP's 128x128 dropout mask (16384
     * numbers) took 5.8-6.0% of its graph step on one thread, 5.1-5.2% on two ({@code EpochBench mlp} profile, Zen 2).
     */
    static final int PARALLEL_THRESHOLD = 1 << 14;
    /** Numbers per parallel chunk: a multiple of 4, so chunks start on block boundaries. */
    static final int GRAIN = 1 << 13;

    private static final double TWO_PI = 2 * Math.PI;

    /**
     * One Philox4x32-10 block: the 128-bit counter {@code ctr[0..3]} (word 0 least significant) under the key
     * {@code key[0..1]}; returns the four output words.
     */
    public static int[] block(int[] ctr, int[] key) {
        if (ctr.length != 4 || key.length != 2) throw new IllegalArgumentException("counter has 4 words, key 2");
        int[] out = new int[4];
        block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
        return out;
    }

    /** Ten rounds of Philox4x32 into out[0..3]; the key is bumped by the Weyl constants between rounds. */
    static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Blocks j and j + 1 of a request (plane 0) into out[0..7], their rounds interleaved: one block's ten rounds are
     * a chain of dependent multiplies, so two independent chains side by side keep the multiplier busy (the same
     * words as two calls of {@link #block(long, long, long, int, int[])}).
     */
    private static void block2(long seed, long counter, long j, int[] out) {
        long c = counter + j, d = c + 1;
        int a0 = (int) c, a1 = (int) (c >>> 32), a2 = 0, a3 = 0;
        int b0 = (int) d, b1 = (int) (d >>> 32), b2 = 0, b3 = 0;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (a0 & 0xFFFFFFFFL), p1 = (M1 & 0xFFFFFFFFL) * (a2 & 0xFFFFFFFFL);
            long q0 = (M0 & 0xFFFFFFFFL) * (b0 & 0xFFFFFFFFL), q1 = (M1 & 0xFFFFFFFFL) * (b2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ a1 ^ k0, n2 = (int) (p0 >>> 32) ^ a3 ^ k1;
            int m0 = (int) (q1 >>> 32) ^ b1 ^ k0, m2 = (int) (q0 >>> 32) ^ b3 ^ k1;
            a1 = (int) p1;
            a3 = (int) p0;
            a0 = n0;
            a2 = n2;
            b1 = (int) q1;
            b3 = (int) q0;
            b0 = m0;
            b2 = m2;
        }
        out[0] = a0;
        out[1] = a1;
        out[2] = a2;
        out[3] = a3;
        out[4] = b0;
        out[5] = b1;
        out[6] = b2;
        out[7] = b3;
    }

    /** Block j of a request: counter base + j in words 0 and 1, {@code plane} in word 3. */
    private static void block(long seed, long counter, long j, int plane, int[] out) {
        long c = counter + j;
        block((int) c, (int) (c >>> 32), 0, plane, (int) seed, (int) (seed >>> 32), out);
    }

    // ---- counter accounting ---------------------------------------------------------------------------------------

    /** Blocks used by n float32 numbers (uniform, normal, truncated normal) or n bernoulli draws: ceil(n / 4). */
    public static long countersForFloats(long n) {
        return (Math.max(0, n) + 3) / 4;
    }

    /** Blocks used by n float64 numbers (uniform, normal, truncated normal): ceil(n / 2). */
    public static long countersForDoubles(long n) {
        return (Math.max(0, n) + 1) / 2;
    }

    /** Blocks used by a permutation of n: ceil((n - 1) / 2), for its n - 1 draws of 64 bits. */
    public static long countersForPermutation(int n) {
        return Math.max(0, n) / 2; // ceil((n - 1) / 2) == floor(n / 2)
    }

    // ---- uniform --------------------------------------------------------------------------------------------------

    /** n floats uniform in [0, 1): the top 24 bits of each word, times 2^-24. */
    public static void uniform(long seed, long counter, float[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[8];
            int span = 8 * PhiloxLanes.LANES;
            long[] words = new long[span];
            int i = from;
            for (; PhiloxLanes.ENABLED && i + span <= to; i += span) PhiloxLanes.uniforms(seed, counter, i >>> 2, dst, off + i, words);
            for (; i + 8 <= to; i += 8) {
                block2(seed, counter, i >>> 2, w);
                for (int t = 0; t < 8; t++) dst[off + i + t] = (w[t] >>> 8) * 0x1p-24f;
            }
            for (; i < to; i += 4) {
                block(seed, counter, i >>> 2, 0, w);
                for (int t = 0, e = Math.min(4, to - i); t < e; t++) dst[off + i + t] = (w[t] >>> 8) * 0x1p-24f;
            }
        });
    }

    /** n doubles uniform in [0, 1): 53 bits from two words (the first one high), times 2^-53. */
    public static void uniform(long seed, long counter, double[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[4];
            for (int i = from; i < to; i += 2) {
                block(seed, counter, i >>> 1, 0, w);
                dst[off + i] = bits53(w[0], w[1]) * 0x1p-53;
                if (i + 1 < to) dst[off + i + 1] = bits53(w[2], w[3]) * 0x1p-53;
            }
        });
    }

    private static long bits53(int hi, int lo) {
        return ((long) hi << 32 | (lo & 0xFFFFFFFFL)) >>> 11;
    }

    // ---- normal ---------------------------------------------------------------------------------------------------

    /**
     * n standard normal floats by Box–Muller: the pair 2m, 2m + 1 is r cos t, r sin t with r = sqrt(-2 ln u1),
     * u1 = (w + 1) 2^-32 in (0, 1] (no log of 0) and t = 2 pi w' 2^-32, from the two words of the pair, computed in
     * double and rounded.
     */
    public static void normal(long seed, long counter, float[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[4];
            double[] z = new double[4];
            for (int i = from; i < to; i += 4) {
                block(seed, counter, i >>> 2, 0, w);
                normals32(w, z);
                for (int t = 0, e = Math.min(4, to - i); t < e; t++) dst[off + i + t] = (float) z[t];
            }
        });
    }

    /** n standard normal doubles by Box–Muller, one block per pair: u1 from words 0-1, t from words 2-3. */
    public static void normal(long seed, long counter, double[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[4];
            double[] z = new double[2];
            for (int i = from; i < to; i += 2) {
                block(seed, counter, i >>> 1, 0, w);
                normals64(w, z);
                dst[off + i] = z[0];
                if (i + 1 < to) dst[off + i + 1] = z[1];
            }
        });
    }

    /** The four float-path normals of one block: pairs from words (0, 1) and (2, 3). */
    private static void normals32(int[] w, double[] z) {
        for (int p = 0; p < 2; p++) {
            double u1 = ((w[2 * p] & 0xFFFFFFFFL) + 1) * 0x1p-32;
            double t = TWO_PI * ((w[2 * p + 1] & 0xFFFFFFFFL) * 0x1p-32);
            double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
            z[2 * p] = r * StrictMath.cos(t);
            z[2 * p + 1] = r * StrictMath.sin(t);
        }
    }

    /** The two double-path normals of one block. */
    private static void normals64(int[] w, double[] z) {
        double u1 = (bits53(w[0], w[1]) + 1) * 0x1p-53;
        double t = TWO_PI * (bits53(w[2], w[3]) * 0x1p-53);
        double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
        z[0] = r * StrictMath.cos(t);
        z[1] = r * StrictMath.sin(t);
    }

    // ---- truncated normal -----------------------------------------------------------------------------------------

    /** The bound of truncated normals, in standard deviations. */
    public static final double TRUNCATION = 2.0;

    /**
     * n standard normal floats truncated to [-2, 2], with TensorFlow's semantics: a value beyond 2 standard
     * deviations is dropped and redrawn. Number i is first the normal number i of
     * {@link #normal(long, long, float[], int, int)}; its a-th redraw is number i of the same layout computed with
     * counter word c3 = a. Those blocks have the same indices as the first draw's, so requests with disjoint
     * counter ranges never share a block, and the result depends on (seed, counter, i) only. About 4.6% of numbers
     * take one redraw or more.
     */
    public static void truncatedNormal(long seed, long counter, float[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[4];
            double[] z = new double[4];
            for (int i = from; i < to; i += 4) {
                block(seed, counter, i >>> 2, 0, w);
                normals32(w, z);
                for (int t = 0, e = Math.min(4, to - i); t < e; t++) {
                    double v = z[t];
                    int[] w2 = null;
                    double[] z2 = null;
                    for (int plane = 1; Math.abs(v) > TRUNCATION; plane++) {
                        if (w2 == null) {
                            w2 = new int[4];
                            z2 = new double[4];
                        }
                        block(seed, counter, i >>> 2, plane, w2);
                        normals32(w2, z2);
                        v = z2[t];
                    }
                    dst[off + i + t] = (float) v;
                }
            }
        });
    }

    /** float64 version of {@link #truncatedNormal(long, long, float[], int, int)}, in the double normal layout. */
    public static void truncatedNormal(long seed, long counter, double[] dst, int off, int n) {
        Objects.checkFromIndexSize(off, n, dst.length);
        run(n, (from, to) -> {
            int[] w = new int[4];
            double[] z = new double[2];
            for (int i = from; i < to; i += 2) {
                block(seed, counter, i >>> 1, 0, w);
                normals64(w, z);
                for (int t = 0, e = Math.min(2, to - i); t < e; t++) {
                    double v = z[t];
                    for (int plane = 1; Math.abs(v) > TRUNCATION; plane++) {
                        int[] w2 = new int[4];
                        double[] z2 = new double[2];
                        block(seed, counter, i >>> 1, plane, w2);
                        normals64(w2, z2);
                        v = z2[t];
                    }
                    dst[off + i + t] = v;
                }
            }
        });
    }

    // ---- bernoulli and permutation --------------------------------------------------------------------------------

    /**
     * n draws that are true with probability p: word w (unsigned) is true when w < p 2^32, one word per draw in the
     * float layout. p = 0 gives all false and p = 1 all true.
     *
     * @throws IllegalArgumentException unless 0 <= p <= 1
     */
    public static void bernoulli(long seed, long counter, double p, boolean[] dst, int off, int n) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        Objects.checkFromIndexSize(off, n, dst.length);
        double threshold = p * 0x1p32;
        run(n, (from, to) -> {
            int[] w = new int[8];
            int span = 8 * PhiloxLanes.LANES;
            long[] words = new long[span];
            int i = from;
            for (; PhiloxLanes.ENABLED && i + span <= to; i += span) {
                PhiloxLanes.blocks(seed, counter, i >>> 2, words);
                for (int b = 0, lanes = PhiloxLanes.LANES; b < 2 * lanes; b++) {
                    int at = (b / lanes * 4) * lanes + b % lanes; // word 0 of block b
                    for (int t = 0; t < 4; t++) dst[off + i + 4 * b + t] = words[at + t * lanes] < threshold;
                }
            }
            for (; i + 8 <= to; i += 8) {
                block2(seed, counter, i >>> 2, w);
                for (int t = 0; t < 8; t++) dst[off + i + t] = (w[t] & 0xFFFFFFFFL) < threshold;
            }
            for (; i < to; i += 4) {
                block(seed, counter, i >>> 2, 0, w);
                for (int t = 0, e = Math.min(4, to - i); t < e; t++) {
                    dst[off + i + t] = (w[t] & 0xFFFFFFFFL) < threshold;
                }
            }
        });
    }

    /**
     * A uniformly random permutation of 0..n-1 by Fisher–Yates: for i = n-1 down to 1, swap element i with element
     * j = floor(u (i + 1) / 2^64), u the 64 bits of draw n-1-i (draw d: words 2 (d % 2), 2 (d % 2) + 1 of block
     * d / 2, the first one high). The bias of that multiply-shift is below n / 2^64.
     *
     * @throws IllegalArgumentException if n < 0
     */
    public static int[] permutation(long seed, long counter, int n) {
        if (n < 0) throw new IllegalArgumentException("permutation: negative length " + n);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        int[] w = new int[4];
        for (int i = n - 1, d = 0; i > 0; i--, d++) {
            if ((d & 1) == 0) block(seed, counter, d >>> 1, 0, w);
            int lane = 2 * (d & 1);
            long u = (long) w[lane] << 32 | (w[lane + 1] & 0xFFFFFFFFL);
            int j = (int) Math.unsignedMultiplyHigh(u, i + 1L);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Runs body over [0, n) in chunks that start on multiples of 4, in parallel for large requests. */
    private static void run(int n, Parallel.RangeBody body) {
        if (n >= PARALLEL_THRESHOLD) Parallel.forRange(n, GRAIN, body);
        else if (n > 0) body.run(0, n);
    }
}
