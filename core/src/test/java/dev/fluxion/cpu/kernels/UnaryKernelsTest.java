package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.ops.UnaryFn;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnaryKernelsTest {
    static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 97, 1000};
    static final int BIG = 1_000_003;

    /** Functions computed through libm/SVML or our erf fit rather than exactly rounded arithmetic. */
    static final Set<UnaryFn> APPROXIMATE = EnumSet.of(UnaryFn.EXP, UnaryFn.EXPM1, UnaryFn.ELU, UnaryFn.LOG, UnaryFn.LOG1P,
            UnaryFn.SIN, UnaryFn.COS, UnaryFn.TANH, UnaryFn.SIGMOID, UnaryFn.ERF, UnaryFn.RSQRT);

    static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f,
            0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f, -0.49999997f, 1e-45f, -1e-45f, 1e-40f, -1e-40f,
            Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.7f, 88.8f, -87.5f, -88.8f, -103.9f, -104f, 89f,
            -89f, 100f, -100f, 1e10f, -1e10f, 0x1p23f, -0x1p23f, 0x1p23f + 1, 8388607.5f, -8388607.5f, 3.9f, -3.9f,
            4f, 6f, 0.875f, -0.875f, 0.87499994f, 1e-3f, -1e-3f, 1e30f, -1e30f, 20f, -20f, 9f, -9f};

    /** Distance in units in the last place; NaN equals NaN, and zeros of either sign are 1 apart. */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits >= 0 ? bits + 1L : -(long) (bits & 0x7fffffff);
    }

    /** Largest allowed distance from the float64 reference rounded to float. */
    static long tolerance(UnaryFn fn) {
        return switch (fn) {
            case SIGMOID, ERF -> 2;
            default -> APPROXIMATE.contains(fn) ? 1 : 0;
        };
    }

    static float[] inputs(UnaryFn fn, int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (rnd.nextInt(6)) {
                case 0 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
                case 1 -> (float) (rnd.nextGaussian() * 1e-3);
                case 2 -> (float) (rnd.nextGaussian() * 100);
                case 3 -> Float.intBitsToFloat(rnd.nextInt());
                default -> rnd.nextFloat() * 20 - 10;
            };
        }
        return x;
    }

    static void assertNearReference(UnaryFn fn, float[] x, int xOff, float[] y, int yOff, int n, String what) {
        long tol = tolerance(fn);
        for (int i = 0; i < n; i++) {
            float in = x[xOff + i], out = y[yOff + i], ref = (float) fn.apply(in);
            long d = ulps(out, ref);
            if (fn == UnaryFn.ERF && d > tol) {
                // erf's fit is specified as absolute error where the result is near 1
                assertTrue(Math.abs(out - fn.apply(in)) <= 1e-7, what + " erf(" + in + ") = " + out + " vs " + ref);
                continue;
            }
            if (d > tol || (tol == 0 && Float.floatToIntBits(out) != Float.floatToIntBits(ref))) {
                throw new AssertionError(what + " " + fn + "(" + in + ") = " + out + ", reference " + ref + ", "
                        + d + " ulps");
            }
        }
    }

    @Test
    void vectorMatchesScalarAndReferenceOnAwkwardLengths() {
        for (UnaryFn fn : UnaryFn.values()) {
            if (fn == UnaryFn.NOT) continue;
            for (int n : LENGTHS) {
                float[] x = inputs(fn, n + 3, n * 31L + fn.ordinal());
                float[] v = new float[n + 5], s = new float[n + 5];
                UnaryKernels.applyVector(fn, x, 3, v, 5, n);
                UnaryKernels.applyScalar(fn, x, 3, s, 5, n);
                assertNearReference(fn, x, 3, v, 5, n, "vector n=" + n);
                assertNearReference(fn, x, 3, s, 5, n, "scalar n=" + n);
                for (int i = 0; i < n; i++) {
                    long d = ulps(v[5 + i], s[5 + i]);
                    assertTrue(d <= 2 * tolerance(fn), fn + " vector vs scalar at " + x[3 + i]);
                }
                for (int i = 0; i < 5; i++) assertEquals(0f, v[i], "wrote before the run");
            }
        }
    }

    @Test
    void bigRunsAreSplitAndStillMatch() {
        for (UnaryFn fn : new UnaryFn[] {UnaryFn.EXP, UnaryFn.RELU, UnaryFn.ERF, UnaryFn.ROUND}) {
            float[] x = inputs(fn, BIG + 1, 7);
            float[] v = new float[BIG], s = new float[BIG];
            UnaryKernels.applyVector(fn, x, 1, v, 0, BIG);
            UnaryKernels.applyScalar(fn, x, 1, s, 0, BIG);
            assertNearReference(fn, x, 1, v, 0, BIG, "vector big");
            if (!APPROXIMATE.contains(fn)) assertArrayEquals(s, v);
        }
    }

    /** Special values once C2 has compiled the vector loops (the Vector API's intrinsics differ from its fallback). */
    @Test
    void specialValuesWhenCompiled() {
        float[] x = SPECIAL.clone();
        float[] y = new float[x.length];
        for (UnaryFn fn : UnaryFn.values()) {
            if (fn == UnaryFn.NOT) continue;
            // checked along the way: interpreted, C1 and C2 code (compilation is asynchronous)
            for (int rep = 0; rep <= 16_000; rep++) {
                UnaryKernels.applyVector(fn, x, 0, y, 0, x.length);
                if (rep % 1000 == 0) assertNearReference(fn, x, 0, y, 0, x.length, "vector, call " + rep);
            }
            UnaryKernels.applyScalar(fn, x, 0, y, 0, x.length);
            assertNearReference(fn, x, 0, y, 0, x.length, "scalar");
        }
    }

    @Test
    void signsOfZeroAndNaNFollowTheReference() {
        float[] x = {-0f, 0f, Float.NaN, -3f, 3f, -0.3f, -0.7f, 0.3f};
        float[] y = new float[x.length];
        UnaryKernels.apply(UnaryFn.RELU, x, 0, y, 0, x.length);
        assertArrayEquals(new float[] {0f, 0f, Float.NaN, 0f, 3f, 0f, 0f, 0.3f}, y);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(y[0]), "relu(-0.0) is +0.0");
        UnaryKernels.apply(UnaryFn.STEP, x, 0, y, 0, x.length);
        assertArrayEquals(new float[] {0f, 0f, Float.NaN, 0f, 1f, 0f, 0f, 1f}, y);
        UnaryKernels.apply(UnaryFn.SIGN, x, 0, y, 0, x.length);
        assertArrayEquals(new float[] {-0f, 0f, Float.NaN, -1f, 1f, -1f, -1f, 1f}, y);
        UnaryKernels.apply(UnaryFn.CEIL, x, 0, y, 0, x.length);
        assertArrayEquals(new float[] {-0f, 0f, Float.NaN, -3f, 3f, -0f, -0f, 1f}, y);
        UnaryKernels.apply(UnaryFn.FLOOR, x, 0, y, 0, x.length);
        assertArrayEquals(new float[] {-0f, 0f, Float.NaN, -3f, 3f, -1f, -1f, 0f}, y);
        UnaryKernels.apply(UnaryFn.ROUND, new float[] {0.5f, 1.5f, 2.5f, -0.5f, -2.5f}, 0, y, 0, 5);
        assertArrayEquals(new float[] {0f, 2f, 2f, -0f, -2f}, java.util.Arrays.copyOf(y, 5));
    }

    @Test
    void sigmoidAndTanhSaturateWithoutNaN() {
        float[] x = {-1e30f, -1000f, -100f, -90f, 90f, 100f, 1000f, 1e30f, Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY};
        float[] y = new float[x.length];
        for (boolean simd : new boolean[] {true, false}) {
            if (simd) UnaryKernels.applyVector(UnaryFn.SIGMOID, x, 0, y, 0, x.length);
            else UnaryKernels.applyScalar(UnaryFn.SIGMOID, x, 0, y, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertTrue(y[i] >= 0 && y[i] <= 1, "sigmoid(" + x[i] + ") = " + y[i]);
                assertEquals((float) UnaryFn.SIGMOID.apply(x[i]), y[i], "sigmoid(" + x[i] + ")");
            }
            if (simd) UnaryKernels.applyVector(UnaryFn.TANH, x, 0, y, 0, x.length);
            else UnaryKernels.applyScalar(UnaryFn.TANH, x, 0, y, 0, x.length);
            for (int i = 0; i < x.length; i++) assertEquals(Math.signum(x[i]), y[i], "tanh(" + x[i] + ")");
        }
        // sigmoid keeps its relative accuracy deep in the negative tail (e / (1 + e), not 1 - 1 / (1 + e))
        float[] t = {-30f, -50f, -80f, -87f};
        float[] u = new float[t.length];
        UnaryKernels.applyVector(UnaryFn.SIGMOID, t, 0, u, 0, t.length);
        for (int i = 0; i < t.length; i++) assertTrue(ulps(u[i], (float) UnaryFn.SIGMOID.apply(t[i])) <= 2);
    }

    @Test
    void erfIsAccurateEverywhere() {
        int n = 400_001;
        float[] x = new float[n], v = new float[n], s = new float[n];
        for (int i = 0; i < n; i++) x[i] = -5f + 10f * i / (n - 1);
        UnaryKernels.applyVector(UnaryFn.ERF, x, 0, v, 0, n);
        UnaryKernels.applyScalar(UnaryFn.ERF, x, 0, s, 0, n);
        double worstV = 0, worstS = 0;
        for (int i = 0; i < n; i++) {
            double ref = UnaryFn.ERF.apply(x[i]);
            worstV = Math.max(worstV, Math.abs(v[i] - ref));
            worstS = Math.max(worstS, Math.abs(s[i] - ref));
        }
        assertTrue(worstV <= 1e-7, "vector erf max abs error " + worstV);
        assertTrue(worstS <= 1e-7, "scalar erf max abs error " + worstS);
        // near zero erf(x) ~ 2x/sqrt(pi): relative accuracy, not just absolute
        float[] tiny = {1e-30f, -1e-20f, 1e-10f, 3e-5f, -1e-3f, 1e-40f};
        float[] out = new float[tiny.length];
        UnaryKernels.applyVector(UnaryFn.ERF, tiny, 0, out, 0, tiny.length);
        for (int i = 0; i < tiny.length; i++) {
            assertTrue(ulps(out[i], (float) UnaryFn.ERF.apply(tiny[i])) <= 2, "erf(" + tiny[i] + ") = " + out[i]);
        }
    }

    @Test
    void doubleIsTheReferenceExactly() {
        for (UnaryFn fn : UnaryFn.values()) {
            if (fn == UnaryFn.NOT) continue;
            Random rnd = new Random(fn.ordinal());
            int n = 97;
            double[] x = new double[n + 2], y = new double[n + 1];
            for (int i = 0; i < x.length; i++) x[i] = i % 7 == 0 ? SPECIAL[i % SPECIAL.length] : rnd.nextGaussian() * 5;
            UnaryKernels.apply(fn, x, 2, y, 1, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToLongBits(fn.apply(x[2 + i])), Double.doubleToLongBits(y[1 + i]), fn + "");
            }
        }
        double[] big = new double[BIG], out = new double[BIG];
        for (int i = 0; i < BIG; i++) big[i] = i * 1e-5 - 5;
        UnaryKernels.apply(UnaryFn.TANH, big, 0, out, 0, BIG);
        for (int i = 0; i < BIG; i += 997) assertEquals(Math.tanh(big[i]), out[i]);
    }

    @Test
    void integerFunctions() {
        int[] x = {0, 1, -1, 5, -7, Integer.MAX_VALUE, Integer.MIN_VALUE, 46341};
        int[] y = new int[x.length];
        long[] lx = {0, 1, -1, 5, -7, Long.MAX_VALUE, Long.MIN_VALUE, 3037000500L};
        long[] ly = new long[lx.length];
        for (UnaryFn fn : UnaryFn.values()) {
            if (!fn.acceptsIntegers()) {
                assertThrows(IllegalArgumentException.class, () -> UnaryKernels.apply(fn, x, 0, y, 0, 1));
                assertThrows(IllegalArgumentException.class, () -> UnaryKernels.apply(fn, lx, 0, ly, 0, 1));
                continue;
            }
            UnaryKernels.apply(fn, x, 0, y, 0, x.length);
            UnaryKernels.apply(fn, lx, 0, ly, 0, lx.length);
            for (int i = 0; i < x.length; i++) {
                // exact where the float64 reference is exact; wrapping where it overflows
                int expectInt = switch (fn) {
                    case SQUARE -> x[i] * x[i];
                    case NEG -> -x[i];
                    case ABS -> Math.abs(x[i]);
                    default -> (int) fn.apply(x[i]);
                };
                assertEquals(expectInt, y[i], fn + "(" + x[i] + ")");
                long expectLong = switch (fn) {
                    case SQUARE -> lx[i] * lx[i];
                    case NEG -> -lx[i];
                    case ABS -> Math.abs(lx[i]);
                    default -> (long) fn.apply(lx[i]);
                };
                assertEquals(expectLong, ly[i], fn + "(" + lx[i] + ")");
            }
        }
    }

    @Test
    void notIsForBoolOnly() {
        boolean[] b = {true, false, true}, out = new boolean[4];
        UnaryKernels.apply(UnaryFn.NOT, b, 0, out, 1, 3);
        assertArrayEquals(new boolean[] {false, false, true, false}, out);
        assertThrows(IllegalArgumentException.class, () -> UnaryKernels.apply(UnaryFn.NEG, b, 0, out, 0, 3));
        float[] f = new float[3];
        assertThrows(IllegalArgumentException.class, () -> UnaryKernels.apply(UnaryFn.NOT, f, 0, f, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> UnaryKernels.applyScalar(UnaryFn.NOT, f, 0, f, 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> UnaryKernels.apply(UnaryFn.NOT, new double[1], 0, new double[1], 0, 1));
    }

    @Test
    void boundsAreChecked() {
        float[] f = new float[10];
        assertThrows(IndexOutOfBoundsException.class, () -> UnaryKernels.apply(UnaryFn.EXP, f, 5, f, 0, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> UnaryKernels.apply(UnaryFn.EXP, f, 0, f, -1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> UnaryKernels.apply(UnaryFn.EXP, f, 0, f, 0, -1));
    }

    @Test
    void vectorAndScalarEntryPointsCheckTheirArguments() {
        float[] f = new float[10];
        for (boolean simd : new boolean[] {true, false}) {
            // a negative length or offset would otherwise write nothing, or start before the array, silently
            for (int[] bad : new int[][] {{0, 0, -1}, {-1, 0, 3}, {0, -1, 3}, {5, 0, 6}, {0, 5, 6}}) {
                assertThrows(IndexOutOfBoundsException.class, () -> {
                    if (simd) UnaryKernels.applyVector(UnaryFn.EXP, f, bad[0], f, bad[1], bad[2]);
                    else UnaryKernels.applyScalar(UnaryFn.EXP, f, bad[0], f, bad[1], bad[2]);
                }, (simd ? "vector " : "scalar ") + java.util.Arrays.toString(bad));
            }
            // not is rejected on numbers even when the run is empty
            assertThrows(IllegalArgumentException.class, () -> {
                if (simd) UnaryKernels.applyVector(UnaryFn.NOT, f, 0, f, 0, 0);
                else UnaryKernels.applyScalar(UnaryFn.NOT, f, 0, f, 0, 0);
            });
        }
    }

    @Test
    void rejectionsNameTheFunction() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> UnaryKernels.apply(UnaryFn.EXP, new int[1], 0, new int[1], 0, 1));
        assertTrue(e.getMessage().startsWith("exp: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> UnaryKernels.apply(UnaryFn.SQRT, new long[1], 0, new long[1], 0, 1));
        assertTrue(e.getMessage().startsWith("sqrt: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> UnaryKernels.apply(UnaryFn.NEG, new boolean[1], 0, new boolean[1], 0, 1));
        assertTrue(e.getMessage().startsWith("neg: "), e.getMessage());
    }

    /**
     * The scalar twin's branches against the vector code's blends, at each branch point and the floats either side:
     * where exp saturates, where expm1 switches to exp or to -1, where erf switches formula, where log's mantissa is
     * halved (sqrt 2 times a power of two) and where its input becomes subnormal.
     */
    @Test
    void scalarBranchesAndVectorBlendsAgreeAtTheirThresholds() {
        float[] points = {FloatExp.HIGH, FloatExp.LOW, FloatExp.EXPM1_HIGH, FloatExp.EXPM1_LOW, 0.875f, -0.875f,
            FloatLog.SQRT2, 2 * FloatLog.SQRT2, FloatLog.SQRT2 / 4, 0x1p-130f * FloatLog.SQRT2, Float.MIN_NORMAL};
        float[] x = new float[3 * points.length];
        for (int i = 0; i < points.length; i++) {
            x[3 * i] = Math.nextDown(points[i]);
            x[3 * i + 1] = points[i];
            x[3 * i + 2] = Math.nextUp(points[i]);
        }
        for (UnaryFn fn : new UnaryFn[] {UnaryFn.EXP, UnaryFn.EXPM1, UnaryFn.ELU, UnaryFn.LOG, UnaryFn.SIGMOID, UnaryFn.ERF}) {
            float[] v = new float[x.length], sc = new float[x.length];
            UnaryKernels.applyVector(fn, x, 0, v, 0, x.length);
            UnaryKernels.applyScalar(fn, x, 0, sc, 0, x.length);
            assertNearReference(fn, x, 0, sc, 0, x.length, "scalar");
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(sc[i]), fn + "(" + x[i] + ")");
            }
        }
    }

    @Test
    void inPlaceWorks() {
        float[] x = inputs(UnaryFn.SQUARE, 100_000, 3), expect = new float[x.length];
        for (int i = 0; i < x.length; i++) expect[i] = x[i] * x[i];
        UnaryKernels.apply(UnaryFn.SQUARE, x, 0, x, 0, x.length);
        assertArrayEquals(expect, x);
    }

    /**
     * exp, expm1, elu, log, sigmoid and erf are built from exact operations (fused multiply-adds, powers of two), so the vector code,
     * the scalar twin and every JIT tier give the same bits: seeded runs do not drift between processes.
     */
    @Test
    void exponentialsVectorAndScalarAgreeBitwise() {
        for (UnaryFn fn : new UnaryFn[] {UnaryFn.EXP, UnaryFn.EXPM1, UnaryFn.ELU, UnaryFn.LOG, UnaryFn.SIGMOID, UnaryFn.ERF}) {
            float[] x = inputs(fn, 1 << 16, 99);
            System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
            float[] v = new float[x.length], sc = new float[x.length];
            UnaryKernels.applyVector(fn, x, 0, v, 0, x.length);
            UnaryKernels.applyScalar(fn, x, 0, sc, 0, x.length);
            for (int i = 0; i < x.length; i++)
                assertEquals(Float.floatToIntBits(sc[i]), Float.floatToIntBits(v[i]), fn + "(" + x[i] + ")");
        }
    }
}
