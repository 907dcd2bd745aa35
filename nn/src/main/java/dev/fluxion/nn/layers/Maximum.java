package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

import java.util.List;


/**
 * The elementwise maximum of two or more inputs (Keras {@code Maximum}), broadcast as {@link ElementwiseMerge}.
 * Masks as Keras 3's: see {@link ExtremumMerge}.
 */
public class Maximum extends ExtremumMerge {
    @Override
    protected Tensor pair(Tensor a, Tensor b) {
        return Ops.maximum(a, b);
    }
}
