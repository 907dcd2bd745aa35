package dev.fluxion.nn.metrics;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Base of metrics over thresholded confusion counts (Keras' {@code update_confusion_matrix_variables}):
 * predictions (any shape, expected in [0, 1]) count as positive at threshold t when {@code pred > t}; labels are
 * positive when nonzero. Counts are float32 vectors with one entry per threshold, weighted by sample weights.
 * The comparison is a broadcast [thresholds, elements] tensor, so it is meant for batch-sized inputs.
 */
public abstract class ConfusionMetric extends Metric {
    protected final double[] thresholds;
    private final Tensor thresholdTensor;
    protected final Variable truePositives, falsePositives, trueNegatives, falseNegatives;

    /** Creates only the counts named in {@code which} ("tp", "fp", "tn", "fn"); the others stay null. */
    protected ConfusionMetric(String name, double[] thresholds, String... which) {
        super(name);
        if (thresholds.length == 0) throw new IllegalArgumentException(name + ": needs at least one threshold");
        this.thresholds = thresholds.clone();
        this.thresholdTensor = Tensor.of(toFloat(thresholds), thresholds.length, 1);
        java.util.List<String> w = java.util.Arrays.asList(which);
        int n = thresholds.length;
        truePositives = w.contains("tp") ? addState("true_positives", DType.FLOAT32, n) : null;
        falsePositives = w.contains("fp") ? addState("false_positives", DType.FLOAT32, n) : null;
        trueNegatives = w.contains("tn") ? addState("true_negatives", DType.FLOAT32, n) : null;
        falseNegatives = w.contains("fn") ? addState("false_negatives", DType.FLOAT32, n) : null;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    public double[] thresholds() {
        return thresholds.clone();
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        Tensor pred = Ops.cast(yPred, DType.FLOAT32);
        Tensor label = Ops.cast(yTrue, DType.FLOAT32);
        if (label.size() != pred.size())
            throw new IllegalArgumentException(name() + ": y_true has " + label.size() + " elements, y_pred has " + pred.size());
        Tensor weight;
        if (sampleWeight == null) {
            weight = Tensor.ones(DType.FLOAT32, pred.size());
        } else {
            Tensor w = Mean.matchWeight(Ops.cast(sampleWeight, DType.FLOAT32), pred);
            weight = ArrayOps.broadcastTo(w, pred.shape()).flatten();
        }
        Tensor p = pred.flatten(), y = label.flatten();
        Tensor positive = Ops.cast(Ops.notEqual(y, Ops.zerosOf(y)), DType.FLOAT32).mul(weight); // [m]
        Tensor negative = weight.sub(positive);
        Tensor above = Ops.cast(Ops.greater(ArrayOps.expandDims(p, 0), thresholdTensor), DType.FLOAT32); // [t, m]
        Tensor below = Ops.onesOf(above).sub(above);
        if (truePositives != null) truePositives.assignAdd(Ops.sum(above.mul(positive), 1));
        if (falsePositives != null) falsePositives.assignAdd(Ops.sum(above.mul(negative), 1));
        if (trueNegatives != null) trueNegatives.assignAdd(Ops.sum(below.mul(negative), 1));
        if (falseNegatives != null) falseNegatives.assignAdd(Ops.sum(below.mul(positive), 1));
    }

    /** a / b elementwise, 0 where b is 0 (tf.math.divide_no_nan). */
    static Tensor divideNoNan(Tensor a, Tensor b) {
        Tensor nonzero = Ops.notEqual(b, Ops.zerosOf(b));
        return Ops.where(nonzero, a.div(Ops.where(nonzero, b, Ops.onesOf(b))), Ops.zerosOf(a));
    }

    /** A 1-element vector becomes 0-d (a metric with one threshold reports a scalar, as Keras). */
    static Tensor scalarIfSingle(Tensor t) {
        return t.size() == 1 && t.rank() == 1 ? ArrayOps.reshape(t) : t;
    }
}
