package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SimpleRNN, LSTM and GRU against Keras' cell equations in plain float64 here; gradients by central differences. */
class RecurrentTest {
    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Row b of x [n, t, f] at step s times w [f, cols], plus bias. */
    static double[] affine(double[] in, int off, int rows, double[] w, int cols, double[] bias, int biasOff) {
        double[] out = new double[cols];
        for (int c = 0; c < cols; c++) {
            double acc = bias[biasOff + c];
            for (int r = 0; r < rows; r++) acc += in[off + r] * w[r * cols + c];
            out[c] = acc;
        }
        return out;
    }

    /** The layer's outputs [n, steps, u] (every step) computed from its weights by Keras' equations. */
    static double[] reference(Recurrent<?> layer, double[] x, int n, int steps, int f) {
        return reference(layer, x, n, steps, f, null);
    }

    /** As above, with h multiplied by {@code recMask} [n, u] (recurrent dropout) where it enters the recurrent product. */
    static double[] reference(Recurrent<?> layer, double[] x, int n, int steps, int f, double[] recMask) {
        int u = layer.units;
        double[] w = layer.kernel().value().toDoubleArray(), rec = layer.recurrentKernel().value().toDoubleArray();
        double[] b = layer.bias().value().toDoubleArray();
        double[] out = new double[n * steps * u];
        for (int s0 = 0; s0 < n; s0++) {
            double[] h = new double[u], c = new double[u];
            for (int t = 0; t < steps; t++) {
                double[] xw = affine(x, (s0 * steps + t) * f, f, w, layer.gates() * u, b, 0);
                double[] next = new double[u], hm = h.clone();
                if (recMask != null) for (int k = 0; k < u; k++) hm[k] *= recMask[s0 * u + k];
                switch (layer) {
                    case LSTM l -> {
                        double[] z = affine(hm, 0, u, rec, 4 * u, new double[4 * u], 0);
                        for (int k = 0; k < u; k++) {
                            double i = sigmoid(xw[k] + z[k]), fg = sigmoid(xw[u + k] + z[u + k]);
                            double g = Math.tanh(xw[2 * u + k] + z[2 * u + k]), o = sigmoid(xw[3 * u + k] + z[3 * u + k]);
                            c[k] = fg * c[k] + i * g;
                            next[k] = o * Math.tanh(c[k]);
                        }
                    }
                    case GRU g -> {
                        double[] r = affine(hm, 0, u, rec, 3 * u, b, 3 * u); // recurrent bias: the second row
                        for (int k = 0; k < u; k++) {
                            double z = sigmoid(xw[k] + r[k]), reset = sigmoid(xw[u + k] + r[u + k]);
                            double cand = Math.tanh(xw[2 * u + k] + reset * r[2 * u + k]);
                            next[k] = z * h[k] + (1 - z) * cand;
                        }
                    }
                    default -> {
                        double[] r = affine(hm, 0, u, rec, u, new double[u], 0);
                        for (int k = 0; k < u; k++) next[k] = Math.tanh(xw[k] + r[k]);
                    }
                }
                h = next;
                System.arraycopy(h, 0, out, (s0 * steps + t) * u, u);
            }
        }
        return out;
    }

    private static List<Recurrent<?>> layers(int units, boolean sequences) {
        List<Recurrent<?>> out = new ArrayList<>();
        for (Recurrent<?> l : List.<Recurrent<?>>of(new SimpleRNN(units), new LSTM(units), new GRU(units))) {
            TestData.dbl(l);
            l.returnSequences(sequences);
            out.add(l);
        }
        return out;
    }

    @Test
    void outputsFollowKerasEquations() {
        int n = 3, steps = 5, f = 4, u = 6;
        Tensor x = TestData.f64(1, n, steps, f);
        for (boolean sequences : new boolean[] {true, false})
            for (Recurrent<?> layer : layers(u, sequences)) {
                Tensor y = layer.call(x);
                if (layer instanceof GRU) { // give the recurrent bias values, so the test sees where it is added
                    layer.bias().assign(TestData.f64(9, 2, 3 * u));
                    y = layer.call(x);
                }
                double[] all = reference(layer, x.toDoubleArray(), n, steps, f);
                String what = layer.getClass().getSimpleName() + (sequences ? " sequences" : " last");
                if (sequences) {
                    assertArrayEquals(new int[] {n, steps, u}, y.shape(), what);
                    assertClose(all, y.toDoubleArray(), 1e-12);
                } else {
                    assertArrayEquals(new int[] {n, u}, y.shape(), what);
                    double[] last = new double[n * u];
                    for (int b = 0; b < n; b++) System.arraycopy(all, (b * steps + steps - 1) * u, last, b * u, u);
                    assertClose(last, y.toDoubleArray(), 1e-12);
                }
            }
    }

    /** d sum(out * w) / d v by central differences, element by element. */
    private static double[] numeric(Variable v, java.util.function.Supplier<Double> loss) {
        double[] base = v.value().toDoubleArray(), grad = new double[base.length];
        double eps = 1e-6;
        for (int i = 0; i < base.length; i++) {
            double[] p = base.clone();
            p[i] += eps;
            v.assign(Tensor.of(p, v.shape()));
            double up = loss.get();
            p[i] -= 2 * eps;
            v.assign(Tensor.of(p, v.shape()));
            grad[i] = (up - loss.get()) / (2 * eps);
        }
        v.assign(Tensor.of(base, v.shape()));
        return grad;
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int n = 2, steps = 4, f = 3, u = 3;
        Variable x = new Variable(TestData.f64(3, n, steps, f), "x");
        Tensor w = TestData.f64(4, n, steps, u);
        for (Recurrent<?> layer : layers(u, true)) {
            layer.call(x.value());
            layer.bias().assign(TestData.f64(5, layer.bias().shape()).mul(0.5));
            List<Variable> wrt = List.of(x, layer.kernel(), layer.recurrentKernel(), layer.bias());
            List<Tensor> grads;
            try (var tape = new GradientTape()) {
                grads = tape.gradient(layer.call(x.value(), true).mul(w).sum(), wrt);
            }
            for (int i = 0; i < wrt.size(); i++) {
                double[] want = numeric(wrt.get(i), () -> layer.call(x.value()).mul(w).sum().item());
                assertClose(want, grads.get(i).toDoubleArray(), 1e-7);
            }
        }
    }

    @Test
    void kerasInitialValuesAndShapes() {
        LSTM lstm = new LSTM(5);
        lstm.call(Tensor.ones(2, 3, 7));
        assertArrayEquals(new int[] {7, 20}, lstm.kernel().shape());
        assertArrayEquals(new int[] {5, 20}, lstm.recurrentKernel().shape());
        float[] b = lstm.bias().value().toFloatArray();
        for (int i = 0; i < 20; i++) assertEquals(i >= 5 && i < 10 ? 1f : 0f, b[i], "unit_forget_bias at " + i);
        GRU gru = new GRU(4);
        gru.call(Tensor.ones(2, 3, 7));
        assertArrayEquals(new int[] {2, 12}, gru.bias().shape(), "input and recurrent biases (reset_after)");
        // Keras' parameter counts: LSTM 4·(u·(u + f) + u), GRU 3·(u·(u + f) + 2u), SimpleRNN u·(u + f) + u
        assertEquals(4 * (5 * 12 + 5), lstm.countParams());
        assertEquals(3 * (4 * 11 + 8), gru.countParams());
        SimpleRNN rnn = new SimpleRNN(3);
        rnn.call(Tensor.ones(1, 2, 7));
        assertEquals(3 * 10 + 3, rnn.countParams());
        // the recurrent kernel [5, 20] is orthogonal as Keras draws it: orthonormal rows, U Uᵀ = I
        Tensor rec = lstm.recurrentKernel().value().cast(dev.fluxion.DType.FLOAT64);
        double[] gram = rec.matmul(rec.transpose()).toDoubleArray();
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) assertEquals(i == j ? 1 : 0, gram[i * 5 + j], 1e-6, "U Uᵀ at " + i + "," + j);
    }

    @Test
    void initializerOptionsReachTheKernelsAndOptionsCloseAtBuild() {
        SimpleRNN rnn = new SimpleRNN(2).kernelInitializer(Initializers.ones()).recurrentInitializer(Initializers.constant(0.5));
        rnn.call(Tensor.ones(1, 2, 3));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, rnn.kernel().value().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, rnn.recurrentKernel().value().toFloatArray());
        assertMentions(assertThrows(IllegalStateException.class, () -> rnn.kernelInitializer(Initializers.zeros())), "SimpleRNN", "before the layer is built");
        assertMentions(assertThrows(IllegalStateException.class, () -> rnn.recurrentInitializer(Initializers.zeros())), "before the layer is built");
        Conv1D conv = new Conv1D(2, 3);
        conv.call(Tensor.ones(1, 5, 2));
        assertMentions(assertThrows(IllegalStateException.class, () -> conv.dilation(2)), "Conv1D", "before the layer is built");
    }

    @Test
    void orthogonalInitializerGivesOrthonormalRowsOrColumns() {
        for (int[] shape : new int[][] {{6, 4}, {4, 6}, {2, 3, 4}}) {
            Tensor q = Initializers.orthogonal(2, 7L).apply(shape, dev.fluxion.DType.FLOAT64);
            int cols = shape[shape.length - 1], rows = q.size() / cols;
            Tensor m = q.reshape(rows, cols);
            Tensor gram = rows >= cols ? m.transpose().matmul(m) : m.matmul(m.transpose());
            int k = Math.min(rows, cols);
            double[] g = gram.toDoubleArray();
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) assertEquals(i == j ? 4 : 0, g[i * k + j], 1e-9, "gain² on the diagonal");
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Initializers.orthogonal().apply(new int[] {5}, dev.fluxion.DType.FLOAT32)),
                "orthogonal", "rank 2");
    }

    @Test
    void trainsInAModelAndNamesBadInputs() {
        Sequential model = Sequential.of(Input.shape(6, 2), new LSTM(8).returnSequences(true), new GRU(4), new Dense(1));
        assertArrayEquals(new int[] {-1, 1}, model.outputShape());
        model.compile(new dev.fluxion.nn.optimizers.Adam(0.02), new dev.fluxion.nn.losses.MeanSquaredError());
        // the target is the sum of the sequence's first feature: a recurrent net can learn it
        Tensor xs = TestData.f32(6, 64, 6, 2), ys = dev.fluxion.ArrayOps.slice(xs, 2, 0, 1, 1).sum(new int[] {1}, false); // [64, 1]
        var h = model.fit(xs, ys, dev.fluxion.nn.training.Fit.epochs(8).batchSize(16).verbose(0));
        assertTrue(h.get("loss").get(7) < 0.5 * h.get("loss").get(0), "loss " + h.get("loss"));
        SimpleRNN rnn = new SimpleRNN(3);
        rnn.setName("rnn");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rnn.call(Tensor.ones(2, 3))), "SimpleRNN", "'rnn'", "rank 3", "[2,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new LSTM(0)), "LSTM", "units must be positive, got 0");
    }
}
