package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fluxion.cpu.kernels.GemmEpilogue.Activation;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused bias + activation of {@link Sgemm}: bitwise the unfused ops, on every path and thread count. */
class SgemmEpilogueTest {
    private static final int[][] SIZES = {{1, 1, 1}, {1, 37, 20}, {29, 1, 17}, {3, 5, 0}, {4, 16, 8}, {5, 17, 9},
        {13, 10, 128}, {128, 10, 128}, {128, 128, 10}, {31, 33, 257}, {97, 61, 300}, {130, 45, 513}, {257, 40, 64}};

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /** One fused product with padded leading dimensions and offsets, and its unfused twin. */
    private record Case(int m, int n, int k, boolean ta, boolean tb, boolean acc, float[] a, int lda, float[] b,
                        int ldb, float[] c0, int ldc, float[] bias, GemmEpilogue epi) {
        static final int A_OFF = 3, B_OFF = 1, C_OFF = 2, BIAS_OFF = 4;

        static Case random(Random rnd, int m, int n, int k, boolean ta, boolean tb, boolean acc, boolean withBias,
                           Activation act) {
            int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
            float[] bias = withBias ? SgemmEpilogueTest.random(rnd, BIAS_OFF + n + 2) : null;
            return new Case(m, n, k, ta, tb, acc, SgemmEpilogueTest.random(rnd, A_OFF + (ta ? k : m) * lda + 1),
                    lda, SgemmEpilogueTest.random(rnd, B_OFF + (tb ? n : k) * ldb + 1), ldb,
                    SgemmEpilogueTest.random(rnd, C_OFF + m * ldc + 1), ldc, bias,
                    GemmEpilogue.of(bias, BIAS_OFF, act));
        }

        float[] fused(int threads) {
            float[] c = c0.clone();
            Sgemm.gemm(ta, tb, m, n, k, a, A_OFF, lda, b, B_OFF, ldb, c, C_OFF, ldc, acc, epi, threads);
            return c;
        }

        /** sgemm, then the bias addition and the activation as separate element-wise passes. */
        float[] unfused() {
            float[] c = c0.clone();
            Sgemm.gemm(ta, tb, m, n, k, a, A_OFF, lda, b, B_OFF, ldb, c, C_OFF, ldc, acc, 1);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int o = C_OFF + i * ldc + j;
                    float v = bias == null ? c[o] : c[o] + bias[BIAS_OFF + j];
                    if (epi.activation() == Activation.RELU) v = v > 0 || Float.isNaN(v) ? v : 0f;
                    c[o] = v;
                }
            }
            return c;
        }

        float[] scalar() {
            float[] c = c0.clone();
            Sgemm.sgemmScalar(ta, tb, m, n, k, a, A_OFF, lda, b, B_OFF, ldb, c, C_OFF, ldc, acc, epi);
            return c;
        }

        /** Against the float64 product with the epilogue applied in float64; outside the window untouched. */
        void checkReference(float[] c, String what) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = acc ? c0[C_OFF + i * ldc + j] : 0, mag = Math.abs(s);
                    for (int p = 0; p < k; p++) {
                        double x = (double) a[A_OFF + (ta ? p * lda + i : i * lda + p)]
                                * b[B_OFF + (tb ? j * ldb + p : p * ldb + j)];
                        s += x;
                        mag += Math.abs(x);
                    }
                    if (bias != null) {
                        s += bias[BIAS_OFF + j];
                        mag += Math.abs(bias[BIAS_OFF + j]);
                    }
                    if (epi.activation() == Activation.RELU) s = Math.max(s, 0);
                    float got = c[C_OFF + i * ldc + j];
                    if (!(Math.abs(got - s) <= 1e-6 * (k + 3) * mag + 1e-30)) {
                        fail(what + " " + this + ": C[" + i + "," + j + "] = " + got + ", expected " + s);
                    }
                }
            }
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - C_OFF, i = Math.floorDiv(rel, ldc), j = rel - i * ldc;
                boolean inside = rel >= 0 && i < m && j < n;
                if (!inside && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(what + " " + this + ": wrote outside C at index " + idx);
                }
            }
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc + " bias="
                    + (bias != null) + " act=" + epi.activation();
        }
    }

    @Test
    void fusedEqualsUnfusedBitwiseAndMatchesReferenceOnAllPaths() {
        Random rnd = new Random(11);
        int count = 0;
        for (int[] s : SIZES) {
            for (int t = 0; t < 4; t++) {
                for (int e = 0; e < 3; e++) {
                    boolean withBias = e != 1;
                    Activation act = e == 0 ? Activation.NONE : Activation.RELU;
                    Case cs = Case.random(rnd, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, count % 3 == 0,
                            withBias, act);
                    float[] fused = cs.fused(1);
                    assertArrayEquals(cs.unfused(), fused, "fused vs unfused " + cs);
                    assertArrayEquals(fused, cs.fused(2), "threads=2 " + cs);
                    cs.checkReference(fused, "fused");
                    cs.checkReference(cs.scalar(), "scalar twin");
                    count++;
                }
            }
        }
    }

    @Test
    void largeProductsAreBitwiseIndependentOfThreadCount() {
        Random rnd = new Random(12);
        for (int[] s : new int[][] {{300, 200, 600}, {128, 784, 128}, {77, 130, 1000}}) {
            Case cs = Case.random(rnd, s[0], s[1], s[2], false, s[0] == 77, false, true, Activation.RELU);
            float[] one = cs.fused(1);
            assertArrayEquals(cs.unfused(), one, "fused vs unfused " + cs);
            for (int threads : new int[] {2, 3}) assertArrayEquals(one, cs.fused(threads), "threads=" + threads);
        }
    }

    @Test
    void reluFollowsTheElementwiseRule() {
        // C = A·B with A = identity picks B's rows: NaN stays, -0.0 and negatives become +0.0
        int m = 2, n = 20, k = 2;
        float[] a = {1, 0, 0, 1}, b = new float[k * n], c = new float[m * n];
        b[3] = Float.NaN;
        b[4] = -0.0f;
        b[5] = -2f;
        b[6] = 3f;
        b[n + 7] = Float.NEGATIVE_INFINITY;
        Sgemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false, GemmEpilogue.NONE.withActivation(
                Activation.RELU));
        assertTrue(Float.isNaN(c[3]));
        assertEquals(0, Float.floatToRawIntBits(c[4]), "-0.0 becomes +0.0");
        assertEquals(0f, c[5]);
        assertEquals(3f, c[6]);
        assertEquals(0f, c[n + 7]);
    }

    @Test
    void publicEntryPointHonoursSimdSettingAndValidatesBias() {
        Random rnd = new Random(13);
        Case cs = Case.random(rnd, 40, 24, 33, true, false, false, true, Activation.RELU);
        float[] c = cs.c0().clone();
        Sgemm.sgemm(cs.ta(), cs.tb(), cs.m(), cs.n(), cs.k(), cs.a(), Case.A_OFF, cs.lda(), cs.b(), Case.B_OFF,
                cs.ldb(), c, Case.C_OFF, cs.ldc(), cs.acc(), cs.epi());
        cs.checkReference(c, "sgemm");
        var e = assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(false, false, 2, 8, 2, new float[4], 0,
                2, new float[16], 0, 8, new float[16], 0, 8, false, GemmEpilogue.bias(new float[7], 0)));
        assertTrue(e.getMessage().contains("bias") && e.getMessage().contains("n=8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmEpilogue.of(new float[8], -1, Activation.NONE));
        assertSame(GemmEpilogue.NONE, GemmEpilogue.of(null, 0, Activation.NONE));
        assertTrue(GemmEpilogue.NONE.isIdentity());
    }

    /**
     * The scalar and vector epilogues on a block of several rows inside a wider C (ldc past the columns, an offset,
     * columns past and short of the vector length): the same bits as the definition, bias + value then relu, where
     * relu sends -0.0 to 0.0 and keeps NaN; the cells outside the block stay as they were.
     */
    @Test
    void scalarAndVectorEpiloguesTransformExactlyTheirBlock() {
        int rows = 3, ldc = 2 * GemmMicroKernels.V + 7, ci = 5, j0 = 2;
        float[] bias = new float[40];
        Random rnd = new Random(31);
        for (int i = 0; i < bias.length; i++) bias[i] = rnd.nextInt(3) == 0 ? -0f : rnd.nextInt(5) - 2;
        for (Activation act : Activation.values()) {
            for (float[] b : new float[][] {null, bias}) {
                if (b == null && act == Activation.NONE) continue;
                GemmEpilogue e = GemmEpilogue.of(b, 3, act);
                assertSame(b, e.bias());
                assertEquals(3, e.biasOffset());
                for (int cols : new int[] {1, GemmMicroKernels.V - 1, GemmMicroKernels.V + 3, 2 * GemmMicroKernels.V}) {
                    float[] c = new float[ci + rows * ldc];
                    for (int i = 0; i < c.length; i++) c[i] = switch (rnd.nextInt(4)) {
                        case 0 -> -0f;
                        case 1 -> Float.NaN;
                        default -> rnd.nextInt(5) - 2;
                    };
                    float[] expect = c.clone();
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++) {
                            int at = ci + r * ldc + j;
                            float v = b == null ? c[at] : c[at] + b[3 + j0 + j];
                            expect[at] = act == Activation.RELU && !(v > 0) && v == v ? 0f : v;
                        }
                    float[] scalar = c.clone(), vector = c.clone();
                    e.applyScalar(scalar, ci, ldc, rows, j0, cols);
                    e.applyVector(vector, ci, ldc, rows, j0, cols);
                    String what = act + (b == null ? "" : " with bias") + ", " + cols + " columns";
                    for (int i = 0; i < c.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(scalar[i]), "scalar " + what + " at " + i);
                        assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(vector[i]), "vector " + what + " at " + i);
                    }
                }
            }
        }
        // a bias exactly long enough is accepted, one value short is not
        GemmEpilogue.of(new float[10], 2, Activation.NONE).check("sgemm", 8);
        assertThrows(IllegalArgumentException.class, () -> GemmEpilogue.of(new float[10], 3, Activation.NONE).check("sgemm", 8));
    }
}
