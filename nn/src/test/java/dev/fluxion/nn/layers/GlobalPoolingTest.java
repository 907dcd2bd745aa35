package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Global pooling layers against a float64 reference written out here, forward and gradient. */
class GlobalPoolingTest {
    /**
     * The reference: x viewed as [n, s, c] (s = every axis between batch and channels) reduced over s, and the
     * gradient of sum(out * w) with respect to x (w / s for the mean, w at the first maximum for max).
     */
    private static double[][] reference(double[] x, int n, int s, int c, double[] w, boolean max) {
        double[] out = new double[n * c];
        double[] grad = new double[x.length];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < c; k++) {
                int arg = 0;
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                for (int p = 0; p < s; p++) {
                    double v = x[(b * s + p) * c + k];
                    if (max && v > acc) {
                        acc = v;
                        arg = p;
                    } else if (!max) acc += v;
                }
                out[b * c + k] = max ? acc : acc / s;
                if (max) grad[(b * s + arg) * c + k] = w[b * c + k];
                else for (int p = 0; p < s; p++) grad[(b * s + p) * c + k] = w[b * c + k] / s;
            }
        return new double[][] {out, grad};
    }

    private static void check(Layer layer, boolean max, int... shape) {
        int n = shape[0], c = shape[shape.length - 1], s = 1;
        for (int a = 1; a < shape.length - 1; a++) s *= shape[a];
        Tensor x = TestData.f64(7, shape);
        Tensor w = TestData.f64(8, n, c);
        Variable xv = new Variable(x, "x");
        Tensor out, grad;
        try (var tape = new GradientTape()) {
            out = TestData.dbl(layer).call(xv.value(), true);
            grad = tape.gradient(out.mul(w).sum(), List.of(xv)).get(0);
        }
        double[][] want = reference(x.toDoubleArray(), n, s, c, w.toDoubleArray(), max);
        String what = layer.getClass().getSimpleName() + " " + java.util.Arrays.toString(shape);
        assertArrayEquals(new int[] {n, c}, out.shape(), what);
        assertClose(want[0], out.toDoubleArray(), 1e-12);
        assertClose(want[1], grad.toDoubleArray(), 1e-12);
    }

    @Test
    void reducesEveryAxisBetweenBatchAndChannels() {
        check(new GlobalAveragePooling1D(), false, 3, 7, 5);
        check(new GlobalMaxPooling1D(), true, 3, 7, 5);
        check(new GlobalAveragePooling2D(), false, 2, 3, 5, 4);
        check(new GlobalMaxPooling2D(), true, 2, 3, 5, 4);
        check(new GlobalMaxPooling1D(), true, 2, 1, 3);
    }

    @Test
    void keepDimsKeepsTheReducedAxesAsOnes() {
        Tensor seq = TestData.f32(1, 2, 6, 3), image = TestData.f32(2, 2, 4, 5, 3);
        assertArrayEquals(new int[] {2, 1, 3}, new GlobalAveragePooling1D(true).call(seq).shape());
        assertArrayEquals(new int[] {2, 1, 3}, new GlobalMaxPooling1D(true).call(seq).shape());
        assertArrayEquals(new int[] {2, 1, 1, 3}, new GlobalAveragePooling2D(true).call(image).shape());
        assertArrayEquals(new int[] {2, 1, 1, 3}, new GlobalMaxPooling2D(true).call(image).shape());
        assertArrayEquals(new GlobalMaxPooling2D().call(image).toFloatArray(), new GlobalMaxPooling2D(true).call(image).toFloatArray());
        Tensor small = Tensor.of(new float[] {1, -2, 3, 4, -5, 0}, 1, 3, 2);
        assertArrayEquals(new float[] {3, 4}, new GlobalMaxPooling1D().call(small).toFloatArray());
        assertArrayEquals(new float[] {-1 / 3f, 2 / 3f}, new GlobalAveragePooling1D().call(small).toFloatArray(), 1e-7f);
    }

    @Test
    void shapesInferredInAModelAndNames() {
        Sequential model = Sequential.of(Input.shape(12, 8), new GlobalMaxPooling1D(), new Dense(2));
        assertArrayEquals(new int[] {-1, 2}, model.outputShape());
        assertArrayEquals(new int[] {5, 2}, model.predict(TestData.f32(3, 5, 12, 8), 5).shape());
        for (Layer l : List.of(new GlobalMaxPooling1D(), new GlobalAveragePooling1D(), new GlobalMaxPooling2D()))
            assertTrue(l.name().matches("global_(max|average)_pooling[12]d(_\\d+)?"), l.name());
    }

    @Test
    void inputsOfTheWrongRankAreNamed() {
        GlobalMaxPooling1D seq = new GlobalMaxPooling1D();
        seq.setName("pool");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> seq.call(Tensor.ones(2, 4, 3, 1))),
                "GlobalMaxPooling1D", "'pool'", "rank 3 [batch, steps, channels]", "[2,4,3,1]");
        GlobalMaxPooling2D image = new GlobalMaxPooling2D();
        image.setName("gmp");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> image.call(Tensor.ones(2, 4))),
                "GlobalMaxPooling2D", "'gmp'", "rank 4", "NHWC", "[2,4]");
    }
}
