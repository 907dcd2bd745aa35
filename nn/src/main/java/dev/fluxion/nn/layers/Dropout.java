package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;

/**
 * Inverted dropout (Keras {@code Dropout}): in training, zeroes each element with probability {@code rate} and
 * scales the rest by 1/(1 - rate); the identity in inference. Each layer owns an {@link Rng}: seeded with
 * {@link #Dropout(double, long)}, else seeded from {@link Rng#global()} (deterministic after
 * {@code Rng.setGlobalSeed}). The draws are Tensor ops, so a compiled step draws fresh masks on every call.
 */
public class Dropout extends NoiseLayer {
    private final double rate;

    public Dropout(double rate) {
        this(rate, seedFromGlobal());
    }

    public Dropout(double rate, long seed) {
        super(seed);
        this.rate = checkRate(Dropout.class, rate);
    }

    public double rate() {
        return rate;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0) return x;
        return NnOps.dropout(x, rate, rng());
    }
}
