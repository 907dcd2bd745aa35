package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Mean over the spatial axes of an NHWC input: [N, H, W, C] → [N, C] (or [N, 1, 1, C] with keepDims). */
public class GlobalAveragePooling2D extends Layer {
    private final boolean keepDims;

    public GlobalAveragePooling2D() { this(false); }

    public GlobalAveragePooling2D(boolean keepDims) {
        super(null);
        this.keepDims = keepDims;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 4)
            throw new IllegalArgumentException("GlobalAveragePooling2D '" + name() + "': expected an NHWC input of rank 4, got shape " + Shapes.format(x.shape()));
        return Ops.mean(x, new int[] {1, 2}, keepDims);
    }
}
