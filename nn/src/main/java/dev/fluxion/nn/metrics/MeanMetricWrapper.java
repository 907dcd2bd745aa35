package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;

import java.util.function.BiFunction;

/**
 * The weighted mean of a per-example function of (yTrue, yPred) — how Keras builds Accuracy, CategoricalAccuracy
 * and metrics from loss functions. Weights broadcast against the function's per-example values.
 */
public class MeanMetricWrapper extends Mean {
    private final BiFunction<Tensor, Tensor, Tensor> fn;

    public MeanMetricWrapper(String name, BiFunction<Tensor, Tensor, Tensor> fn) {
        super(name);
        this.fn = fn;
    }

    /** Accumulates {@code fn(yTrue, yPred)}. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        updateValues(fn.apply(yTrue, yPred), null);
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        updateValues(fn.apply(yTrue, yPred), sampleWeight);
    }

    /** Not available: this metric takes (yTrue, yPred). */
    @Override
    public void updateState(Tensor values) {
        throw new UnsupportedOperationException(name() + ": takes (yTrue, yPred[, sampleWeight])");
    }
}
