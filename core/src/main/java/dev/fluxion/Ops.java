package dev.fluxion;

import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;

/**
 * Math on tensors: elementwise functions, comparisons, reductions and matrix products, with NumPy/TensorFlow
 * semantics. Primitives go straight to the {@link Dispatcher}; the rest are composites of them, so they get
 * gradients, tracing and every backend for free. Shapes and layout live in {@link ArrayOps}, neural-network
 * functions in {@link NnOps}.
 */
public final class Ops {
    private Ops() {}

    // ------------------------------------------------------------------ constants

    /** A 0-d tensor with {@code like}'s dtype and device (broadcasts against it). */
    public static Tensor constantLike(double value, Tensor like) {
        Tensor c = Tensor.full(value, like.dtype());
        return like.device().equals(Device.CPU) ? c : DeviceScalars.on(c, like.device());
    }

    /** A 0-d zero of {@code like}'s dtype. */
    public static Tensor zerosOf(Tensor like) {
        return constantLike(0, like);
    }

    /** A 0-d one of {@code like}'s dtype. */
    public static Tensor onesOf(Tensor like) {
        return constantLike(1, like);
    }

    // ------------------------------------------------------------------ elementwise

    public static Tensor unary(UnaryFn fn, Tensor x) {
        return Dispatcher.apply(new Op.Unary(fn), x);
    }

    public static Tensor binary(BinaryFn fn, Tensor a, Tensor b) {
        return Dispatcher.apply(new Op.Binary(fn), a, b);
    }

    public static Tensor add(Tensor a, Tensor b) { return binary(BinaryFn.ADD, a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return binary(BinaryFn.SUB, a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return binary(BinaryFn.MUL, a, b); }
    /** True division for floats, floor division for integers. */
    public static Tensor div(Tensor a, Tensor b) { return binary(BinaryFn.DIV, a, b); }
    public static Tensor pow(Tensor a, Tensor b) { return binary(BinaryFn.POW, a, b); }
    public static Tensor maximum(Tensor a, Tensor b) { return binary(BinaryFn.MAX, a, b); }
    public static Tensor minimum(Tensor a, Tensor b) { return binary(BinaryFn.MIN, a, b); }
    public static Tensor mod(Tensor a, Tensor b) { return binary(BinaryFn.MOD, a, b); }
    public static Tensor atan2(Tensor a, Tensor b) { return binary(BinaryFn.ATAN2, a, b); }
    public static Tensor equal(Tensor a, Tensor b) { return binary(BinaryFn.EQ, a, b); }
    public static Tensor notEqual(Tensor a, Tensor b) { return binary(BinaryFn.NE, a, b); }
    public static Tensor less(Tensor a, Tensor b) { return binary(BinaryFn.LT, a, b); }
    public static Tensor lessEqual(Tensor a, Tensor b) { return binary(BinaryFn.LE, a, b); }
    public static Tensor greater(Tensor a, Tensor b) { return binary(BinaryFn.GT, a, b); }
    public static Tensor greaterEqual(Tensor a, Tensor b) { return binary(BinaryFn.GE, a, b); }
    public static Tensor logicalAnd(Tensor a, Tensor b) { return binary(BinaryFn.AND, a, b); }
    public static Tensor logicalOr(Tensor a, Tensor b) { return binary(BinaryFn.OR, a, b); }
    public static Tensor logicalXor(Tensor a, Tensor b) { return binary(BinaryFn.XOR, a, b); }
    public static Tensor logicalNot(Tensor x) { return unary(UnaryFn.NOT, x); }

    public static Tensor neg(Tensor x) { return unary(UnaryFn.NEG, x); }
    public static Tensor abs(Tensor x) { return unary(UnaryFn.ABS, x); }
    public static Tensor sign(Tensor x) { return unary(UnaryFn.SIGN, x); }
    public static Tensor exp(Tensor x) { return unary(UnaryFn.EXP, x); }
    public static Tensor expm1(Tensor x) { return unary(UnaryFn.EXPM1, x); }
    public static Tensor log(Tensor x) { return unary(UnaryFn.LOG, x); }
    public static Tensor log1p(Tensor x) { return unary(UnaryFn.LOG1P, x); }
    public static Tensor sqrt(Tensor x) { return unary(UnaryFn.SQRT, x); }
    public static Tensor rsqrt(Tensor x) { return unary(UnaryFn.RSQRT, x); }
    public static Tensor reciprocal(Tensor x) { return unary(UnaryFn.RECIPROCAL, x); }
    public static Tensor square(Tensor x) { return unary(UnaryFn.SQUARE, x); }
    public static Tensor sin(Tensor x) { return unary(UnaryFn.SIN, x); }
    public static Tensor cos(Tensor x) { return unary(UnaryFn.COS, x); }
    public static Tensor tanh(Tensor x) { return unary(UnaryFn.TANH, x); }
    public static Tensor sigmoid(Tensor x) { return unary(UnaryFn.SIGMOID, x); }
    public static Tensor erf(Tensor x) { return unary(UnaryFn.ERF, x); }
    public static Tensor floor(Tensor x) { return unary(UnaryFn.FLOOR, x); }
    public static Tensor ceil(Tensor x) { return unary(UnaryFn.CEIL, x); }
    /** Round half to even. */
    public static Tensor round(Tensor x) { return unary(UnaryFn.ROUND, x); }

    /** Elementwise choice: a where cond else b (all three broadcast). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Dispatcher.apply(new Op.Where(), cond, a, b);
    }

    /** Conversion to another dtype; a no-op when the dtype is already right. */
    public static Tensor cast(Tensor x, DType to) {
        return x.dtype() == to ? x : Dispatcher.apply(new Op.Cast(to), x);
    }

    /** An identity the gradient tape treats as a constant. */
    public static Tensor stopGradient(Tensor x) {
        return Dispatcher.apply(new Op.StopGradient(), x);
    }

    /** Clips to [lo, hi] (the gradient is 1 inside the range and 0 outside). */
    public static Tensor clip(Tensor x, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clip: lower bound " + lo + " exceeds upper bound " + hi);
        if (x.dtype() == DType.BOOL) throw new IllegalArgumentException("clip: does not support bool; cast to a numeric dtype first");
        return minimum(maximum(x, constantLike(lo, x)), constantLike(hi, x));
    }

    // ------------------------------------------------------------------ reductions

    /**
     * Reduction over axes, negative axes counting from the end: null reduces every axis, an empty array none (x
     * itself, as NumPy's and TensorFlow's {@code axis=()} / {@code axis=[]}), so that axes computed from a shape
     * (a rank-1 batch norm's) mean what they say.
     */
    public static Tensor reduce(ReduceFn fn, Tensor x, int[] axes, boolean keepDims) {
        String op = "reduce_" + fn.name().toLowerCase();
        int[] ax = Shapes.axes(op, axes, x.rank());
        if (ax.length == 0 && x.rank() > 0) {
            if (x.dtype() == DType.BOOL) throw new IllegalArgumentException(op + ": does not support bool; cast to int32 first");
            return x;
        }
        return Dispatcher.apply(new Op.Reduce(fn, ax, keepDims), x);
    }

    /** Sum over the given axes, over every axis when none are given (so {@code sum(x)} is the total). */
    public static Tensor sum(Tensor x, int... axes) { return reduce(ReduceFn.SUM, x, allIfNone(axes), false); }
    public static Tensor prod(Tensor x, int... axes) { return reduce(ReduceFn.PROD, x, allIfNone(axes), false); }
    public static Tensor max(Tensor x, int... axes) { return reduce(ReduceFn.MAX, x, allIfNone(axes), false); }
    public static Tensor min(Tensor x, int... axes) { return reduce(ReduceFn.MIN, x, allIfNone(axes), false); }

    /** The varargs forms read "no axes given" as every axis; the array forms read an empty array as none. */
    private static int[] allIfNone(int[] axes) {
        return axes == null || axes.length == 0 ? null : axes;
    }

    /** Mean over axes (every axis when null, none when empty: see {@link #reduce}). */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        requireFloating("mean", x);
        int[] ax = Shapes.axes("mean", axes, x.rank());
        long count = 1;
        boolean unknown = false;
        for (int a : ax) {
            if (x.dim(a) == Shapes.UNKNOWN) unknown = true;
            else count *= x.dim(a);
        }
        Tensor sum = reduce(ReduceFn.SUM, x, ax, keepDims);
        if (unknown) return sum.div(Dispatcher.apply(new Op.Size(ax), x)); // the count is known only when the graph runs
        return sum.div(count == 0 ? Double.NaN : count);
    }

    /** Population variance over axes (numpy's var with ddof 0, tf.math.reduce_variance). */
    public static Tensor variance(Tensor x, int[] axes, boolean keepDims) {
        requireFloating("variance", x);
        Shapes.axes("variance", axes, x.rank());
        Tensor centered = x.sub(mean(x, axes, true));
        return mean(centered.square(), axes, keepDims);
    }

    /** Population standard deviation over axes. */
    public static Tensor std(Tensor x, int[] axes, boolean keepDims) {
        requireFloating("std", x);
        Shapes.axes("std", axes, x.rank());
        return sqrt(variance(x, axes, keepDims));
    }

    /** log(sum(exp(x))) over axes, computed stably by shifting by the (gradient-stopped) maximum. */
    public static Tensor logSumExp(Tensor x, int[] axes, boolean keepDims) {
        requireFloating("logsumexp", x);
        int[] ax = Shapes.axes("logsumexp", axes, x.rank());
        Tensor m = stopGradient(reduce(ReduceFn.MAX, x, ax, true));
        // an all -inf slice would give -inf - -inf = nan; shift by 0 there instead
        Tensor finite = where(unary(UnaryFn.ABS, m).lt(constantLike(Double.POSITIVE_INFINITY, m)), m, zerosOf(m));
        Tensor s = log(reduce(ReduceFn.SUM, exp(x.sub(finite)), ax, true)).add(finite);
        return keepDims || ax.length == 0 ? s : ArrayOps.squeeze(s, ax);
    }

    public static Tensor argmax(Tensor x, int axis, boolean keepDims) {
        return Dispatcher.apply(new Op.ArgReduce(true, Shapes.axis("argmax", axis, x.rank()), keepDims), x);
    }

    public static Tensor argmin(Tensor x, int axis, boolean keepDims) {
        return Dispatcher.apply(new Op.ArgReduce(false, Shapes.axis("argmin", axis, x.rank()), keepDims), x);
    }

    // ------------------------------------------------------------------ linear algebra

    /**
     * Matrix product with NumPy's rules: batch dimensions broadcast; a 1-d left operand is a row vector and a 1-d
     * right operand a column vector, and the added dimension is removed from the result.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0)
            throw new IllegalArgumentException("matmul: cannot multiply " + Shapes.format(a.shape()) + " by " + Shapes.format(b.shape()) + ": scalars are not matrices (use mul)");
        boolean vecA = a.rank() == 1, vecB = b.rank() == 1;
        if ((vecA || vecB) && a.dim(-1) != b.dim(vecB ? 0 : -2))
            throw new IllegalArgumentException("matmul: cannot multiply " + Shapes.format(a.shape()) + " by " + Shapes.format(b.shape())
                    + ": inner dimensions " + a.dim(-1) + " and " + b.dim(vecB ? 0 : -2) + " differ");
        Tensor a2 = vecA ? ArrayOps.reshape(a, 1, a.dim(0)) : a;
        Tensor b2 = vecB ? ArrayOps.reshape(b, b.dim(0), 1) : b;
        Tensor c = matmul(a2, b2, false, false);
        if (vecA) c = ArrayOps.squeeze(c, new int[] {c.rank() - 2});
        if (vecB) c = ArrayOps.squeeze(c, new int[] {c.rank() - 1});
        return c;
    }

    /** Batched matrix product of rank &ge; 2 tensors, optionally transposing the last two axes of either. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        return Dispatcher.apply(new Op.MatMul(transposeA, transposeB), a, b);
    }

    static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(op + ": needs float32 or float64, got " + x.dtype());
    }
}
