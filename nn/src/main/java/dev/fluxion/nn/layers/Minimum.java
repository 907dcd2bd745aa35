package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * The elementwise minimum of two or more inputs (Keras {@code Minimum}), broadcast as {@link ElementwiseMerge}.
 * Masks as Keras 3's: see {@link ExtremumMerge}.
 */
public class Minimum extends ExtremumMerge {
    @Override
    protected Tensor pair(Tensor a, Tensor b) {
        return Ops.minimum(a, b);
    }
}
