package dev.fluxion.opdb;

import java.util.Arrays;

/**
 * Float64 reference implementations for the op database, written as plain loops over {@link Nd} with the textbook
 * (NumPy / TensorFlow) definitions. Nothing here calls Fluxion.
 */
final class Ref {
    private Ref() {}

    // ---------------------------------------------------------------- scalar functions

    /**
     * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*...*(2n+1)), a series with positive terms only (no
     * cancellation), accurate to a few ulps for |x| below 6; beyond that erf is +-1 in double precision.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax >= 6) return Math.signum(x);
        double t = 2 * ax * ax, term = ax, sum = ax;
        for (int n = 1; n < 500; n++) {
            term *= t / (2 * n + 1);
            sum += term;
            if (term < 1e-18 * sum) break;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        return x < 0 ? -r : r;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double elu(double x, double alpha) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** Floored modulo (sign of the divisor), as Python's % . */
    static double floorMod(double a, double b) {
        return a - Math.floor(a / b) * b;
    }

    // ---------------------------------------------------------------- lane functions

    static double[] softmax(double[] v) {
        double m = Nd.max(v);
        double[] e = new double[v.length];
        double s = 0;
        for (int i = 0; i < v.length; i++) s += e[i] = Math.exp(v[i] - m);
        for (int i = 0; i < v.length; i++) e[i] /= s;
        return e;
    }

    static double logSumExp(double[] v) {
        double m = Nd.max(v);
        if (m == Double.NEGATIVE_INFINITY) return m; // empty or all -inf
        double s = 0;
        for (double x : v) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    static double[] logSoftmax(double[] v) {
        double l = logSumExp(v);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] - l;
        return out;
    }

    static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Nd.sum(v) / v.length;
    }

    static double variance(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Index of the first maximum (or minimum). */
    static double argExtreme(double[] v, boolean max) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (max ? v[i] > v[best] : v[i] < v[best]) best = i;
        return best;
    }

    // ---------------------------------------------------------------- linear algebra

    /** NumPy matmul: 1-d operands are promoted (and the added axis removed), batch dimensions broadcast. */
    static Nd matmul(Nd a, Nd b) {
        boolean va = a.rank() == 1, vb = b.rank() == 1;
        Nd a2 = va ? a.reshape(1, a.shape[0]) : a;
        Nd b2 = vb ? b.reshape(b.shape[0], 1) : b;
        Nd c = batchedMatmul(a2, b2);
        int[] s = c.shape;
        if (va && vb) return c.reshape();
        if (va) return c.reshape(drop(s, s.length - 2));
        if (vb) return c.reshape(drop(s, s.length - 1));
        return c;
    }

    static Nd matmul(Nd a, Nd b, boolean ta, boolean tb) {
        return batchedMatmul(ta ? a.swapLast() : a, tb ? b.swapLast() : b);
    }

    private static Nd batchedMatmul(Nd a, Nd b) {
        int ra = a.rank(), rb = b.rank();
        int m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
        if (b.shape[rb - 2] != k) throw new IllegalArgumentException("reference matmul: inner dims differ");
        int[] batch = Nd.broadcastShapes(Arrays.copyOf(a.shape, ra - 2), Arrays.copyOf(b.shape, rb - 2));
        int[] os = Arrays.copyOf(batch, batch.length + 2);
        os[batch.length] = m;
        os[batch.length + 1] = n;
        Nd out = Nd.zeros(os);
        int[] ai = new int[ra], bi = new int[rb];
        int outer = Nd.size(batch);
        for (int bt = 0; bt < outer; bt++) {
            int[] idx = Nd.unravel(bt, batch);
            // batch index into a and b with broadcasting; then the matrices are row-major blocks
            for (int i = 0; i < ra - 2; i++) ai[i] = a.shape[i] == 1 ? 0 : idx[batch.length - (ra - 2) + i];
            for (int i = 0; i < rb - 2; i++) bi[i] = b.shape[i] == 1 ? 0 : idx[batch.length - (rb - 2) + i];
            int aBase = Nd.ravel(ai, a.shape), bBase = Nd.ravel(bi, b.shape), oBase = bt * m * n;
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) s += a.data[aBase + r * k + t] * b.data[bBase + t * n + c];
                    out.data[oBase + r * n + c] = s;
                }
        }
        return out;
    }

    private static int[] drop(int[] s, int axis) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != axis) out[j++] = s[i];
        return out;
    }

    // ---------------------------------------------------------------- convolution and pooling

    /** TensorFlow padding for one spatial dimension: {output size, pad before}. */
    static int[] padding(boolean same, int in, int k, int stride, int dilation) {
        int effective = (k - 1) * dilation + 1;
        if (!same) return new int[] {in < effective ? 0 : (in - effective) / stride + 1, 0};
        int out = (in + stride - 1) / stride;
        int total = Math.max(0, (out - 1) * stride + effective - in);
        return new int[] {out, total / 2};
    }

    /** conv2d, x NHWC [n,h,w,c], filter HWIO [kh,kw,c,o]. */
    static Nd conv2d(Nd x, Nd f, int sh, int sw, boolean same, int dh, int dw) {
        int n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
        int kh = f.shape[0], kw = f.shape[1], o = f.shape[3];
        int[] ph = padding(same, h, kh, sh, dh), pw = padding(same, w, kw, sw, dw);
        Nd out = Nd.zeros(n, ph[0], pw[0], o);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < ph[0]; i++)
                for (int j = 0; j < pw[0]; j++)
                    for (int q = 0; q < o; q++) {
                        double s = 0;
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++) {
                                int y = i * sh + u * dh - ph[1], z = j * sw + v * dw - pw[1];
                                if (y < 0 || y >= h || z < 0 || z >= w) continue;
                                int xi = ((b * h + y) * w + z) * c, fi = ((u * kw + v) * c) * o + q;
                                for (int p = 0; p < c; p++) s += x.data[xi + p] * f.data[fi + p * o];
                            }
                        out.set(s, b, i, j, q);
                    }
        return out;
    }

    /** Max or average pooling of NHWC; average divides by the number of non-padded cells (TF). */
    static Nd pool(boolean max, Nd x, int kh, int kw, int sh, int sw, boolean same) {
        int n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
        int[] ph = padding(same, h, kh, sh, 1), pw = padding(same, w, kw, sw, 1);
        Nd out = Nd.zeros(n, ph[0], pw[0], c);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < ph[0]; i++)
                for (int j = 0; j < pw[0]; j++)
                    for (int p = 0; p < c; p++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++) {
                                int y = i * sh + u - ph[1], z = j * sw + v - pw[1];
                                if (y < 0 || y >= h || z < 0 || z >= w) continue;
                                double val = x.at(b, y, z, p);
                                acc = max ? Math.max(acc, val) : acc + val;
                                count++;
                            }
                        out.set(max ? acc : acc / count, b, i, j, p);
                    }
        return out;
    }

    // ---------------------------------------------------------------- indexing

    /** gather along an axis: out = x[:axis] + indices.shape + x[axis+1:]. */
    static Nd gather(Nd x, Nd indices, int axis) {
        int a = Nd.axis(axis, x.rank());
        int[] os = new int[x.rank() - 1 + indices.rank()];
        int j = 0;
        for (int i = 0; i < a; i++) os[j++] = x.shape[i];
        for (int d : indices.shape) os[j++] = d;
        for (int i = a + 1; i < x.rank(); i++) os[j++] = x.shape[i];
        Nd out = Nd.zeros(os);
        int[] src = new int[x.rank()];
        for (int f = 0; f < out.size(); f++) {
            int[] idx = Nd.unravel(f, os);
            for (int i = 0; i < a; i++) src[i] = idx[i];
            int[] ii = Arrays.copyOfRange(idx, a, a + indices.rank());
            src[a] = (int) indices.at(ii);
            for (int i = a + 1; i < x.rank(); i++) src[i] = idx[i - 1 + indices.rank()];
            out.data[f] = x.at(src);
        }
        return out;
    }

    /** Python's slice(start, stop, step).indices(n): {first index, count}; null bounds use the defaults. */
    static int[] sliceIndices(Integer start, Integer stop, int step, int n) {
        int lower = step < 0 ? -1 : 0, upper = step < 0 ? n - 1 : n;
        int s, e;
        if (start == null) s = step < 0 ? upper : lower;
        else {
            s = start < 0 ? Math.max(start + n, lower) : Math.min(start, upper);
        }
        if (stop == null) e = step < 0 ? lower : upper;
        else {
            e = stop < 0 ? Math.max(stop + n, lower) : Math.min(stop, upper);
        }
        int count;
        if (step > 0) count = s < e ? (e - s + step - 1) / step : 0;
        else count = s > e ? (s - e - step - 1) / -step : 0;
        return new int[] {s, count};
    }

    static Nd slice(Nd x, int axis, Integer start, Integer stop, int step) {
        int a = Nd.axis(axis, x.rank());
        int[] r = sliceIndices(start, stop, step, x.shape[a]);
        return x.take(a, r[0], r[1], step);
    }

    static Nd pad(Nd x, int[][] pads, double value) {
        int[] os = x.shape.clone();
        for (int i = 0; i < os.length; i++) os[i] += pads[i][0] + pads[i][1];
        Nd out = Nd.full(value, os);
        for (int f = 0; f < x.size(); f++) {
            int[] idx = Nd.unravel(f, x.shape);
            for (int i = 0; i < idx.length; i++) idx[i] += pads[i][0];
            out.set(x.data[f], idx);
        }
        return out;
    }

    static Nd tile(Nd x, int[] reps) {
        int[] os = x.shape.clone();
        for (int i = 0; i < os.length; i++) os[i] *= reps[i];
        Nd out = Nd.zeros(os);
        for (int f = 0; f < out.size(); f++) {
            int[] idx = Nd.unravel(f, os);
            for (int i = 0; i < idx.length; i++) idx[i] %= x.shape[i];
            out.data[f] = x.at(idx);
        }
        return out;
    }

    /** Stacks along a new axis. */
    static Nd stack(int axis, Nd... parts) {
        int r = parts[0].rank() + 1;
        int a = Nd.axis(axis, r);
        Nd[] expanded = new Nd[parts.length];
        for (int i = 0; i < parts.length; i++) expanded[i] = parts[i].reshape(insert(parts[i].shape, a, 1));
        return Nd.concat(a, expanded);
    }

    static int[] insert(int[] s, int at, int value) {
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == at ? value : s[j++];
        return out;
    }

    static Nd oneHot(Nd labels, int depth) {
        Nd out = Nd.zeros(insert(labels.shape, labels.rank(), depth));
        for (int f = 0; f < labels.size(); f++) {
            double l = labels.data[f];
            if (l >= 0 && l < depth) out.data[f * depth + (int) l] = 1;
        }
        return out;
    }
}
