package dev.fluxion.nn.constraints;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * A projection applied to a weight after each optimizer update (Keras {@code keras.constraints}), written with
 * Tensor ops so it traces. Layers register a weight's constraint with {@link dev.fluxion.nn.Constraints}.
 */
@FunctionalInterface
public interface Constraint {
    /** The projected value of {@code w}. */
    Tensor apply(Tensor w);

    /** Keras' backend epsilon, used to avoid dividing by a zero norm. */
    double EPSILON = 1e-7;

    /** Clips every element to [-c, c] (WGAN's weight clipping). */
    static Constraint clip(double c) {
        if (!(c >= 0)) throw new IllegalArgumentException("clip constraint: c must be >= 0, got " + c);
        return clip(-c, c);
    }

    /** Clips every element to [lo, hi]. */
    static Constraint clip(double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clip constraint: needs lo <= hi, got [" + lo + ", " + hi + "]");
        return w -> Ops.clip(w, lo, hi);
    }

    /** Sets negative elements to zero. */
    static Constraint nonNeg() {
        return w -> Ops.maximum(w, Ops.zerosOf(w));
    }

    /**
     * Rescales slices whose L2 norm over {@code axes} exceeds {@code maxValue} (Keras MaxNorm; axes default 0, the
     * input axis of a Dense kernel; use 0, 1, 2 for a Conv2D kernel).
     */
    static Constraint maxNorm(double maxValue, int... axes) {
        int[] ax = axes.length == 0 ? new int[] {0} : axes.clone();
        return w -> {
            Tensor norms = Ops.sqrt(w.square().sum(ax, true));
            Tensor desired = Ops.clip(norms, 0, maxValue);
            return w.mul(desired.div(norms.add(EPSILON)));
        };
    }

    /** Rescales slices to unit L2 norm over {@code axes} (default 0). */
    static Constraint unitNorm(int... axes) {
        int[] ax = axes.length == 0 ? new int[] {0} : axes.clone();
        return w -> w.div(Ops.sqrt(w.square().sum(ax, true)).add(EPSILON));
    }

    /**
     * Keras MinMaxNorm: norms over {@code axes} pulled into [min, max] at the given rate (1 = strictly enforced).
     */
    static Constraint minMaxNorm(double min, double max, double rate, int... axes) {
        int[] ax = axes.length == 0 ? new int[] {0} : axes.clone();
        return w -> {
            Tensor norms = Ops.sqrt(w.square().sum(ax, true));
            Tensor desired = Ops.clip(norms, min, max).mul(rate).add(norms.mul(1 - rate));
            return w.mul(desired.div(norms.add(EPSILON)));
        };
    }
}
