package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Binary cross-entropy, averaged over the last axis. From probabilities (Keras' default) predictions are clipped to
 * [1e-7, 1 - 1e-7]; with {@code fromLogits} it uses the stable form max(x, 0) - x·z + log(1 + exp(-|x|)).
 * Label smoothing replaces z by z(1 - s) + s/2.
 */
public class BinaryCrossentropy extends SmoothedLoss {
    public BinaryCrossentropy() {
        this(false, 0, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public BinaryCrossentropy(boolean fromLogits) {
        this(fromLogits, 0, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public BinaryCrossentropy(boolean fromLogits, double labelSmoothing, Reduction reduction) {
        super("binary_crossentropy", fromLogits, labelSmoothing, reduction);
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        requireFloating(name(), yPred);
        Tensor z = Ops.cast(yTrue, yPred.dtype());
        requireSameShape(name(), z, yPred);
        if (labelSmoothing > 0) z = z.mul(1 - labelSmoothing).add(0.5 * labelSmoothing);
        Tensor elementwise;
        Tensor behindSigmoid = fromLogits ? null : ActivationLogits.ofSigmoid(yPred); // Keras: use a sigmoid's logits
        if (fromLogits || behindSigmoid != null) {
            Tensor x = fromLogits ? yPred : behindSigmoid;
            elementwise = Ops.maximum(x, Ops.zerosOf(x)).sub(x.mul(z)).add(Ops.log1p(x.abs().neg().exp()));
        } else {
            Tensor p = Ops.clip(yPred, EPSILON, 1 - EPSILON);
            Tensor one = Ops.onesOf(p);
            elementwise = z.mul(p.log()).add(one.sub(z).mul(one.sub(p).log())).neg();
        }
        return Ops.mean(elementwise, new int[] {-1}, false);
    }
}
