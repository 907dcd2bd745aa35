package dev.fluxion.nn.metrics;

/**
 * How often the true class (argmax of the one-hot yTrue) is among the k highest predictions: fewer than k classes
 * score strictly higher (ties at the boundary count as hits, like {@code tf.math.in_top_k}). Default k = 5.
 */
public class TopKCategoricalAccuracy extends MeanMetricWrapper {
    public TopKCategoricalAccuracy() {
        this(5);
    }

    public TopKCategoricalAccuracy(int k) {
        this("top_k_categorical_accuracy", k);
    }

    public TopKCategoricalAccuracy(String name, int k) {
        super(name, (yTrue, yPred) -> Metrics.topKCategoricalAccuracy(yTrue, yPred, k));
        if (k < 1) throw new IllegalArgumentException(name + ": k must be >= 1, got " + k);
    }
}
