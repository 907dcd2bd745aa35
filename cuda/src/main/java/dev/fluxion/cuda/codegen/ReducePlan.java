package dev.fluxion.cuda.codegen;

import java.util.Arrays;

/**
 * The launch layout of a reduction kernel ({@link ReductionKernels}): the kept axes (in output order) and the
 * reduced axes of the input, each coalesced, with the input's strides. Output o, reduced element j is read at
 * {@code kept.offset(o) + reduced.offset(j)} — {@link #offset} is that arithmetic in Java, for tests.
 */
public record ReducePlan(IndexPlan kept, IndexPlan reduced, int outputs, int reducedCount) {
    /** The plan for reducing {@code axes} (sorted, distinct) of an input with the given shape and element strides. */
    public static ReducePlan of(int[] shape, int[] strides, int[] axes) {
        return of(shape, new int[][] {strides}, axes);
    }

    /**
     * The plan for walking several operands of one shape together (a fused reduction's inputs and side outputs),
     * each with its own strides (0 where broadcast): axes are coalesced only where every operand allows it.
     */
    public static ReducePlan of(int[] shape, int[][] strides, int[] axes) {
        boolean[] isReduced = new boolean[shape.length];
        for (int a : axes) isReduced[a] = true;
        int nk = shape.length - axes.length, operands = strides.length;
        int[] keptShape = new int[nk], redShape = new int[axes.length];
        int[][] keptStrides = new int[operands][nk], redStrides = new int[operands][axes.length];
        int outputs = 1, reducedCount = 1;
        for (int i = 0, a = 0, b = 0; i < shape.length; i++) {
            if (isReduced[i]) {
                for (int j = 0; j < operands; j++) redStrides[j][b] = strides[j][i];
                redShape[b++] = shape[i];
                reducedCount *= shape[i];
            } else {
                for (int j = 0; j < operands; j++) keptStrides[j][a] = strides[j][i];
                keptShape[a++] = shape[i];
                outputs *= shape[i];
            }
        }
        return new ReducePlan(IndexPlan.coalesce(keptShape, keptStrides), IndexPlan.coalesce(redShape, redStrides), outputs, reducedCount);
    }

    /** Input element offset of output {@code o}, reduced element {@code j}: the kernel's arithmetic. */
    public int offset(int o, int j) {
        return offset(o, j, 0);
    }

    /** The same for one of several operands. */
    public int offset(int o, int j, int operand) {
        return kept.offset(o, operand) + reduced.offset(j, operand);
    }

    @Override
    public String toString() {
        return "ReducePlan[kept " + Arrays.toString(kept.dims()) + ", reduced " + Arrays.toString(reduced.dims()) + "]";
    }
}
