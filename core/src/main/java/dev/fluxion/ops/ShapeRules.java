package dev.fluxion.ops;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Shapes;
import dev.fluxion.TensorType;

/** Validation helpers shared by the shape rules in {@link Op}; every failure names the op. */
final class ShapeRules {
    private ShapeRules() {}

    static IllegalArgumentException fail(Op op, String message) {
        return new IllegalArgumentException(op.name() + ": " + message);
    }

    static String fmt(int[] shape) {
        return Shapes.format(shape);
    }

    static void arity(Op op, TensorType[] in, int n) {
        if (in.length != n) throw fail(op, "takes " + n + " input(s), got " + in.length);
    }

    static DType sameDType(Op op, TensorType a, TensorType b) {
        if (a.dtype() != b.dtype())
            throw fail(op, "dtypes differ: " + a.dtype() + fmt(a.shape()) + " and " + b.dtype() + fmt(b.shape()) + " (cast one of them)");
        return a.dtype();
    }

    static DType floating(Op op, DType t) {
        if (!t.isFloating()) throw fail(op, "needs float32 or float64, got " + t);
        return t;
    }

    static Device device(Op op, TensorType... in) {
        Device d = in[0].device();
        for (TensorType t : in)
            if (!t.device().equals(d))
                throw fail(op, "inputs are on different devices, " + d + " and " + t.device() + "; move one explicitly with to(device)");
        return d;
    }

    static int[] broadcast(Op op, int[] a, int[] b) {
        int[] out = Shapes.broadcast(a, b);
        if (out == null) throw fail(op, "cannot broadcast shapes " + fmt(a) + " and " + fmt(b));
        return out;
    }

    static void checkAxes(Op op, int[] axes, int rank) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < 0 || axes[i] >= rank) throw fail(op, "axis " + axes[i] + " out of range for rank " + rank);
            if (i > 0 && axes[i] <= axes[i - 1]) throw fail(op, "axes must be sorted and distinct");
        }
    }

    static void checkPermutation(Op op, int[] perm, int rank) {
        if (perm.length != rank) throw fail(op, "permutation " + java.util.Arrays.toString(perm) + " does not match rank " + rank);
        boolean[] seen = new boolean[rank];
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) throw fail(op, "invalid permutation " + java.util.Arrays.toString(perm));
            seen[p] = true;
        }
    }

    static int[] reducedShape(int[] shape, int[] axes, boolean keepDims) {
        int[] out = new int[keepDims ? shape.length : shape.length - axes.length];
        for (int i = 0, j = 0, k = 0; i < shape.length; i++) {
            boolean reduced = k < axes.length && axes[k] == i;
            if (reduced) k++;
            if (reduced && !keepDims) continue;
            out[j++] = reduced ? 1 : shape[i];
        }
        return out;
    }

    static int sliceLength(int begin, int end, int step) {
        long n = step > 0 ? ((long) end - begin + step - 1) / step : ((long) begin - end - step - 1) / -step;
        return (int) Math.max(0, n);
    }

    static int[] gatherShape(int[] params, int[] indices, int axis) {
        int[] out = new int[params.length - 1 + indices.length];
        int j = 0;
        for (int i = 0; i < axis; i++) out[j++] = params[i];
        for (int d : indices) out[j++] = d;
        for (int i = axis + 1; i < params.length; i++) out[j++] = params[i];
        return out;
    }
}
