package dev.fluxion.nn.losses;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.nn.losses.Loss.Reduction;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Values from the Keras documentation examples; gradients against hand-derived formulas in float64. */
class LossesTest {
    static Tensor m(double[][] rows) {
        int r = rows.length, c = rows[0].length;
        double[] flat = new double[r * c];
        for (int i = 0; i < r; i++) System.arraycopy(rows[i], 0, flat, i * c, c);
        return Tensor.of(flat, r, c);
    }

    static Tensor v(double... xs) {
        return Tensor.of(xs, xs.length);
    }

    static void close(double expected, Tensor actual, double tol) {
        assertEquals(0, actual.rank(), "a reduced loss is 0-d");
        assertEquals(expected, actual.item(), tol);
    }

    static void close(double[] expected, Tensor actual, double tol) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(expected[i], a[i], tol, "element " + i);
    }

    static Tensor gradient(Loss loss, Tensor yTrue, Tensor yPred) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(yPred);
            Tensor l = loss.call(yTrue, yPred);
            return tape.gradient(l, yPred)[0];
        }
    }

    // --------------------------------------------------------------- categorical cross-entropy

    static final Tensor CCE_TRUE = m(new double[][] {{0, 1, 0}, {0, 0, 1}});
    static final Tensor CCE_PRED = m(new double[][] {{0.05, 0.95, 0}, {0.1, 0.8, 0.1}});

    @Test
    void categoricalCrossentropyKerasExample() {
        close(1.177, new CategoricalCrossentropy().call(CCE_TRUE, CCE_PRED), 1e-3);
        close(0.814, new CategoricalCrossentropy().call(CCE_TRUE, CCE_PRED, v(0.3, 0.7)), 1e-3);
        close(2.354, new CategoricalCrossentropy(false, 0, Reduction.SUM).call(CCE_TRUE, CCE_PRED), 1e-3);
        close(new double[] {-Math.log(0.95), -Math.log(0.1)},
                new CategoricalCrossentropy(false, 0, Reduction.NONE).call(CCE_TRUE, CCE_PRED), 1e-9);
        // the per-example function form
        close(new double[] {0.0513, 2.303}, Losses.categoricalCrossentropy(CCE_TRUE, CCE_PRED), 1e-3);
    }

    @Test
    void categoricalCrossentropyClipsAndRenormalizesProbabilities() {
        Tensor yt = m(new double[][] {{1, 0}});
        close(-Math.log(1e-7), new CategoricalCrossentropy().call(yt, m(new double[][] {{0, 1}})), 1e-6);
        close(-Math.log(0.25), new CategoricalCrossentropy().call(yt, m(new double[][] {{1, 3}})), 1e-9);
    }

    @Test
    void categoricalCrossentropyFromLogitsAndLabelSmoothing() {
        double[][] logits = {{1, 2, 3}, {0.5, -1, 2}};
        double[][] y = {{0, 0, 1}, {1, 0, 0}};
        double[] expectedNone = new double[2];
        double[] smoothed = new double[2];
        for (int i = 0; i < 2; i++) {
            double lse = Math.log(Math.exp(logits[i][0]) + Math.exp(logits[i][1]) + Math.exp(logits[i][2]));
            for (int j = 0; j < 3; j++) {
                expectedNone[i] -= y[i][j] * (logits[i][j] - lse);
                smoothed[i] -= (y[i][j] * 0.8 + 0.2 / 3) * (logits[i][j] - lse);
            }
        }
        Tensor yt = m(y), lg = m(logits);
        close(new double[] {expectedNone[0], expectedNone[1]}, new CategoricalCrossentropy(true, 0, Reduction.NONE).call(yt, lg), 1e-9);
        close((expectedNone[0] + expectedNone[1]) / 2, new CategoricalCrossentropy(true).call(yt, lg), 1e-9);
        close(expectedNone[0] + expectedNone[1], new CategoricalCrossentropy(true, 0, Reduction.SUM).call(yt, lg), 1e-9);
        close((smoothed[0] + smoothed[1]) / 2, new CategoricalCrossentropy(true, 0.2, Reduction.SUM_OVER_BATCH_SIZE).call(yt, lg), 1e-9);
        // huge logits stay finite
        close(0, new CategoricalCrossentropy(true).call(m(new double[][] {{1, 0}}), m(new double[][] {{1000, -1000}})), 1e-9);
    }

    @Test
    void categoricalCrossentropyGradients() {
        double[][] logits = {{1, 2, 3}, {0.5, -1, 2}};
        double[][] y = {{0, 0, 1}, {1, 0, 0}};
        double[] expected = new double[6];
        for (int i = 0; i < 2; i++) {
            double s = 0;
            for (int j = 0; j < 3; j++) s += Math.exp(logits[i][j]);
            for (int j = 0; j < 3; j++) expected[i * 3 + j] = (Math.exp(logits[i][j]) / s - y[i][j]) / 2;
        }
        close(expected, gradient(new CategoricalCrossentropy(true), m(y), m(logits)), 1e-9);
        // from probabilities that sum to 1: d/dp_k = (-y_k / p_k + 1) / batch
        double[][] p = {{0.2, 0.3, 0.5}, {0.6, 0.3, 0.1}};
        double[] ep = new double[6];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) ep[i * 3 + j] = (-y[i][j] / p[i][j] + 1) / 2;
        close(ep, gradient(new CategoricalCrossentropy(), m(y), m(p)), 1e-9);
        // sparse labels from logits: same gradient as one-hot
        close(expected, gradient(new SparseCategoricalCrossentropy(true), Tensor.of(new int[] {2, 0}, 2), m(logits)), 1e-9);
    }

    // --------------------------------------------------------------- sparse categorical cross-entropy

    @Test
    void sparseCategoricalCrossentropyKerasExample() {
        Tensor labels = Tensor.of(new int[] {1, 2}, 2);
        close(1.177, new SparseCategoricalCrossentropy().call(labels, CCE_PRED), 1e-3);
        close(0.814, new SparseCategoricalCrossentropy().call(labels, CCE_PRED, v(0.3, 0.7)), 1e-3);
        close(2.354, new SparseCategoricalCrossentropy(false, Reduction.SUM).call(labels, CCE_PRED), 1e-3);
        close(new double[] {0.0513, 2.303}, new SparseCategoricalCrossentropy(false, Reduction.NONE).call(labels, CCE_PRED), 1e-3);
        // int64 labels of shape [batch, 1] and float labels work too
        close(1.177, new SparseCategoricalCrossentropy().call(Tensor.of(new long[] {1, 2}, 2, 1), CCE_PRED), 1e-3);
        close(1.177, new SparseCategoricalCrossentropy().call(v(1, 2), CCE_PRED), 1e-3);
        // from logits: the log of the same probabilities gives the same loss (the true classes are far from the clip)
        Tensor logits = m(new double[][] {{Math.log(0.05), Math.log(0.95), -69}, {Math.log(0.1), Math.log(0.8), Math.log(0.1)}});
        close(1.177, new SparseCategoricalCrossentropy(true).call(labels, logits), 1e-3);
        close(new SparseCategoricalCrossentropy().call(labels, CCE_PRED).item(), new SparseCategoricalCrossentropy(true).call(labels, logits), 1e-6);
    }

    // --------------------------------------------------------------- binary cross-entropy

    static final Tensor BCE_TRUE = m(new double[][] {{0, 1}, {0, 0}});
    static final Tensor BCE_PRED = m(new double[][] {{0.6, 0.4}, {0.4, 0.6}});

    @Test
    void binaryCrossentropyKerasExample() {
        close(0.815, new BinaryCrossentropy().call(BCE_TRUE, BCE_PRED), 1e-3);
        close(0.458, new BinaryCrossentropy().call(BCE_TRUE, BCE_PRED, v(1, 0)), 1e-3);
        close(1.630, new BinaryCrossentropy(false, 0, Reduction.SUM).call(BCE_TRUE, BCE_PRED), 1e-3);
        close(new double[] {0.916, 0.714}, new BinaryCrossentropy(false, 0, Reduction.NONE).call(BCE_TRUE, BCE_PRED), 1e-3);
    }

    @Test
    void binaryCrossentropyFromLogitsKerasExample() {
        Tensor yt = v(0, 1, 0, 0), logits = v(-18.6, 0.51, 2.94, -12.8);
        close(0.865, new BinaryCrossentropy(true).call(yt, logits), 1e-3);
        // stable for huge logits
        close(1000.0 / 2, new BinaryCrossentropy(true).call(v(1, 1), v(-1000, 1000)), 1e-9);
        // label smoothing 0.2: z = 0.1 / 0.9
        double x = 0.7, z = 0.9;
        double expected = Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
        close(expected, new BinaryCrossentropy(true, 0.2, Reduction.SUM_OVER_BATCH_SIZE).call(v(1), v(x)), 1e-9);
    }

    @Test
    void binaryCrossentropyGradients() {
        double[] x = {-2, 0.5, 3, -0.1}, z = {0, 1, 1, 0};
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) expected[i] = (1 / (1 + Math.exp(-x[i])) - z[i]) / 4;
        close(expected, gradient(new BinaryCrossentropy(true), Tensor.of(z, 2, 2), Tensor.of(x, 2, 2)), 1e-9);
        double[] p = {0.2, 0.7, 0.9, 0.4};
        double[] ep = new double[4];
        for (int i = 0; i < 4; i++) ep[i] = (p[i] - z[i]) / (p[i] * (1 - p[i])) / 4;
        close(ep, gradient(new BinaryCrossentropy(), Tensor.of(z, 2, 2), Tensor.of(p, 2, 2)), 1e-9);
    }

    // --------------------------------------------------------------- regression losses

    static final Tensor REG_TRUE = m(new double[][] {{0, 1}, {0, 0}});
    static final Tensor REG_PRED = m(new double[][] {{1, 1}, {1, 0}});

    @Test
    void meanSquaredErrorKerasExample() {
        close(0.5, new MeanSquaredError().call(REG_TRUE, REG_PRED), 1e-9);
        close(0.25, new MeanSquaredError().call(REG_TRUE, REG_PRED, v(0.7, 0.3)), 1e-9);
        close(1.0, new MeanSquaredError(Reduction.SUM).call(REG_TRUE, REG_PRED), 1e-9);
        close(new double[] {0.5, 0.5}, new MeanSquaredError(Reduction.NONE).call(REG_TRUE, REG_PRED), 1e-9);
        double[] p = {0.5, -1, 2, 0.25}, y = {0, 1, 1, 0};
        double[] g = new double[4];
        for (int i = 0; i < 4; i++) g[i] = 2 * (p[i] - y[i]) / 4;
        close(g, gradient(new MeanSquaredError(), Tensor.of(y, 2, 2), Tensor.of(p, 2, 2)), 1e-12);
        for (int i = 0; i < 4; i++) g[i] = 2 * (p[i] - y[i]) / 2; // SUM over the batch, mean over the last axis
        close(g, gradient(new MeanSquaredError(Reduction.SUM), Tensor.of(y, 2, 2), Tensor.of(p, 2, 2)), 1e-12);
    }

    @Test
    void meanAbsoluteErrorKerasExample() {
        close(0.5, new MeanAbsoluteError().call(REG_TRUE, REG_PRED), 1e-9);
        close(0.25, new MeanAbsoluteError().call(REG_TRUE, REG_PRED, v(0.7, 0.3)), 1e-9);
        close(1.0, new MeanAbsoluteError(Reduction.SUM).call(REG_TRUE, REG_PRED), 1e-9);
        close(new double[] {0.5, 0.5}, new MeanAbsoluteError(Reduction.NONE).call(REG_TRUE, REG_PRED), 1e-9);
        double[] p = {0.5, -1, 2, 0.25}, y = {0, 1, 1, 0};
        double[] g = new double[4];
        for (int i = 0; i < 4; i++) g[i] = Math.signum(p[i] - y[i]) / 4;
        close(g, gradient(new MeanAbsoluteError(), Tensor.of(y, 2, 2), Tensor.of(p, 2, 2)), 1e-12);
    }

    @Test
    void huberKerasExample() {
        Tensor yt = m(new double[][] {{0, 1}, {0, 0}}), yp = m(new double[][] {{0.6, 0.4}, {0.4, 0.6}});
        close(0.155, new Huber().call(yt, yp), 1e-3);
        close(0.09, new Huber().call(yt, yp, v(1, 0)), 1e-3);
        close(0.31, new Huber(1.0, Reduction.SUM).call(yt, yp), 1e-3);
        close(new double[] {0.18, 0.13}, new Huber(1.0, Reduction.NONE).call(yt, yp), 1e-3);
        // delta 0.5: errors 2 (linear) and 0.3 (quadratic)
        double e1 = 0.5 * (2 - 0.25), e2 = 0.5 * 0.09;
        close((e1 + e2) / 2, new Huber(0.5).call(v(0, 0), v(2, 0.3)), 1e-9);
        close(new double[] {0.5 / 2, 0.3 / 2}, gradient(new Huber(0.5), v(0, 0), v(2, 0.3)), 1e-12);
    }

    @Test
    void sampleWeightShapesAndErrors() {
        // [batch, 1] weights and a 0-d weight
        close(0.25, new MeanSquaredError().call(REG_TRUE, REG_PRED, Tensor.of(new double[] {0.7, 0.3}, 2, 1)), 1e-9);
        close(1.0, new MeanSquaredError().call(REG_TRUE, REG_PRED, Tensor.scalar(2, dev.fluxion.DType.FLOAT64)), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().call(REG_TRUE, v(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> new CategoricalCrossentropy(false, 2, Reduction.NONE));
        assertEquals("categorical_crossentropy", Losses.get("categorical_crossentropy").name());
        assertEquals(Reduction.SUM_OVER_BATCH_SIZE, new Huber().reduction());
    }

    @Test
    void lossesTraceIntoGraphFunctions() {
        Loss loss = new CategoricalCrossentropy(true);
        var f = dev.fluxion.Fx.function("loss", (Tensor a, Tensor b) -> loss.call(a, b));
        Tensor yt = m(new double[][] {{0, 0, 1}, {1, 0, 0}}), lg = m(new double[][] {{1, 2, 3}, {0.5, -1, 2}});
        assertEquals(loss.call(yt, lg).item(), f.call(yt, lg).item(), 1e-9);
    }

    // --------------------------------------------------------------- settings at their limits, factories, weights

    @Test
    void fullLabelSmoothingTargetsTheUniformDistribution() {
        // smoothing 1 is allowed (Keras' range is [0, 1]): y becomes 1/classes, z becomes 1/2
        Tensor yt = m(new double[][] {{0, 1, 0}});
        Tensor p = m(new double[][] {{0.2, 0.3, 0.5}});
        double uniform = -(Math.log(0.2) + Math.log(0.3) + Math.log(0.5)) / 3;
        close(uniform, new CategoricalCrossentropy(false, 1, null).call(yt, p), 1e-9);
        double half = -(0.5 * Math.log(0.2) + 0.5 * Math.log(0.8) + 0.5 * Math.log(0.3) + 0.5 * Math.log(0.7)
                + 0.5 * Math.log(0.5) + 0.5 * Math.log(0.5)) / 3;
        close(half, new BinaryCrossentropy(false, 1, null).call(yt, p), 1e-9);
    }

    @Test
    void huberDeltaSeparatesTheQuadraticAndLinearParts() {
        Huber h = new Huber(0.5);
        assertEquals(0.5, h.delta());
        // errors 0.25 (quadratic: 0.03125) and 2 (linear: 0.5 · (2 - 0.25) = 0.875), mean over the last axis
        close(new double[] {(0.03125 + 0.875) / 2}, new Huber(0.5, Reduction.NONE).call(m(new double[][] {{0, 0}}), m(new double[][] {{0.25, -2}})), 1e-12);
    }

    @Test
    void factoriesAndFunctionFormsMatchTheClasses() {
        Tensor yt = m(new double[][] {{0, 1}, {1, 0}}), yp = m(new double[][] {{0.25, 0.75}, {0.5, 0.5}});
        assertTrue(Losses.categoricalCrossentropy() instanceof CategoricalCrossentropy c && !c.fromLogits());
        assertTrue(Losses.sparseCategoricalCrossentropy() instanceof SparseCategoricalCrossentropy s && !s.fromLogits());
        assertTrue(new SparseCategoricalCrossentropy(true).fromLogits());
        assertTrue(new BinaryCrossentropy(true).fromLogits());
        assertTrue(Losses.binaryCrossentropy() instanceof BinaryCrossentropy);
        assertTrue(Losses.meanSquaredError() instanceof MeanSquaredError);
        assertTrue(Losses.meanAbsoluteError() instanceof MeanAbsoluteError);
        assertEquals(1.0, ((Huber) Losses.huber()).delta());
        close(new double[] {-Math.log(0.75), -Math.log(0.5)}, Losses.categoricalCrossentropy(yt, yp), 1e-9);
        close(new double[] {-Math.log(0.75), -Math.log(0.5)}, Losses.sparseCategoricalCrossentropy(v(1, 0), yp), 1e-9);
        close(new double[] {-Math.log(0.75), -Math.log(0.5)}, Losses.binaryCrossentropy(yt, yp), 1e-9);
        close(new double[] {0.0625, 0.25}, Losses.meanSquaredError(yt, yp), 1e-12);
        close(new double[] {0.25, 0.5}, Losses.meanAbsoluteError(yt, yp), 1e-12);
    }

    @Test
    void perExampleWeightsSpreadOverTheRemainingAxes() {
        // predictions [2, 2, 1]: per-example values [2, 2]; a weight per example (shape [2]) weighs both of its steps
        Tensor yt = Tensor.of(new double[] {0, 0, 0, 0}, 2, 2, 1), yp = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2, 1);
        close(new double[] {1, 4, 0, 0}, new MeanSquaredError(Reduction.NONE).call(yt, yp, v(1, 0)), 1e-12);
        close((1 + 4 + 2 * 9 + 2 * 16) / 4.0, new MeanSquaredError().call(yt, yp, v(1, 2)), 1e-12);
    }
}
