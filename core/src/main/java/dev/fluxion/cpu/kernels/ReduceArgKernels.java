package dev.fluxion.cpu.kernels;

/**
 * Arg max and arg min behind {@link ReduceKernels#argReduce}: a strict comparison keeps the first extreme, and a NaN
 * replaces any non-NaN best, so the first NaN wins. Rows are scanned in order, so results are exact and do not
 * depend on threads.
 */
final class ReduceArgKernels {
    private ReduceArgKernels() {}

    private static boolean start(int srcLen, int srcOff, int outer, int r, int inner, int dstLen, int dstOff,
                                 boolean isMax) {
        ReduceKernels.check(srcLen, srcOff, outer, r, inner, dstLen, dstOff);
        if (outer == 0 || inner == 0) return false;
        if (r == 0) throw new IllegalArgumentException((isMax ? "argmax" : "argmin") + ": empty reduction axis");
        return true;
    }

    static void argReduce(boolean isMax, float[] src, int srcOff, int outer, int r, int inner, long[] dst,
                          int dstOff) {
        if (!start(src.length, srcOff, outer, r, inner, dst.length, dstOff, isMax)) return;
        ReduceKernels.rowsInParallel(outer, r, inner, (from, to) -> {
            float[] best = new float[inner];
            for (int o = from; o < to; o++) {
                int base = srcOff + o * r * inner, d = dstOff + o * inner;
                System.arraycopy(src, base, best, 0, inner);
                java.util.Arrays.fill(dst, d, d + inner, 0L);
                for (int k = 1; k < r; k++) {
                    int row = base + k * inner;
                    if (isMax) {
                        for (int i = 0; i < inner; i++) {
                            float x = src[row + i], b = best[i];
                            if (x > b || (x != x && b == b)) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    } else {
                        for (int i = 0; i < inner; i++) {
                            float x = src[row + i], b = best[i];
                            if (x < b || (x != x && b == b)) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    }
                }
            }
        });
    }

    static void argReduce(boolean isMax, double[] src, int srcOff, int outer, int r, int inner, long[] dst,
                          int dstOff) {
        if (!start(src.length, srcOff, outer, r, inner, dst.length, dstOff, isMax)) return;
        ReduceKernels.rowsInParallel(outer, r, inner, (from, to) -> {
            double[] best = new double[inner];
            for (int o = from; o < to; o++) {
                int base = srcOff + o * r * inner, d = dstOff + o * inner;
                System.arraycopy(src, base, best, 0, inner);
                java.util.Arrays.fill(dst, d, d + inner, 0L);
                for (int k = 1; k < r; k++) {
                    int row = base + k * inner;
                    if (isMax) {
                        for (int i = 0; i < inner; i++) {
                            double x = src[row + i], b = best[i];
                            if (x > b || (x != x && b == b)) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    } else {
                        for (int i = 0; i < inner; i++) {
                            double x = src[row + i], b = best[i];
                            if (x < b || (x != x && b == b)) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    }
                }
            }
        });
    }

    static void argReduce(boolean isMax, int[] src, int srcOff, int outer, int r, int inner, long[] dst,
                          int dstOff) {
        if (!start(src.length, srcOff, outer, r, inner, dst.length, dstOff, isMax)) return;
        ReduceKernels.rowsInParallel(outer, r, inner, (from, to) -> {
            int[] best = new int[inner];
            for (int o = from; o < to; o++) {
                int base = srcOff + o * r * inner, d = dstOff + o * inner;
                System.arraycopy(src, base, best, 0, inner);
                java.util.Arrays.fill(dst, d, d + inner, 0L);
                for (int k = 1; k < r; k++) {
                    int row = base + k * inner;
                    if (isMax) {
                        for (int i = 0; i < inner; i++) {
                            int x = src[row + i], b = best[i];
                            if (x > b) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    } else {
                        for (int i = 0; i < inner; i++) {
                            int x = src[row + i], b = best[i];
                            if (x < b) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    }
                }
            }
        });
    }

    static void argReduce(boolean isMax, long[] src, int srcOff, int outer, int r, int inner, long[] dst,
                          int dstOff) {
        if (!start(src.length, srcOff, outer, r, inner, dst.length, dstOff, isMax)) return;
        ReduceKernels.rowsInParallel(outer, r, inner, (from, to) -> {
            long[] best = new long[inner];
            for (int o = from; o < to; o++) {
                int base = srcOff + o * r * inner, d = dstOff + o * inner;
                System.arraycopy(src, base, best, 0, inner);
                java.util.Arrays.fill(dst, d, d + inner, 0L);
                for (int k = 1; k < r; k++) {
                    int row = base + k * inner;
                    if (isMax) {
                        for (int i = 0; i < inner; i++) {
                            long x = src[row + i], b = best[i];
                            if (x > b) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    } else {
                        for (int i = 0; i < inner; i++) {
                            long x = src[row + i], b = best[i];
                            if (x < b) {
                                best[i] = x;
                                dst[d + i] = k;
                            }
                        }
                    }
                }
            }
        });
    }
}
