package dev.fluxion.nn.layers;

/**
 * Channel dropout for sequences [N, T, C] (Keras {@code SpatialDropout1D}): one keep-or-drop draw per example and
 * channel, shared by all steps. See {@link SpatialDropout}.
 */
public class SpatialDropout1D extends SpatialDropout {
    /** Seeded from {@code Rng.global()}, as {@link Dropout#Dropout(double)}. */
    public SpatialDropout1D(double rate) {
        this(rate, seedFromGlobal());
    }

    public SpatialDropout1D(double rate, long seed) {
        super(rate, seed);
    }

    @Override
    protected int rank() {
        return 3;
    }

    @Override
    protected String layout() {
        return "[batch, steps, channels]";
    }
}
