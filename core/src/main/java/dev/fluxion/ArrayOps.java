package dev.fluxion;

import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;

import java.util.Arrays;

/**
 * Shape and indexing operations: reshape, transpose, broadcasting, slicing, padding, concatenation and their
 * composites (stack, split, tile, squeeze), plus gather and one-hot. Views where the layout allows.
 */
public final class ArrayOps {
    private ArrayOps() {}

    /** Reshape; one dimension may be -1 and is inferred. A view when the input is contiguous. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = inferShape(x, shape);
        if (Arrays.equals(s, x.shape())) return x;
        return Dispatcher.apply(new Op.Reshape(s), x);
    }

    private static int[] inferShape(Tensor x, int[] shape) {
        int[] s = shape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shapes.format(shape));
                unknown = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + s[i] + " in " + Shapes.format(shape));
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0 && Shapes.hasUnknown(x.shape())) {
            // only the unknown batch dimension can be left to infer: the known parts must match exactly
            if (Shapes.knownSize(x.shape()) != known)
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.format(x.shape()) + " to " + Shapes.format(shape)
                        + ": with an unknown batch dimension the other dimensions must keep " + Shapes.knownSize(x.shape()) + " elements");
            s[unknown] = Shapes.UNKNOWN;
        } else if (unknown >= 0) {
            if (known == 0 || x.size() % known != 0)
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.format(x.shape()) + " (" + x.size() + " elements) to " + Shapes.format(shape));
            s[unknown] = (int) (x.size() / known);
        }
        return s;
    }

    /** Reverses the axes. */
    public static Tensor transpose(Tensor x) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        return transpose(x, perm);
    }

    /** Permutes the axes: output axis i is input axis perm[i]. */
    public static Tensor transpose(Tensor x, int... perm) {
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
        if (identity && perm.length == x.rank()) return x;
        return Dispatcher.apply(new Op.Permute(perm.clone()), x);
    }

    /** Swaps the last two axes (matrix transpose of each batch item). */
    public static Tensor matrixTranspose(Tensor x) {
        int r = x.rank();
        if (r < 2) throw new IllegalArgumentException("matrix_transpose: needs rank >= 2, got " + Shapes.format(x.shape()));
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return transpose(x, perm);
    }

    /** Broadcasts to a shape (a view with zero strides). */
    public static Tensor broadcastTo(Tensor x, int... shape) {
        if (Arrays.equals(x.shape(), shape)) return x;
        return Dispatcher.apply(new Op.Expand(shape.clone()), x);
    }

    /** Inserts a dimension of size 1 at {@code axis} (negative counts from the end of the result). */
    public static Tensor expandDims(Tensor x, int axis) {
        int a = Shapes.axis("expand_dims", axis, x.rank() + 1);
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == a ? 1 : s[j++];
        return reshape(x, out);
    }

    /** Removes the given axes, which must have size 1 (all size-1 axes when none are given). */
    public static Tensor squeeze(Tensor x, int... axes) {
        int[] s = x.shape();
        boolean[] drop = new boolean[s.length];
        if (axes.length == 0) {
            for (int i = 0; i < s.length; i++) drop[i] = s[i] == 1;
        } else {
            for (int a : axes) {
                int n = Shapes.axis("squeeze", a, s.length);
                if (s[n] != 1) throw new IllegalArgumentException("squeeze: axis " + a + " of " + Shapes.format(s) + " has size " + s[n] + ", not 1");
                drop[n] = true;
            }
        }
        return reshape(x, Arrays.stream(indices(s.length)).filter(i -> !drop[i]).map(i -> s[i]).toArray());
    }

    /**
     * Python-style slice along one axis: indices from, from+step, ... stopping before {@code to}; negative indices
     * count from the end and bounds are clamped, as in NumPy. A view.
     */
    public static Tensor slice(Tensor x, int axis, int from, int to, int step) {
        int a = Shapes.axis("slice", axis, x.rank());
        if (step == 0) throw new IllegalArgumentException("slice: step must be nonzero");
        int[] s = x.shape();
        int n = s[a];
        int[] begin = new int[s.length], end = s.clone(), steps = new int[s.length];
        Arrays.fill(steps, 1);
        int b = normalize(from, n, step > 0 ? 0 : -1, step > 0 ? n : n - 1);
        int e = normalize(to, n, step > 0 ? 0 : -1, step > 0 ? n : n - 1);
        begin[a] = b;
        end[a] = e;
        steps[a] = step;
        if (step > 0 && b >= e || step < 0 && b <= e) { // empty
            begin[a] = 0;
            end[a] = 0;
            steps[a] = 1;
        }
        if (begin[a] == 0 && end[a] == n && steps[a] == 1) return x;
        return Dispatcher.apply(new Op.Slice(begin, end, steps), x);
    }

    private static int normalize(int index, int n, int lo, int hi) {
        if (index == Integer.MAX_VALUE) return hi;
        if (index == Integer.MIN_VALUE) return lo;
        int i = index < 0 ? index + n : index;
        return Math.max(lo, Math.min(hi, i));
    }

    /** Element i along an axis, with the axis removed (negative i counts from the end). */
    public static Tensor index(Tensor x, int axis, int i) {
        int a = Shapes.axis("index", axis, x.rank());
        int n = x.shape()[a];
        int k = i < 0 ? i + n : i;
        if (k < 0 || k >= n) throw new IllegalArgumentException("index: index " + i + " is out of range for axis " + axis + " with size " + n);
        return squeeze(slice(x, a, k, k + 1, 1), a);
    }

    /** Reverses the order along an axis. */
    public static Tensor flip(Tensor x, int axis) {
        Shapes.axis("flip", axis, x.rank());
        return slice(x, axis, -1, Integer.MIN_VALUE, -1);
    }

    /** Constant padding: {@code pads[i] = {before, after}} for each axis. */
    public static Tensor pad(Tensor x, int[][] pads, double value) {
        if (pads.length != x.rank())
            throw new IllegalArgumentException("pad: needs " + x.rank() + " (before, after) pairs for " + Shapes.format(x.shape()) + ", got " + pads.length);
        int[] before = new int[pads.length], after = new int[pads.length];
        for (int i = 0; i < pads.length; i++) {
            if (pads[i].length != 2) throw new IllegalArgumentException("pad: pair " + i + " must have 2 entries");
            before[i] = pads[i][0];
            after[i] = pads[i][1];
        }
        return Dispatcher.apply(new Op.Pad(before, after, value), x);
    }

    /** Concatenates along an existing axis. */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: needs at least one tensor");
        if (xs.length == 1) return xs[0];
        return Dispatcher.apply(new Op.Concat(Shapes.axis("concat", axis, xs[0].rank())), xs);
    }

    /** Stacks equally shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
        int a = Shapes.axis("stack", axis, xs[0].rank() + 1);
        Tensor[] expanded = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (xs[i].dtype() != xs[0].dtype())
                throw new IllegalArgumentException("stack: dtypes differ: tensor 0 is " + xs[0].dtype() + ", tensor " + i + " is " + xs[i].dtype());
            if (!Arrays.equals(xs[i].shape(), xs[0].shape()))
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.format(xs[i].shape()) + ", tensor 0 has " + Shapes.format(xs[0].shape()));
            expanded[i] = expandDims(xs[i], a);
        }
        return xs.length == 1 ? expanded[0] : Dispatcher.apply(new Op.Concat(a), expanded);
    }

    /** Splits into {@code parts} equal pieces along an axis. */
    public static Tensor[] split(Tensor x, int parts, int axis) {
        int a = Shapes.axis("split", axis, x.rank());
        int n = x.shape()[a];
        if (parts <= 0 || n % parts != 0)
            throw new IllegalArgumentException("split: axis " + axis + " of size " + n + " cannot be split into " + parts + " equal parts");
        int[] sizes = new int[parts];
        Arrays.fill(sizes, n / parts);
        return split(x, sizes, a);
    }

    /** Splits into pieces of the given sizes along an axis. */
    public static Tensor[] split(Tensor x, int[] sizes, int axis) {
        int a = Shapes.axis("split", axis, x.rank());
        for (int size : sizes) if (size < 0) throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes));
        int total = Arrays.stream(sizes).sum();
        if (total != x.shape()[a])
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to " + total + ", axis " + axis + " has " + x.shape()[a]);
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, start = 0; i < sizes.length; start += sizes[i], i++) out[i] = slice(x, a, start, start + sizes[i], 1);
        return out;
    }

    /** Repeats the tensor {@code reps[i]} times along axis i (np.tile / tf.tile with reps of the same rank). */
    public static Tensor tile(Tensor x, int... reps) {
        int[] s = x.shape();
        if (reps.length != s.length) throw new IllegalArgumentException("tile: needs " + s.length + " repetitions for " + Shapes.format(s) + ", got " + reps.length);
        // [d0..] -> [1,d0,1,d1,...] -> broadcast [r0,d0,r1,d1,...] -> reshape [r0*d0, ...]
        int[] inter = new int[2 * s.length], big = new int[2 * s.length], out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            if (reps[i] < 0) throw new IllegalArgumentException("tile: negative repetition " + reps[i]);
            inter[2 * i] = 1;
            inter[2 * i + 1] = s[i];
            big[2 * i] = reps[i];
            big[2 * i + 1] = s[i];
            out[i] = reps[i] * s[i];
        }
        return reshape(broadcastTo(reshape(x, inter), big), out);
    }

    /** Gathers slices along an axis at integer indices: out shape = x[:axis] + indices + x[axis+1:]. */
    public static Tensor gather(Tensor x, Tensor indices, int axis) {
        return Dispatcher.apply(new Op.Gather(Shapes.axis("gather", axis, x.rank())), x, indices);
    }

    /** Rows of {@code x} at the given indices (gather along axis 0). */
    public static Tensor take(Tensor x, Tensor indices) {
        return gather(x, indices, 0);
    }

    /** One-hot encoding of integer labels into a new last axis of {@code depth} (float32); out-of-range rows are zeros. */
    public static Tensor oneHot(Tensor labels, int depth) {
        return oneHot(labels, depth, DType.FLOAT32);
    }

    public static Tensor oneHot(Tensor labels, int depth, DType dtype) {
        if (!labels.dtype().isInteger()) throw new IllegalArgumentException("one_hot: labels must be int32 or int64, got " + labels.dtype());
        if (depth < 0) throw new IllegalArgumentException("one_hot: depth must be >= 0, got " + depth);
        Tensor classes = Tensor.arange(0, depth, 1, labels.dtype());
        if (!labels.device().equals(Device.CPU)) classes = classes.to(labels.device());
        Tensor hot = Ops.binary(BinaryFn.EQ, expandDims(labels, -1), classes);
        return Ops.cast(hot, dtype);
    }

    /**
     * The adjoint of a strided slice: places {@code g} (the slice's gradient) into zeros of {@code inputShape} at
     * the slice's positions. Written with pad, reshape and slice so it is itself differentiable.
     */
    public static Tensor unslice(Tensor g, int[] inputShape, int[] begin, int[] step) {
        Tensor out = g;
        for (int axis = 0; axis < inputShape.length; axis++) {
            int len = g.shape()[axis], n = inputShape[axis];
            int st = step[axis], b = begin[axis];
            if (len == n && st == 1) continue;
            if (st < 0) { // reverse first, then treat as a forward slice starting at the last selected index
                out = flip(out, axis);
                b = b + (len - 1) * st;
                st = -st;
            }
            if (st > 1 && len > 0) { // interleave st-1 zeros after each element: [.., len, ..] -> [.., len*st, ..]
                int[] s = out.shape();
                int[] withGap = insertAfter(s, axis, 1);
                Tensor r = reshape(out, withGap);
                int[][] pads = new int[withGap.length][2];
                pads[axis + 1][1] = st - 1;
                r = Dispatcher.apply(new Op.Pad(column(pads, 0), column(pads, 1), 0), r);
                int[] merged = s.clone();
                merged[axis] = len * st;
                out = slice(reshape(r, merged), axis, 0, (len - 1) * st + 1, 1);
            }
            int size = out.shape()[axis];
            int[][] pads = new int[inputShape.length][2];
            pads[axis][0] = len == 0 ? 0 : b;
            pads[axis][1] = n - size - pads[axis][0];
            out = Dispatcher.apply(new Op.Pad(column(pads, 0), column(pads, 1), 0), out);
        }
        return out;
    }

    private static int[] insertAfter(int[] s, int axis, int value) {
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis + 1 ? value : s[j++];
        return out;
    }

    private static int[] column(int[][] pairs, int c) {
        int[] out = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) out[i] = pairs[i][c];
        return out;
    }

    private static int[] indices(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
