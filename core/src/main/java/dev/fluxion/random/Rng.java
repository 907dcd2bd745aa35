package dev.fluxion.random;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;

/**
 * A seeded, counter-based random generator (Philox4x32-10). Its whole state is two longs, (seed, counter): each
 * request uses the key (seed, counter) and then advances the counter by the number of elements drawn, so the
 * numbers depend only on the seed and the sequence of requests — never on thread count or backend — and a
 * training run can save and restore the state exactly.
 */
public final class Rng {
    private static final Rng GLOBAL = new Rng(System.nanoTime());

    private long seed;
    private long counter;

    public Rng(long seed) {
        this.seed = seed;
    }

    /** The process-wide generator that layers use when none is given; reseed it with {@link #setGlobalSeed}. */
    public static Rng global() {
        return GLOBAL;
    }

    /** Makes the global generator deterministic (tf.random.set_seed). */
    public static void setGlobalSeed(long seed) {
        synchronized (GLOBAL) {
            GLOBAL.seed = seed;
            GLOBAL.counter = 0;
        }
    }

    /** The state (seed, counter), for checkpoints. */
    public synchronized long[] state() {
        return new long[] {seed, counter};
    }

    /** Restores a state returned by {@link #state()}. */
    public synchronized void setState(long[] state) {
        if (state.length != 2) throw new IllegalArgumentException("rng state must be {seed, counter}, got " + state.length + " values");
        seed = state[0];
        counter = state[1];
    }

    /**
     * Takes the key (seed, counter) for a request of n numbers and advances the counter past every block the
     * request may use (at most one Philox block per number, whatever the distribution). Used by interpreters.
     */
    public synchronized long[] take(long n) {
        long[] key = {seed, counter};
        counter += Math.max(1, n);
        return key;
    }

    private Tensor key(int[] shape, Device device) {
        return Dispatcher.current().randomKey(this, shape, device);
    }

    /** Uniform in [0, 1). */
    public Tensor uniform(int[] shape, DType dtype) {
        return uniform(shape, dtype, Device.CPU);
    }

    /** Uniform in [0, 1), drawn on {@code device}: the same numbers as on the CPU for the same generator state. */
    public Tensor uniform(int[] shape, DType dtype, Device device) {
        int[] s = Shapes.checkAllowingUnknown("random_uniform", shape);
        return Dispatcher.apply(new Op.Random(Op.RandomKind.UNIFORM, s, dtype), key(s, device));
    }

    /** float32 uniform in [lo, hi). */
    public Tensor uniform(int[] shape, double lo, double hi) {
        if (!(hi > lo)) throw new IllegalArgumentException("random_uniform: needs lo < hi, got [" + lo + ", " + hi + ")");
        return uniform(shape, DType.FLOAT32).mul(hi - lo).add(lo);
    }

    /** Normal with the given mean and standard deviation. */
    public Tensor normal(int[] shape, double mean, double std, DType dtype) {
        return normal(shape, mean, std, dtype, Device.CPU);
    }

    /** Normal drawn on {@code device}: the same numbers as on the CPU for the same generator state. */
    public Tensor normal(int[] shape, double mean, double std, DType dtype, Device device) {
        int[] s = Shapes.checkAllowingUnknown("random_normal", shape);
        Tensor z = Dispatcher.apply(new Op.Random(Op.RandomKind.NORMAL, s, dtype), key(s, device));
        return std == 1 && mean == 0 ? z : z.mul(std).add(mean);
    }

    /** float32 normal. */
    public Tensor normal(int[] shape, double mean, double std) {
        return normal(shape, mean, std, DType.FLOAT32);
    }

    /** Normal restricted to two standard deviations around the mean (Keras' truncated normal initializer). */
    public Tensor truncatedNormal(int[] shape, double mean, double std, DType dtype) {
        int[] s = Shapes.checkAllowingUnknown("truncated_normal", shape);
        Tensor z = Dispatcher.apply(new Op.Random(Op.RandomKind.TRUNCATED_NORMAL, s, dtype), key(s, Device.CPU));
        return z.mul(std).add(mean);
    }

    /** bool tensor, true with probability p. */
    public Tensor bernoulli(int[] shape, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        Tensor u = uniform(shape, DType.FLOAT64);
        return Ops.less(u, Ops.constantLike(p, u));
    }

    /** A uniformly random permutation of 0..n-1 (int32). */
    public Tensor permutation(int n) {
        if (n < 0) throw new IllegalArgumentException("permutation: n must be >= 0, got " + n);
        long[] st;
        synchronized (this) {
            st = new long[] {seed, counter};
            counter += Math.max(1, n);
        }
        return Tensor.of(Philox.permutation(st[0], st[1], n), n);
    }
}
