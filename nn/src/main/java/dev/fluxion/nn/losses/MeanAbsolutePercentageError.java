package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code MeanAbsolutePercentageError}: {@code 100 · mean(|yTrue - yPred| / max(|yTrue|, 1e-7))} over the last axis. */
public class MeanAbsolutePercentageError extends Loss {
    public MeanAbsolutePercentageError() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public MeanAbsolutePercentageError(Reduction reduction) {
        super("mean_absolute_percentage_error", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor scale = Ops.maximum(y.abs(), Ops.constantLike(EPSILON, y));
        return Ops.mean(y.sub(yPred).abs().div(scale), new int[] {-1}, false).mul(100);
    }
}
