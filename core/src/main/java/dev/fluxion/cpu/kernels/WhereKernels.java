package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
            int i = from;
            if (KernelConfig.SIMD && cs == 1) i = whereVector(c, cOff, a, aOff, as, b, bOff, bs, d, dOff, from, to);
            for (; i < to; i++) d[dOff + i] = c[cOff + i * cs] ? a[aOff + i * as] : b[bOff + i * bs];
        });
    }

    /**
     * The vector body of a float where with a full-length condition (dropout masks, relu gradients): a blend instead
     * of a data-dependent branch, which random masks mispredict half the time. Returns where the scalar tail starts.
     */
    private static int whereVector(boolean[] c, int cOff, float[] a, int aOff, int as, float[] b, int bOff, int bs,
                                   float[] d, int dOff, int from, int to) {
        var species = KernelConfig.FLOATS;
        int lanes = species.length(), i = from, ub = from + species.loopBound(to - from);
        if (as == 1 && bs == 1) {
            for (; i < ub; i += lanes)
                FloatVector.fromArray(species, b, bOff + i).blend(FloatVector.fromArray(species, a, aOff + i),
                        VectorMask.fromArray(species, c, cOff + i)).intoArray(d, dOff + i);
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(species, b[bOff]);
            for (; i < ub; i += lanes)
                vb.blend(FloatVector.fromArray(species, a, aOff + i), VectorMask.fromArray(species, c, cOff + i)).intoArray(d, dOff + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(species, a[aOff]);
            for (; i < ub; i += lanes)
                FloatVector.fromArray(species, b, bOff + i).blend(va, VectorMask.fromArray(species, c, cOff + i)).intoArray(d, dOff + i);
        }
        return i;
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
