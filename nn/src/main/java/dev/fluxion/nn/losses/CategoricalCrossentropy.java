package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Cross-entropy between one-hot (or soft) labels and predicted class distributions along the last axis.
 * Probabilities are renormalized to sum to 1 and clipped to [1e-7, 1 - 1e-7] as in Keras; with {@code fromLogits}
 * the log-probabilities come from a stable log-softmax, and so they do for probabilities that a softmax activation
 * produced ({@link ActivationLogits}, Keras' rule). Label smoothing replaces y by y(1 - s) + s / classes.
 */
public class CategoricalCrossentropy extends SmoothedLoss {
    public CategoricalCrossentropy() {
        this(false, 0, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public CategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, 0, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing, Reduction reduction) {
        super("categorical_crossentropy", fromLogits, labelSmoothing, reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        if (labelSmoothing > 0) y = y.mul(1 - labelSmoothing).add(labelSmoothing / yPred.dim(-1));
        return Ops.sum(y.mul(logProbabilities(yPred, fromLogits)), -1).neg();
    }

    /** log p along the last axis, from logits (log-softmax) or from probabilities (renormalized and clipped). */
    static Tensor logProbabilities(Tensor yPred, boolean fromLogits) {
        if (fromLogits) return yPred.logSoftmax(-1);
        Tensor logits = ActivationLogits.ofSoftmax(yPred); // Keras: probabilities from a softmax use its logits
        if (logits != null) return logits.logSoftmax(-1);
        Tensor p = yPred.div(yPred.sum(new int[] {-1}, true));
        return Ops.clip(p, EPSILON, 1 - EPSILON).log();
    }
}
