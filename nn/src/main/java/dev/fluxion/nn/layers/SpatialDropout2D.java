package dev.fluxion.nn.layers;

/**
 * Channel dropout for NHWC images (Keras {@code SpatialDropout2D}, channels last): one keep-or-drop draw per example
 * and channel, shared by all pixels. See {@link SpatialDropout}.
 */
public class SpatialDropout2D extends SpatialDropout {
    /** Seeded from {@code Rng.global()}, as {@link Dropout#Dropout(double)}. */
    public SpatialDropout2D(double rate) {
        this(rate, seedFromGlobal());
    }

    public SpatialDropout2D(double rate, long seed) {
        super(rate, seed);
    }

    @Override
    protected int rank() {
        return 4;
    }

    @Override
    protected String layout() {
        return "NHWC";
    }
}
