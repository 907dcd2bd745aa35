package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.random.Rng;

/**
 * Multiplicative Gaussian noise in training (Keras {@code GaussianDropout}): each element times a draw of mean 1
 * and standard deviation sqrt(rate / (1 - rate)), the variance of inverted dropout's factor at that rate, so the
 * expected value is unchanged without zeroing anything; the identity in inference. Masks pass through. Seeds and
 * generator as {@link Dropout}'s.
 */
public class GaussianDropout extends Layer {
    private final double rate;
    private final Rng rng;

    /** Seeded from {@code Rng.global()}, as {@link Dropout#Dropout(double)}. */
    public GaussianDropout(double rate) {
        this(rate, Dropout.seedFromGlobal());
    }

    public GaussianDropout(double rate, long seed) {
        super(null);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("GaussianDropout: rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.rng = new Rng(seed);
    }

    public double rate() {
        return rate;
    }

    /** The standard deviation of the factor, sqrt(rate / (1 - rate)). */
    public double stddev() {
        return Math.sqrt(rate / (1 - rate));
    }

    /** The layer's generator (its state can be saved with {@code rng().state()}). */
    public Rng rng() {
        return rng;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0) return x;
        return x.mul(GaussianNoise.standardNormal(rng, x).mul(stddev()).add(1));
    }

    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
