package dev.fluxion.nn.initializers;

import dev.fluxion.DType;
import dev.fluxion.Tensor;

/**
 * Computes the initial value of a weight from its shape and dtype (Keras {@code keras.initializers}). Factories for
 * the usual ones live in {@link Initializers}. Implementations run eagerly: layers call them inside
 * {@code Dispatcher.initScope}.
 */
@FunctionalInterface
public interface Initializer {
    Tensor apply(int[] shape, DType dtype);
}
