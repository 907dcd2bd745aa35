package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/** Max pooling over NHWC windows (Keras {@code MaxPooling2D}; strides default to the pool size, padding VALID). */
public class MaxPooling2D extends Pooling2D {
    public MaxPooling2D(int pool) { super(pool, pool); }
    public MaxPooling2D(int poolH, int poolW) { super(poolH, poolW); }

    @Override
    protected Tensor pool(Tensor x) {
        return NnOps.maxPool2d(x, ph, pw, sh, sw, padding);
    }
}
