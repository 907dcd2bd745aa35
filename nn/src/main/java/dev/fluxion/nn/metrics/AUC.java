package dev.fluxion.nn.metrics;

import dev.fluxion.Tensor;

/**
 * Area under the ROC curve, approximated like Keras' {@code AUC(curve='ROC', summation_method='interpolation')}:
 * confusion counts at {@code numThresholds} thresholds (default 200: -1e-7, 1/(n-1), ..., (n-2)/(n-1), 1+1e-7),
 * then the trapezoidal rule over the (false positive rate, true positive rate) points. Predictions should be
 * probabilities in [0, 1]. State: {@code true_positives}, {@code false_positives}, {@code true_negatives},
 * {@code false_negatives}, one entry per threshold.
 */
public class AUC extends ConfusionMetric {
    public AUC() {
        this("auc", 200);
    }

    public AUC(int numThresholds) {
        this("auc", numThresholds);
    }

    public AUC(String name, int numThresholds) {
        super(name, kerasThresholds(numThresholds), "tp", "fp", "tn", "fn");
    }

    /** Keras' evenly spaced thresholds with the end points just outside [0, 1]. */
    public static double[] kerasThresholds(int n) {
        if (n < 2) throw new IllegalArgumentException("auc: numThresholds must be > 1, got " + n);
        double[] t = new double[n];
        t[0] = -1e-7;
        for (int i = 1; i < n - 1; i++) t[i] = (double) i / (n - 1);
        t[n - 1] = 1 + 1e-7;
        return t;
    }

    @Override
    public Tensor result() {
        Tensor tp = truePositives.value(), fp = falsePositives.value();
        Tensor tpr = divideNoNan(tp, tp.add(falseNegatives.value()));
        Tensor fpr = divideNoNan(fp, fp.add(trueNegatives.value()));
        int n = thresholds.length;
        Tensor width = fpr.slice(0, n - 1).sub(fpr.slice(1, n));
        Tensor height = tpr.slice(0, n - 1).add(tpr.slice(1, n)).mul(0.5);
        return width.mul(height).sum();
    }
}
