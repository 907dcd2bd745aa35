package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * The base of {@link SpatialDropout1D} and {@link SpatialDropout2D}: dropout of whole channels. In training one
 * draw per example and channel decides, with probability {@code rate}, that the channel is zeroed at every step or
 * pixel; the kept channels are scaled by 1/(1 - rate). Neighbouring steps of a feature map are strongly correlated,
 * so dropping single elements (as {@link Dropout} does) regularizes them little. The identity in inference; masks
 * pass through. Seeds and generator as {@link Dropout}'s.
 */
public abstract class SpatialDropout extends NoiseLayer {
    private final double rate;

    protected SpatialDropout(double rate, long seed) {
        super(seed);
        this.rate = checkRate(getClass(), rate);
    }

    public double rate() {
        return rate;
    }

    /** The rank the layer takes and its layout, for the error message. */
    protected abstract int rank();

    protected abstract String layout();

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Sequence1D.requireRank(this, x, rank(), layout());
        if (!training || rate == 0) return x;
        int[] noise = new int[x.rank()];
        java.util.Arrays.fill(noise, 1);
        noise[0] = x.dim(0);
        noise[noise.length - 1] = x.dim(x.rank() - 1);
        Tensor u = rng().uniform(noise, x.dtype(), x.device());
        Tensor keep = Ops.greaterEqual(u, Ops.constantLike(rate, u));
        Tensor scale = Ops.where(keep, Ops.constantLike(1 / (1 - rate), u), Ops.zerosOf(u));
        return x.mul(scale);
    }
}
