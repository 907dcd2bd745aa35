package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * Keras's global pooling layers: a mean or max over every axis between the batch and the channels (channels last):
 * [N, steps, C] → [N, C] for the 1D layers, [N, H, W, C] → [N, C] for the 2D ones, or with those axes kept as 1
 * when {@code keepDims}. Padded positions count like any other (there are no masks).
 */
public abstract class GlobalPooling extends Layer {
    private final boolean keepDims;
    private final boolean max;
    private final int[] axes;

    GlobalPooling(boolean keepDims, boolean max, int spatialRank) {
        super(null);
        this.keepDims = keepDims;
        this.max = max;
        this.axes = spatialRank == 1 ? new int[] {1} : new int[] {1, 2};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != axes.length + 2)
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an input of rank " + (axes.length + 2)
                    + (axes.length == 1 ? " [batch, steps, channels]" : " [batch, height, width, channels] (NHWC)") + ", got shape "
                    + Shapes.format(x.shape()));
        return max ? Ops.reduce(ReduceFn.MAX, x, axes, keepDims) : Ops.mean(x, axes, keepDims);
    }
}
