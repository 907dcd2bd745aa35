package dev.fluxion.cpu.kernels;

import dev.fluxion.ops.UnaryFn;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise unary kernels over contiguous runs of Java arrays. The float kernels come in a Vector API version and a
 * plain scalar twin; {@link KernelConfig#SIMD} picks one. Results agree with {@link UnaryFn#apply(double)} rounded to
 * float: exactly for the non-transcendental functions, within about one ulp for the transcendentals (see
 * {@link #apply(UnaryFn, float[], int, float[], int, int)}). {@code src} and {@code dst} may be the same array only at
 * the same offset.
 */
public final class UnaryKernels {
    private UnaryKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int L = S.length();

    /** Runs at least this long are split into chunks for the kernel threads. */
    static final int PARALLEL_THRESHOLD = 1 << 16;
    /** Fixed chunk length of a split run; a multiple of every vector length, so chunking never changes a result. */
    static final int GRAIN = 1 << 14;

    // erf(x) = x + x * P(x^2) for |x| < ERF_SPLIT; P fitted (least squares at Chebyshev nodes) to erf(x)/x - 1
    private static final float ERF_SPLIT = 0.875f;
    private static final float A0 = 0.12837916612625122f, A1 = -0.37612634897232056f, A2 = 0.11283732205629349f,
            A3 = -0.02686155028641224f, A4 = 0.005206660833209753f, A5 = -0.0008210109081119299f,
            A6 = 8.671101386426017e-05f;
    // erfc(t) = exp(-t^2) * w * Q(w), w = 1 / (1 + t/2), for t >= ERF_SPLIT; Q fitted to erfc(t) exp(t^2) / w
    private static final float B0 = 0.2749871015548706f, B1 = 0.34570854902267456f, B2 = 0.020616581663489342f,
            B3 = 0.5660946369171143f, B4 = -0.2074550837278366f;

    /**
     * {@code dst[dstOff + i] = fn(src[srcOff + i])} for {@code i < n}, on float32. Every {@link UnaryFn} but
     * {@link UnaryFn#NOT} is supported. EXP, EXPM1, LOG (and SIGMOID, ELU, ERF built on them) come from
     * {@link FloatExp} and {@link FloatLog}: exact operations only, so the vector code, the scalar twin and every JIT
     * tier agree bitwise, within 1 ulp of the correctly rounded value. LOG1P, SIN, COS and TANH use the Vector API's
     * transcendentals, within 1 ulp once compiled by C2 but not bitwise the same in every tier. ERF is a fitted
     * approximation within about 1e-7 absolute (2 ulp relative near zero); the other functions are exact.
     *
     * @throws IllegalArgumentException for {@link UnaryFn#NOT}
     * @throws IndexOutOfBoundsException if a run does not fit its array
     */
    public static void apply(UnaryFn fn, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (KernelConfig.SIMD) applyVector(fn, src, srcOff, dst, dstOff, n);
        else applyScalar(fn, src, srcOff, dst, dstOff, n);
    }

    /** The plain scalar twin of {@link #apply(UnaryFn, float[], int, float[], int, int)}. */
    public static void applyScalar(UnaryFn fn, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        checkFloat(fn, src, srcOff, dst, dstOff, n);
        split(n, (from, to) -> scalarRun(fn, src, srcOff + from, dst, dstOff + from, to - from));
    }

    /** The Vector API version, whatever {@link KernelConfig#SIMD} says; for tests. */
    static void applyVector(UnaryFn fn, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        checkFloat(fn, src, srcOff, dst, dstOff, n);
        split(n, (from, to) -> vectorRun(fn, src, srcOff + from, dst, dstOff + from, to - from));
    }

    /**
     * {@code dst[dstOff + i] = fn.apply(src[srcOff + i])}: float64 is the reference dtype, so this is exactly the
     * enum's reference. {@link UnaryFn#NOT} is rejected as it is defined on bool tensors only.
     */
    public static void apply(UnaryFn fn, double[] src, int srcOff, double[] dst, int dstOff, int n) {
        if (fn == UnaryFn.NOT) throw notOnNumbers();
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        split(n, (from, to) -> {
            for (int i = from; i < to; i++) dst[dstOff + i] = fn.apply(src[srcOff + i]);
        });
    }

    /**
     * Integer version for the functions with {@link UnaryFn#acceptsIntegers()}: NEG, ABS, SIGN, SQUARE, RELU, STEP.
     * Overflow wraps as in Java (and NumPy): {@code neg}/{@code abs} of {@code Integer.MIN_VALUE} is itself.
     *
     * @throws IllegalArgumentException for any other function
     */
    public static void apply(UnaryFn fn, int[] src, int srcOff, int[] dst, int dstOff, int n) {
        checkInteger(fn);
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        split(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                int x = src[srcOff + i];
                dst[dstOff + i] = switch (fn) {
                    case NEG -> -x;
                    case ABS -> Math.abs(x);
                    case SIGN -> Integer.signum(x);
                    case SQUARE -> x * x;
                    case RELU -> Math.max(x, 0);
                    default -> x > 0 ? 1 : 0; // STEP
                };
            }
        });
    }

    /** Long version of {@link #apply(UnaryFn, int[], int, int[], int, int)}. */
    public static void apply(UnaryFn fn, long[] src, int srcOff, long[] dst, int dstOff, int n) {
        checkInteger(fn);
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        split(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                long x = src[srcOff + i];
                dst[dstOff + i] = switch (fn) {
                    case NEG -> -x;
                    case ABS -> Math.abs(x);
                    case SIGN -> Long.signum(x);
                    case SQUARE -> x * x;
                    case RELU -> Math.max(x, 0L);
                    default -> x > 0 ? 1L : 0L; // STEP
                };
            }
        });
    }

    /**
     * Logical not on bool runs; the only function defined on bool.
     *
     * @throws IllegalArgumentException for any function but {@link UnaryFn#NOT}
     */
    public static void apply(UnaryFn fn, boolean[] src, int srcOff, boolean[] dst, int dstOff, int n) {
        if (fn != UnaryFn.NOT) throw new IllegalArgumentException(name(fn) + ": not defined for bool, only not is");
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        for (int i = 0; i < n; i++) dst[dstOff + i] = !src[srcOff + i];
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void split(int n, Parallel.RangeBody body) {
        if (n >= PARALLEL_THRESHOLD) Parallel.forRange(n, GRAIN, body);
        else if (n > 0) body.run(0, n);
    }

    private static void checkFloat(UnaryFn fn, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (fn == UnaryFn.NOT) throw notOnNumbers();
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
    }

    private static void checkInteger(UnaryFn fn) {
        if (!fn.acceptsIntegers()) {
            throw new IllegalArgumentException(name(fn) + ": not defined for integer dtypes, cast to a floating dtype");
        }
    }

    private static IllegalArgumentException notOnNumbers() {
        return new IllegalArgumentException("not: defined for bool only, use the boolean[] overload");
    }

    static String name(Enum<?> fn) {
        return fn.name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- scalar twin ----------------------------------------------------------------------------------------------

    // the switch is outside the loops so that each loop stays small and tight
    private static void scalarRun(UnaryFn fn, float[] s, int so, float[] d, int dOff, int n) {
        switch (fn) {
            case NEG -> { for (int i = 0; i < n; i++) d[dOff + i] = -s[so + i]; }
            case ABS -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.abs(s[so + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) d[dOff + i] = (float) Math.sqrt(s[so + i]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) d[dOff + i] = 1f / s[so + i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) d[dOff + i] = s[so + i] * s[so + i]; }
            case EXP -> { for (int i = 0; i < n; i++) d[dOff + i] = FloatExp.exp(s[so + i]); }
            case LOG -> { for (int i = 0; i < n; i++) d[dOff + i] = FloatLog.log(s[so + i]); }
            case TANH -> { for (int i = 0; i < n; i++) d[dOff + i] = (float) Math.tanh(s[so + i]); }
            case RELU -> { for (int i = 0; i < n; i++) d[dOff + i] = relu(s[so + i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) d[dOff + i] = sigmoid(s[so + i]); }
            case ERF -> { for (int i = 0; i < n; i++) d[dOff + i] = erf(s[so + i]); }
            default -> { for (int i = 0; i < n; i++) d[dOff + i] = scalar(fn, s[so + i]); }
        }
    }

    /** One float32 value; mirrors the vector code (same formulas, libm in place of the Vector API's SVML). */
    static float scalar(UnaryFn fn, float x) {
        return switch (fn) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case EXP -> FloatExp.exp(x);
            case EXPM1 -> FloatExp.expm1(x);
            case LOG -> FloatLog.log(x);
            case LOG1P -> (float) Math.log1p(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> 1f / (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
            case SQUARE -> x * x;
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> relu(x);
            case ELU -> x > 0 ? x : FloatExp.expm1(x);
            case STEP -> x > 0 ? 1f : (x != x ? x : 0f);
            case ERF -> erf(x);
            case FLOOR -> (float) Math.floor(x);
            case CEIL -> (float) Math.ceil(x);
            case ROUND -> (float) Math.rint(x);
            case NOT -> throw notOnNumbers();
        };
    }

    private static float relu(float x) {
        return x > 0 || x != x ? x : 0f;
    }

    private static float sigmoid(float x) {
        // exp of -|x| never overflows; x < 0 takes e / (1 + e) so tiny results keep their precision
        float e = FloatExp.exp(-Math.abs(x));
        float den = 1f + e;
        return x < 0 ? e / den : 1f / den;
    }

    static float erf(float x) {
        float ax = Math.abs(x);
        if (ax < ERF_SPLIT) {
            float y = x * x;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(A6, y, A5), y, A4), y, A3), y, A2), y, A1),
                    y, A0);
            return Math.fma(x, p, x);
        }
        float w = 1f / Math.fma(0.5f, ax, 1f);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(B4, w, B3), w, B2), w, B1), w, B0) * w;
        float e = FloatExp.exp(-(ax * ax));
        return Math.copySign(1f - e * q, x);
    }

    // ---- vector version -------------------------------------------------------------------------------------------

    // One loop method per function, so that each Vector API operator is a constant where C2 compiles the loop.
    private static void vectorRun(UnaryFn fn, float[] s, int so, float[] d, int dOff, int n) {
        int upper = S.loopBound(n);
        if (upper > 0) fullVectors(fn, s, so, d, dOff, upper);
        if (upper < n) { // the tail runs through the same vector code on a padded copy: identical rounding, no masks
            float[] in = new float[L], out = new float[L];
            System.arraycopy(s, so + upper, in, 0, n - upper);
            fullVectors(fn, in, 0, out, 0, L);
            System.arraycopy(out, 0, d, dOff + upper, n - upper);
        }
    }

    /** Runs fn over n elements, n a multiple of the vector length. */
    private static void fullVectors(UnaryFn fn, float[] s, int so, float[] d, int dOff, int n) {
        switch (fn) {
            case NEG -> neg(s, so, d, dOff, n);
            case ABS -> abs(s, so, d, dOff, n);
            case SIGN -> sign(s, so, d, dOff, n);
            case EXP -> exp(s, so, d, dOff, n);
            case EXPM1 -> expm1(s, so, d, dOff, n);
            case LOG -> log(s, so, d, dOff, n);
            case LOG1P -> log1p(s, so, d, dOff, n);
            case SQRT -> sqrt(s, so, d, dOff, n);
            case RSQRT -> rsqrt(s, so, d, dOff, n);
            case RECIPROCAL -> reciprocal(s, so, d, dOff, n);
            case SQUARE -> square(s, so, d, dOff, n);
            case SIN -> sin(s, so, d, dOff, n);
            case COS -> cos(s, so, d, dOff, n);
            case TANH -> tanh(s, so, d, dOff, n);
            case SIGMOID -> sigmoid(s, so, d, dOff, n);
            case RELU -> relu(s, so, d, dOff, n);
            case ELU -> elu(s, so, d, dOff, n);
            case STEP -> step(s, so, d, dOff, n);
            case ERF -> erf(s, so, d, dOff, n);
            case FLOOR, CEIL, ROUND -> rounding(fn, s, so, d, dOff, n);
            case NOT -> throw notOnNumbers();
        }
    }

    // Loops below see whole vectors only (vectorRun pads the tail), so loads and stores are unmasked: a loop that
    // merges masked and unmasked vectors makes C2 box them, which is an order of magnitude slower.
    private static void neg(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).neg()).intoArray(d, dOff + i);
    }

    private static void abs(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).abs()).intoArray(d, dOff + i);
    }

    private static void sign(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, s, so + i);
            // ±0 and NaN keep x itself, as Math.signum
            FloatVector r = x.blend(1f, x.compare(VectorOperators.GT, 0f))
                    .blend(-1f, x.compare(VectorOperators.LT, 0f));
            (r).intoArray(d, dOff + i);
        }
    }

    private static void exp(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) VectorFunctions.exp(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
    }

    private static void expm1(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) {
            VectorFunctions.expm1(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
        }
    }

    private static void elu(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) VectorFunctions.elu(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
    }

    private static void log(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) VectorFunctions.log(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
    }

    private static void log1p(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).lanewise(VectorOperators.LOG1P)).intoArray(d, dOff + i);
    }

    private static void sqrt(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).sqrt()).intoArray(d, dOff + i);
    }

    private static void rsqrt(float[] s, int so, float[] d, int dOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) (one.div(FloatVector.fromArray(S, s, so + i).sqrt())).intoArray(d, dOff + i);
    }

    private static void reciprocal(float[] s, int so, float[] d, int dOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) (one.div(FloatVector.fromArray(S, s, so + i))).intoArray(d, dOff + i);
    }

    private static void square(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, s, so + i);
            (x.mul(x)).intoArray(d, dOff + i);
        }
    }

    private static void sin(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).lanewise(VectorOperators.SIN)).intoArray(d, dOff + i);
    }

    private static void cos(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).lanewise(VectorOperators.COS)).intoArray(d, dOff + i);
    }

    private static void tanh(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) (FloatVector.fromArray(S, s, so + i).lanewise(VectorOperators.TANH)).intoArray(d, dOff + i);
    }

    private static void sigmoid(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) {
            VectorFunctions.sigmoid(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
        }
    }

    private static void relu(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) VectorFunctions.relu(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
    }

    private static void step(float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) VectorFunctions.step(FloatVector.fromArray(S, s, so + i)).intoArray(d, dOff + i);
    }

    private static void erf(float[] s, int so, float[] d, int dOff, int n) {
        FloatVector a0 = FloatVector.broadcast(S, A0), a1 = FloatVector.broadcast(S, A1),
                a2 = FloatVector.broadcast(S, A2), a3 = FloatVector.broadcast(S, A3),
                a4 = FloatVector.broadcast(S, A4), a5 = FloatVector.broadcast(S, A5),
                a6 = FloatVector.broadcast(S, A6);
        FloatVector b0 = FloatVector.broadcast(S, B0), b1 = FloatVector.broadcast(S, B1),
                b2 = FloatVector.broadcast(S, B2), b3 = FloatVector.broadcast(S, B3),
                b4 = FloatVector.broadcast(S, B4);
        FloatVector one = FloatVector.broadcast(S, 1f), half = FloatVector.broadcast(S, 0.5f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, s, so + i);
            FloatVector ax = x.abs();
            FloatVector y = x.mul(x);
            FloatVector p = a6.fma(y, a5).fma(y, a4).fma(y, a3).fma(y, a2).fma(y, a1).fma(y, a0);
            FloatVector small = x.fma(p, x);
            FloatVector w = one.div(ax.fma(half, one));
            FloatVector q = b4.fma(w, b3).fma(w, b2).fma(w, b1).fma(w, b0).mul(w);
            FloatVector e = FloatExp.exp(ax.mul(ax).neg());
            FloatVector large = copySign(one.sub(e.mul(q)), x);
            (large.blend(small, ax.compare(VectorOperators.LT, ERF_SPLIT))).intoArray(d, dOff + i);
        }
    }

    private static final float NO_FRACTION = 0x1p23f; // floats at least this large are integers

    /** Round half to even, floor or ceil for |x| < 2^23 via the 2^23 trick; larger, infinite or NaN x is kept. */
    private static void rounding(UnaryFn fn, float[] s, int so, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, s, so + i);
            FloatVector ax = x.abs();
            FloatVector r = copySign(ax.add(NO_FRACTION).sub(NO_FRACTION), x);
            if (fn == UnaryFn.FLOOR) r = r.sub(1f, r.compare(VectorOperators.GT, x));
            else if (fn == UnaryFn.CEIL) r = r.add(1f, r.compare(VectorOperators.LT, x));
            // the result has x's sign: floor(-0.5) = -1, ceil(-0.5) = -0.0, rint(-0.2) = -0.0
            r = copySign(r, x);
            (x.blend(r, ax.compare(VectorOperators.LT, NO_FRACTION))).intoArray(d, dOff + i);
        }
    }

    private static FloatVector copySign(FloatVector magnitude, FloatVector sign) {
        IntVector m = magnitude.reinterpretAsInts().and(0x7fffffff);
        IntVector sg = sign.reinterpretAsInts().and(0x80000000);
        return m.or(sg).reinterpretAsFloats();
    }
}
