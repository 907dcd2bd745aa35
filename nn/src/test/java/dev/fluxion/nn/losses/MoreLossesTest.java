package dev.fluxion.nn.losses;

import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

/** KL divergence, cosine similarity, log-cosh, hinge, MSLE and MAPE against Keras' formulas in float64 here. */
class MoreLossesTest {
    static final int N = 3, K = 4;

    /** Per-example values of a loss that is a mean over the last axis of {@code f(t, p)}. */
    private static double[] meanOver(double[] t, double[] p, DoubleBinaryOperator f) {
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < K; k++) out[i] += f.applyAsDouble(t[i * K + k], p[i * K + k]);
            out[i] /= K;
        }
        return out;
    }

    private static double[] uniform(long seed, double lo, double hi) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[N * K];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** Checks per-example values and, by central differences, the gradient of the reduced loss. */
    private static void check(Loss loss, double[] t, double[] p, double[] want) {
        Tensor yt = Tensor.of(t, N, K);
        assertClose(want, loss.perExample(yt, Tensor.of(p, N, K)).toDoubleArray(), 1e-9);
        double mean = 0;
        for (double w : want) mean += w / N;
        assertEquals(mean, loss.call(yt, Tensor.of(p, N, K)).item(), 1e-9, loss.name() + ": mean over the batch");
        Variable v = new Variable(Tensor.of(p, N, K), "p");
        Tensor grad;
        try (var tape = new GradientTape()) {
            grad = tape.gradient(loss.call(yt, v.value()), List.of(v)).get(0);
        }
        double[] numeric = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double[] up = p.clone(), down = p.clone();
            up[i] += 1e-6;
            down[i] -= 1e-6;
            numeric[i] = (loss.call(yt, Tensor.of(up, N, K)).item() - loss.call(yt, Tensor.of(down, N, K)).item()) / 2e-6;
        }
        assertClose(numeric, grad.toDoubleArray(), 1e-6);
    }

    @Test
    void klDivergence() {
        double[] t = uniform(1, 0.05, 1), p = uniform(2, 0.05, 1);
        double[] want = meanOver(t, p, (a, b) -> K * a * Math.log(a / b));
        check(new KLDivergence(), t, p, want);
    }

    @Test
    void cosineSimilarity() {
        double[] t = uniform(3, -1, 1), p = uniform(4, -1, 1), want = new double[N];
        for (int i = 0; i < N; i++) {
            double dot = 0, nt = 0, np = 0;
            for (int k = 0; k < K; k++) {
                dot += t[i * K + k] * p[i * K + k];
                nt += t[i * K + k] * t[i * K + k];
                np += p[i * K + k] * p[i * K + k];
            }
            want[i] = -dot / Math.sqrt(nt * np);
        }
        check(new CosineSimilarity(), t, p, want);
        assertEquals(-1, new CosineSimilarity().call(Tensor.of(new double[] {1, 2}, 1, 2), Tensor.of(new double[] {3, 6}, 1, 2)).item(), 1e-12);
    }

    @Test
    void logCoshEvenForLargeErrors() {
        double[] t = uniform(5, -3, 3), p = uniform(6, -3, 3);
        check(new LogCosh(), t, p, meanOver(t, p, (a, b) -> Math.log(Math.cosh(b - a))));
        // cosh(1000) overflows a double; log(cosh(x)) is x - log 2 there
        assertEquals(1000 - Math.log(2), new LogCosh().call(Tensor.of(new double[] {0}, 1, 1), Tensor.of(new double[] {1000}, 1, 1)).item(), 1e-9);
    }

    @Test
    void hingeWithSignedOrBinaryLabels() {
        double[] signed = new double[N * K], binary = new double[N * K], p = uniform(7, -2, 2);
        for (int i = 0; i < signed.length; i++) {
            binary[i] = i % 3 == 0 ? 1 : 0;
            signed[i] = 2 * binary[i] - 1;
        }
        double[] want = meanOver(signed, p, (a, b) -> Math.max(1 - a * b, 0));
        check(new Hinge(), signed, p, want);
        check(new Hinge(), binary, p, want); // 0/1 labels mean -1/1
    }

    @Test
    void logarithmicAndPercentageErrors() {
        double[] t = uniform(8, 0, 5), p = uniform(9, 0, 5);
        check(new MeanSquaredLogarithmicError(), t, p, meanOver(t, p, (a, b) -> Math.pow(Math.log1p(b) - Math.log1p(a), 2)));
        check(new MeanAbsolutePercentageError(), t, p, meanOver(t, p, (a, b) -> 100 * Math.abs(a - b) / Math.abs(a)));
    }

    @Test
    void mismatchedShapesAndIntegerPredictionsAreNamed() {
        for (Loss loss : List.of(new KLDivergence(), new CosineSimilarity(), new LogCosh(), new Hinge(), new MeanSquaredLogarithmicError(),
                new MeanAbsolutePercentageError())) {
            dev.fluxion.nn.ErrorMessages.assertMentions(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> loss.call(Tensor.ones(2, 3), Tensor.ones(2, 4))), loss.name(), "[2,3]", "[2,4]");
            dev.fluxion.nn.ErrorMessages.assertMentions(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> loss.call(Tensor.ones(2, 3), Tensor.of(new int[6], 2, 3))), loss.name());
        }
    }

    @Test
    void kerasNames() {
        assertInstanceOf(KLDivergence.class, Losses.get("kld"));
        assertInstanceOf(CosineSimilarity.class, Losses.get("cosine_similarity"));
        assertInstanceOf(LogCosh.class, Losses.get("log_cosh"));
        assertInstanceOf(Hinge.class, Losses.get("hinge"));
        assertInstanceOf(MeanSquaredLogarithmicError.class, Losses.get("msle"));
        assertInstanceOf(MeanAbsolutePercentageError.class, Losses.get("mape"));
        assertEquals("mean_absolute_percentage_error", Losses.get("mape").name());
    }
}
