package dev.fluxion.nn.losses;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Masks;

/**
 * A loss in Keras' class form: {@link #perExample} computes one value per example (the class/feature axis is
 * reduced, like Keras' function form {@code categorical_crossentropy}), then {@link #call} weights the values by
 * optional sample weights (and by the mask of yPred when it carries one, see {@link Masks}) and applies the
 * {@link Reduction}. Everything is written with core Tensor ops, so losses
 * are differentiable and trace into graph functions.
 */
public abstract class Loss {
    /** How per-example values become the returned loss (Keras' {@code ReductionV2}). */
    public enum Reduction {
        /** No additional reduction: one (weighted) value per example. */
        NONE,
        /** Sum of the weighted values. */
        SUM,
        /** Sum of the weighted values divided by the number of values (Keras' default; weights do not change the divisor). */
        SUM_OVER_BATCH_SIZE
    }

    private final String name;
    private final Reduction reduction;

    protected Loss(String name, Reduction reduction) {
        this.name = name;
        this.reduction = reduction == null ? Reduction.SUM_OVER_BATCH_SIZE : reduction;
    }

    public String name() {
        return name;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The reduced loss (0-d unless the reduction is NONE). */
    public Tensor call(Tensor yTrue, Tensor yPred) {
        return call(yTrue, yPred, null);
    }

    /**
     * The reduced loss with per-example weights. {@code sampleWeight} (may be null) broadcasts against the
     * per-example values: shape [batch] (or [batch, 1]) weighs each example; a 0-d weight scales everything.
     */
    public Tensor call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        Tensor values = perExample(yTrue, yPred);
        if (sampleWeight != null) values = values.mul(matchWeight(name(), Ops.cast(sampleWeight, values.dtype()), values));
        Tensor mask = Masks.of(yPred);
        if (mask != null) values = values.mul(maskWeight(mask, values));
        return reduce(values, reduction);
    }

    /**
     * The weight a mask on yPred (see {@link Masks}) gives each per-example value, as TF-Keras applies it: 0 where
     * masked; with SUM_OVER_BATCH_SIZE, total / (valid + epsilon) where valid, so that the mean runs over the valid
     * entries only.
     */
    private Tensor maskWeight(Tensor mask, Tensor values) {
        Tensor m = matchWeight(name() + " (mask of yPred)", Ops.cast(mask, values.dtype()), values);
        if (reduction != Reduction.SUM_OVER_BATCH_SIZE) return m;
        return m.mul(Ops.constantLike(mask.size(), m).div(m.sum().add(EPSILON)));
    }

    /** One loss value per example: yPred's shape without its last axis (Keras' function form). */
    public abstract Tensor perExample(Tensor yTrue, Tensor yPred);

    /** Applies a reduction to weighted per-example values. */
    public static Tensor reduce(Tensor values, Reduction reduction) {
        return switch (reduction) {
            case NONE -> values;
            case SUM -> values.sum();
            case SUM_OVER_BATCH_SIZE -> values.size() == 0 ? Ops.zerosOf(values) : values.sum().div(values.size());
        };
    }

    /** Squeezes trailing size-1 axes of the weight or adds trailing axes so it broadcasts like the values. */
    static Tensor matchWeight(String loss, Tensor w, Tensor values) {
        while (w.rank() > values.rank() && w.dim(-1) == 1) w = ArrayOps.squeeze(w, -1);
        if (w.rank() > values.rank())
            throw new IllegalArgumentException(loss + ": sample weight of shape " + Shapes.format(w.shape())
                    + " does not fit per-example values of shape " + Shapes.format(values.shape()));
        while (w.rank() < values.rank() && w.rank() > 0) w = ArrayOps.expandDims(w, -1);
        return w;
    }

    /** Keras' epsilon for clipping probabilities. */
    static final double EPSILON = 1e-7;

    static void requireSameShape(String loss, Tensor yTrue, Tensor yPred) {
        if (!java.util.Arrays.equals(yTrue.shape(), yPred.shape()))
            throw new IllegalArgumentException(loss + ": y_true of shape " + Shapes.format(yTrue.shape())
                    + " and y_pred of shape " + Shapes.format(yPred.shape()) + " differ");
    }

    /** yTrue in yPred's dtype, after checking that yPred is floating and that both have one shape. */
    final Tensor matchingLabels(Tensor yTrue, Tensor yPred) {
        requireFloating(name(), yPred);
        Tensor y = dev.fluxion.Ops.cast(yTrue, yPred.dtype());
        requireSameShape(name(), y, yPred);
        return y;
    }

    static void requireFloating(String loss, Tensor yPred) {
        if (!yPred.dtype().isFloating())
            throw new IllegalArgumentException(loss + ": y_pred must be float32 or float64, got " + yPred.dtype());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ", " + reduction + ")";
    }
}
