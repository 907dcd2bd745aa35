package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;

/**
 * tp / (tp + fn) at each threshold (default one threshold, 0.5); 0-d for one threshold, else one value per
 * threshold. State: {@code true_positives}, {@code false_negatives}.
 */
public class Recall extends ConfusionMetric {
    public Recall() {
        this("recall", 0.5);
    }

    public Recall(String name, double... thresholds) {
        super(name, thresholds, "tp", "fn");
    }

    @Override
    public Tensor result() {
        Tensor tp = truePositives.value();
        return scalarIfSingle(divideNoNan(tp, tp.add(falseNegatives.value())));
    }
}
