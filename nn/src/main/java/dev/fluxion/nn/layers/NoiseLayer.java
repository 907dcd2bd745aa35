package dev.fluxion.nn.layers;

import dev.fluxion.nn.Layer;
import dev.fluxion.random.Rng;

/**
 * The base of the layers that perturb their input in training only ({@link Dropout}, {@link SpatialDropout},
 * {@link GaussianNoise}, {@link GaussianDropout}): each owns an {@link Rng}, seeded by the seed given to its
 * constructor or else from {@link Rng#global()} ({@link #seedFromGlobal}, deterministic after
 * {@code Rng.setGlobalSeed}). The draws are tensor ops, so a compiled step draws fresh noise on every call. Masks pass
 * through (Keras' {@code supports_masking}).
 */
public abstract class NoiseLayer extends Layer {
    private final Rng rng;

    protected NoiseLayer(long seed) {
        super(null);
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

    /** {@code rate} if it is a probability in [0, 1), else an IllegalArgumentException naming the layer's class. */
    static double checkRate(Class<?> layer, double rate) {
        if (!(rate >= 0 && rate < 1))
            throw new IllegalArgumentException(layer.getSimpleName() + ": rate must be in [0, 1), got " + rate);
        return rate;
    }

    /** The layer's generator (its state can be saved with {@code rng().state()}). */
    public Rng rng() {
        return rng;
    }

    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
