package dev.fluxion.nn.layers;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * BatchNormalization in training, against float64 references computed here: the momentum's bounds, ghost batches on
 * a middle feature axis with gamma and beta, rank-1 inputs, a traced training step, and a gradient of a gradient.
 */
class BatchNormalizationTrainingTest {
    /**
     * Batch statistics of x [n, c, l] (feature axis 1) over rows [from, to) of the batch: {mean[c], variance[c]}, the
     * variance the population one.
     */
    private static double[][] stats(double[] x, int c, int l, int from, int to) {
        double[] mean = new double[c], var = new double[c];
        double count = (to - from) * l;
        for (int i = from; i < to; i++)
            for (int k = 0; k < c; k++)
                for (int j = 0; j < l; j++) mean[k] += x[(i * c + k) * l + j] / count;
        for (int i = from; i < to; i++)
            for (int k = 0; k < c; k++)
                for (int j = 0; j < l; j++) var[k] += Math.pow(x[(i * c + k) * l + j] - mean[k], 2) / count;
        return new double[][] {mean, var};
    }

    /** (x - mean) / sqrt(var + eps) * gamma + beta over rows [from, to) of x [n, c, l], into out. */
    private static void normalize(double[] x, int c, int l, int from, int to, double[][] st, double eps, double[] gamma,
                                  double[] beta, double[] out) {
        for (int i = from; i < to; i++)
            for (int k = 0; k < c; k++)
                for (int j = 0; j < l; j++) {
                    int at = (i * c + k) * l + j;
                    out[at] = (x[at] - st[0][k]) / Math.sqrt(st[1][k] + eps) * gamma[k] + beta[k];
                }
    }

    @Test
    void momentumZeroTakesTheBatchStatisticsAndOneKeepsTheMovingOnes() {
        Tensor x = TestData.f64(1, 5, 3, 1).mul(2).add(3);
        double[][] st = stats(x.toDoubleArray(), 3, 1, 0, 5);
        BatchNormalization zero = dbl(new BatchNormalization().axis(1).momentum(0));
        zero.call(x, true);
        assertClose(st[0], zero.movingMean().value().toDoubleArray(), 1e-12);
        assertClose(st[1], zero.movingVariance().value().toDoubleArray(), 1e-12);
        BatchNormalization one = dbl(new BatchNormalization().axis(1).momentum(1));
        one.call(x, true);
        assertClose(new double[] {0, 0, 0}, one.movingMean().value().toDoubleArray(), 0);
        assertClose(new double[] {1, 1, 1}, one.movingVariance().value().toDoubleArray(), 0);
    }

    @Test
    void ghostBatchesOnAMiddleAxisWithGammaAndBeta() {
        int n = 6, c = 2, l = 3, v = 2;
        Tensor x = TestData.f64(2, n, c, l).mul(1.5).add(0.5);
        double[] xv = x.toDoubleArray(), gamma = {1.5, -0.5}, beta = {0.25, -2};
        for (boolean withParams : new boolean[] {true, false}) {
            BatchNormalization bn = dbl(new BatchNormalization().axis(1).virtualBatchSize(v).momentum(0.75).epsilon(0.01)
                    .scale(withParams).center(withParams));
            bn.call(x, false); // builds
            if (withParams) {
                bn.gamma().assign(Tensor.of(gamma, c));
                bn.beta().assign(Tensor.of(beta, c));
            } else {
                assertNull(bn.gamma());
                assertNull(bn.beta());
            }
            double[] g = withParams ? gamma : new double[] {1, 1}, b = withParams ? beta : new double[] {0, 0};
            double[] expected = new double[xv.length], mm = new double[c], mv = new double[c];
            for (int s = 0; s < n; s += v) {
                double[][] st = stats(xv, c, l, s, s + v);
                normalize(xv, c, l, s, s + v, st, 0.01, g, b, expected);
                for (int k = 0; k < c; k++) {
                    mm[k] += st[0][k] / (n / v);
                    mv[k] += st[1][k] / (n / v);
                }
            }
            Tensor y = bn.call(x, true);
            assertArrayEquals(x.shape(), y.shape());
            assertClose(expected, y.toDoubleArray(), 1e-10);
            for (int k = 0; k < c; k++) {
                mm[k] = 0.75 * 0 + 0.25 * mm[k];
                mv[k] = 0.75 * 1 + 0.25 * mv[k];
            }
            assertClose(mm, bn.movingMean().value().toDoubleArray(), 1e-12);
            assertClose(mv, bn.movingVariance().value().toDoubleArray(), 1e-12);
        }
        BatchNormalization batchAxis = new BatchNormalization().axis(0).virtualBatchSize(2);
        batchAxis.setName("bn0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> batchAxis.call(Tensor.ones(4, 3), true)),
                "'bn0'", "virtualBatchSize", "axis other than 0");
    }

    @Test
    void aRank1InputNormalizesEachFeatureByItself() {
        // one example per feature: the batch variance is 0, so training gives beta and the moving mean moves to x
        BatchNormalization bn = dbl(new BatchNormalization().momentum(0.5));
        Tensor x = Tensor.of(new double[] {2, -4, 6}, 3);
        assertClose(new double[] {0, 0, 0}, bn.call(x, true).toDoubleArray(), 1e-15);
        assertClose(new double[] {1, -2, 3}, bn.movingMean().value().toDoubleArray(), 1e-15);
        // inference: (x - moving mean) / sqrt(moving variance + 1e-3), the moving variance 0.5 * 1 + 0.5 * 0
        double s = 1 / Math.sqrt(0.5 + 1e-3);
        assertClose(new double[] {s, -2 * s, 3 * s}, bn.call(x, false).toDoubleArray(), 1e-14);
        // followed by an activation in a Sequential (the pair's closed form in eager training), with beta 0.5 through
        // relu: the output is relu(beta) and the gradient reaches beta alone
        BatchNormalization first = dbl(new BatchNormalization().betaInitializer(Initializers.constant(0.5)));
        dev.fluxion.nn.Sequential model = dbl(dev.fluxion.nn.Sequential.of(first, new Activation("relu")));
        model.call(x, false);
        try (GradientTape tape = new GradientTape()) {
            Tensor y = model.call(x, true);
            assertClose(new double[] {0.5, 0.5, 0.5}, y.toDoubleArray(), 1e-15);
            List<Tensor> g = tape.gradient(y.sum(), List.of(first.gamma(), first.beta()));
            assertClose(new double[] {0, 0, 0}, g.get(0).toDoubleArray(), 1e-12);
            assertClose(new double[] {1, 1, 1}, g.get(1).toDoubleArray(), 1e-12);
        }
        BatchNormalization scalar = new BatchNormalization();
        scalar.setName("bn_s");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> scalar.call(Tensor.scalar(1f))), "'bn_s'", "rank >= 1");
    }

    @Test
    void aTracedTrainingStepNormalizesUpdatesAndDifferentiatesAsEagerly() {
        Tensor x = TestData.f64(3, 4, 2, 3).mul(2).add(1), r = TestData.f64(4, 4, 2, 3);
        double[] xv = x.toDoubleArray(), gamma = {0.5, 2}, beta = {1, -1};
        BatchNormalization bn = dbl(new BatchNormalization().axis(1).momentum(0.5));
        bn.call(x, false);
        bn.gamma().assign(Tensor.of(gamma, 2));
        bn.beta().assign(Tensor.of(beta, 2));
        BatchNormalization eager = dbl(new BatchNormalization().axis(1).momentum(0.5));
        eager.call(x, false);
        eager.gamma().assign(Tensor.of(gamma, 2));
        eager.beta().assign(Tensor.of(beta, 2));
        Variable in = new Variable(x, "x");
        GraphFunction<List<Tensor>> step = Fx.functionOf("bn_step", args -> {
            try (GradientTape tape = new GradientTape()) {
                tape.watch(in);
                Tensor y = bn.call(in.value(), true);
                List<Tensor> g = tape.gradient(y.mul(r).square().sum(), List.of(bn.gamma(), bn.beta(), in));
                return List.of(y, g.get(0), g.get(1), g.get(2));
            }
        });
        List<Tensor> traced = step.call(Tensor.scalar(0f));
        double[][] st = stats(xv, 2, 3, 0, 4);
        double[] expected = new double[xv.length];
        normalize(xv, 2, 3, 0, 4, st, 1e-3, gamma, beta, expected);
        assertClose(expected, traced.get(0).toDoubleArray(), 1e-10);
        assertClose(new double[] {0.5 * st[0][0], 0.5 * st[0][1]}, bn.movingMean().value().toDoubleArray(), 1e-12);
        assertClose(new double[] {0.5 + 0.5 * st[1][0], 0.5 + 0.5 * st[1][1]}, bn.movingVariance().value().toDoubleArray(), 1e-12);
        List<Tensor> eagerGrads;
        try (GradientTape tape = new GradientTape()) {
            tape.watch(in);
            eagerGrads = tape.gradient(eager.call(in.value(), true).mul(r).square().sum(), List.of(eager.gamma(), eager.beta(), in));
        }
        for (int k = 0; k < 3; k++) assertClose(eagerGrads.get(k).toDoubleArray(), traced.get(k + 1).toDoubleArray(), 1e-10);
        // dbeta = sum(2 * y * r^2) over every axis but the features': an independent check of one of them
        double[] yv = expected, rv = r.toDoubleArray(), dbeta = new double[2];
        for (int i = 0; i < yv.length; i++) dbeta[(i / 3) % 2] += 2 * yv[i] * rv[i] * rv[i];
        assertClose(dbeta, traced.get(2).toDoubleArray(), 1e-10);
    }

    @Test
    void aGradientOfAGradientMatchesFiniteDifferencesOfTheGradient() {
        // under two recording tapes the layer records op by op, so the outer tape can differentiate the inner gradient
        Tensor x0 = TestData.f64(5, 4, 2).mul(1.5), r = TestData.f64(6, 4, 2), s = TestData.f64(7, 4, 2);
        BatchNormalization bn = dbl(new BatchNormalization().gammaInitializer(Initializers.constant(1.5)));
        bn.call(x0, false);
        Variable xv = new Variable(x0, "x");
        java.util.function.Supplier<Tensor> innerDot = () -> {
            try (GradientTape tape = new GradientTape()) {
                tape.watch(xv);
                Tensor g = tape.gradient(bn.call(xv.value(), true).mul(r).square().sum(), List.of(xv)).get(0);
                return g.mul(s).sum();
            }
        };
        Tensor second;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(xv);
            Tensor dot;
            try (GradientTape tape = new GradientTape()) {
                tape.watch(xv);
                Tensor g = tape.gradient(bn.call(xv.value(), true).mul(r).square().sum(), List.of(xv)).get(0);
                dot = g.mul(s).sum();
            }
            second = outer.gradient(dot, List.of(xv)).get(0);
        }
        assertNotNull(second, "the outer tape saw the inner gradient's ops");
        double[] w = x0.toDoubleArray(), got = second.toDoubleArray();
        double h = 1e-5;
        for (int i = 0; i < w.length; i++) {
            double orig = w[i];
            w[i] = orig + h;
            xv.assign(Tensor.of(w, 4, 2));
            double up = innerDot.get().item();
            w[i] = orig - h;
            xv.assign(Tensor.of(w, 4, 2));
            double down = innerDot.get().item();
            w[i] = orig;
            xv.assign(Tensor.of(w, 4, 2));
            assertEquals((up - down) / (2 * h), got[i], 1e-5 * Math.max(1, Math.abs(got[i])), "second derivative element " + i);
        }
    }
}
