package dev.fluxion.cpu;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

/** Numeric checks on CPU tensors. */
final class CpuChecks {
    private CpuChecks() {}

    /** Throws {@link ArithmeticException} naming the first non-finite element if there is one. */
    static void checkFinite(Tensor t, String message) {
        Object data = Layouts.data(t);
        int n = t.size();
        for (int i = 0; i < n; i++) {
            double v = data instanceof float[] f ? f[i] : ((double[]) data)[i];
            if (!Double.isFinite(v))
                throw new ArithmeticException("check_numerics: " + message + ": " + (Double.isNaN(v) ? "NaN" : "Inf")
                        + " at flat index " + i + " of a " + t.dtype() + Shapes.format(t.shape()) + " tensor");
        }
    }
}
