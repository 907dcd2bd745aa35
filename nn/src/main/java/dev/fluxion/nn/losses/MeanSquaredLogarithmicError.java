package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code MeanSquaredLogarithmicError}: the mean over the last axis of {@code (log(1 + yPred) - log(1 + yTrue))²},
 * both floored at 1e-7 first. */
public class MeanSquaredLogarithmicError extends Loss {
    public MeanSquaredLogarithmicError() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public MeanSquaredLogarithmicError(Reduction reduction) {
        super("mean_squared_logarithmic_error", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor lp = Ops.maximum(yPred, Ops.constantLike(EPSILON, yPred)).add(1).log();
        Tensor lt = Ops.maximum(y, Ops.constantLike(EPSILON, y)).add(1).log();
        return Ops.mean(lp.sub(lt).square(), new int[] {-1}, false);
    }
}
