package dev.fluxion.cpu;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.ops.Op;

/** Layout primitives on the CPU: views where possible (reshape, transpose, broadcast, slice), copies otherwise. */
final class CpuMovement {
    private CpuMovement() {}

    static Tensor reshape(Tensor x, TensorType out) {
        Tensor c = x.isContiguous() ? x : Layouts.contiguous(x);
        return Tensor.wrap(c.storage(), out.shape(), Shapes.contiguousStrides(out.shape()), c.offset());
    }

    static Tensor permute(Tensor x, int[] perm, TensorType out) {
        int[] st = x.strides(), ps = new int[perm.length];
        for (int i = 0; i < perm.length; i++) ps[i] = st[perm[i]];
        return Tensor.wrap(x.storage(), out.shape(), ps, x.offset());
    }

    static Tensor expand(Tensor x, TensorType out) {
        return Tensor.wrap(x.storage(), out.shape(), Layouts.broadcastStrides(x.shape(), x.strides(), out.shape()), x.offset());
    }

    static Tensor slice(Tensor x, Op.Slice s, TensorType out) {
        int[] st = x.strides(), ns = new int[st.length];
        int off = x.offset();
        for (int i = 0; i < st.length; i++) {
            ns[i] = st[i] * s.step()[i];
            if (out.shape()[i] > 0) off += st[i] * s.begin()[i];
        }
        if (out.size() == 0) off = 0;
        return Tensor.wrap(x.storage(), out.shape(), ns, off);
    }

    static Tensor pad(Tensor x, Op.Pad p, TensorType out) {
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        if (p.value() != 0) Layouts.fill(dst, p.value());
        if (x.size() == 0) return Tensor.wrap(dst, out.shape());
        int[] os = Shapes.contiguousStrides(out.shape());
        int base = 0;
        for (int i = 0; i < os.length; i++) base += p.before()[i] * os[i];
        // write the input through a strided view of the output's interior
        Object src = Layouts.data(x);
        int[] in = x.shape();
        StridedLoop.Plan plan = StridedLoop.plan(in, new int[][] {os});
        Object d = dst.array();
        StridedLoop.forEachRun(plan, new int[] {base}, (o, offs, n) -> {
            int stride = plan.runStride(0);
            if (stride == 1) System.arraycopy(src, o, d, offs[0], n);
            else for (int i = 0; i < n; i++) System.arraycopy(src, o + i, d, offs[0] + i * stride, 1);
        });
        return Tensor.wrap(dst, out.shape());
    }

    static Tensor concat(Tensor[] xs, int axis, TensorType out) {
        int[] s = out.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.length; i++) inner *= s[i];
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        int outBlock = s[axis] * inner, start = 0;
        for (Tensor x : xs) {
            int block = x.shape()[axis] * inner;
            Object src = Layouts.data(x);
            for (int o = 0; o < outer; o++) System.arraycopy(src, o * block, dst.array(), o * outBlock + start, block);
            start += block;
        }
        return Tensor.wrap(dst, s);
    }

    static Tensor gather(Tensor params, Tensor indices, int axis, TensorType out) {
        int[] p = params.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= p[i];
        for (int i = axis + 1; i < p.length; i++) inner *= p[i];
        long[] idx = indices.toLongArray();
        int dim = p[axis];
        for (long v : idx)
            if (v < 0 || v >= dim)
                throw new IllegalArgumentException("gather: index " + v + " is out of range [0, " + dim + ") for axis " + axis + " of " + Shapes.format(p));
        Object src = Layouts.data(params);
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.length; j++)
                System.arraycopy(src, (o * dim + (int) idx[j]) * inner, dst.array(), (o * idx.length + j) * inner, inner);
        return Tensor.wrap(dst, out.shape());
    }

    static Tensor scatterAdd(Tensor updates, Tensor indices, Op.ScatterAdd op, TensorType out) {
        int[] s = out.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < op.axis(); i++) outer *= s[i];
        for (int i = op.axis() + 1; i < s.length; i++) inner *= s[i];
        long[] idx = indices.toLongArray();
        int dim = op.dimSize();
        for (long v : idx)
            if (v < 0 || v >= dim)
                throw new IllegalArgumentException("scatter_add: index " + v + " is out of range [0, " + dim + ")");
        ArrayStorage dst = ArrayStorage.allocate(out.dtype(), out.size());
        ArrayStorage src = new ArrayStorage(updates.dtype(), Layouts.data(updates));
        Object d = dst.array();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.length; j++) {
                int from = (o * idx.length + j) * inner, to = (o * dim + (int) idx[j]) * inner;
                switch (d) {
                    case float[] f -> { float[] u = (float[]) src.array(); for (int t = 0; t < inner; t++) f[to + t] += u[from + t]; }
                    case double[] f -> { double[] u = (double[]) src.array(); for (int t = 0; t < inner; t++) f[to + t] += u[from + t]; }
                    default -> { for (int t = 0; t < inner; t++) dst.setLong(to + t, dst.getLong(to + t) + src.getLong(from + t)); }
                }
            }
        return Tensor.wrap(dst, s);
    }
}
