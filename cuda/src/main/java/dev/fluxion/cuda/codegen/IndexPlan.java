package dev.fluxion.cuda.codegen;

import dev.fluxion.Shapes;

import java.util.Arrays;

/**
 * The launch layout of an elementwise kernel: the output shape with size-1 axes dropped and adjacent axes merged
 * wherever every operand is contiguous across them, plus each operand's strides on those axes (0 where it is
 * broadcast). {@link #offset} is the kernel's index math ({@code fx_offset} in {@link KernelPrelude}) written in
 * Java, so tests check the very arithmetic the GPU runs against a naive multi-index walk.
 */
public record IndexPlan(int[] dims, int[][] strides) {
    /**
     * The plan for an output of {@code outShape} reading operands of the given shapes and element strides (each
     * operand broadcasts to the output, NumPy-style: aligned on the right).
     *
     * @throws IllegalArgumentException if the coalesced rank exceeds {@link KernelPrelude#MAX_RANK}
     */
    public static IndexPlan elementwise(int[] outShape, int[][] shapes, int[][] operandStrides) {
        int k = shapes.length, r = outShape.length;
        int[][] full = new int[k][r];
        for (int j = 0; j < k; j++) {
            int[] s = shapes[j], st = operandStrides[j];
            for (int i = 0; i < s.length; i++) {
                int axis = r - s.length + i;
                full[j][axis] = s[i] == 1 && outShape[axis] != 1 ? 0 : st[i];
            }
        }
        return coalesce(outShape, full);
    }

    /** Drops size-1 axes and merges axis pairs along which every operand's strides chain. */
    static IndexPlan coalesce(int[] shape, int[][] strides) {
        int k = strides.length;
        int[] dims = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int rank = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            boolean merge = rank > 0;
            for (int j = 0; merge && j < k; j++) merge = st[j][rank - 1] == strides[j][i] * shape[i];
            if (merge) {
                dims[rank - 1] *= shape[i];
                for (int j = 0; j < k; j++) st[j][rank - 1] = strides[j][i];
            } else {
                dims[rank] = shape[i];
                for (int j = 0; j < k; j++) st[j][rank] = strides[j][i];
                rank++;
            }
        }
        if (rank > KernelPrelude.MAX_RANK)
            throw new IllegalArgumentException("CUDA kernels index at most " + KernelPrelude.MAX_RANK + " coalesced axes; "
                    + Shapes.format(shape) + " needs " + rank + " (make the operands contiguous first)");
        int[][] trimmed = new int[k][];
        for (int j = 0; j < k; j++) trimmed[j] = Arrays.copyOf(st[j], rank);
        return new IndexPlan(Arrays.copyOf(dims, rank), trimmed);
    }

    public int rank() {
        return dims.length;
    }

    /** Number of elements walked. */
    public int size() {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Element offset of linear index {@code i} for {@code operand}: exactly {@code fx_offset} of the kernels. */
    public int offset(int i, int operand) {
        int off = 0;
        int[] st = strides[operand];
        for (int d = dims.length - 1; d >= 0; --d) {
            int q = i / dims[d];
            off += (i - q * dims[d]) * st[d];
            i = q;
        }
        return off;
    }
}
