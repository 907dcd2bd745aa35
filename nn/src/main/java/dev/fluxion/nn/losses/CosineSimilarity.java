package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code CosineSimilarity} loss: minus the cosine of the angle between yTrue and yPred over the last axis (-1 when
 * they point the same way); each is divided by its L2 norm, floored at 1e-6 as Keras' {@code l2_normalize} floors the
 * squared norm at 1e-12. */
public class CosineSimilarity extends Loss {
    public CosineSimilarity() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public CosineSimilarity(Reduction reduction) {
        super("cosine_similarity", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        return unit(y).mul(unit(yPred)).sum(new int[] {-1}, false).neg();
    }

    private static Tensor unit(Tensor x) {
        Tensor norm = x.square().sum(new int[] {-1}, true).sqrt();
        return x.div(Ops.maximum(norm, Ops.constantLike(1e-6, norm)));
    }
}
