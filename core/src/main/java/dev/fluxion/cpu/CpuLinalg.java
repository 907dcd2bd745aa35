package dev.fluxion.cpu;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cpu.kernels.GemmEpilogue;
import dev.fluxion.cpu.kernels.Sgemm;

/**
 * Batched matmul on the CPU. Row-major and transposed views go to the GEMM kernel as they are (a transposed view
 * is a transpose flag and a leading dimension, never a copy); batch dimensions broadcast by zero strides; a
 * batch of A against one shared B folds into a single tall GEMM.
 */
final class CpuLinalg {
    private CpuLinalg() {}

    /** A matrix operand as the kernel sees it: storage, leading dimension, and whether it is stored transposed. */
    private record Operand(Tensor t, Object data, boolean transposed, int ld) {}

    private static Operand operand(Tensor t, boolean logicalTranspose) {
        int r = t.rank();
        int[] s = t.shape(), st = t.strides();
        int rows = s[r - 2], cols = s[r - 1];
        int rs = st[r - 2], cs = st[r - 1];
        if ((cs == 1 || cols == 1) && (rs >= Math.max(cols, 1) || rows == 1))
            return new Operand(t, array(t), logicalTranspose, rows == 1 ? Math.max(cols, 1) : rs);
        if ((rs == 1 || rows == 1) && (cs >= Math.max(rows, 1) || cols == 1))
            return new Operand(t, array(t), !logicalTranspose, cols == 1 ? Math.max(rows, 1) : cs);
        Tensor c = Layouts.contiguous(t);
        return new Operand(c, array(c), logicalTranspose, Math.max(cols, 1));
    }

    private static Object array(Tensor t) {
        return ((ArrayStorage) t.storage()).array();
    }

    static Tensor matmul(Tensor a, Tensor b, boolean ta, boolean tb, TensorType out) {
        int[] os = out.shape();
        int rank = os.length, m = os[rank - 2], n = os[rank - 1];
        int k = a.shape()[a.rank() - (ta ? 2 : 1)];
        // every gemm below overwrites its block of C (k = 0 leaves it alone: zero it then)
        ArrayStorage dst = k == 0 ? ArrayStorage.allocate(out.dtype(), out.size()) : ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        if (out.size() == 0) return Tensor.wrap(dst, os);
        Operand A = operand(a, ta), B = operand(b, tb);
        int[] batch = java.util.Arrays.copyOf(os, rank - 2);
        int[] aBatch = batchStrides(A.t, batch), bBatch = batchStrides(B.t, batch);
        int batches = 1;
        for (int d : batch) batches *= d;

        // [batch.., m, k] x [k, n] with a row-major, densely packed A: one GEMM of (batches*m) rows
        if (batches > 1 && allZero(bBatch) && !A.transposed && denselyBatched(A.t, m, A.ld)) {
            gemm(false, B.transposed, batches * m, n, k, A.data, A.t.offset(), A.ld, B.data, B.t.offset(), B.ld, dst.array(), 0, n);
            return Tensor.wrap(dst, os);
        }
        int[] idx = new int[batch.length];
        int aOff = A.t.offset(), bOff = B.t.offset();
        for (int bi = 0; bi < batches; bi++) {
            gemm(A.transposed, B.transposed, m, n, k, A.data, aOff, A.ld, B.data, bOff, B.ld, dst.array(), bi * m * n, n);
            for (int d = batch.length - 1; d >= 0; d--) {
                aOff += aBatch[d];
                bOff += bBatch[d];
                if (++idx[d] < batch[d]) break;
                aOff -= aBatch[d] * batch[d];
                bOff -= bBatch[d] * batch[d];
                idx[d] = 0;
            }
        }
        return Tensor.wrap(dst, os);
    }

    /**
     * A float32 2-D product with a fused epilogue: relu?(op(a)·op(b) + bias), bias a vector of n values (null for
     * none). Bitwise the result of the separate matmul, add and relu ops.
     */
    static Tensor matmulBiasActivation(Tensor a, Tensor b, boolean ta, boolean tb, Tensor bias, boolean relu, TensorType out) {
        int m = out.shape()[0], n = out.shape()[1];
        int k = a.shape()[ta ? 0 : 1];
        if (k == 0) throw new IllegalArgumentException("matmul with epilogue: inner dimension 0 (the graph fuses only k > 0)");
        ArrayStorage dst = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        if (out.size() == 0) return Tensor.wrap(dst, out.shape());
        Operand A = operand(a, ta), B = operand(b, tb);
        float[] biasData = null;
        int biasOff = 0;
        if (bias != null) {
            Tensor v = bias.isContiguous() ? bias : Layouts.contiguous(bias);
            biasData = (float[]) array(v);
            biasOff = v.offset();
        }
        GemmEpilogue epilogue = GemmEpilogue.of(biasData, biasOff, relu ? GemmEpilogue.Activation.RELU : GemmEpilogue.Activation.NONE);
        float[] c = (float[]) dst.array();
        Sgemm.sgemm(A.transposed, B.transposed, m, n, k, (float[]) A.data, A.t.offset(), A.ld, (float[]) B.data, B.t.offset(), B.ld, c, 0, n, false, epilogue);
        return Tensor.wrap(dst, out.shape());
    }

    private static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int ao, int lda, Object b, int bo, int ldb, Object c, int co, int ldc) {
        if (c instanceof float[] cf) Sgemm.sgemm(ta, tb, m, n, k, (float[]) a, ao, lda, (float[]) b, bo, ldb, cf, co, ldc, false);
        else Sgemm.dgemm(ta, tb, m, n, k, (double[]) a, ao, lda, (double[]) b, bo, ldb, (double[]) c, co, ldc, false);
    }

    private static int[] batchStrides(Tensor t, int[] batch) {
        int[] s = t.shape(), st = t.strides();
        int lead = batch.length - (s.length - 2);
        int[] out = new int[batch.length];
        for (int i = 0; i < s.length - 2; i++) out[lead + i] = s[i] == 1 ? 0 : st[i];
        return out;
    }

    private static boolean allZero(int[] a) {
        for (int v : a) if (v != 0) return false;
        return true;
    }

    /** Whether consecutive batch items of A follow each other row by row (so batch and m merge). */
    private static boolean denselyBatched(Tensor a, int m, int ld) {
        int[] s = a.shape(), st = a.strides();
        long expected = (long) m * ld;
        for (int i = s.length - 3; i >= 0; i--) {
            if (s[i] == 1) continue;
            if (st[i] != expected) return false;
            expected *= s[i];
        }
        return true;
    }
}
