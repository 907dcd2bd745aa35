package dev.fluxion.nn.regularizers;

import dev.fluxion.Tensor;

/**
 * A weight penalty (Keras {@code keras.regularizers}): maps a weight to a 0-d loss term, written with Tensor ops
 * so it is differentiable and traceable. Factories: {@link #l1}, {@link #l2}, {@link #l1l2}.
 */
@FunctionalInterface
public interface Regularizer {
    Tensor apply(Tensor weight);

    /** l1 * sum(|w|). */
    static Regularizer l1(double l1) {
        return l1l2(l1, 0);
    }

    /** l2 * sum(w^2) (Keras' L2; no factor 1/2). */
    static Regularizer l2(double l2) {
        return l1l2(0, l2);
    }

    /** l1 * sum(|w|) + l2 * sum(w^2). */
    static Regularizer l1l2(double l1, double l2) {
        if (l1 < 0 || l2 < 0 || Double.isNaN(l1) || Double.isNaN(l2))
            throw new IllegalArgumentException("regularizer factors must be >= 0, got l1=" + l1 + ", l2=" + l2);
        return w -> {
            Tensor penalty = null;
            if (l1 != 0) penalty = w.abs().sum().mul(l1);
            if (l2 != 0) {
                Tensor p2 = w.square().sum().mul(l2);
                penalty = penalty == null ? p2 : penalty.add(p2);
            }
            return penalty == null ? w.sum().mul(0.0) : penalty;
        };
    }
}
