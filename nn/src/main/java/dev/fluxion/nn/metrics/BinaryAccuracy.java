package dev.fluxion.nn.metrics;

/** How often (yPred > threshold) equals yTrue, averaged over the last axis per example (default threshold 0.5). */
public class BinaryAccuracy extends MeanMetricWrapper {
    private final double threshold;

    public BinaryAccuracy() {
        this("binary_accuracy", 0.5);
    }

    public BinaryAccuracy(double threshold) {
        this("binary_accuracy", threshold);
    }

    public BinaryAccuracy(String name, double threshold) {
        super(name, (yTrue, yPred) -> Metrics.binaryAccuracy(yTrue, yPred, threshold));
        this.threshold = threshold;
    }

    public double threshold() {
        return threshold;
    }
}
