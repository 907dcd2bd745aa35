package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** mean(|yTrue - yPred|) over the last axis. */
public class MeanAbsoluteError extends Loss {
    public MeanAbsoluteError() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public MeanAbsoluteError(Reduction reduction) {
        super("mean_absolute_error", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        return Ops.mean(yPred.sub(y).abs(), new int[] {-1}, false);
    }
}
