package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

/**
 * The shared part of {@link MaxPooling1D} and {@link AveragePooling1D}: windows over the steps of
 * [batch, steps, channels], strides defaulting to the pool size, run as 2-D pooling over a height of one.
 */
public abstract class Pooling1D extends Pooling2D {
    protected Pooling1D(int pool) {
        super(1, pool);
    }

    @Override
    public Pooling2D strides(int s) {
        return strides(1, s);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 3)
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an input of rank 3 [batch, steps, channels], got shape "
                    + Shapes.format(x.shape()));
        return ArrayOps.squeeze(pool(ArrayOps.expandDims(x, 1)), 1);
    }
}
