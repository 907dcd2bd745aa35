package dev.fluxion.opdb;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Input;
import dev.fluxion.opdb.OpInfo.Layout;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/** Turning samples into tensors (in any layout and dtype) and comparing results with references. */
final class Harness {
    private Harness() {}

    /** The value written between and around the real elements of strided and reversed views. */
    static final double FILLER = 12345;

    /** The values an input really holds once stored in dtype {@code t} (float32 rounding, integer rounding). */
    static Nd rounded(Nd v, DType t) {
        return switch (t) {
            case FLOAT64 -> v;
            case FLOAT32 -> v.map(x -> (double) (float) x);
            case INT32 -> v.map(x -> (double) (int) Math.rint(x));
            case INT64 -> v.map(x -> (double) (long) Math.rint(x));
            case BOOL -> v.map(x -> x != 0 ? 1 : 0);
        };
    }

    /** A row-major tensor of dtype {@code t} holding {@code v}. */
    static Tensor contiguous(Nd v, DType t) {
        int n = v.size();
        return switch (t) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) v.data[i];
                yield Tensor.of(a, v.shape);
            }
            case FLOAT64 -> Tensor.of(v.data.clone(), v.shape);
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = (int) Math.rint(v.data[i]);
                yield Tensor.of(a, v.shape);
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = (long) Math.rint(v.data[i]);
                yield Tensor.of(a, v.shape);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = v.data[i] != 0;
                yield Tensor.of(a, v.shape);
            }
        };
    }

    /** A tensor of dtype {@code t} whose logical values are {@code v}, laid out as asked (a view for non-contiguous). */
    static Tensor make(Nd v, DType t, Layout layout) {
        int r = v.rank();
        switch (layout) {
            case CONTIGUOUS:
                return contiguous(v, t);
            case TRANSPOSED: {
                if (r < 2) throw new IllegalArgumentException("a transposed view needs rank >= 2, got " + v);
                int[] perm = new int[r];
                for (int i = 0; i < r; i++) perm[i] = i;
                perm[r - 2] = r - 1;
                perm[r - 1] = r - 2;
                return ArrayOps.transpose(contiguous(v.permute(perm), t), perm);
            }
            case STRIDED: {
                if (r < 1) throw new IllegalArgumentException("a strided view needs rank >= 1, got " + v);
                int n = v.shape[r - 1];
                int[] bs = v.shape.clone();
                bs[r - 1] = 2 * n + 1;
                Nd base = Nd.full(FILLER, bs);
                for (int f = 0; f < v.size(); f++) {
                    int[] idx = Nd.unravel(f, v.shape);
                    idx[r - 1] = 2 * idx[r - 1] + 1;
                    base.set(v.data[f], idx);
                }
                return ArrayOps.slice(contiguous(base, t), r - 1, 1, 2 * n + 1, 2);
            }
            case REVERSED: {
                if (r < 1) throw new IllegalArgumentException("a reversed view needs rank >= 1, got " + v);
                int n = v.shape[0];
                int[] bs = v.shape.clone();
                bs[0] = n + 1;
                Nd base = Nd.full(FILLER, bs);
                for (int f = 0; f < v.size(); f++) {
                    int[] idx = Nd.unravel(f, v.shape);
                    idx[0] = n - idx[0]; // logical row i sits at base row n - i; base row 0 is filler
                    base.set(v.data[f], idx);
                }
                return ArrayOps.slice(contiguous(base, t), 0, n, 0, -1);
            }
            case EXPANDED: {
                if (r < 1) throw new IllegalArgumentException("a broadcast view needs rank >= 1, got " + v);
                Nd row = v.take(0, 0, Math.min(1, v.shape[0]), 1);
                if (v.shape[0] > 0 && !Arrays.equals(row.broadcastTo(v.shape).data, v.data))
                    throw new IllegalArgumentException("a broadcast view needs values that repeat along axis 0: " + v);
                int[] one = v.shape.clone();
                one[0] = 1;
                return ArrayOps.broadcastTo(contiguous(v.shape[0] == 0 ? Nd.zeros(one) : row, t), v.shape);
            }
            default:
                throw new AssertionError(layout);
        }
    }

    /** The dtype an input gets when the floating inputs are {@code floating}. */
    static DType dtypeOf(Input in, DType floating) {
        return in.dtype() != null ? in.dtype() : floating;
    }

    static Tensor[] tensors(Sample s, DType floating) {
        Tensor[] out = new Tensor[s.inputs().size()];
        for (int i = 0; i < out.length; i++) {
            Input in = s.inputs().get(i);
            out[i] = make(in.values(), dtypeOf(in, floating), in.layout());
        }
        return out;
    }

    /** The reference's inputs: the sample values as the tensors really hold them. */
    static Nd[] refInputs(Sample s, DType floating) {
        Nd[] out = new Nd[s.inputs().size()];
        for (int i = 0; i < out.length; i++) {
            Input in = s.inputs().get(i);
            out[i] = rounded(in.values(), dtypeOf(in, floating));
        }
        return out;
    }

    static Nd nd(Tensor t) {
        return new Nd(t.shape(), t.toDoubleArray());
    }

    /** Expected value as stored in {@code t}. */
    static double storedAs(double x, DType t) {
        return switch (t) {
            case FLOAT64 -> x;
            case FLOAT32 -> (double) (float) x;
            case INT32 -> (double) (int) x; // Java's narrowing: truncation, and the int range's ends for infinities
            case INT64 -> (double) (long) x;
            case BOOL -> x != 0 ? 1 : 0;
        };
    }

    static boolean close(double actual, double expected, double rtol, double atol) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) return actual == expected;
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** Asserts shape, dtype and values (|a - e| <= atol + rtol |e|, NaN equal to NaN, infinities exact). */
    static void assertClose(String ctx, Nd expected, Tensor actual, DType outType, double rtol, double atol) {
        if (!Arrays.equals(expected.shape, actual.shape()))
            fail(ctx + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape));
        if (actual.dtype() != outType) fail(ctx + ": dtype " + actual.dtype() + ", expected " + outType);
        assertValues(ctx, expected, nd(actual).data, outType, rtol, atol);
    }

    static void assertValues(String ctx, Nd expected, double[] actual, DType outType, double rtol, double atol) {
        StringBuilder bad = new StringBuilder();
        int count = 0;
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double e = storedAs(expected.data[i], outType), a = actual[i];
            boolean exact = outType == DType.BOOL || outType.isInteger();
            if (exact ? !(a == e) : !close(a, e, rtol, atol)) {
                if (count++ < 6)
                    bad.append("\n  at ").append(Arrays.toString(Nd.unravel(i, expected.shape))).append(": got ").append(a)
                            .append(", expected ").append(e);
                if (!Double.isNaN(a - e)) worst = Math.max(worst, Math.abs(a - e) / (atol + rtol * Math.abs(e)));
            }
        }
        if (count > 0)
            fail(ctx + ": " + count + " of " + actual.length + " values differ (rtol " + rtol + ", atol " + atol
                    + ", worst error " + String.format("%.3g", worst) + "x the tolerance)" + bad);
    }

    /** sum over outputs of dot(v_k, y_k), computed here in double (not with Fluxion ops). */
    static double dot(Nd[] v, Tensor[] ys) {
        double s = 0;
        for (int k = 0; k < ys.length; k++) {
            double[] y = ys[k].toDoubleArray();
            for (int i = 0; i < y.length; i++) s += v[k].data[i] * y[i];
        }
        return s;
    }
}
