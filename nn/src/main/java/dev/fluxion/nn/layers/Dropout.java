package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.random.Rng;

/**
 * Inverted dropout (Keras {@code Dropout}): in training, zeroes each element with probability {@code rate} and
 * scales the rest by 1/(1 - rate); the identity in inference. Each layer owns an {@link Rng}: seeded with
 * {@link #Dropout(double, long)}, else seeded from {@link Rng#global()} (deterministic after
 * {@code Rng.setGlobalSeed}). The draws are Tensor ops, so a compiled step draws fresh masks on every call.
 */
public class Dropout extends Layer {
    private final double rate;
    private final Rng rng;

    public Dropout(double rate) {
        this(rate, seedFromGlobal());
    }

    public Dropout(double rate, long seed) {
        super(null);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("Dropout: rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.rng = new Rng(seed);
    }

    /** A seed for a layer's own generator, drawn from Rng.global() (deterministic after Rng.setGlobalSeed). */
    static long seedFromGlobal() {
        long[] key = Rng.global().take(1);
        long z = key[0] * 0x9E3779B97F4A7C15L + key[1];
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public double rate() {
        return rate;
    }

    /** The layer's generator (its state can be saved with {@code rng().state()}). */
    public Rng rng() {
        return rng;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0) return x;
        return NnOps.dropout(x, rate, rng);
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
