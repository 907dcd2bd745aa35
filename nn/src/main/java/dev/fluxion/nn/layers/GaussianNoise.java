package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
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

    /**
     * Standard normal draws of x's shape, dtype and device, by the Box–Muller transform of two uniform draws:
     * sqrt(-2 ln(1 - u1)) cos(2π u2). Uniform draws are made on the tensor's device with the CPU's numbers (what
     * {@link Rng#normal} does not offer), so noise on an accelerator is the noise on the CPU, a graph function's too.
     */
    static Tensor standardNormal(Rng rng, Tensor x) {
        Tensor u1 = rng.uniform(x.shape(), x.dtype(), x.device()), u2 = rng.uniform(x.shape(), x.dtype(), x.device());
        Tensor radius = Ops.sqrt(Ops.log(Ops.onesOf(u1).sub(u1)).mul(-2));
        return radius.mul(Ops.cos(u2.mul(2 * Math.PI)));
    }
}
