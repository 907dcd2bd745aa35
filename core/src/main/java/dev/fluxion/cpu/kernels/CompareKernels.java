package dev.fluxion.cpu.kernels;

import dev.fluxion.ops.BinaryFn;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The predicate kernels behind {@link BinaryKernels#compare}: comparisons with Java's semantics (NaN compares false,
 * but unequal) and logical functions of "is non-zero". Predicates are exact, so the vector version finishes its tail
 * with the scalar loop.
 */
final class CompareKernels {
    private CompareKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int L = S.length();

    private static void check(BinaryFn fn, int aLen, int aOff, int aStride, int bLen, int bOff, int bStride,
                              int dLen, int dOff, int n) {
        if (!fn.isPredicate()) {
            throw new IllegalArgumentException(BinaryKernels.name(fn) + ": not a predicate, use apply");
        }
        BinaryKernels.check(aLen, aOff, aStride, bLen, bOff, bStride, dLen, dOff, n);
    }

    // ---- float32 --------------------------------------------------------------------------------------------------

    static void scalar(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> scalarRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, d, dOff + from, to - from));
    }

    static void vector(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> vectorRun(fn, a, aOff + from * aStride, aStride,
                b, bOff + from * bStride, bStride, d, dOff + from, to - from));
    }

    private static void scalarRun(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  boolean[] d, int dOff, int n) {
        switch (fn) {
            case EQ -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] == b[bo + i * bs]; }
            case NE -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] != b[bo + i * bs]; }
            case LT -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] < b[bo + i * bs]; }
            case LE -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] <= b[bo + i * bs]; }
            case GT -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] > b[bo + i * bs]; }
            case GE -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] >= b[bo + i * bs]; }
            case AND -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] != 0 && b[bo + i * bs] != 0; }
            case OR -> { for (int i = 0; i < n; i++) d[dOff + i] = a[ao + i * as] != 0 || b[bo + i * bs] != 0; }
            case XOR -> { for (int i = 0; i < n; i++) d[dOff + i] = (a[ao + i * as] != 0) != (b[bo + i * bs] != 0); }
            default -> throw new AssertionError(fn);
        }
    }

    private static void vectorRun(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  boolean[] d, int dOff, int n) {
        switch (fn) {
            case EQ -> eq(a, ao, as, b, bo, bs, d, dOff, n);
            case NE -> ne(a, ao, as, b, bo, bs, d, dOff, n);
            case LT -> lt(a, ao, as, b, bo, bs, d, dOff, n);
            case LE -> le(a, ao, as, b, bo, bs, d, dOff, n);
            // a > b is b < a, NaN included
            case GT -> lt(b, bo, bs, a, ao, as, d, dOff, n);
            case GE -> le(b, bo, bs, a, ao, as, d, dOff, n);
            case AND, OR, XOR -> logical(fn, a, ao, as, b, bo, bs, d, dOff, n);
            default -> throw new AssertionError(fn);
        }
    }

    // One method per comparison with the operator as a literal constant, and one loop per stride pattern: a loop
    // that picks a loaded or a broadcast vector per iteration makes C2 box the vectors.
    private static void eq(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] d, int dOff, int n) {
        int i = 0, ub = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < ub; i += L)
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < ub; i += L) va.compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        scalarRun(BinaryFn.EQ, a, ao + i * as, as, b, bo + i * bs, bs, d, dOff + i, n - i);
    }

    private static void ne(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] d, int dOff, int n) {
        int i = 0, ub = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < ub; i += L)
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < ub; i += L) va.compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        scalarRun(BinaryFn.NE, a, ao + i * as, as, b, bo + i * bs, bs, d, dOff + i, n - i);
    }

    private static void lt(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] d, int dOff, int n) {
        int i = 0, ub = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < ub; i += L)
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < ub; i += L) va.compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        scalarRun(BinaryFn.LT, a, ao + i * as, as, b, bo + i * bs, bs, d, dOff + i, n - i);
    }

    private static void le(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] d, int dOff, int n) {
        int i = 0, ub = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < ub; i += L)
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, vb).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < ub; i += L) va.compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(d, dOff + i);
        }
        scalarRun(BinaryFn.LE, a, ao + i * as, as, b, bo + i * bs, bs, d, dOff + i, n - i);
    }

    private static FloatVector operand(float[] x, int off, int stride, FloatVector broadcast, int i) {
        return stride == 0 ? broadcast : FloatVector.fromArray(S, x, off + i);
    }

    private static void logical(BinaryFn fn, float[] a, int ao, int as, float[] b, int bo, int bs,
                                boolean[] d, int dOff, int n) {
        FloatVector ca = FloatVector.broadcast(S, a[ao]), cb = FloatVector.broadcast(S, b[bo]);
        int i = 0;
        for (int ub = S.loopBound(n); i < ub; i += L) {
            // NaN != 0 holds, so NaN is true, as in the reference
            VectorMask<Float> x = operand(a, ao, as, ca, i).compare(VectorOperators.NE, 0f);
            VectorMask<Float> y = operand(b, bo, bs, cb, i).compare(VectorOperators.NE, 0f);
            VectorMask<Float> r = fn == BinaryFn.AND ? x.and(y) : fn == BinaryFn.OR ? x.or(y) : x.xor(y);
            r.intoArray(d, dOff + i);
        }
        scalarRun(fn, a, ao + i * as, as, b, bo + i * bs, bs, d, dOff + i, n - i);
    }

    // ---- float64, int32, int64, bool: scalar ----------------------------------------------------------------------

    static void compare(BinaryFn fn, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                        boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> {
            int ao = aOff + from * aStride, as = aStride, bo = bOff + from * bStride, bs = bStride;
            int o = dOff + from, m = to - from;
            switch (fn) {
                case EQ -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] == b[bo + i * bs]; }
                case NE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != b[bo + i * bs]; }
                case LT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] < b[bo + i * bs]; }
                case LE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] <= b[bo + i * bs]; }
                case GT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] > b[bo + i * bs]; }
                case GE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] >= b[bo + i * bs]; }
                case AND -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 && b[bo + i * bs] != 0; }
                case OR -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 || b[bo + i * bs] != 0; }
                case XOR -> { for (int i = 0; i < m; i++) d[o + i] = (a[ao + i * as] != 0) != (b[bo + i * bs] != 0); }
                default -> throw new AssertionError(fn);
            }
        });
    }

    static void compare(BinaryFn fn, int[] a, int aOff, int aStride, int[] b, int bOff, int bStride,
                        boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> {
            int ao = aOff + from * aStride, as = aStride, bo = bOff + from * bStride, bs = bStride;
            int o = dOff + from, m = to - from;
            switch (fn) {
                case EQ -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] == b[bo + i * bs]; }
                case NE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != b[bo + i * bs]; }
                case LT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] < b[bo + i * bs]; }
                case LE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] <= b[bo + i * bs]; }
                case GT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] > b[bo + i * bs]; }
                case GE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] >= b[bo + i * bs]; }
                case AND -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 && b[bo + i * bs] != 0; }
                case OR -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 || b[bo + i * bs] != 0; }
                case XOR -> { for (int i = 0; i < m; i++) d[o + i] = (a[ao + i * as] != 0) != (b[bo + i * bs] != 0); }
                default -> throw new AssertionError(fn);
            }
        });
    }

    static void compare(BinaryFn fn, long[] a, int aOff, int aStride, long[] b, int bOff, int bStride,
                        boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> {
            int ao = aOff + from * aStride, as = aStride, bo = bOff + from * bStride, bs = bStride;
            int o = dOff + from, m = to - from;
            switch (fn) {
                case EQ -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] == b[bo + i * bs]; }
                case NE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != b[bo + i * bs]; }
                case LT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] < b[bo + i * bs]; }
                case LE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] <= b[bo + i * bs]; }
                case GT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] > b[bo + i * bs]; }
                case GE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] >= b[bo + i * bs]; }
                case AND -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 && b[bo + i * bs] != 0; }
                case OR -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != 0 || b[bo + i * bs] != 0; }
                case XOR -> { for (int i = 0; i < m; i++) d[o + i] = (a[ao + i * as] != 0) != (b[bo + i * bs] != 0); }
                default -> throw new AssertionError(fn);
            }
        });
    }

    static void compare(BinaryFn fn, boolean[] a, int aOff, int aStride, boolean[] b, int bOff, int bStride,
                        boolean[] d, int dOff, int n) {
        check(fn, a.length, aOff, aStride, b.length, bOff, bStride, d.length, dOff, n);
        BinaryKernels.split(n, (from, to) -> {
            int ao = aOff + from * aStride, as = aStride, bo = bOff + from * bStride, bs = bStride;
            int o = dOff + from, m = to - from;
            // false < true, as NumPy orders bools
            switch (fn) {
                case EQ -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] == b[bo + i * bs]; }
                case NE, XOR -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] != b[bo + i * bs]; }
                case LT -> { for (int i = 0; i < m; i++) d[o + i] = !a[ao + i * as] & b[bo + i * bs]; }
                case LE -> { for (int i = 0; i < m; i++) d[o + i] = !a[ao + i * as] | b[bo + i * bs]; }
                case GT -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] & !b[bo + i * bs]; }
                case GE -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] | !b[bo + i * bs]; }
                case AND -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] & b[bo + i * bs]; }
                case OR -> { for (int i = 0; i < m; i++) d[o + i] = a[ao + i * as] | b[bo + i * bs]; }
                default -> throw new AssertionError(fn);
            }
        });
    }
}
