package dev.fluxion.cpu;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

/**
 * Strided layouts on the CPU: contiguity checks, copies of views into contiguous arrays, conversion to Java
 * arrays. Copies walk the layout with an odometer over the outer axes and a tight loop over the innermost one.
 */
public final class Layouts {
    private Layouts() {}

    /** Row-major contiguity, ignoring the strides of size-1 axes. */
    public static boolean isContiguous(int[] shape, int[] strides) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (shape[i] == 0) return true;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Fills a whole storage with a value. */
    public static void fill(ArrayStorage s, double v) {
        switch (s.array()) {
            case float[] a -> java.util.Arrays.fill(a, (float) v);
            case double[] a -> java.util.Arrays.fill(a, v);
            case int[] a -> java.util.Arrays.fill(a, (int) v);
            case long[] a -> java.util.Arrays.fill(a, (long) v);
            case boolean[] a -> java.util.Arrays.fill(a, v != 0);
            default -> throw new IllegalStateException();
        }
    }

    /** A contiguous copy of a CPU tensor, same dtype. */
    public static Tensor contiguous(Tensor t) {
        ArrayStorage out = ArrayStorage.allocateForOverwrite(t.dtype(), t.size());
        copyInto(t, out.array(), 0);
        return Tensor.wrap(out, t.shape());
    }

    /** The array of a CPU tensor in row-major order: its own storage when contiguous from offset 0, else a copy. */
    public static Object data(Tensor t) {
        Object a = ((ArrayStorage) t.storage()).array();
        if (t.offset() == 0 && t.isContiguous() && java.lang.reflect.Array.getLength(a) == t.size()) return a;
        return ((ArrayStorage) contiguous(t).storage()).array();
    }

    /** Row-major values of a CPU tensor converted to {@code dtype} (always a fresh array). */
    public static Object toArray(Tensor t, DType dtype) {
        if (t.dtype() == dtype) {
            ArrayStorage out = ArrayStorage.allocate(dtype, t.size());
            copyInto(t, out.array(), 0);
            return out.array();
        }
        ArrayStorage src = (ArrayStorage) contiguous(t).storage();
        ArrayStorage out = ArrayStorage.allocate(dtype, t.size());
        Casts.convert(src.array(), out.array(), t.size());
        return out.array();
    }

    /** Copies a strided CPU tensor into {@code dst} (same element type) at {@code dstOff}, row-major. */
    public static void copyInto(Tensor t, Object dst, int dstOff) {
        int n = t.size();
        if (n == 0) return;
        Object src = ((ArrayStorage) t.storage()).array();
        int[] shape = t.shape(), strides = t.strides();
        // coalesce: drop size-1 axes and merge axes that are contiguous with each other
        int rank = 0;
        int[] s = new int[shape.length], st = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            if (rank > 0 && st[rank - 1] == strides[i] * shape[i]) {
                s[rank - 1] *= shape[i];
                st[rank - 1] = strides[i];
            } else {
                s[rank] = shape[i];
                st[rank] = strides[i];
                rank++;
            }
        }
        int base = t.offset();
        if (rank == 0) {
            System.arraycopy(src, base, dst, dstOff, 1);
            return;
        }
        int inner = s[rank - 1], innerStride = st[rank - 1];
        int outer = n / inner;
        int[] idx = new int[rank];
        int off = base;
        for (int o = 0; o < outer; o++) {
            copyRun(src, off, innerStride, dst, dstOff + o * inner, inner);
            for (int d = rank - 2; d >= 0; d--) { // odometer over the outer axes
                off += st[d];
                if (++idx[d] < s[d]) break;
                off -= st[d] * s[d];
                idx[d] = 0;
            }
        }
    }

    private static void copyRun(Object src, int off, int stride, Object dst, int dstOff, int n) {
        if (stride == 1) {
            System.arraycopy(src, off, dst, dstOff, n);
            return;
        }
        switch (src) {
            case float[] a -> { float[] d = (float[]) dst; for (int i = 0; i < n; i++) d[dstOff + i] = a[off + i * stride]; }
            case double[] a -> { double[] d = (double[]) dst; for (int i = 0; i < n; i++) d[dstOff + i] = a[off + i * stride]; }
            case int[] a -> { int[] d = (int[]) dst; for (int i = 0; i < n; i++) d[dstOff + i] = a[off + i * stride]; }
            case long[] a -> { long[] d = (long[]) dst; for (int i = 0; i < n; i++) d[dstOff + i] = a[off + i * stride]; }
            case boolean[] a -> { boolean[] d = (boolean[]) dst; for (int i = 0; i < n; i++) d[dstOff + i] = a[off + i * stride]; }
            default -> throw new IllegalStateException();
        }
    }

    /** Strides of {@code shape} broadcast to {@code outShape}: 0 on broadcast axes, right-aligned. */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] outShape) {
        int[] out = new int[outShape.length];
        int lead = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) out[lead + i] = shape[i] == 1 ? 0 : strides[i];
        return out;
    }

    /** Strides for a contiguous tensor of this shape. */
    public static int[] strides(int[] shape) {
        return Shapes.contiguousStrides(shape);
    }
}
