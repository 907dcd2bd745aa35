package dev.fluxion.nn.metrics;

/** How often argmax(yPred) equals argmax(yTrue) along the last axis (one-hot labels). */
public class CategoricalAccuracy extends MeanMetricWrapper {
    public CategoricalAccuracy() {
        this("categorical_accuracy");
    }

    public CategoricalAccuracy(String name) {
        super(name, Metrics::categoricalAccuracy);
    }
}
