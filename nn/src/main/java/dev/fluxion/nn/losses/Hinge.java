package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Keras' {@code Hinge}: the mean over the last axis of {@code max(1 - yTrue · yPred, 0)} for labels -1 and 1; labels given
 * as 0 and 1 (all of them) are mapped to -1 and 1 first, as Keras does. */
public class Hinge extends Loss {
    public Hinge() {
        this(Reduction.SUM_OVER_BATCH_SIZE);
    }

    public Hinge(Reduction reduction) {
        super("hinge", reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor binary = Ops.logicalOr(Ops.equal(y, Ops.zerosOf(y)), Ops.equal(y, Ops.onesOf(y))).cast(yPred.dtype()).min(); // 1 when every label is 0 or 1
        Tensor signed = Ops.where(Ops.equal(binary, Ops.onesOf(binary)), y.mul(2).sub(1), y);
        return Ops.mean(Ops.maximum(Ops.onesOf(yPred).sub(signed.mul(yPred)), Ops.zerosOf(yPred)), new int[] {-1}, false);
    }
}
