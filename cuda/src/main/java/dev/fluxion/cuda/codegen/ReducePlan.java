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
        boolean[] isReduced = new boolean[shape.length];
        for (int a : axes) isReduced[a] = true;
        int nk = shape.length - axes.length;
        int[] keptShape = new int[nk], keptStrides = new int[nk], redShape = new int[axes.length], redStrides = new int[axes.length];
        int outputs = 1, reducedCount = 1;
        for (int i = 0, a = 0, b = 0; i < shape.length; i++) {
            if (isReduced[i]) {
                redShape[b] = shape[i];
                redStrides[b++] = strides[i];
                reducedCount *= shape[i];
            } else {
                keptShape[a] = shape[i];
                keptStrides[a++] = strides[i];
                outputs *= shape[i];
            }
        }
        return new ReducePlan(IndexPlan.coalesce(keptShape, new int[][] {keptStrides}),
                IndexPlan.coalesce(redShape, new int[][] {redStrides}), outputs, reducedCount);
    }

    /** Input element offset of output {@code o}, reduced element {@code j}: the kernel's arithmetic. */
    public int offset(int o, int j) {
        return kept.offset(o, 0) + reduced.offset(j, 0);
    }

    @Override
    public String toString() {
        return "ReducePlan[kept " + Arrays.toString(kept.dims()) + ", reduced " + Arrays.toString(reduced.dims()) + "]";
    }
}
