package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;

/**
 * Additive zero-mean Gaussian noise of standard deviation {@code stddev} in training (Keras {@code GaussianNoise}),
 * a regularizer for real-valued inputs; the identity in inference. Masks pass through. Seeds and generator as
 * {@link Dropout}'s: a fresh draw on every call, a compiled step included.
 */
public class GaussianNoise extends NoiseLayer {
    private final double stddev;

    /** Seeded from {@code Rng.global()}, as {@link Dropout#Dropout(double)}. */
    public GaussianNoise(double stddev) {
        this(stddev, seedFromGlobal());
    }

    public GaussianNoise(double stddev, long seed) {
        super(seed);
        if (!(stddev >= 0 && Double.isFinite(stddev)))
            throw new IllegalArgumentException("GaussianNoise: stddev must be finite and >= 0, got " + stddev);
        this.stddev = stddev;
    }

    public double stddev() {
        return stddev;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || stddev == 0) return x;
        return x.add(standardNormal(rng(), x).mul(stddev));
    }

    /** Standard normal draws of x's shape, dtype and device (the CPU's numbers on any device, a graph function's too). */
    static Tensor standardNormal(Rng rng, Tensor x) {
        return rng.normal(x.shape(), 0, 1, x.dtype(), x.device());
    }
}
