package dev.fluxion.nn.layers;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The activations {@code OtherLayersTest} leaves out (parameterized factories, the tanh GELU, log-softmax, softsign,
 * name look-up's aliases), second derivatives through activation layers, and the shape layers' edge inputs.
 */
class ActivationAndShapeLayersTest {
    private static final double[] X = {-3, -1.5, -0.25, 0, 0.5, 2, 7.5};

    private static void assertElementwise(Activation a, DoubleUnaryOperator reference) {
        double[] y = dbl(a).call(Tensor.of(X, 1, X.length)).toDoubleArray();
        for (int i = 0; i < X.length; i++) assertEquals(reference.applyAsDouble(X[i]), y[i], 1e-12, a.function() + " at " + X[i]);
    }

    private static double logSumExp() {
        double s = 0;
        for (double v : X) s += Math.exp(v);
        return Math.log(s);
    }

    @Test
    void factoriesBeyondTheKerasNames() {
        assertElementwise(Activation.relu6(), v -> Math.min(Math.max(v, 0), 6));
        assertElementwise(Activation.elu(0.5), v -> v > 0 ? v : 0.5 * Math.expm1(v));
        assertElementwise(Activation.leakyRelu(0.1), v -> v > 0 ? v : 0.1 * v);
        assertElementwise(Activation.softsign(), v -> v / (1 + Math.abs(v)));
        double c = Math.sqrt(2 / Math.PI);
        assertElementwise(Activation.geluTanh(), v -> 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v))));
        assertElementwise(Activation.logSoftmax(), v -> v - logSumExp());
        // softmax over axis 0 of a [2, 2]: each column sums to one
        Tensor x = Tensor.of(new double[] {0, 1, 2, -1}, 2, 2);
        double[] y = dbl(Activation.softmax(0)).call(x).toDoubleArray();
        double e0 = Math.exp(0), e2 = Math.exp(2), e1 = Math.exp(1), em1 = Math.exp(-1);
        assertClose(new double[] {e0 / (e0 + e2), e1 / (e1 + em1), e2 / (e0 + e2), em1 / (e1 + em1)}, y, 1e-12);
    }

    @Test
    void lookUpIgnoresCaseAndKnowsTheAliases() {
        assertEquals("linear", Activation.get(null).function());
        assertElementwise(Activation.get(null), v -> v);
        for (String name : new String[] {"", "none", "Linear"}) assertElementwise(Activation.get(name), v -> v);
        assertElementwise(Activation.get("ReLU"), v -> Math.max(v, 0));
        assertElementwise(Activation.get("RELU6"), v -> Math.min(Math.max(v, 0), 6));
        assertElementwise(Activation.get("LeakyReLU"), v -> v > 0 ? v : 0.2 * v);
        assertElementwise(Activation.get("silu"), v -> v / (1 + Math.exp(-v)));
        assertElementwise(Activation.get("softsign"), v -> v / (1 + Math.abs(v)));
        assertElementwise(Activation.get("log_softmax"), v -> v - logSumExp());
        var e = assertThrows(IllegalArgumentException.class, () -> Activation.get("mish"));
        assertTrue(e.getMessage().contains("'mish'") && e.getMessage().contains("known: relu"), e.getMessage());
    }

    /** d/dx sum(s * d/dx sum(f(x))) by two nested tapes through an activation layer. */
    private static double[] secondDerivative(Activation layer, Tensor x, Tensor s) {
        Variable xv = new Variable(x, "x");
        try (GradientTape outer = new GradientTape()) {
            outer.watch(xv);
            Tensor dot;
            try (GradientTape tape = new GradientTape()) {
                tape.watch(xv);
                Tensor g = tape.gradient(layer.call(xv.value(), true).sum(), List.of(xv)).get(0);
                dot = g.mul(s).sum();
            }
            Tensor second = outer.gradient(dot, List.of(xv)).get(0);
            assertNotNull(second, layer.function() + ": the outer tape saw the inner gradient's ops");
            return second.toDoubleArray();
        }
    }

    @Test
    void secondDerivativesThroughActivationLayers() {
        Tensor x = TestData.f64(1, 3, 4), s = TestData.f64(2, 3, 4);
        double[] xv = x.toDoubleArray(), sv = s.toDoubleArray();
        double[] elu = secondDerivative(dbl(new Activation("elu")), x, s), tanh = secondDerivative(dbl(new Activation("tanh")), x, s);
        for (int i = 0; i < xv.length; i++) {
            assertEquals(xv[i] > 0 ? 0 : sv[i] * Math.exp(xv[i]), elu[i], 1e-12, "elu'' at " + xv[i]);
            double t = Math.tanh(xv[i]);
            assertEquals(sv[i] * -2 * t * (1 - t * t), tanh[i], 1e-12, "tanh'' at " + xv[i]);
        }
    }

    @Test
    void shapeLayersOnTheirSmallestInputs() {
        Tensor m = TestData.f64(3, 2, 3);
        Tensor flat = dbl(new Flatten()).call(m);
        assertArrayEquals(new int[] {2, 3}, flat.shape());
        assertArrayEquals(m.toDoubleArray(), flat.toDoubleArray());
        Flatten f = new Flatten();
        f.setName("flat");
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("'flat'") && e.getMessage().contains("0-d"), e.getMessage());
        // one input to a merge layer: the sum and the concatenation of one tensor are that tensor
        assertArrayEquals(m.toDoubleArray(), dbl(new Add()).call(m).toDoubleArray());
        assertArrayEquals(m.toDoubleArray(), dbl(new Concatenate()).call(m).toDoubleArray());
        // Reshape: 0 is a dimension (of an empty example), two -1s are not
        var two = assertThrows(IllegalArgumentException.class, () -> new Reshape(-1, 2, -1));
        assertTrue(two.getMessage().contains("at most one") && two.getMessage().contains("[-1,2,-1]"), two.getMessage());
        var neg = assertThrows(IllegalArgumentException.class, () -> new Reshape(3, -2));
        assertTrue(neg.getMessage().contains("-2") && neg.getMessage().contains("[3,-2]"), neg.getMessage());
        Reshape zero = new Reshape(0, 4);
        zero.setName("r0");
        var mismatch = assertThrows(IllegalArgumentException.class, () -> zero.call(m));
        assertTrue(mismatch.getMessage().contains("'r0'") && mismatch.getMessage().contains("[2,3]") && mismatch.getMessage().contains("[0,4]"),
                mismatch.getMessage());
        assertArrayEquals(new int[] {2, 3, 1}, new Reshape(-1, 1).call(m).shape());
    }

    @Test
    void embeddingTruncatesFloatIds() {
        Embedding emb = dbl(new Embedding(4, 2));
        Tensor ids = Tensor.of(new double[] {2.9, 0.4, 3.5, 1.0}, 2, 2);
        emb.call(Tensor.of(new int[] {0}, 1)); // builds
        double[] table = emb.embeddings().value().toDoubleArray();
        double[] y = emb.call(ids).toDoubleArray();
        int[] rows = {2, 0, 3, 1};
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 2; j++) assertEquals(table[rows[i] * 2 + j], y[i * 2 + j], "id " + ids.toDoubleArray()[i]);
        Tensor longIds = Tensor.of(new int[] {3, 1}, 2).cast(dev.fluxion.DType.INT64);
        assertClose(new double[] {table[6], table[7], table[2], table[3]}, emb.call(longIds).toDoubleArray(), 0);
    }
}
