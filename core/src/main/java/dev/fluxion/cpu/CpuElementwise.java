package dev.fluxion.cpu;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cpu.kernels.BinaryKernels;
import dev.fluxion.cpu.kernels.UnaryKernels;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.UnaryFn;

/** Elementwise primitives on the CPU: layouts and broadcasting here, the arithmetic in the array kernels. */
final class CpuElementwise {
    private CpuElementwise() {}

    static Tensor unary(UnaryFn fn, Tensor x, TensorType out) {
        Object src = Layouts.data(x);
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        int n = out.size();
        switch (src) {
            case float[] a -> UnaryKernels.apply(fn, a, 0, (float[]) dst.array(), 0, n);
            case double[] a -> UnaryKernels.apply(fn, a, 0, (double[]) dst.array(), 0, n);
            case int[] a -> UnaryKernels.apply(fn, a, 0, (int[]) dst.array(), 0, n);
            case long[] a -> UnaryKernels.apply(fn, a, 0, (long[]) dst.array(), 0, n);
            case boolean[] a -> UnaryKernels.apply(fn, a, 0, (boolean[]) dst.array(), 0, n);
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dst, out.shape());
    }

    static Tensor binary(BinaryFn fn, Tensor a, Tensor b, TensorType out) {
        int n = out.size();
        if (flat(a, n) && flat(b, n)) { // the common case: no broadcasting beyond scalars, no strided views
            ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), n);
            run(fn, array(a), a.offset(), a.size() == n ? 1 : 0, array(b), b.offset(), b.size() == n ? 1 : 0, dst.array(), 0, n);
            return Tensor.wrap(dst, out.shape());
        }
        int[] shape = out.shape();
        Tensor ca = runnable(a, shape), cb = runnable(b, shape);
        Object aa = ((ArrayStorage) ca.storage()).array(), ba = ((ArrayStorage) cb.storage()).array();
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        Object d = dst.array();
        StridedLoop.Plan plan = StridedLoop.plan(shape, new int[][] {
                Layouts.broadcastStrides(ca.shape(), ca.strides(), shape),
                Layouts.broadcastStrides(cb.shape(), cb.strides(), shape)});
        int sa = plan.runStride(0), sb = plan.runStride(1);
        StridedLoop.forEachRun(plan, new int[] {ca.offset(), cb.offset()},
                (o, offs, len) -> run(fn, aa, offs[0], sa, ba, offs[1], sb, d, o, len));
        return Tensor.wrap(dst, shape);
    }

    private static void run(BinaryFn fn, Object a, int ao, int as, Object b, int bo, int bs, Object d, int o, int n) {
        if (fn.isPredicate()) {
            boolean[] dst = (boolean[]) d;
            switch (a) {
                case float[] x -> BinaryKernels.compare(fn, x, ao, as, (float[]) b, bo, bs, dst, o, n);
                case double[] x -> BinaryKernels.compare(fn, x, ao, as, (double[]) b, bo, bs, dst, o, n);
                case int[] x -> BinaryKernels.compare(fn, x, ao, as, (int[]) b, bo, bs, dst, o, n);
                case long[] x -> BinaryKernels.compare(fn, x, ao, as, (long[]) b, bo, bs, dst, o, n);
                case boolean[] x -> BinaryKernels.compare(fn, x, ao, as, (boolean[]) b, bo, bs, dst, o, n);
                default -> throw new IllegalStateException();
            }
            return;
        }
        switch (a) {
            case float[] x -> BinaryKernels.apply(fn, x, ao, as, (float[]) b, bo, bs, (float[]) d, o, n);
            case double[] x -> BinaryKernels.apply(fn, x, ao, as, (double[]) b, bo, bs, (double[]) d, o, n);
            case int[] x -> BinaryKernels.apply(fn, x, ao, as, (int[]) b, bo, bs, (int[]) d, o, n);
            case long[] x -> BinaryKernels.apply(fn, x, ao, as, (long[]) b, bo, bs, (long[]) d, o, n);
            default -> throw new IllegalStateException(fn + " on " + a.getClass().getSimpleName());
        }
    }

    /** Whether t is read as one run over the output: the same elements in row-major order, or a single value. */
    private static boolean flat(Tensor t, int n) {
        return t.size() == 1 || (t.size() == n && t.isContiguous());
    }

    private static Object array(Tensor t) {
        return ((ArrayStorage) t.storage()).array();
    }

    static Tensor where(Tensor c, Tensor a, Tensor b, TensorType out) {
        int[] shape = out.shape();
        Tensor cc = runnable(c, shape), ca = runnable(a, shape), cb = runnable(b, shape);
        boolean[] cv = (boolean[]) ((ArrayStorage) cc.storage()).array();
        Object av = ((ArrayStorage) ca.storage()).array(), bv = ((ArrayStorage) cb.storage()).array();
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        Object d = dst.array();
        StridedLoop.Plan plan = StridedLoop.plan(shape, new int[][] {
                Layouts.broadcastStrides(cc.shape(), cc.strides(), shape),
                Layouts.broadcastStrides(ca.shape(), ca.strides(), shape),
                Layouts.broadcastStrides(cb.shape(), cb.strides(), shape)});
        int s0 = plan.runStride(0), s1 = plan.runStride(1), s2 = plan.runStride(2);
        StridedLoop.forEachRun(plan, new int[] {cc.offset(), ca.offset(), cb.offset()}, (o, offs, n) -> {
            switch (av) {
                case float[] x -> BinaryKernels.where(cv, offs[0], s0, x, offs[1], s1, (float[]) bv, offs[2], s2, (float[]) d, o, n);
                case double[] x -> BinaryKernels.where(cv, offs[0], s0, x, offs[1], s1, (double[]) bv, offs[2], s2, (double[]) d, o, n);
                case int[] x -> BinaryKernels.where(cv, offs[0], s0, x, offs[1], s1, (int[]) bv, offs[2], s2, (int[]) d, o, n);
                case long[] x -> BinaryKernels.where(cv, offs[0], s0, x, offs[1], s1, (long[]) bv, offs[2], s2, (long[]) d, o, n);
                case boolean[] x -> BinaryKernels.where(cv, offs[0], s0, x, offs[1], s1, (boolean[]) bv, offs[2], s2, (boolean[]) d, o, n);
                default -> throw new IllegalStateException();
            }
        });
        return Tensor.wrap(dst, shape);
    }

    static Tensor cast(Tensor x, TensorType out) {
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        Casts.convert(Layouts.data(x), dst.array(), out.size());
        return Tensor.wrap(dst, out.shape());
    }

    /**
     * The kernels take runs with stride 0 or 1 along the output's innermost axis; an operand whose stride there is
     * anything else (a transposed or strided view) is copied to a contiguous array first.
     */
    private static Tensor runnable(Tensor t, int[] outShape) {
        int axis = outShape.length - 1;
        while (axis >= 0 && outShape[axis] == 1) axis--;
        if (axis < 0) return t;
        int[] st = Layouts.broadcastStrides(t.shape(), t.strides(), outShape);
        return st[axis] == 0 || st[axis] == 1 ? t : Layouts.contiguous(t);
    }
}
