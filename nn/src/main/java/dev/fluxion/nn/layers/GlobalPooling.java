package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * Keras's global pooling layers: a mean or max over every axis between the batch and the channels (channels last):
 * [N, steps, C] → [N, C] for the 1D layers, [N, H, W, C] → [N, C] for the 2D ones, or with those axes kept as 1
 * when {@code keepDims}. {@link GlobalAveragePooling1D} leaves masked steps out of its mean (Keras: a sequence whose
 * steps are all masked averages to NaN); the other layers drop masks and count padded positions like any other.
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
        return forward(x, null, training);
    }

    /** The masked mean of the 1-D average pooling; a mask reaches no other pooling (see supportsMasking). */
    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        if (mask != null && supportsMasking() && x.rank() == 3) {
            if (mask.rank() != 2 || mask.dim(1) != x.dim(1))
                throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected a mask [batch, " + x.dim(1)
                        + "] for an input of shape " + Shapes.format(x.shape()) + ", got shape " + Shapes.format(mask.shape()));
            Tensor w = ArrayOps.expandDims(Ops.cast(mask, x.dtype()), 2);
            Tensor mean = Ops.sum(x.mul(w), 1).div(Ops.sum(w, 1));
            return keepDims ? ArrayOps.expandDims(mean, 1) : mean;
        }
        if (x.rank() != axes.length + 2)
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an input of rank " + (axes.length + 2)
                    + (axes.length == 1 ? " [batch, steps, channels]" : " [batch, height, width, channels] (NHWC)") + ", got shape "
                    + Shapes.format(x.shape()));
        return max ? Ops.reduce(ReduceFn.MAX, x, axes, keepDims) : Ops.mean(x, axes, keepDims);
    }

    @Override
    protected boolean supportsMasking() {
        return !max && axes.length == 1;
    }

    @Override
    protected Tensor computeMask(Tensor x, Tensor mask) {
        return null;
    }
}
