package dev.fluxion.nn.losses;

import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code LogCosh}: the mean over the last axis of {@code log(cosh(yPred - yTrue))}, computed as
 * {@code x + softplus(-2x) - log 2} so that large errors do not overflow. */
public class LogCosh extends Loss {
    public LogCosh() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public LogCosh(Reduction reduction) {
        super("log_cosh", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor x = yPred.sub(y);
        return Ops.mean(x.add(NnOps.softplus(x.mul(-2))).sub(Math.log(2)), new int[] {-1}, false);
    }
}
