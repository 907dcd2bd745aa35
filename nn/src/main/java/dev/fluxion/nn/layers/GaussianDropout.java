package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;

/**
 * Multiplicative Gaussian noise in training (Keras {@code GaussianDropout}): each element times a draw of mean 1
 * and standard deviation sqrt(rate / (1 - rate)), the variance of inverted dropout's factor at that rate, so the
 * expected value is unchanged without zeroing anything; the identity in inference. Masks pass through. Seeds and
 * generator as {@link Dropout}'s.
 */
public class GaussianDropout extends NoiseLayer {
    private final double rate;

    /** Seeded from {@code Rng.global()}, as {@link Dropout#Dropout(double)}. */
    public GaussianDropout(double rate) {
        this(rate, seedFromGlobal());
    }

    public GaussianDropout(double rate, long seed) {
        super(seed);
        this.rate = checkRate(GaussianDropout.class, rate);
    }

    public double rate() {
        return rate;
    }

    /** The standard deviation of the factor, sqrt(rate / (1 - rate)). */
    public double stddev() {
        return Math.sqrt(rate / (1 - rate));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0) return x;
        return x.mul(GaussianNoise.standardNormal(rng(), x).mul(stddev()).add(1));
    }
}
