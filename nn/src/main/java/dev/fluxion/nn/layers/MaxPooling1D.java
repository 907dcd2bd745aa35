package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/** Max pooling over windows of steps (Keras {@code MaxPooling1D}; strides default to the pool size, padding VALID). */
public class MaxPooling1D extends Pooling1D {
    public MaxPooling1D(int pool) { super(pool); }

    @Override
    protected Tensor pool(Tensor x) {
        return NnOps.maxPool2d(x, ph, pw, sh, sw, padding);
    }
}
