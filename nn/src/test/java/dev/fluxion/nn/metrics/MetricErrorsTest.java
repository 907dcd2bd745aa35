package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;
import dev.fluxion.nn.losses.MeanSquaredError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Metrics used with the wrong arguments name the metric and the offending value. */
class MetricErrorsTest {
    @Test
    void unknownMetricName() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Metrics.get("acuracy")), "metric", "'acuracy'");
    }

    @Test
    void aLossWrapperTakesPairsNotValues() {
        MeanMetricWrapper mse = Metrics.fromLoss(new MeanSquaredError());
        var e = assertThrows(UnsupportedOperationException.class, () -> mse.updateState(Tensor.ones(3)));
        assertMentions(e, "mean_squared_error", "(yTrue, yPred");
    }

    @Test
    void aSumTakesValuesNotLabelsAndPredictions() {
        Sum sum = Metrics.sum();
        var e = assertThrows(UnsupportedOperationException.class, () -> sum.updateState(Tensor.ones(2), Tensor.ones(2), Tensor.ones(2)));
        assertMentions(e, sum.name(), "updateState(values)");
        assertEquals(0, sum.result().item(), "nothing accumulated");
    }

    @Test
    void confusionMetricsNeedAsManyLabelsAsPredictions() {
        Precision p = Metrics.precision();
        var e = assertThrows(IllegalArgumentException.class, () -> p.updateState(Tensor.vector(1, 0, 1), Tensor.vector(0.9f, 0.1f, 0.8f, 0.3f)));
        assertMentions(e, "precision", "3 elements", "has 4");
        assertEquals(0, p.result().item(), "nothing accumulated");
    }
}
