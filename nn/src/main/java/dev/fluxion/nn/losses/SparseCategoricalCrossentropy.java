package dev.fluxion.nn.losses;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Cross-entropy with integer class labels: yTrue has yPred's shape without the class axis (or with a trailing axis
 * of size 1) and holds class indices (int32/int64, or whole-number floats). Same probability clipping and
 * {@code fromLogits} handling as {@link CategoricalCrossentropy}; labels outside [0, classes) give a zero loss row.
 */
public class SparseCategoricalCrossentropy extends Loss {
    private final boolean fromLogits;

    public SparseCategoricalCrossentropy() {
        this(false, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public SparseCategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public SparseCategoricalCrossentropy(boolean fromLogits, Reduction reduction) {
        super("sparse_categorical_crossentropy", reduction);
        this.fromLogits = fromLogits;
    }

    public boolean fromLogits() {
        return fromLogits;
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        requireFloating(name(), yPred);
        Tensor oneHot = oneHotLabels(name(), yTrue, yPred);
        return Ops.sum(oneHot.mul(CategoricalCrossentropy.logProbabilities(yPred, fromLogits)), -1).neg();
    }

    /** Integer labels as a one-hot tensor of yPred's shape and dtype. */
    static Tensor oneHotLabels(String loss, Tensor yTrue, Tensor yPred) {
        Tensor labels = yTrue;
        if (labels.rank() == yPred.rank() && labels.dim(-1) == 1) labels = ArrayOps.squeeze(labels, -1);
        if (labels.rank() != yPred.rank() - 1)
            throw new IllegalArgumentException(loss + ": labels of shape " + dev.fluxion.Shapes.format(yTrue.shape())
                    + " do not match predictions of shape " + dev.fluxion.Shapes.format(yPred.shape()));
        if (!labels.dtype().isInteger()) labels = Ops.cast(labels, DType.INT64);
        return ArrayOps.oneHot(labels, yPred.dim(-1), yPred.dtype());
    }
}
