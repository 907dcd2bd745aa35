package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 1-D pooling against windows taken by hand in float64, forward and gradient. */
class Pooling1DTest {
    /** {out, dx} of sum(pool(x) * w); padded positions are skipped (max) or not counted (average), as Keras does. */
    private static double[][] reference(double[] x, int n, int len, int c, int pool, int stride, boolean same, boolean max, double[] w) {
        int outLen = same ? (len + stride - 1) / stride : (len - pool) / stride + 1;
        int left = same ? Math.max((outLen - 1) * stride + pool - len, 0) / 2 : 0;
        double[] out = new double[n * outLen * c], dx = new double[x.length];
        for (int b = 0; b < n; b++)
            for (int t = 0; t < outLen; t++)
                for (int k = 0; k < c; k++) {
                    int from = Math.max(t * stride - left, 0), to = Math.min(t * stride - left + pool, len);
                    double g = w[(b * outLen + t) * c + k];
                    if (max) {
                        int arg = from;
                        for (int p = from; p < to; p++) if (x[(b * len + p) * c + k] > x[(b * len + arg) * c + k]) arg = p;
                        out[(b * outLen + t) * c + k] = x[(b * len + arg) * c + k];
                        dx[(b * len + arg) * c + k] += g;
                    } else {
                        double sum = 0;
                        for (int p = from; p < to; p++) sum += x[(b * len + p) * c + k];
                        out[(b * outLen + t) * c + k] = sum / (to - from);
                        for (int p = from; p < to; p++) dx[(b * len + p) * c + k] += g / (to - from);
                    }
                }
        return new double[][] {out, dx};
    }

    private static void check(boolean max, int len, int pool, int stride, boolean same) {
        int n = 2, c = 3;
        Pooling1D layer = max ? new MaxPooling1D(pool) : new AveragePooling1D(pool);
        layer.strides(stride).padding(same ? "same" : "valid");
        TestData.dbl(layer);
        Tensor x = TestData.f64(5, n, len, c);
        double[][] want0 = reference(x.toDoubleArray(), n, len, c, pool, stride, same, max, new double[n * len * c]);
        int outLen = want0[0].length / (n * c);
        Tensor w = TestData.f64(6, n, outLen, c);
        Variable xv = new Variable(x, "x");
        Tensor out, dx;
        try (var tape = new GradientTape()) {
            out = layer.call(xv.value(), true);
            dx = tape.gradient(out.mul(w).sum(), List.of(xv)).get(0);
        }
        double[][] want = reference(x.toDoubleArray(), n, len, c, pool, stride, same, max, w.toDoubleArray());
        assertArrayEquals(new int[] {n, outLen, c}, out.shape());
        assertClose(want[0], out.toDoubleArray(), 1e-12);
        assertClose(want[1], dx.toDoubleArray(), 1e-12);
    }

    @Test
    void matchesWindowsTakenByHand() {
        for (boolean max : new boolean[] {true, false}) {
            check(max, 8, 2, 2, false);
            check(max, 9, 3, 2, false);
            check(max, 9, 3, 1, true);
            check(max, 10, 4, 3, true);
            check(max, 7, 2, 2, true);
        }
    }

    @Test
    void stridesDefaultToThePoolAndBadInputsAreNamed() {
        assertArrayEquals(new int[] {2, 3, 4}, new MaxPooling1D(3).call(Tensor.ones(2, 10, 4)).shape());
        MaxPooling1D pool = new MaxPooling1D(2);
        pool.setName("pool");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> pool.call(Tensor.ones(2, 4, 4, 3))),
                "MaxPooling1D", "'pool'", "rank 3 [batch, steps, channels]", "[2,4,4,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(0)), "AveragePooling1D", "pool size must be positive");
    }
}
