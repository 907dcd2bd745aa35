package dev.fluxion.cpu.kernels;

import dev.fluxion.ops.BinaryFn;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise binary kernels. Broadcasting is resolved by the caller: each operand is a contiguous run (stride 1) or
 * one value repeated (stride 0). The float kernels come in a Vector API version and a plain scalar twin, chosen by
 * {@link KernelConfig#SIMD}; double, int and long kernels are scalar. Predicates (comparisons and logical functions)
 * go through {@code compare}, which writes bool, and {@code where} selects between two operands. The destination may
 * be one of the inputs only at the same offset with stride 1.
 */
public final class BinaryKernels {
    private BinaryKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int L = S.length();

    /** Runs at least this long are split into fixed chunks of {@link #GRAIN} for the kernel threads. */
    static final int PARALLEL_THRESHOLD = 1 << 16;
    static final int GRAIN = 1 << 14;

    /** A run of a kernel over [from, to) of the output. */
    @FunctionalInterface
    interface Run {
        void run(int from, int to);
    }

    /**
     * {@code dst[dstOff + i] = fn(a[aOff + i * aStride], b[bOff + i * bStride])} on float32 for the non-predicate
     * functions. ADD, SUB, MUL, DIV, MAX, MIN, POW and MOD equal the float64 reference rounded to float exactly (POW
     * and MOD are computed in double); ATAN2 uses the Vector API's and is within 1 ulp.
     *
     * @throws IllegalArgumentException for a predicate or a stride other than 0 or 1
     * @throws IndexOutOfBoundsException if a run does not fit its array
     */
    public static void apply(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                             float[] dst, int dstOff, int n) {
        if (KernelConfig.SIMD) applyVector(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
        else applyScalar(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** The plain scalar twin of {@link #apply(BinaryFn, float[], int, int, float[], int, int, float[], int, int)}. */
    public static void applyScalar(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                   float[] dst, int dstOff, int n) {
        checkArithmetic(fn);
        check(a.length, aOff, aStride, b.length, bOff, bStride, dst.length, dstOff, n);
        split(n, (from, to) -> scalarRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, dst, dstOff + from, to - from));
    }

    /** The Vector API version, whatever {@link KernelConfig#SIMD} says; for tests. */
    static void applyVector(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                            float[] dst, int dstOff, int n) {
        checkArithmetic(fn);
        check(a.length, aOff, aStride, b.length, bOff, bStride, dst.length, dstOff, n);
        split(n, (from, to) -> vectorRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, dst, dstOff + from, to - from));
    }

    /** float64 version; exactly the enum's reference, {@link BinaryFn#apply(double, double)}. */
    public static void apply(BinaryFn fn, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                             double[] dst, int dstOff, int n) {
        checkArithmetic(fn);
        check(a.length, aOff, aStride, b.length, bOff, bStride, dst.length, dstOff, n);
        split(n, (from, to) -> doubleRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, dst, dstOff + from, to - from));
    }

    /**
     * int32 version. ADD, SUB, MUL and POW wrap on overflow; DIV is floor division (Python's {@code //}) and MOD the
     * floored modulo with the divisor's sign, so {@code a == div(a, b) * b + mod(a, b)}.
     *
     * @throws ArithmeticException "div: integer division by zero" or "mod: integer division by zero"
     * @throws IllegalArgumentException "pow: integers to negative integer powers are not allowed", or for ATAN2,
     *                                  which needs a floating dtype
     */
    public static void apply(BinaryFn fn, int[] a, int aOff, int aStride, int[] b, int bOff, int bStride,
                             int[] dst, int dstOff, int n) {
        checkInteger(fn);
        check(a.length, aOff, aStride, b.length, bOff, bStride, dst.length, dstOff, n);
        // validate before writing anything, so a failed call leaves dst untouched
        if (fn == BinaryFn.DIV || fn == BinaryFn.MOD || fn == BinaryFn.POW) {
            for (int i = 0, m = bStride == 0 ? Math.min(n, 1) : n; i < m; i++) checkDivisorOrExponent(fn, b[bOff + i]);
        }
        split(n, (from, to) -> intRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, dst, dstOff + from, to - from));
    }

    /** int64 version of {@link #apply(BinaryFn, int[], int, int, int[], int, int, int[], int, int)}. */
    public static void apply(BinaryFn fn, long[] a, int aOff, int aStride, long[] b, int bOff, int bStride,
                             long[] dst, int dstOff, int n) {
        checkInteger(fn);
        check(a.length, aOff, aStride, b.length, bOff, bStride, dst.length, dstOff, n);
        if (fn == BinaryFn.DIV || fn == BinaryFn.MOD || fn == BinaryFn.POW) {
            for (int i = 0, m = bStride == 0 ? Math.min(n, 1) : n; i < m; i++) checkDivisorOrExponent(fn, b[bOff + i]);
        }
        split(n, (from, to) -> longRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, dst, dstOff + from, to - from));
    }

    /**
     * Predicates on float32: {@code dst[dstOff + i] = fn(a[..], b[..])} for EQ, NE, LT, LE, GT, GE with Java's
     * semantics (any comparison with NaN is false but NE, which is true) and AND, OR, XOR of "is non-zero" (NaN is
     * non-zero), as the enum's reference. Vector API version with a scalar twin, chosen by {@link KernelConfig#SIMD}.
     *
     * @throws IllegalArgumentException for a non-predicate function or a stride other than 0 or 1
     */
    public static void compare(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                               boolean[] dst, int dstOff, int n) {
        if (KernelConfig.SIMD) CompareKernels.vector(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
        else CompareKernels.scalar(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** The scalar twin of {@link #compare(BinaryFn, float[], int, int, float[], int, int, boolean[], int, int)}. */
    public static void compareScalar(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                     boolean[] dst, int dstOff, int n) {
        CompareKernels.scalar(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** Predicates on float64, as the float32 version. */
    public static void compare(BinaryFn fn, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                               boolean[] dst, int dstOff, int n) {
        CompareKernels.compare(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** Predicates on int32; AND, OR, XOR treat non-zero as true. */
    public static void compare(BinaryFn fn, int[] a, int aOff, int aStride, int[] b, int bOff, int bStride,
                               boolean[] dst, int dstOff, int n) {
        CompareKernels.compare(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** Predicates on int64; AND, OR, XOR treat non-zero as true. */
    public static void compare(BinaryFn fn, long[] a, int aOff, int aStride, long[] b, int bOff, int bStride,
                               boolean[] dst, int dstOff, int n) {
        CompareKernels.compare(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /**
     * Predicates on bool: AND, OR, XOR, EQ, NE, and the orderings with false < true (as NumPy).
     *
     * @throws IllegalArgumentException for a non-predicate function or a stride other than 0 or 1
     */
    public static void compare(BinaryFn fn, boolean[] a, int aOff, int aStride, boolean[] b, int bOff, int bStride,
                               boolean[] dst, int dstOff, int n) {
        CompareKernels.compare(fn, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /**
     * {@code dst[dstOff + i] = cond[cOff + i * cStride] ? a[aOff + i * aStride] : b[bOff + i * bStride]}; each
     * stride is 0 or 1.
     *
     * @throws IllegalArgumentException for a stride other than 0 or 1
     * @throws IndexOutOfBoundsException if a run does not fit its array
     */
    public static void where(boolean[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                             float[] b, int bOff, int bStride, float[] dst, int dstOff, int n) {
        WhereKernels.check(cond.length, cOff, cStride, a.length, aOff, aStride, b.length, bOff, bStride, dst.length,
                dstOff, n);
        WhereKernels.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** float64 version of {@code where}. */
    public static void where(boolean[] cond, int cOff, int cStride, double[] a, int aOff, int aStride,
                             double[] b, int bOff, int bStride, double[] dst, int dstOff, int n) {
        WhereKernels.check(cond.length, cOff, cStride, a.length, aOff, aStride, b.length, bOff, bStride, dst.length,
                dstOff, n);
        WhereKernels.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** int32 version of {@code where}. */
    public static void where(boolean[] cond, int cOff, int cStride, int[] a, int aOff, int aStride,
                             int[] b, int bOff, int bStride, int[] dst, int dstOff, int n) {
        WhereKernels.check(cond.length, cOff, cStride, a.length, aOff, aStride, b.length, bOff, bStride, dst.length,
                dstOff, n);
        WhereKernels.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** int64 version of {@code where}. */
    public static void where(boolean[] cond, int cOff, int cStride, long[] a, int aOff, int aStride,
                             long[] b, int bOff, int bStride, long[] dst, int dstOff, int n) {
        WhereKernels.check(cond.length, cOff, cStride, a.length, aOff, aStride, b.length, bOff, bStride, dst.length,
                dstOff, n);
        WhereKernels.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    /** bool version of {@code where}. */
    public static void where(boolean[] cond, int cOff, int cStride, boolean[] a, int aOff, int aStride,
                             boolean[] b, int bOff, int bStride, boolean[] dst, int dstOff, int n) {
        WhereKernels.check(cond.length, cOff, cStride, a.length, aOff, aStride, b.length, bOff, bStride, dst.length,
                dstOff, n);
        WhereKernels.where(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, dst, dstOff, n);
    }

    // ---- checks and splitting -------------------------------------------------------------------------------------

    /** Checks one operand run: stride 0 (a single value) or 1 (n values). */
    static void checkRun(int length, int off, int stride, int n) {
        if (stride != 0 && stride != 1) throw new IllegalArgumentException("stride must be 0 or 1, got " + stride);
        if (n < 0) throw new IllegalArgumentException("negative length " + n);
        if (n == 0) return;
        if (stride == 1) Objects.checkFromIndexSize(off, n, length);
        else Objects.checkIndex(off, length);
    }

    static void check(int aLen, int aOff, int aStride, int bLen, int bOff, int bStride, int dLen, int dOff, int n) {
        checkRun(aLen, aOff, aStride, n);
        checkRun(bLen, bOff, bStride, n);
        checkRun(dLen, dOff, 1, n);
    }

    private static void checkArithmetic(BinaryFn fn) {
        if (fn.isPredicate()) throw new IllegalArgumentException(name(fn) + ": a predicate, use compare");
    }

    private static void checkInteger(BinaryFn fn) {
        checkArithmetic(fn);
        if (fn == BinaryFn.ATAN2) {
            throw new IllegalArgumentException("atan2: not defined for integer dtypes, cast to a floating dtype");
        }
    }

    private static void checkDivisorOrExponent(BinaryFn fn, long b) {
        if (b == 0 && fn != BinaryFn.POW) throw new ArithmeticException(name(fn) + ": integer division by zero");
        if (b < 0 && fn == BinaryFn.POW) {
            throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed");
        }
    }

    static String name(BinaryFn fn) {
        return UnaryKernels.name(fn);
    }

    /** Splits long runs into fixed chunks; the offsets of a stride-0 operand stay put. */
    static void split(int n, Run body) {
        if (n >= PARALLEL_THRESHOLD) Parallel.forRange(n, GRAIN, body::run);
        else if (n > 0) body.run(0, n);
    }

    // ---- float32: scalar twin -------------------------------------------------------------------------------------

    private static void scalarRun(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  float[] d, int dOff, int n) {
        switch (fn) {
            case ADD -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] / b[bo + i * bs]; }
            case MAX -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MIN -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case ATAN2 -> {
                for (int i = 0; i < n; i++) d[dOff + i] = (float) Math.atan2(a[ao + i * as], b[bo + i * bs]);
            }
            case POW, MOD -> viaDouble(fn, a, ao, as, b, bo, bs, d, dOff, n);
            default -> throw new IllegalArgumentException(name(fn) + ": a predicate, use compare");
        }
    }

    /** POW and MOD: the float64 reference rounded once to float, in both versions. */
    private static void viaDouble(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  float[] d, int dOff, int n) {
        if (fn == BinaryFn.POW) {
            for (int i = 0; i < n; i++) d[dOff + i] = (float) Math.pow(a[ao + i * as], b[bo + i * bs]);
        } else {
            for (int i = 0; i < n; i++) d[dOff + i] = (float) mod(a[ao + i * as], b[bo + i * bs]);
        }
    }

    private static double mod(double a, double b) {
        return a - Math.floor(a / b) * b;
    }

    // ---- float32: vector version ----------------------------------------------------------------------------------

    private static void vectorRun(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  float[] d, int dOff, int n) {
        switch (fn) {
            case ADD -> add(a, ao, as, b, bo, bs, d, dOff, n);
            case SUB -> sub(a, ao, as, b, bo, bs, d, dOff, n);
            case MUL -> mul(a, ao, as, b, bo, bs, d, dOff, n);
            case DIV -> div(a, ao, as, b, bo, bs, d, dOff, n);
            case MAX -> max(a, ao, as, b, bo, bs, d, dOff, n);
            case MIN -> min(a, ao, as, b, bo, bs, d, dOff, n);
            case ATAN2 -> atan2(a, ao, as, b, bo, bs, d, dOff, n);
            case POW, MOD -> viaDouble(fn, a, ao, as, b, bo, bs, d, dOff, n);
            default -> throw new IllegalArgumentException(name(fn) + ": a predicate, use compare");
        }
    }

    // Each function gets its own loops with the Vector API operator as a literal constant (C2 only intrinsifies
    // constant operators; a shared loop taking the operator as a parameter was not inlined and ran ~50x slower),
    // specialised per stride pattern so no vector value merges a load with a broadcast. Tails are scalar: these are
    // IEEE operations (and Math.max/min semantics for MAX/MIN), so a scalar tail rounds exactly like the body.
    private static void add(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.ADD, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.ADD, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = x + y;
        }
    }

    private static void sub(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.SUB, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.SUB, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.SUB, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = x - y;
        }
    }

    private static void mul(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MUL, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MUL, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.MUL, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = x * y;
        }
    }

    private static void div(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.DIV, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.DIV, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.DIV, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = x / y;
        }
    }

    private static void max(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MAX, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MAX, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = Math.max(x, y);
        }
    }

    private static void min(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < upper; i += L)
                FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MIN, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < upper; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(VectorOperators.MIN, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < upper; i += L) va.lanewise(VectorOperators.MIN, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            d[dOff + i] = Math.min(x, y);
        }
    }

    // ATAN2's vector and scalar versions may differ by an ulp, so its tail is a masked vector instead.
    private static void atan2(float[] a, int ao, int as, float[] b, int bo, int bs, float[] d, int dOff, int n) {
        int i = 0, upper = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, a[ao]), vb = FloatVector.broadcast(S, b[bo]);
        for (; i < upper; i += L) {
            FloatVector y = as == 1 ? FloatVector.fromArray(S, a, ao + i) : va;
            FloatVector x = bs == 1 ? FloatVector.fromArray(S, b, bo + i) : vb;
            y.lanewise(VectorOperators.ATAN2, x).intoArray(d, dOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector y = as == 1 ? FloatVector.fromArray(S, a, ao + i, m) : va;
            FloatVector x = bs == 1 ? FloatVector.fromArray(S, b, bo + i, m) : vb;
            y.lanewise(VectorOperators.ATAN2, x).intoArray(d, dOff + i, m);
        }
    }

    // ---- float64, int32, int64 ------------------------------------------------------------------------------------

    private static void doubleRun(BinaryFn fn, double[] a, int ao, int as, double[] b, int bo, int bs,
                                  double[] d, int dOff, int n) {
        switch (fn) {
            case ADD -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] / b[bo + i * bs]; }
            case MAX -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MIN -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.pow(a[ao + i * as], b[bo + i * bs]); }
            case MOD -> { for (int i = 0; i < n; i++) d[dOff + i] = mod(a[ao + i * as], b[bo + i * bs]); }
            case ATAN2 -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.atan2(a[ao + i * as], b[bo + i * bs]); }
            default -> throw new IllegalArgumentException(name(fn) + ": a predicate, use compare");
        }
    }

    private static void intRun(BinaryFn fn, int[] a, int ao, int as, int[] b, int bo, int bs,
                               int[] d, int dOff, int n) {
        switch (fn) {
            case ADD -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.floorDiv(a[ao + i * as], b[bo + i * bs]); }
            case MOD -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.floorMod(a[ao + i * as], b[bo + i * bs]); }
            case MAX -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MIN -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) d[dOff + i] = (int) pow(a[ao + i * as], b[bo + i * bs]); }
            default -> throw new IllegalArgumentException(name(fn) + ": not defined for integer dtypes");
        }
    }

    private static void longRun(BinaryFn fn, long[] a, int ao, int as, long[] b, int bo, int bs,
                                long[] d, int dOff, int n) {
        switch (fn) {
            case ADD -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.floorDiv(a[ao + i * as], b[bo + i * bs]); }
            case MOD -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.floorMod(a[ao + i * as], b[bo + i * bs]); }
            case MAX -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MIN -> { for (int i = 0; i < n; i++) d[dOff + i] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) d[dOff + i] = pow(a[ao + i * as], b[bo + i * bs]); }
            default -> throw new IllegalArgumentException(name(fn) + ": not defined for integer dtypes");
        }
    }

    /**
     * base^exp for exp >= 0 by repeated squaring, wrapping like repeated multiplication; an int base gives the
     * same low 32 bits as in int arithmetic.
     */
    static long pow(long base, long exp) {
        long r = 1;
        while (exp != 0) {
            if ((exp & 1) != 0) r *= base;
            exp >>>= 1;
            base *= base;
        }
        return r;
    }
}
