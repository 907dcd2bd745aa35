package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

import java.util.List;

/**
 * The dot product of two inputs along an axis of each, per example (Keras {@code Dot}, a batch dot): for x of shape
 * [N, a...] and y of shape [N, b...] contracted over x's axis {@code axes[0]} and y's {@code axes[1]} (equal sizes),
 * the output is [N, a... without that axis, b... without that axis], or [N, 1] when nothing else is left (two
 * vectors). Axes count the batch as 0 and may be negative; the batch axis itself cannot be contracted. With
 * {@link #normalize(boolean)} both inputs are first l2-normalized along their contracted axis, which makes the
 * output the cosine similarity. The output has no mask (Keras).
 */
public class Dot extends Merge {
    /** The norm below which a vector is divided by this floor instead (Keras' epsilon), so zeros stay finite. */
    static final double EPSILON = 1e-7;

    private final int axis0, axis1;
    private boolean normalize;

    /** The same axis of both inputs. */
    public Dot(int axes) {
        this(axes, axes);
    }

    /** Axis {@code axis0} of input 0 against axis {@code axis1} of input 1. */
    public Dot(int axis0, int axis1) {
        this.axis0 = axis0;
        this.axis1 = axis1;
    }

    /** Whether to l2-normalize each input along its contracted axis first (cosine similarity); default false. */
    public Dot normalize(boolean normalize) {
        this.normalize = normalize;
        return this;
    }

    public boolean normalize() {
        return normalize;
    }

    /** The two contracted axes as given. */
    public int[] axes() {
        return new int[] {axis0, axis1};
    }

    private String label() {
        return "Dot '" + name() + "'";
    }

    @Override
    protected Tensor merge(List<Tensor> xs) {
        if (xs.size() != 2)
            throw new IllegalArgumentException(label() + ": needs exactly 2 inputs, got " + xs.size() + " of shapes " + ElementwiseMerge.shapes(xs));
        Tensor x = xs.get(0), y = xs.get(1);
        int[] sx = x.shape(), sy = y.shape();
        if (sx.length < 2 || sy.length < 2)
            throw new IllegalArgumentException(label() + ": inputs need a batch axis and at least one more, got " + Shapes.format(sx) + " and " + Shapes.format(sy));
        if (sx[0] != sy[0])
            throw new IllegalArgumentException(label() + ": inputs must have the same batch size, got " + Shapes.format(sx) + " and " + Shapes.format(sy));
        int a = axis(axis0, sx, 0), b = axis(axis1, sy, 1);
        if (sx[a] != sy[b])
            throw new IllegalArgumentException(label() + ": the contracted sizes differ: " + sx[a] + " (axis " + a + " of " + Shapes.format(sx) + ") and "
                    + sy[b] + " (axis " + b + " of " + Shapes.format(sy) + ")");
        if (normalize) {
            x = l2Normalize(x, a);
            y = l2Normalize(y, b);
        }
        // x → [N, A, k] and y → [N, k, B], a batched matrix product, then the kept axes unfolded
        int n = sx[0], k = sx[a];
        int[] permX = new int[sx.length], permY = new int[sy.length];
        int[] out = new int[sx.length + sy.length - 3];
        int o = 0, p = 0;
        out[o++] = n;
        long rows = 1, cols = 1;
        permX[p++] = 0;
        for (int d = 1; d < sx.length; d++)
            if (d != a) { permX[p++] = d; out[o++] = sx[d]; rows *= sx[d]; }
        permX[p] = a;
        p = 0;
        permY[p++] = 0;
        permY[p++] = b;
        for (int d = 1; d < sy.length; d++)
            if (d != b) { permY[p++] = d; out[o++] = sy[d]; cols *= sy[d]; }
        Tensor xm = ArrayOps.reshape(ArrayOps.transpose(x, permX), n, Math.toIntExact(rows), k);
        Tensor ym = ArrayOps.reshape(ArrayOps.transpose(y, permY), n, k, Math.toIntExact(cols));
        Tensor z = Ops.matmul(xm, ym);
        return ArrayOps.reshape(z, out.length == 1 ? new int[] {n, 1} : out);
    }

    private int axis(int axis, int[] shape, int input) {
        int r = axis < 0 ? axis + shape.length : axis;
        if (r < 0 || r >= shape.length)
            throw new IllegalArgumentException(label() + ": axis " + axis + " is out of range for input " + input + " of shape " + Shapes.format(shape));
        if (r == 0)
            throw new IllegalArgumentException(label() + ": cannot contract the batch axis (axis " + axis + " of input " + input + " of shape "
                    + Shapes.format(shape) + ")");
        return r;
    }

    /**
     * x / max(||x||, epsilon) along {@code axis}, computed as x · rsqrt(max(||x||², epsilon²)): the same values, but
     * the floor stands before the root, so a zero vector's gradient is finite (a root's derivative at 0 is not).
     */
    private static Tensor l2Normalize(Tensor x, int axis) {
        Tensor squares = Ops.reduce(dev.fluxion.ops.ReduceFn.SUM, Ops.square(x), new int[] {axis}, true);
        return x.mul(Ops.rsqrt(Ops.maximum(squares, Ops.constantLike(EPSILON * EPSILON, squares))));
    }

    /** The output has no mask, whatever the inputs have (Keras' {@code Dot.compute_mask}). */
    @Override
    protected Tensor computeMask(List<Tensor> xs, List<Tensor> masks) {
        return null;
    }
}
