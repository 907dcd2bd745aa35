package dev.fluxion.nn.layers;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

class OtherLayersTest {
    @Test
    void dropoutScalesInTrainingAndIsIdentityInInference() {
        Tensor x = Tensor.ones(100, 100);
        Dropout d = new Dropout(0.3, 42);
        assertSame(x, d.call(x, false));
        float[] y = d.call(x, true).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.7, v, 1e-5);
        }
        double rate = zeros / 10000.0;
        assertEquals(0.3, rate, 0.02, "observed drop rate");
        // a fresh mask on each call, and the same masks for the same seed
        assertFalse(java.util.Arrays.equals(y, d.call(x, true).toFloatArray()));
        assertArrayEquals(y, new Dropout(0.3, 42).call(x, true).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
    }

    @Test
    void poolingShapesAndValues() {
        Tensor x = TestData.f32(1, 2, 5, 5, 3);
        assertArrayEquals(new int[] {2, 2, 2, 3}, new MaxPooling2D(2).call(x).shape());
        assertArrayEquals(new int[] {2, 3, 3, 3}, new MaxPooling2D(2).padding("same").call(x).shape());
        assertArrayEquals(new int[] {2, 4, 4, 3}, new AveragePooling2D(2).strides(1).call(x).shape());
        assertArrayEquals(new int[] {2, 3}, new GlobalAveragePooling2D().call(x).shape());
        Tensor small = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1);
        assertEquals(4, new MaxPooling2D(2).call(small).item());
        assertEquals(2.5, new AveragePooling2D(2).call(small).item(), 1e-6);
        assertEquals(2.5, new GlobalAveragePooling2D().call(small).item(), 1e-6);
    }

    @Test
    void flattenAndReshape() {
        Tensor x = TestData.f32(1, 2, 3, 4);
        assertArrayEquals(new int[] {2, 12}, new Flatten().call(x).shape());
        assertArrayEquals(new int[] {2, 6, 2}, new Reshape(6, 2).call(x).shape());
        assertArrayEquals(new int[] {2, 4, 3}, new Reshape(-1, 3).call(x).shape());
        assertArrayEquals(x.toFloatArray(), new Reshape(-1, 3).call(x).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> new Reshape(5).call(x));
        assertTrue(e.getMessage().contains("[2,3,4]"), e.getMessage());
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding emb = new Embedding(10, 4);
        Tensor ids = Tensor.of(new int[] {1, 7, 7, 0, 9, 2}, 2, 3);
        Tensor y = emb.call(ids);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        assertEquals(DType.FLOAT32, y.dtype());
        float[] table = emb.embeddings().value().toFloatArray(), out = y.toFloatArray();
        int[] idv = ids.toIntArray();
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 4; j++) assertEquals(table[idv[i] * 4 + j], out[i * 4 + j]);
        for (float v : table) assertTrue(v >= -0.05 && v < 0.05);
        assertEquals(40, emb.countParams());
    }

    @Test
    void addAndConcatenate() {
        Tensor a = TestData.f64(1, 2, 3), b = TestData.f64(2, 2, 3), c = TestData.f64(3, 2, 2);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
        double[] sum = new double[6];
        for (int i = 0; i < 6; i++) sum[i] = av[i] + bv[i];
        assertClose(sum, dbl(new Add()).call(List.of(a, b), false).toDoubleArray(), 1e-15);
        Tensor cat = dbl(new Concatenate()).call(List.of(a, c), false);
        assertArrayEquals(new int[] {2, 5}, cat.shape());
        assertEquals(c.toDoubleArray()[2], cat.toDoubleArray()[8]);
        assertArrayEquals(new int[] {4, 3}, new Concatenate(0).call(List.of(a, b), false).shape());
        Concatenate bad = new Concatenate(0);
        bad.setName("cat");
        var e = assertThrows(IllegalArgumentException.class, () -> bad.call(List.of(a, c), false));
        assertTrue(e.getMessage().contains("'cat'") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[2,2]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Add().call(List.of(a, c), false));
        assertTrue(e2.getMessage().contains("[2,3]") && e2.getMessage().contains("[2,2]"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new Dense(2).call(List.of(a, b), false));
        assertTrue(e3.getMessage().contains("takes one input"), e3.getMessage());
    }

    @Test
    void activationsByNameAndObject() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 0.5, 2}, 1, 5);
        double[] xv = x.toDoubleArray();
        String[] names = {"relu", "elu", "selu", "gelu", "sigmoid", "tanh", "softplus", "leaky_relu", "linear", "swish", "softmax"};
        for (String n : names) {
            double[] y = dbl(new Activation(n)).call(x).toDoubleArray();
            double sumExp = 0;
            for (double v : xv) sumExp += Math.exp(v);
            for (int i = 0; i < 5; i++) {
                double v = xv[i];
                double sig = 1 / (1 + Math.exp(-v));
                double want = switch (n) {
                    case "relu" -> Math.max(0, v);
                    case "elu" -> v > 0 ? v : Math.expm1(v);
                    case "selu" -> 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v));
                    case "gelu" -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                    case "sigmoid" -> sig;
                    case "tanh" -> Math.tanh(v);
                    case "softplus" -> Math.log1p(Math.exp(v));
                    case "leaky_relu" -> v > 0 ? v : 0.2 * v;
                    case "linear" -> v;
                    case "swish" -> v * sig;
                    case "softmax" -> Math.exp(v) / sumExp;
                    default -> throw new AssertionError();
                };
                assertEquals(want, y[i], 1e-6, n + " at " + v);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Activation.get("nope"));
        assertEquals("elu", Activation.elu().function());
    }

    private static double erf(double x) { // Abramowitz-Stegun 7.1.26 is too coarse; use a series
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
