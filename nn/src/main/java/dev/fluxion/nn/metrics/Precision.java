package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;

/**
 * tp / (tp + fp) at each threshold (default one threshold, 0.5); 0-d for one threshold, else one value per
 * threshold. State: {@code true_positives}, {@code false_positives}.
 */
public class Precision extends ConfusionMetric {
    public Precision() {
        this("precision", 0.5);
    }

    public Precision(String name, double... thresholds) {
        super(name, thresholds, "tp", "fp");
    }

    @Override
    public Tensor result() {
        Tensor tp = truePositives.value();
        return scalarIfSingle(divideNoNan(tp, tp.add(falsePositives.value())));
    }
}
