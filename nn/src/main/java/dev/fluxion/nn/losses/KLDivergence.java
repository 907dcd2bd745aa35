package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code KLDivergence}: {@code sum(yTrue · log(yTrue / yPred))} over the last axis, both clipped to [1e-7, 1]. */
public class KLDivergence extends Loss {
    public KLDivergence() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public KLDivergence(Reduction reduction) {
        super("kl_divergence", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor t = Ops.clip(y, EPSILON, 1), p = Ops.clip(yPred, EPSILON, 1);
        return t.mul(t.div(p).log()).sum(new int[] {-1}, false);
    }
}
