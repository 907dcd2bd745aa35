package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.S;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.V;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two operands of {@link GemmEngine}, as views that pack blocks of a logical matrix into the panel layouts of
 * {@link GemmMicroKernels}. Transposes (and, for convolutions, im2col) happen here, block by block, so no transposed
 * or unfolded copy of a whole matrix is ever made.
 */
final class SgemmPacking {
    private SgemmPacking() {}

    /**
     * The left operand, m x k. The default view reads element (i, p) at {@code a[off + i * rs + p * cs]}; subclasses
     * that compute their elements (im2col) pass {@code a == null} and override {@link #pack}.
     */
    static class Left {
        final float[] a;
        final int off, rs, cs;

        Left(float[] a, int off, int rs, int cs) {
            this.a = a;
            this.off = off;
            this.rs = rs;
            this.cs = cs;
        }

        /** A row-major matrix with leading dimension ld, or its transpose. */
        static Left of(boolean trans, float[] a, int off, int ld) {
            return trans ? new Left(a, off, 1, ld) : new Left(a, off, ld, 1);
        }

        /**
         * Whether the engine packs this operand for a product with n columns. In-place reading wins when each element
         * meets few B panels (packing would cost about as much as the multiply-adds it feeds).
         */
        boolean packs(int n) {
            return a == null || cs != 1 || n > GemmEngine.PACK_A_MIN_N;
        }

        /** Whether {@link #pack} writes whole rows ({@link #ROW_PANELS}) rather than step-major panels. */
        boolean rowPanels() {
            return ROW_PANELS && a != null && cs == 1;
        }

        /** The micro-kernel for rows [i, i + mr) and steps [p0, p0 + kc), reading this operand in place. */
        void tile(int kc, int i, int mr, int p0, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
            GemmMicroKernels.strided(kc, a, off + i * rs + p0, rs, mr, bp, bi, c, ci, ldc, add);
        }

        /**
         * Packs rows [i0, i0 + rows) and steps [p0, p0 + kc) into {@code dst[0..)}: when {@link #rowPanels}, row r's
         * kc steps at {@code dst[r * kc]}; else as ceil(rows / MR) panels of kc * MR values (step-major, MR rows per
         * step) with rows past the end zero.
         */
        void pack(int i0, int rows, int p0, int kc, float[] dst) {
            if (rowPanels()) {
                for (int r = 0, src = off + i0 * rs + p0; r < rows; r++, src += rs) {
                    System.arraycopy(a, src, dst, r * kc, kc);
                }
                return;
            }
            for (int ir = 0, d = 0; ir < rows; ir += MR, d += kc * MR) {
                int mr = Math.min(MR, rows - ir), src = off + (i0 + ir) * rs + p0 * cs;
                if (mr == MR && cs == 1 && MR == 5) { // 8-row tiles take row-major A as whole rows, above
                    interleaveFive(a, src, rs, kc, dst, d);
                } else if (mr == MR && rs == 1) {
                    copySteps(a, src, cs, kc, dst, d);
                } else {
                    for (int p = 0; p < kc; p++) {
                        int o = d + p * MR;
                        for (int r = 0; r < mr; r++) dst[o + r] = a[src + r * rs + p * cs];
                        for (int r = mr; r < MR; r++) dst[o + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Floats of slack {@link Left#pack} may write past its last panel: {@link #copySteps} stores whole vectors of
     * V lanes for MR values.
     */
    static final int PACK_SLACK = V;

    /**
     * Whether a row-major A (steps contiguous) is packed as whole rows, kc steps each, for {@link
     * GemmMicroKernels#strided} with a row stride of kc, rather than step-major for {@link GemmMicroKernels#packed}.
     * A row is then one array copy where the step-major layout is a transpose: on Zen 5 (512-bit, 8-row tiles),
     * packing 512x512 of A took 58 us (two 4x4-block transposes per panel) against a 1160 us product, and the
     * strided kernel runs within 1% of the packed one on L2-resident panels (255 against 258 GFLOP/s), so 512^3 went
     * from 0.86-0.87 to 0.90 of the FMA peak (PeakBench, one thread). With 16 registers the strided kernel has 4 rows
     * to the packed one's 5 (see {@link GemmMicroKernels}), so 256-bit and narrower tiles keep the transpose.
     */
    static final boolean ROW_PANELS = GemmMicroKernels.MR == GemmMicroKernels.IN_PLACE_MR;

    /**
     * Steps {@code cs} apart of MR consecutive values each (A stored transposed) into {@code dst[d]}, MR per step.
     * Where a vector holds MR values, each step is one vector load and one overlapping vector store whose extra lanes
     * the next step overwrites (the last step's spill into {@link #PACK_SLACK}); the per-value copies they replace
     * were bound by one scalar store per cycle (a weight gradient 784x128x128 TN spent a fifth of its time here).
     * The last steps, whose vector would read past the end of {@code a}, copy values one by one.
     */
    static void copySteps(float[] a, int src, int cs, int kc, float[] dst, int d) {
        int p = 0, s = src, o = d;
        if (V >= MR) {
            int vectorSteps = Math.clamp(Math.floorDiv(a.length - V - src, cs) + 1, 0, kc);
            for (; p < vectorSteps; p++, s += cs, o += MR) FloatVector.fromArray(S, a, s).intoArray(dst, o);
        }
        for (; p < kc; p++, s += cs, o += MR) {
            for (int r = 0; r < MR; r++) dst[o + r] = a[s + r];
        }
    }

    /**
     * The right operand, k x n. The default view reads element (p, j) at {@code b[off + p * rs + j * cs]}; subclasses
     * that compute their elements pass {@code b == null} and override {@link #pack}.
     */
    static class Right {
        final float[] b;
        final int off, rs, cs;

        Right(float[] b, int off, int rs, int cs) {
            this.b = b;
            this.off = off;
            this.rs = rs;
            this.cs = cs;
        }

        /** A row-major matrix with leading dimension ld, or its transpose. */
        static Right of(boolean trans, float[] b, int off, int ld) {
            return trans ? new Right(b, off, 1, ld) : new Right(b, off, ld, 1);
        }

        /**
         * Packs steps [p0, p0 + kc) of columns [j0, j0 + cols), cols &lt;= NR, into one panel of kc * NR values
         * (step-major) at {@code dst[d]}; columns past {@code cols} are zero.
         */
        void pack(int p0, int kc, int j0, int cols, float[] dst, int d) {
            if (cs == 1) {
                if (cols == NR) {
                    for (int p = 0; p < kc; p++) {
                        int src = off + (p0 + p) * rs + j0, o = d + p * NR;
                        FloatVector.fromArray(S, b, src).intoArray(dst, o);
                        FloatVector.fromArray(S, b, src + V).intoArray(dst, o + V);
                    }
                } else {
                    // plain loops: per-row arraycopy/fill calls cost more than these few elements
                    for (int p = 0; p < kc; p++) {
                        int src = off + (p0 + p) * rs + j0, o = d + p * NR;
                        for (int j = 0; j < cols; j++) dst[o + j] = b[src + j];
                        for (int j = cols; j < NR; j++) dst[o + j] = 0f;
                    }
                }
            } else if (rs == 1 && cols % 4 == 0) {
                for (int j = 0; j < cols; j += 4) {
                    int s = off + (j0 + j) * cs + p0;
                    transpose(b, s, s + cs, s + 2 * cs, s + 3 * cs, kc, dst, d + j, NR);
                }
                for (int p = 0; p < kc; p++) Arrays.fill(dst, d + p * NR + cols, d + p * NR + NR, 0f);
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = off + (p0 + p) * rs + j0 * cs, o = d + p * NR;
                    for (int j = 0; j < cols; j++) dst[o + j] = b[src + j * cs];
                    for (int j = cols; j < NR; j++) dst[o + j] = 0f;
                }
            }
        }
    }

    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;
    /** Lane indices into the concatenation of two 4-lane vectors (4 + i is lane i of the second). */
    private static final FloatVector LO = FloatVector.fromArray(S4, new float[] {0, 4, 1, 5}, 0);
    private static final FloatVector HI = FloatVector.fromArray(S4, new float[] {2, 6, 3, 7}, 0);
    private static final FloatVector LO2 = FloatVector.fromArray(S4, new float[] {0, 1, 4, 5}, 0);
    private static final FloatVector HI2 = FloatVector.fromArray(S4, new float[] {2, 3, 6, 7}, 0);

    /**
     * Whether {@link #transpose} works in 4x4 register blocks. Each block needs two-source lane permutes, one
     * instruction each with AVX-512 (vpermi2ps); on AVX2 C2 builds each from two permutes, blends and mask
     * arithmetic, and plain scalar copies are faster (Zen 2, packing 160x256 of A: 24.8 us in blocks, 17.0 scalar;
     * on Zen 5 the blocks won: a 16x16x32 to 64 convolution forward 117-122 GFLOP/s against 80-101 scalar).
     */
    static final boolean BLOCK_TRANSPOSE = GemmMicroKernels.V >= 16;

    /**
     * Five rows {@code rs} apart from {@code x[s]}, {@code len} steps each, into {@code dst[d]} step by step (five
     * values per step), in one pass, where a 4-row transpose and a second pass for the fifth row wrote every panel
     * twice. Scalar stores are the limit (one per cycle); {@code MatmulBench} 128x784x128 on one Zen 2 core: 72.0 to
     * 73.6 GFLOP/s.
     */
    static void interleaveFive(float[] x, int s, int rs, int len, float[] dst, int d) {
        int s1 = s + rs, s2 = s1 + rs, s3 = s2 + rs, s4 = s3 + rs;
        for (int p = 0, o = d; p < len; p++, o += 5) {
            float v0 = x[s + p], v1 = x[s1 + p], v2 = x[s2 + p], v3 = x[s3 + p], v4 = x[s4 + p];
            dst[o] = v0;
            dst[o + 1] = v1;
            dst[o + 2] = v2;
            dst[o + 3] = v3;
            dst[o + 4] = v4;
        }
    }

    /**
     * Interleaves four rows of {@code len} contiguous values (starting at s0..s3): step p goes to
     * {@code dst[d + p * stride + 0..3]}, in register blocks or scalar copies ({@link #BLOCK_TRANSPOSE}).
     */
    static void transpose(float[] x, int s0, int s1, int s2, int s3, int len, float[] dst, int d, int stride) {
        if (BLOCK_TRANSPOSE) transposeInBlocks(x, s0, s1, s2, s3, len, dst, d, stride);
        else transposeScalar(x, s0, s1, s2, s3, 0, len, dst, d, stride);
    }

    /** {@link #transpose} with whole 4x4 blocks transposed in registers. */
    static void transposeInBlocks(float[] x, int s0, int s1, int s2, int s3, int len, float[] dst, int d, int stride) {
        int p = 0;
        for (; p + 4 <= len; p += 4) {
            FloatVector r0 = FloatVector.fromArray(S4, x, s0 + p), r1 = FloatVector.fromArray(S4, x, s1 + p);
            FloatVector r2 = FloatVector.fromArray(S4, x, s2 + p), r3 = FloatVector.fromArray(S4, x, s3 + p);
            FloatVector t0 = LO.selectFrom(r0, r1), t1 = HI.selectFrom(r0, r1);
            FloatVector t2 = LO.selectFrom(r2, r3), t3 = HI.selectFrom(r2, r3);
            int o = d + p * stride;
            LO2.selectFrom(t0, t2).intoArray(dst, o);
            HI2.selectFrom(t0, t2).intoArray(dst, o + stride);
            LO2.selectFrom(t1, t3).intoArray(dst, o + 2 * stride);
            HI2.selectFrom(t1, t3).intoArray(dst, o + 3 * stride);
        }
        transposeScalar(x, s0, s1, s2, s3, p, len, dst, d, stride);
    }

    /** {@link #transpose} of steps [from, len) by scalar copies. */
    static void transposeScalar(float[] x, int s0, int s1, int s2, int s3, int from, int len, float[] dst, int d,
                                int stride) {
        for (int p = from; p < len; p++) {
            int o = d + p * stride;
            dst[o] = x[s0 + p];
            dst[o + 1] = x[s1 + p];
            dst[o + 2] = x[s2 + p];
            dst[o + 3] = x[s3 + p];
        }
    }
}
