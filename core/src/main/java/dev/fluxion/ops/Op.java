package dev.fluxion.ops;

import dev.fluxion.DType;
import dev.fluxion.TensorType;

import java.util.Arrays;

import static dev.fluxion.ops.ShapeRules.*;

/**
 * The closed set of primitive operations. Every tensor operation in Fluxion is one of these or a composite written
 * with them, so gradient rules ({@code dev.fluxion.autodiff.Gradients}), backends and the graph compiler each
 * handle exactly this list: a new primitive does not compile until every exhaustive switch over it has a case.
 *
 * <p>Each record carries its static attributes and its shape/dtype rule, {@link #infer}, which validates the
 * inputs and fails with an {@link IllegalArgumentException} naming the op and the offending shapes or dtypes.
 */
public sealed interface Op {
    /** The user-facing name used in error messages and graph dumps. */
    String name();

    /** Validates the input types and returns the output type. */
    TensorType infer(TensorType... in);

    /** Identity whose output the gradient tape treats as a constant (tf.stop_gradient). */
    record StopGradient() implements Op {
        public String name() { return "stop_gradient"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            return in[0];
        }
    }

    /** Identity that prints its input every time it runs, eagerly or inside a compiled graph. */
    record Print(String label) implements Op {
        public String name() { return "print"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            return in[0];
        }
    }

    /** Identity that fails with {@code message} if its floating input holds a NaN or an infinity. */
    record CheckNumerics(String message) implements Op {
        public String name() { return "check_numerics"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            floating(this, in[0].dtype());
            return in[0];
        }
    }

    /**
     * The op with every unknown (batch) dimension in its attributes replaced by {@code batch}, given its inputs'
     * types before resolution; used to specialize a graph traced with an input signature.
     */
    default Op resolve(int batch, TensorType[] in) {
        return this;
    }

    /** Whether running the op has an effect besides its output (such ops are never merged or removed). */
    default boolean hasSideEffects() {
        return this instanceof Print || this instanceof CheckNumerics;
    }

    /**
     * The number of elements of the input along the given axes, as a 0-d tensor of the input's dtype (tf.size). It
     * reads the run-time shape, so means over an unknown batch dimension divide by the true count.
     */
    record Size(int[] axes) implements Op {
        public String name() { return "size"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            if (in[0].dtype() == DType.BOOL) throw fail(this, "does not support bool");
            checkAxes(this, axes, in[0].rank());
            return new TensorType(in[0].dtype(), new int[0], in[0].device());
        }

        @Override public boolean equals(Object o) { return o instanceof Size z && Arrays.equals(z.axes, axes); }
        @Override public int hashCode() { return Arrays.hashCode(axes); }
        @Override public String toString() { return "size" + Arrays.toString(axes); }
    }

    /** Elementwise function of one tensor. */
    record Unary(UnaryFn fn) implements Op {
        public String name() { return fn.name().toLowerCase(); }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            DType t = in[0].dtype();
            if (fn == UnaryFn.NOT ? t != DType.BOOL : !(t.isFloating() || (t.isInteger() && fn.acceptsIntegers())))
                throw fail(this, "does not support dtype " + t + (fn == UnaryFn.NOT ? " (needs bool)" : ""));
            return in[0];
        }
    }

    /** Elementwise function of two tensors of the same dtype, with NumPy broadcasting. */
    record Binary(BinaryFn fn) implements Op {
        public String name() { return fn.name().toLowerCase(); }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            DType t = sameDType(this, in[0], in[1]);
            if (fn.isLogical() && t != DType.BOOL) throw fail(this, "needs bool inputs, got " + t);
            if (t == DType.BOOL && !fn.isLogical() && fn != BinaryFn.EQ && fn != BinaryFn.NE)
                throw fail(this, "does not support bool inputs; cast them first");
            int[] shape = broadcast(this, in[0].shape(), in[1].shape());
            return new TensorType(fn.isPredicate() ? DType.BOOL : t, shape, device(this, in));
        }
    }

    /** where(cond, a, b): a where cond is true else b, all three broadcast together. */
    record Where() implements Op {
        public String name() { return "where"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 3);
            if (in[0].dtype() != DType.BOOL) throw fail(this, "condition must be bool, got " + in[0].dtype());
            DType t = sameDType(this, in[1], in[2]);
            int[] shape = broadcast(this, broadcast(this, in[0].shape(), in[1].shape()), in[2].shape());
            return new TensorType(t, shape, device(this, in));
        }
    }

    /** Conversion to another dtype (float to int truncates toward zero; nonzero to bool is true). */
    record Cast(DType to) implements Op {
        public String name() { return "cast"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            return in[0].withDType(to);
        }
    }

    /** Reduction over sorted, distinct axes. */
    record Reduce(ReduceFn fn, int[] axes, boolean keepDims) implements Op {
        public String name() { return "reduce_" + fn.name().toLowerCase(); }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            if (in[0].dtype() == DType.BOOL) throw fail(this, "does not support bool; cast to int32 first");
            checkAxes(this, axes, in[0].rank());
            return in[0].withShape(reducedShape(in[0].shape(), axes, keepDims));
        }

        @Override public boolean equals(Object o) { return o instanceof Reduce r && r.fn == fn && Arrays.equals(r.axes, axes) && r.keepDims == keepDims; }
        @Override public int hashCode() { return fn.hashCode() * 31 + Arrays.hashCode(axes) + (keepDims ? 1 : 0); }
        @Override public String toString() { return name() + Arrays.toString(axes) + (keepDims ? " keepdims" : ""); }
    }

    /** Index of the maximum (or minimum) along one axis, as int64. */
    record ArgReduce(boolean max, int axis, boolean keepDims) implements Op {
        public String name() { return max ? "argmax" : "argmin"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            checkAxes(this, new int[] {axis}, in[0].rank());
            if (in[0].shape()[axis] == 0) throw fail(this, "cannot take " + name() + " over an empty axis of " + fmt(in[0].shape()));
            return new TensorType(DType.INT64, reducedShape(in[0].shape(), new int[] {axis}, keepDims), in[0].device());
        }
    }

    /** Same elements, new shape (a view when the layout allows). */
    record Reshape(int[] shape) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return new Reshape(dev.fluxion.Shapes.resolve(shape, b)); }

        public String name() { return "reshape"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            int[] from = in[0].shape();
            boolean fromUnknown = dev.fluxion.Shapes.hasUnknown(from), toUnknown = dev.fluxion.Shapes.hasUnknown(shape);
            boolean ok = fromUnknown || toUnknown
                    ? fromUnknown && toUnknown && dev.fluxion.Shapes.knownSize(from) == dev.fluxion.Shapes.knownSize(shape)
                    : dev.fluxion.Shapes.size(shape) == in[0].size();
            if (!ok)
                throw fail(this, "cannot reshape " + fmt(from) + " (" + in[0].size() + " elements) to " + fmt(shape));
            return in[0].withShape(shape);
        }

        @Override public boolean equals(Object o) { return o instanceof Reshape r && Arrays.equals(r.shape, shape); }
        @Override public int hashCode() { return Arrays.hashCode(shape); }
        @Override public String toString() { return "reshape" + fmt(shape); }
    }

    /** Axis permutation (transpose), always a view. */
    record Permute(int[] perm) implements Op {
        public String name() { return "transpose"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            int[] s = in[0].shape();
            checkPermutation(this, perm, s.length);
            int[] out = new int[s.length];
            for (int i = 0; i < s.length; i++) out[i] = s[perm[i]];
            return in[0].withShape(out);
        }

        @Override public boolean equals(Object o) { return o instanceof Permute p && Arrays.equals(p.perm, perm); }
        @Override public int hashCode() { return Arrays.hashCode(perm); }
        @Override public String toString() { return "transpose" + Arrays.toString(perm); }
    }

    /** Broadcast to a larger shape (broadcast_to), a view with zero strides. */
    record Expand(int[] shape) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return new Expand(dev.fluxion.Shapes.resolve(shape, b)); }

        public String name() { return "broadcast_to"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            if (!dev.fluxion.Shapes.broadcastsTo(in[0].shape(), shape))
                throw fail(this, "cannot broadcast " + fmt(in[0].shape()) + " to " + fmt(shape));
            return in[0].withShape(shape);
        }

        @Override public boolean equals(Object o) { return o instanceof Expand e && Arrays.equals(e.shape, shape); }
        @Override public int hashCode() { return Arrays.hashCode(shape); }
        @Override public String toString() { return "broadcast_to" + fmt(shape); }
    }

    /**
     * Strided slice with already-normalized bounds: per axis, indices begin, begin+step, ... while before end
     * (step &gt; 0) or after end (step &lt; 0). A view.
     */
    record Slice(int[] begin, int[] end, int[] step) implements Op {
        @Override public Op resolve(int b, TensorType[] in) {
            int[] e = end.clone();
            for (int i = 0; i < e.length; i++) if (in[0].dim(i) == dev.fluxion.Shapes.UNKNOWN) e[i] = b;
            return new Slice(begin, e, step);
        }

        public String name() { return "slice"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            int[] s = in[0].shape();
            if (begin.length != s.length || end.length != s.length || step.length != s.length)
                throw fail(this, "needs one (begin, end, step) per axis of " + fmt(s));
            int[] out = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                if (step[i] == 0) throw fail(this, "step must be nonzero on axis " + i);
                if (s[i] == dev.fluxion.Shapes.UNKNOWN) { // an unknown axis can only be kept whole
                    if (begin[i] != 0 || end[i] != dev.fluxion.Shapes.UNKNOWN || step[i] != 1)
                        throw fail(this, "cannot slice the unknown batch axis " + i + " of " + fmt(s));
                    out[i] = dev.fluxion.Shapes.UNKNOWN;
                    continue;
                }
                out[i] = sliceLength(begin[i], end[i], step[i]);
                if (out[i] > 0 && (begin[i] < 0 || begin[i] >= s[i] || begin[i] + (long) (out[i] - 1) * step[i] < 0
                        || begin[i] + (long) (out[i] - 1) * step[i] >= s[i]))
                    throw fail(this, "bounds [" + begin[i] + ":" + end[i] + ":" + step[i] + "] out of range for axis " + i + " of " + fmt(s));
            }
            return in[0].withShape(out);
        }

        @Override public boolean equals(Object o) { return o instanceof Slice x && Arrays.equals(x.begin, begin) && Arrays.equals(x.end, end) && Arrays.equals(x.step, step); }
        @Override public int hashCode() { return (Arrays.hashCode(begin) * 31 + Arrays.hashCode(end)) * 31 + Arrays.hashCode(step); }
        @Override public String toString() { return "slice" + Arrays.toString(begin) + Arrays.toString(end) + Arrays.toString(step); }
    }

    /** Constant padding: {@code before[i]} and {@code after[i]} elements of {@code value} around axis i. */
    record Pad(int[] before, int[] after, double value) implements Op {
        public String name() { return "pad"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            int[] s = in[0].shape();
            if (before.length != s.length || after.length != s.length)
                throw fail(this, "needs one (before, after) pair per axis of " + fmt(s) + ", got " + before.length);
            int[] out = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                if (before[i] < 0 || after[i] < 0) throw fail(this, "negative padding on axis " + i);
                if (s[i] == dev.fluxion.Shapes.UNKNOWN && before[i] + after[i] > 0)
                    throw fail(this, "cannot pad the unknown batch axis " + i + " of " + fmt(s));
                out[i] = s[i] == dev.fluxion.Shapes.UNKNOWN ? s[i] : s[i] + before[i] + after[i];
            }
            return in[0].withShape(out);
        }

        @Override public boolean equals(Object o) { return o instanceof Pad p && Arrays.equals(p.before, before) && Arrays.equals(p.after, after) && Double.compare(p.value, value) == 0; }
        @Override public int hashCode() { return Arrays.hashCode(before) * 31 + Arrays.hashCode(after) + Double.hashCode(value); }
        @Override public String toString() { return "pad" + Arrays.toString(before) + Arrays.toString(after) + "=" + value; }
    }

    /** Concatenation of one or more tensors along an axis. */
    record Concat(int axis) implements Op {
        public String name() { return "concat"; }

        public TensorType infer(TensorType... in) {
            if (in.length == 0) throw fail(this, "needs at least one tensor");
            int[] first = in[0].shape();
            checkAxes(this, new int[] {axis}, first.length);
            int total = 0;
            for (TensorType t : in) {
                sameDType(this, in[0], t);
                int[] s = t.shape();
                boolean ok = s.length == first.length;
                for (int i = 0; ok && i < s.length; i++) ok = i == axis || s[i] == first[i];
                if (!ok) throw fail(this, "shapes " + fmt(first) + " and " + fmt(s) + " differ outside axis " + axis);
                total = total == dev.fluxion.Shapes.UNKNOWN || s[axis] == dev.fluxion.Shapes.UNKNOWN ? dev.fluxion.Shapes.UNKNOWN : total + s[axis];
            }
            int[] out = first.clone();
            out[axis] = total;
            return new TensorType(in[0].dtype(), out, device(this, in));
        }
    }

    /** Batched matrix product of rank &ge; 2 tensors; leading (batch) dimensions broadcast. */
    record MatMul(boolean transposeA, boolean transposeB) implements Op {
        public String name() { return "matmul"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            DType t = sameDType(this, in[0], in[1]);
            if (!t.isFloating()) throw fail(this, "needs float32 or float64 inputs, got " + t);
            int[] a = in[0].shape(), b = in[1].shape();
            if (a.length < 2 || b.length < 2) throw fail(this, "needs inputs of rank >= 2, got " + fmt(a) + " and " + fmt(b));
            int m = a[a.length - (transposeA ? 1 : 2)], ka = a[a.length - (transposeA ? 2 : 1)];
            int kb = b[b.length - (transposeB ? 1 : 2)], n = b[b.length - (transposeB ? 2 : 1)];
            if (ka != kb && ka != dev.fluxion.Shapes.UNKNOWN && kb != dev.fluxion.Shapes.UNKNOWN)
                throw fail(this, "cannot multiply " + fmt(a) + (transposeA ? "ᵀ" : "") + " by " + fmt(b) + (transposeB ? "ᵀ" : "")
                        + ": inner dimensions " + ka + " and " + kb + " differ");
            int[] batch = broadcast(this, Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
            int[] out = Arrays.copyOf(batch, batch.length + 2);
            out[batch.length] = m;
            out[batch.length + 1] = n;
            return new TensorType(t, out, device(this, in));
        }
    }

    /** 2-D convolution, x NHWC [n,h,w,c] with filter HWIO [kh,kw,c,o], explicit padding (see {@link Window2d}). */
    record Conv2D(Window2d window) implements Op {
        public String name() { return "conv2d"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            DType t = floating(this, sameDType(this, in[0], in[1]));
            int[] x = in[0].shape(), f = in[1].shape();
            if (x.length != 4 || f.length != 4) throw fail(this, "needs input NHWC and filter HWIO of rank 4, got " + fmt(x) + " and " + fmt(f));
            if (x[3] != f[2]) throw fail(this, "input " + fmt(x) + " has " + x[3] + " channels but filter " + fmt(f) + " expects " + f[2]);
            int oh = window.outputHeight(x[1], f[0]), ow = window.outputWidth(x[2], f[1]);
            if (oh <= 0 || ow <= 0) throw fail(this, "filter " + fmt(f) + " does not fit input " + fmt(x) + " with " + window);
            return new TensorType(t, new int[] {x[0], oh, ow, f[3]}, device(this, in));
        }
    }

    /** Gradient of conv2d with respect to its input: inputs (dy, filter), output of {@code inputShape}. */
    record Conv2DBackpropInput(int[] inputShape, Window2d window) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return new Conv2DBackpropInput(dev.fluxion.Shapes.resolve(inputShape, b), window); }

        public String name() { return "conv2d_backprop_input"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            DType t = floating(this, sameDType(this, in[0], in[1]));
            int[] dy = in[0].shape(), f = in[1].shape();
            int[] expected = new Conv2D(window).infer(new TensorType(t, inputShape, in[1].device()), in[1]).shape();
            if (!Arrays.equals(dy, expected)) throw fail(this, "dy " + fmt(dy) + " does not match conv2d output " + fmt(expected));
            return new TensorType(t, inputShape, device(this, in));
        }

        @Override public boolean equals(Object o) { return o instanceof Conv2DBackpropInput c && Arrays.equals(c.inputShape, inputShape) && c.window.equals(window); }
        @Override public int hashCode() { return Arrays.hashCode(inputShape) * 31 + window.hashCode(); }
        @Override public String toString() { return name() + fmt(inputShape) + window; }
    }

    /** Gradient of conv2d with respect to its filter: inputs (x, dy), output of {@code filterShape}. */
    record Conv2DBackpropFilter(int[] filterShape, Window2d window) implements Op {
        public String name() { return "conv2d_backprop_filter"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            DType t = floating(this, sameDType(this, in[0], in[1]));
            int[] expected = new Conv2D(window).infer(in[0], new TensorType(t, filterShape, in[0].device())).shape();
            if (!Arrays.equals(in[1].shape(), expected)) throw fail(this, "dy " + fmt(in[1].shape()) + " does not match conv2d output " + fmt(expected));
            return new TensorType(t, filterShape, device(this, in));
        }

        @Override public boolean equals(Object o) { return o instanceof Conv2DBackpropFilter c && Arrays.equals(c.filterShape, filterShape) && c.window.equals(window); }
        @Override public int hashCode() { return Arrays.hashCode(filterShape) * 31 + window.hashCode(); }
        @Override public String toString() { return name() + fmt(filterShape) + window; }
    }

    /** Max or average pooling over NHWC windows; average excludes padded cells from the divisor (TF's rule). */
    record Pool2D(boolean max, int kh, int kw, Window2d window) implements Op {
        public String name() { return max ? "max_pool2d" : "avg_pool2d"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            DType t = floating(this, in[0].dtype());
            int[] x = in[0].shape();
            if (x.length != 4) throw fail(this, "needs an NHWC input of rank 4, got " + fmt(x));
            if (kh <= 0 || kw <= 0) throw fail(this, "window must be positive, got " + kh + "x" + kw);
            int oh = window.outputHeight(x[1], kh), ow = window.outputWidth(x[2], kw);
            if (oh <= 0 || ow <= 0) throw fail(this, "window " + kh + "x" + kw + " does not fit input " + fmt(x) + " with " + window);
            return new TensorType(t, new int[] {x[0], oh, ow, x[3]}, in[0].device());
        }
    }

    /**
     * Gradient of pooling with respect to its input. Max pooling takes (x, dy) and routes each dy to the first
     * maximal cell of its window; average pooling takes (dy) alone and spreads it evenly.
     */
    record Pool2DGrad(Pool2D forward, int[] inputShape) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return new Pool2DGrad(forward, dev.fluxion.Shapes.resolve(inputShape, b)); }

        public String name() { return forward.name() + "_grad"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, forward.max() ? 2 : 1);
            TensorType dy = in[in.length - 1];
            int[] expected = forward.infer(new TensorType(dy.dtype(), inputShape)).shape();
            if (!Arrays.equals(dy.shape(), expected)) throw fail(this, "dy " + fmt(dy.shape()) + " does not match pooled shape " + fmt(expected));
            if (forward.max() && !Arrays.equals(in[0].shape(), inputShape)) throw fail(this, "x " + fmt(in[0].shape()) + " is not " + fmt(inputShape));
            return new TensorType(dy.dtype(), inputShape, device(this, in));
        }

        @Override public boolean equals(Object o) { return o instanceof Pool2DGrad g && g.forward.equals(forward) && Arrays.equals(g.inputShape, inputShape); }
        @Override public int hashCode() { return forward.hashCode() * 31 + Arrays.hashCode(inputShape); }
        @Override public String toString() { return name() + fmt(inputShape); }
    }

    /**
     * For each max-pooling window, the value of g (shaped like the pooled input x) at the window's first maximal cell
     * of x: the adjoint of max pooling's gradient, needed for second-order gradients. Inputs (x, g).
     */
    record MaxPoolSelect(Pool2D forward) implements Op {
        public String name() { return "max_pool2d_select"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            sameDType(this, in[0], in[1]);
            if (!Arrays.equals(in[0].shape(), in[1].shape())) throw fail(this, "x " + fmt(in[0].shape()) + " and g " + fmt(in[1].shape()) + " differ");
            return forward.infer(in[0]);
        }
    }

    /** gather(params, indices) along an axis: out shape = params[:axis] + indices + params[axis+1:]. */
    record Gather(int axis) implements Op {
        public String name() { return "gather"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            if (!in[1].dtype().isInteger()) throw fail(this, "indices must be int32 or int64, got " + in[1].dtype());
            int[] p = in[0].shape(), idx = in[1].shape();
            checkAxes(this, new int[] {axis}, p.length);
            return new TensorType(in[0].dtype(), gatherShape(p, idx, axis), device(this, in));
        }
    }

    /**
     * The adjoint of gather: sums {@code updates} into a zero tensor whose axis has {@code dimSize} entries, at the
     * given indices (TF's unsorted_segment_sum, generalized to an axis). Duplicate indices accumulate.
     */
    record ScatterAdd(int axis, int dimSize) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return dimSize == dev.fluxion.Shapes.UNKNOWN ? new ScatterAdd(axis, b) : this; }

        public String name() { return "scatter_add"; }

        public TensorType infer(TensorType... in) {
            arity(this, in, 2);
            if (!in[1].dtype().isInteger()) throw fail(this, "indices must be int32 or int64, got " + in[1].dtype());
            int[] u = in[0].shape(), idx = in[1].shape();
            int outRank = u.length - idx.length + 1;
            if (axis < 0 || axis >= outRank) throw fail(this, "axis " + axis + " out of range");
            for (int i = 0; i < idx.length; i++)
                if (u[axis + i] != idx[i]) throw fail(this, "updates " + fmt(u) + " do not match indices " + fmt(idx) + " at axis " + axis);
            int[] out = new int[outRank];
            for (int i = 0; i < outRank; i++) out[i] = i < axis ? u[i] : i == axis ? dimSize : u[i + idx.length - 1];
            return new TensorType(in[0].dtype(), out, device(this, in));
        }
    }

    /**
     * Counter-based random numbers (Philox4x32-10). The single input is an int64 [2] key (seed, counter), so the
     * same key gives the same numbers on every backend and thread count, and a traced graph can advance it.
     */
    record Random(RandomKind kind, int[] shape, DType dtype) implements Op {
        @Override public Op resolve(int b, TensorType[] in) { return new Random(kind, dev.fluxion.Shapes.resolve(shape, b), dtype); }

        public String name() { return "random_" + kind.name().toLowerCase(); }

        public TensorType infer(TensorType... in) {
            arity(this, in, 1);
            if (in[0].dtype() != DType.INT64 || !Arrays.equals(in[0].shape(), new int[] {2}))
                throw fail(this, "key must be int64 [2], got " + in[0]);
            floating(this, dtype);
            return new TensorType(dtype, dev.fluxion.Shapes.checkAllowingUnknown(name(), shape), in[0].device());
        }

        @Override public boolean equals(Object o) { return o instanceof Random r && r.kind == kind && r.dtype == dtype && Arrays.equals(r.shape, shape); }
        @Override public int hashCode() { return kind.hashCode() * 31 + Arrays.hashCode(shape) + dtype.hashCode(); }
        @Override public String toString() { return name() + fmt(shape) + dtype; }
    }

    /** Distributions of the {@link Random} primitive. */
    enum RandomKind { UNIFORM, NORMAL, TRUNCATED_NORMAL }
}
