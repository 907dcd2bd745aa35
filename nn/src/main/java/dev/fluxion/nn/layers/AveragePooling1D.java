package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/** Average pooling over windows of steps (Keras {@code AveragePooling1D}; SAME padding excludes padded steps). */
public class AveragePooling1D extends Pooling1D {
    public AveragePooling1D(int pool) { super(pool); }

    @Override
    protected Tensor pool(Tensor x) {
        return NnOps.avgPool2d(x, ph, pw, sh, sw, padding);
    }
}
