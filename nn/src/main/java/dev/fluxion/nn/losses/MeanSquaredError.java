package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** mean((yTrue - yPred)^2) over the last axis. */
public class MeanSquaredError extends Loss {
    public MeanSquaredError() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public MeanSquaredError(Reduction reduction) {
        super("mean_squared_error", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        return Ops.mean(yPred.sub(y).square(), new int[] {-1}, false);
    }
}
