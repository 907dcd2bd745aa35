package dev.fluxion.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fluxion.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The regression and cross-entropy metrics over two batches, against values worked out by hand. */
class RegressionMetricsTest {
    // batch 1: errors 1, -2 (per example, one output each); batch 2: errors 3, 0, -1
    private static final Tensor T1 = Tensor.of(new float[] {1, 2}, 2, 1), P1 = Tensor.of(new float[] {2, 0}, 2, 1);
    private static final Tensor T2 = Tensor.of(new float[] {0, 5, 1}, 3, 1), P2 = Tensor.of(new float[] {3, 5, 0}, 3, 1);

    private static double run(Metric m) {
        m.updateState(T1, P1);
        m.updateState(T2, P2);
        return m.result().item();
    }

    @Test
    void meansOfTheErrorsOverAllExamples() {
        double mse = (1 + 4 + 9 + 0 + 1) / 5.0, mae = (1 + 2 + 3 + 0 + 1) / 5.0;
        assertEquals(mse, run(Metrics.meanSquaredError()), 1e-6);
        assertEquals(mae, run(Metrics.meanAbsoluteError()), 1e-6);
        assertEquals(Math.sqrt(mse), run(Metrics.rootMeanSquaredError()), 1e-6, "the root of the mean, not the mean of batch roots");
        assertEquals(mse, run(Metrics.get("mse")), 1e-6);
        assertEquals(mae, run(Metrics.get("mean_absolute_error")), 1e-6);
        assertEquals(Math.sqrt(mse), run(Metrics.get("rmse")), 1e-6);
        for (String n : List.of("mse", "mae", "rmse", "root_mean_squared_error")) assertEquals(n, Metrics.get(n).name());
        assertEquals("root_mean_squared_error", Metrics.rootMeanSquaredError().name());
        RootMeanSquaredError weighted = new RootMeanSquaredError();
        weighted.updateState(T2, P2, Tensor.of(new float[] {1, 0, 1}, 3)); // squared errors 9 and 1 count
        assertEquals(Math.sqrt(5), weighted.result().item(), 1e-6);
    }

    @Test
    void crossEntropiesOnProbabilities() {
        Tensor labels = Tensor.of(new int[] {0, 1}, 2), probs = Tensor.of(new float[] {0.8f, 0.2f, 0.4f, 0.6f}, 2, 2);
        Metric sparse = Metrics.get("sparse_categorical_crossentropy");
        sparse.updateState(labels, probs);
        assertEquals(-(Math.log(0.8) + Math.log(0.6)) / 2, sparse.result().item(), 1e-6);
        Metric categorical = Metrics.get("categorical_crossentropy");
        categorical.updateState(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2), probs);
        assertEquals(-(Math.log(0.8) + Math.log(0.6)) / 2, categorical.result().item(), 1e-6);
        Metric binary = Metrics.get("binary_crossentropy");
        binary.updateState(Tensor.of(new float[] {1, 0}, 2, 1), Tensor.of(new float[] {0.9f, 0.3f}, 2, 1));
        assertEquals(-(Math.log(0.9) + Math.log(0.7)) / 2, binary.result().item(), 1e-5);
    }
}
