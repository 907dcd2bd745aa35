package dev.fluxion.nn.metrics;

/** How often argmax(yPred) equals the integer label (labels of shape [batch] or [batch, 1]). */
public class SparseCategoricalAccuracy extends MeanMetricWrapper {
    public SparseCategoricalAccuracy() {
        this("sparse_categorical_accuracy");
    }

    public SparseCategoricalAccuracy(String name) {
        super(name, Metrics::sparseCategoricalAccuracy);
    }
}
