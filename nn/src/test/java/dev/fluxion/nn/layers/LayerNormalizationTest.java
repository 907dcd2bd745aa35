package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/** LayerNormalization's options and rank-1 inputs against a float64 reference over the last axis. */
class LayerNormalizationTest {
    /** (x - mean) / sqrt(var + eps) * gamma + beta over the last axis (length f) of x; null gamma/beta: 1 and 0. */
    private static double[] reference(double[] x, int f, double eps, double[] gamma, double[] beta) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / f; r++) {
            double m = 0, v = 0;
            for (int j = 0; j < f; j++) m += x[r * f + j] / f;
            for (int j = 0; j < f; j++) v += Math.pow(x[r * f + j] - m, 2) / f;
            for (int j = 0; j < f; j++)
                out[r * f + j] = (x[r * f + j] - m) / Math.sqrt(v + eps) * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]);
        }
        return out;
    }

    @Test
    void gammaBetaEpsilonAndTheirAbsence() {
        Tensor x = TestData.f64(4, 2, 3, 4).mul(2).add(1);
        double[] xv = x.toDoubleArray(), gamma = {2, -1, 0.5, 3}, beta = {0.25, 0, -1, 4};
        LayerNormalization ln = dbl(new LayerNormalization().epsilon(0.5));
        ln.call(x);
        ln.gamma().assign(Tensor.of(gamma, 4));
        ln.beta().assign(Tensor.of(beta, 4));
        assertClose(reference(xv, 4, 0.5, gamma, beta), ln.call(x, true).toDoubleArray(), 1e-12);
        LayerNormalization bare = dbl(new LayerNormalization().center(false).scale(false));
        assertClose(reference(xv, 4, 1e-3, null, null), bare.call(x).toDoubleArray(), 1e-12);
        assertNull(bare.gamma());
        assertNull(bare.beta());
        assertEquals(0, bare.countParams());
        LayerNormalization scaleOnly = dbl(new LayerNormalization().center(false));
        scaleOnly.call(x);
        scaleOnly.gamma().assign(Tensor.of(gamma, 4));
        assertClose(reference(xv, 4, 1e-3, gamma, null), scaleOnly.call(x).toDoubleArray(), 1e-12);
        assertEquals(4, scaleOnly.countParams());
    }

    @Test
    void aRank1InputIsOneExample() {
        LayerNormalization ln = dbl(new LayerNormalization());
        double[] x = {1, 2, 6};
        assertClose(reference(x, 3, 1e-3, null, null), ln.call(Tensor.of(x, 3)).toDoubleArray(), 1e-12);
        LayerNormalization scalar = new LayerNormalization();
        scalar.setName("ln_s");
        var e = assertThrows(IllegalArgumentException.class, () -> scalar.call(Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("'ln_s'") && e.getMessage().contains("rank >= 1"), e.getMessage());
    }
}
