package dev.fluxion.nn.metrics;

/** How often predictions equal labels exactly (Keras' {@code Accuracy}); per element, weighted mean. */
public class Accuracy extends MeanMetricWrapper {
    public Accuracy() {
        this("accuracy");
    }

    public Accuracy(String name) {
        super(name, Metrics::accuracy);
    }
}
