package dev.fluxion.cpu;

/**
 * Walks an output shape together with the (broadcast) strides of several operands, calling a body once per
 * innermost run. Axes are first coalesced wherever every operand is contiguous across them, so a same-shape
 * elementwise op is a single run of n elements and a bias add is one run per row.
 */
final class StridedLoop {
    private StridedLoop() {}

    /** Receives one innermost run: the output offset, each operand's offset, and the run length. */
    interface Body {
        void run(int outOffset, int[] offsets, int length);
    }

    /** The coalesced iteration space: run length, each operand's stride along the run, and the outer axes. */
    record Plan(int[] shape, int[][] strides) {
        int runLength() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }
        int runStride(int operand) { return shape.length == 0 ? 0 : strides[operand][shape.length - 1]; }
    }

    /** Coalesces axes of {@code shape}; operand strides are given per axis (0 on broadcast axes). */
    static Plan plan(int[] shape, int[][] operandStrides) {
        int k = operandStrides.length;
        int[] s = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int rank = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            boolean merge = rank > 0;
            for (int j = 0; merge && j < k; j++) merge = st[j][rank - 1] == operandStrides[j][i] * shape[i];
            if (merge) {
                s[rank - 1] *= shape[i];
                for (int j = 0; j < k; j++) st[j][rank - 1] = operandStrides[j][i];
            } else {
                s[rank] = shape[i];
                for (int j = 0; j < k; j++) st[j][rank] = operandStrides[j][i];
                rank++;
            }
        }
        int[][] trimmed = new int[k][];
        for (int j = 0; j < k; j++) trimmed[j] = java.util.Arrays.copyOf(st[j], rank);
        return new Plan(java.util.Arrays.copyOf(s, rank), trimmed);
    }

    /** Runs the body over every innermost run of a contiguous output. */
    static void forEachRun(Plan plan, int[] baseOffsets, Body body) {
        int[] s = plan.shape();
        int rank = s.length;
        int k = baseOffsets.length;
        int run = plan.runLength();
        int total = 1;
        for (int d : s) total *= d;
        if (total == 0) return;
        int outer = total / run;
        int[] offs = baseOffsets.clone();
        int[] idx = new int[Math.max(rank, 1)];
        for (int o = 0; o < outer; o++) {
            body.run(o * run, offs, run);
            for (int d = rank - 2; d >= 0; d--) {
                for (int j = 0; j < k; j++) offs[j] += plan.strides()[j][d];
                if (++idx[d] < s[d]) break;
                for (int j = 0; j < k; j++) offs[j] -= plan.strides()[j][d] * s[d];
                idx[d] = 0;
            }
        }
    }
}
