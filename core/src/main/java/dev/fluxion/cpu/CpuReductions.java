package dev.fluxion.cpu;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cpu.kernels.ReduceKernels;
import dev.fluxion.ops.ReduceFn;

/**
 * Reductions on the CPU. The kernels reduce the middle axis of [outer, r, inner]; when the reduced axes are one
 * adjacent block the input is used as is, otherwise it is first transposed so the reduced axes come last.
 */
final class CpuReductions {
    private CpuReductions() {}

    /** The [outer, r, inner] view of an input whose axes are reordered as needed, ready for a kernel. */
    private record Blocked(Object data, int outer, int r, int inner) {}

    private static Blocked block(Tensor x, int[] axes) {
        int[] s = x.shape();
        boolean adjacent = true;
        for (int i = 1; i < axes.length; i++) adjacent &= axes[i] == axes[i - 1] + 1;
        if (axes.length == 0) return new Blocked(Layouts.data(x), x.size(), 1, 1);
        if (adjacent) {
            int outer = 1, r = 1, inner = 1;
            for (int i = 0; i < s.length; i++) {
                if (i < axes[0]) outer *= s[i];
                else if (i <= axes[axes.length - 1]) r *= s[i];
                else inner *= s[i];
            }
            return new Blocked(Layouts.data(x), outer, r, inner);
        }
        int[] perm = new int[s.length];
        boolean[] reduced = new boolean[s.length];
        for (int a : axes) reduced[a] = true;
        int j = 0, outer = 1, r = 1;
        for (int i = 0; i < s.length; i++) if (!reduced[i]) { perm[j++] = i; outer *= s[i]; }
        for (int a : axes) { perm[j++] = a; r *= s[a]; }
        int[] ps = new int[s.length], pst = new int[s.length], st = x.strides();
        for (int i = 0; i < s.length; i++) { ps[i] = s[perm[i]]; pst[i] = st[perm[i]]; }
        Tensor permuted = Tensor.wrap(x.storage(), ps, pst, x.offset());
        return new Blocked(Layouts.data(permuted), outer, r, 1);
    }

    static Tensor reduce(ReduceFn fn, Tensor x, int[] axes, TensorType out) {
        Blocked b = block(x, axes);
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        switch (b.data()) {
            case float[] a -> ReduceKernels.reduce(fn, a, 0, b.outer(), b.r(), b.inner(), (float[]) dst.array(), 0);
            case double[] a -> ReduceKernels.reduce(fn, a, 0, b.outer(), b.r(), b.inner(), (double[]) dst.array(), 0);
            case int[] a -> ReduceKernels.reduce(fn, a, 0, b.outer(), b.r(), b.inner(), (int[]) dst.array(), 0);
            case long[] a -> ReduceKernels.reduce(fn, a, 0, b.outer(), b.r(), b.inner(), (long[]) dst.array(), 0);
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dst, out.shape());
    }

    static Tensor argReduce(boolean max, Tensor x, int axis, TensorType out) {
        Blocked b = block(x, new int[] {axis});
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        long[] d = (long[]) dst.array();
        switch (b.data()) {
            case float[] a -> ReduceKernels.argReduce(max, a, 0, b.outer(), b.r(), b.inner(), d, 0);
            case double[] a -> ReduceKernels.argReduce(max, a, 0, b.outer(), b.r(), b.inner(), d, 0);
            case int[] a -> ReduceKernels.argReduce(max, a, 0, b.outer(), b.r(), b.inner(), d, 0);
            case long[] a -> ReduceKernels.argReduce(max, a, 0, b.outer(), b.r(), b.inner(), d, 0);
            case boolean[] a -> {
                int[] ints = new int[a.length];
                for (int i = 0; i < a.length; i++) ints[i] = a[i] ? 1 : 0;
                ReduceKernels.argReduce(max, ints, 0, b.outer(), b.r(), b.inner(), d, 0);
            }
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dst, out.shape());
    }
}
