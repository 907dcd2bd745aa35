package dev.fluxion.nn.metrics;

/** {@link TopKCategoricalAccuracy} with integer labels. Default k = 5. */
public class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    public SparseTopKCategoricalAccuracy(int k) {
        this("sparse_top_k_categorical_accuracy", k);
    }

    public SparseTopKCategoricalAccuracy(String name, int k) {
        super(name, (yTrue, yPred) -> Metrics.sparseTopKCategoricalAccuracy(yTrue, yPred, k));
        if (k < 1) throw new IllegalArgumentException(name + ": k must be >= 1, got " + k);
    }
}
