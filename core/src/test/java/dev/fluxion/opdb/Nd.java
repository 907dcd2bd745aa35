package dev.fluxion.opdb;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * A tiny float64 n-d array for the op database's references: row-major {@code double[]} data plus a shape, with
 * index helpers and NumPy broadcasting. It deliberately shares no code with Fluxion (no Shapes, no ops), so a
 * reference can never agree with the library because both call the same buggy helper.
 */
final class Nd {
    final int[] shape;
    final double[] data;

    Nd(int[] shape, double[] data) {
        if (size(shape) != data.length)
            throw new IllegalArgumentException("Nd: " + data.length + " values for shape " + Arrays.toString(shape));
        this.shape = shape.clone();
        this.data = data;
    }

    static Nd of(int[] shape, double... data) {
        return new Nd(shape, data.clone());
    }

    static Nd zeros(int... shape) {
        return new Nd(shape, new double[size(shape)]);
    }

    static Nd full(double v, int... shape) {
        double[] d = new double[size(shape)];
        Arrays.fill(d, v);
        return new Nd(shape, d);
    }

    static Nd scalar(double v) {
        return new Nd(new int[0], new double[] {v});
    }

    static int[] shape(int... dims) {
        return dims;
    }

    int size() {
        return data.length;
    }

    int rank() {
        return shape.length;
    }

    Nd copy() {
        return new Nd(shape, data.clone());
    }

    // ---------------------------------------------------------------- indexing

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** Multi-index of flat position {@code flat} in a row-major array of the given shape. */
    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
        return flat;
    }

    double at(int... idx) {
        return data[ravel(idx, shape)];
    }

    void set(double v, int... idx) {
        data[ravel(idx, shape)] = v;
    }

    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("Nd: axis " + axis + " for rank " + rank);
        return a;
    }

    // ---------------------------------------------------------------- broadcasting

    /** NumPy broadcast of several shapes (reference inputs are always valid, so incompatibility is a test bug). */
    static int[] broadcastShapes(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) rank = Math.max(rank, s.length);
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                if (s[i] == out[o] || s[i] == 1) continue;
                if (out[o] == 1) out[o] = s[i];
                else throw new IllegalArgumentException("Nd: cannot broadcast " + Arrays.toString(s) + " into " + Arrays.toString(out));
            }
        }
        return out;
    }

    /** The value this array contributes at multi-index {@code outIdx} of a broadcast result. */
    double bget(int[] outIdx) {
        int lead = outIdx.length - shape.length, flat = 0;
        for (int i = 0; i < shape.length; i++) {
            int k = shape[i] == 1 ? 0 : outIdx[lead + i];
            flat = flat * shape[i] + k;
        }
        return data[flat];
    }

    Nd broadcastTo(int... target) {
        Nd out = zeros(target);
        for (int f = 0; f < out.size(); f++) out.data[f] = bget(unravel(f, target));
        return out;
    }

    Nd map(DoubleUnaryOperator fn) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = fn.applyAsDouble(data[i]);
        return new Nd(shape, d);
    }

    static Nd zip(Nd a, Nd b, DoubleBinaryOperator fn) {
        int[] s = broadcastShapes(a.shape, b.shape);
        Nd out = zeros(s);
        for (int f = 0; f < out.size(); f++) {
            int[] idx = unravel(f, s);
            out.data[f] = fn.applyAsDouble(a.bget(idx), b.bget(idx));
        }
        return out;
    }

    interface Ternary {
        double apply(double a, double b, double c);
    }

    static Nd zip3(Nd a, Nd b, Nd c, Ternary fn) {
        int[] s = broadcastShapes(a.shape, b.shape, c.shape);
        Nd out = zeros(s);
        for (int f = 0; f < out.size(); f++) {
            int[] idx = unravel(f, s);
            out.data[f] = fn.apply(a.bget(idx), b.bget(idx), c.bget(idx));
        }
        return out;
    }

    // ---------------------------------------------------------------- layout

    Nd permute(int... perm) {
        int[] s = new int[perm.length];
        for (int i = 0; i < perm.length; i++) s[i] = shape[perm[i]];
        Nd out = zeros(s);
        int[] src = new int[perm.length];
        for (int f = 0; f < out.size(); f++) {
            int[] idx = unravel(f, s);
            for (int i = 0; i < perm.length; i++) src[perm[i]] = idx[i];
            out.data[f] = at(src);
        }
        return out;
    }

    /** Swaps the last two axes. */
    Nd swapLast() {
        int r = rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return permute(perm);
    }

    Nd reshape(int... s) {
        return new Nd(s, data.clone());
    }

    /** Elements begin, begin+step, ... (count of them) along an axis; indices already valid. */
    Nd take(int axis, int begin, int count, int step) {
        int[] s = shape.clone();
        s[axis] = count;
        Nd out = zeros(s);
        for (int f = 0; f < out.size(); f++) {
            int[] idx = unravel(f, s);
            idx[axis] = begin + idx[axis] * step;
            out.data[f] = at(idx);
        }
        return out;
    }

    static Nd concat(int axis, Nd... parts) {
        int[] s = parts[0].shape.clone();
        s[axis] = 0;
        for (Nd p : parts) s[axis] += p.shape[axis];
        Nd out = zeros(s);
        int start = 0;
        for (Nd p : parts) {
            for (int f = 0; f < p.size(); f++) {
                int[] idx = unravel(f, p.shape);
                idx[axis] += start;
                out.set(p.data[f], idx);
            }
            start += p.shape[axis];
        }
        return out;
    }

    // ---------------------------------------------------------------- lanes and reductions

    /**
     * Applies {@code fn} to every 1-d lane along {@code axis}; each call returns {@code outLen} values, which form
     * the output's axis.
     */
    Nd lanes(int axis, int outLen, UnaryOperator<double[]> fn) {
        int a = axis(axis, rank());
        int[] os = shape.clone();
        os[a] = outLen;
        Nd out = zeros(os);
        int[] outer = shape.clone();
        outer[a] = 1;
        for (int f = 0; f < size(outer); f++) {
            int[] idx = unravel(f, outer);
            double[] lane = new double[shape[a]];
            for (int k = 0; k < lane.length; k++) {
                idx[a] = k;
                lane[k] = at(idx);
            }
            double[] r = fn.apply(lane);
            if (r.length != outLen) throw new IllegalStateException("lane function returned " + r.length + " values");
            for (int k = 0; k < outLen; k++) {
                idx[a] = k;
                out.set(r[k], idx);
            }
        }
        return out;
    }

    /** Normalized, sorted axes; null means all axes, an empty array none (NumPy's axis=()). */
    static int[] axes(int[] axes, int rank) {
        if (axes == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axis(axes[i], rank);
        Arrays.sort(out);
        return out;
    }

    /** Reduces every lane over the given axes with {@code fn} (null: all axes; empty: none, each lane one value). */
    Nd reduce(int[] axes, boolean keepDims, java.util.function.ToDoubleFunction<double[]> fn) {
        int[] ax = axes(axes, rank());
        boolean[] reduced = new boolean[rank()];
        for (int a : ax) reduced[a] = true;
        int[] kept = shape.clone();
        for (int a : ax) kept[a] = 1;
        int n = 1;
        for (int a : ax) n *= shape[a];
        Nd out = zeros(kept);
        int[] rshape = new int[ax.length];
        for (int i = 0; i < ax.length; i++) rshape[i] = shape[ax[i]];
        for (int f = 0; f < out.size(); f++) {
            int[] idx = unravel(f, kept);
            double[] lane = new double[n];
            for (int k = 0; k < n; k++) {
                int[] r = unravel(k, rshape);
                for (int i = 0; i < ax.length; i++) idx[ax[i]] = r[i];
                lane[k] = at(idx);
            }
            out.data[f] = fn.applyAsDouble(lane);
        }
        if (keepDims) return out;
        int[] s = new int[rank() - ax.length];
        for (int i = 0, j = 0; i < rank(); i++) if (!reduced[i]) s[j++] = shape[i];
        return out.reshape(s);
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    static double prod(double[] v) {
        double p = 1;
        for (double x : v) p *= x;
        return p;
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) return x;
            if (x > m) m = x;
        }
        return m;
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) return x;
            if (x < m) m = x;
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Nd").append(Arrays.toString(shape)).append(' ');
        int n = Math.min(data.length, 12);
        sb.append('[');
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(data[i]);
        return sb.append(data.length > n ? ", ...]" : "]").toString();
    }
}
