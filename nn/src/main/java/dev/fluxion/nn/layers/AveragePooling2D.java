package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/** Average pooling over NHWC windows (Keras {@code AveragePooling2D}; SAME padding excludes padded cells). */
public class AveragePooling2D extends Pooling2D {
    public AveragePooling2D(int pool) { super(pool, pool); }
    public AveragePooling2D(int poolH, int poolW) { super(poolH, poolW); }

    @Override
    protected Tensor pool(Tensor x) {
        return NnOps.avgPool2d(x, ph, pw, sh, sw, padding);
    }
}
