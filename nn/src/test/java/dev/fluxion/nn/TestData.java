package dev.fluxion.nn;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Small deterministic test inputs and a finite-difference gradient check. */
public final class TestData {
    private TestData() {}

    /** Sets a layer to float64 (for references and gradient checks) and returns it. */
    public static <L extends Layer> L dbl(L layer) {
        layer.setDtype(dev.fluxion.DType.FLOAT64);
        return layer;
    }

    public static double[] randoms(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    public static Tensor f64(long seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return Tensor.of(randoms(seed, n), shape);
    }

    public static Tensor f32(long seed, int... shape) {
        return f64(seed, shape).cast(dev.fluxion.DType.FLOAT32);
    }

    public static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
    }

    /**
     * Checks the tape gradient of {@code loss} w.r.t. each variable against central finite differences (float64
     * variables expected).
     */
    public static void checkGradients(Supplier<Tensor> loss, List<Variable> vars, double tol) {
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            Tensor l = loss.get();
            grads = tape.gradient(l, vars);
        }
        double h = 1e-6;
        for (int k = 0; k < vars.size(); k++) {
            Variable v = vars.get(k);
            assertNotNull(grads.get(k), "no gradient for " + v.name());
            double[] g = grads.get(k).toDoubleArray();
            double[] w = v.value().toDoubleArray();
            int[] shape = v.shape();
            for (int i = 0; i < w.length; i++) {
                double orig = w[i];
                w[i] = orig + h;
                v.assign(Tensor.of(w, shape));
                double up = loss.get().item();
                w[i] = orig - h;
                v.assign(Tensor.of(w, shape));
                double down = loss.get().item();
                w[i] = orig;
                v.assign(Tensor.of(w, shape));
                double fd = (up - down) / (2 * h);
                assertEquals(fd, g[i], tol * Math.max(1, Math.abs(fd)), "gradient of " + v.name() + " element " + i);
            }
        }
    }

    /**
     * MNIST from the shared data folder if present, else where the data module's loader looks; the calling test is
     * skipped (not failed) on a machine without it.
     */
    public static dev.fluxion.data.TrainTest mnistOrSkip() throws Exception {
        Path shared = Path.of("/work/shared/data/mnist");
        try {
            return Files.isDirectory(shared) ? dev.fluxion.data.Datasets.mnist(shared) : dev.fluxion.data.Datasets.mnist();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("MNIST is not available here: " + e.getMessage());
            throw e; // not reached: abort throws
        }
    }
}
