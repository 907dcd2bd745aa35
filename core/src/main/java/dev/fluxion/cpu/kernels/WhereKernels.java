package dev.fluxion.cpu.kernels;

/**
 * The selection kernels behind {@link BinaryKernels#where}: {@code dst[i] = cond[i] ? a[i] : b[i]} with every operand
 * a contiguous run (stride 1) or one repeated value (stride 0).
 */
final class WhereKernels {
    private WhereKernels() {}

    static void check(int cLen, int cOff, int cStride, int aLen, int aOff, int aStride, int bLen, int bOff,
                      int bStride, int dLen, int dOff, int n) {
        BinaryKernels.checkRun(cLen, cOff, cStride, n);
        BinaryKernels.check(aLen, aOff, aStride, bLen, bOff, bStride, dLen, dOff, n);
    }

    static void where(boolean[] c, int cOff, int cs, float[] a, int aOff, int as, float[] b, int bOff, int bs,
                      float[] d, int dOff, int n) {
        BinaryKernels.split(n, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }

    static void where(boolean[] c, int cOff, int cs, double[] a, int aOff, int as, double[] b, int bOff, int bs,
                      double[] d, int dOff, int n) {
        BinaryKernels.split(n, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }

    static void where(boolean[] c, int cOff, int cs, int[] a, int aOff, int as, int[] b, int bOff, int bs,
                      int[] d, int dOff, int n) {
        BinaryKernels.split(n, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }

    static void where(boolean[] c, int cOff, int cs, long[] a, int aOff, int as, long[] b, int bOff, int bs,
                      long[] d, int dOff, int n) {
        BinaryKernels.split(n, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }

    static void where(boolean[] c, int cOff, int cs, boolean[] a, int aOff, int as, boolean[] b, int bOff, int bs,
                      boolean[] d, int dOff, int n) {
        BinaryKernels.split(n, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }
}
