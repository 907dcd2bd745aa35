package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;
import dev.fluxion.nn.losses.Losses;

/** Keras' {@code RootMeanSquaredError}: the square root of the (weighted) mean squared error so far. */
public class RootMeanSquaredError extends MeanMetricWrapper {
    public RootMeanSquaredError() {
        this("root_mean_squared_error");
    }

    public RootMeanSquaredError(String name) {
        super(name, Losses::meanSquaredError);
    }

    @Override
    public Tensor result() {
        return super.result().sqrt();
    }
}
