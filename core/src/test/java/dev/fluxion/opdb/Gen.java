package dev.fluxion.opdb;

import java.util.Random;

/**
 * Deterministic sample values in the domains the op database needs: any real, positive, away from zero (kinks),
 * away from integers (floor/round), pairwise distinct (max/argmax without ties), integers and booleans.
 */
final class Gen {
    private final Random rnd;

    Gen(String seed) {
        rnd = new Random(seed.hashCode() * 0x9E3779B97F4A7C15L);
    }

    private Nd fill(int[] shape, java.util.function.DoubleSupplier s) {
        Nd out = Nd.zeros(shape);
        for (int i = 0; i < out.size(); i++) out.data[i] = s.getAsDouble();
        return out;
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    Nd uniform(double lo, double hi, int... shape) {
        return fill(shape, () -> uniform(lo, hi));
    }

    /** Uniform in (-2.5, 2.5). */
    Nd any(int... shape) {
        return uniform(-2.5, 2.5, shape);
    }

    /** Uniform in (0.5, 2.5). */
    Nd pos(int... shape) {
        return uniform(0.5, 2.5, shape);
    }

    /** |x| in (lo, hi) with a random sign. */
    Nd away(double lo, double hi, int... shape) {
        return fill(shape, () -> (rnd.nextBoolean() ? 1 : -1) * uniform(lo, hi));
    }

    /** |x| in (0.1, 2.5): away from the kink at zero. */
    Nd awayFromZero(int... shape) {
        return away(0.1, 2.5, shape);
    }

    /** k + f with k in [-3, 2] and f in (0.1, 0.4) or (0.6, 0.9): away from integers and half-integers. */
    Nd nonInteger(int... shape) {
        return fill(shape, () -> rnd.nextInt(6) - 3 + (rnd.nextBoolean() ? uniform(0.1, 0.4) : uniform(0.6, 0.9)));
    }

    /** k + f with f in (0.1, 0.4): paired with {@link #highFraction}, every difference is at least 0.2. */
    Nd lowFraction(int... shape) {
        return fill(shape, () -> rnd.nextInt(5) - 2 + uniform(0.1, 0.4));
    }

    /** k + f with f in (0.6, 0.9). */
    Nd highFraction(int... shape) {
        return fill(shape, () -> rnd.nextInt(5) - 2 + uniform(0.6, 0.9));
    }

    /** Pairwise distinct values at least 0.2 apart (a shuffled grid with jitter), so no ties anywhere. */
    Nd distinct(int... shape) {
        int n = Nd.size(shape);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        Nd out = Nd.zeros(shape);
        double scale = n > 40 ? 0.25 : 0.3;
        for (int i = 0; i < n; i++) out.data[i] = (perm[i] - n / 2.0) * scale + uniform(0, 0.05);
        return out;
    }

    /** Integers in [lo, hi]. */
    Nd ints(int lo, int hi, int... shape) {
        return fill(shape, () -> lo + rnd.nextInt(hi - lo + 1));
    }

    /** 0/1 values. */
    Nd bools(int... shape) {
        return fill(shape, () -> rnd.nextBoolean() ? 1 : 0);
    }

    /** Standard normal values (cotangents). */
    Nd normal(int... shape) {
        return fill(shape, rnd::nextGaussian);
    }
}
