package dev.fluxion.nn.losses;

/**
 * Shared settings of the cross-entropies that take predictions either as probabilities or as logits and support
 * label smoothing: both flags are validated once here.
 */
public abstract class SmoothedLoss extends Loss {
    protected final boolean fromLogits;
    protected final double labelSmoothing;

    protected SmoothedLoss(String name, boolean fromLogits, double labelSmoothing, Reduction reduction) {
        super(name, reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException(name + ": label smoothing must be in [0, 1], got " + labelSmoothing);
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    /** Whether predictions are logits rather than probabilities. */
    public boolean fromLogits() {
        return fromLogits;
    }
}
