package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Cuts rows and columns off NHWC images (Keras {@code Cropping2D}): [N, H, W, C] → [N, H-top-bottom, W-left-right, C]. */
public class Cropping2D extends Layer {
    private final int[] sides; // top, bottom, left, right

    /** The same cropping on every side. */
    public Cropping2D(int cropping) { this(cropping, cropping, cropping, cropping); }

    public Cropping2D(int top, int bottom, int left, int right) {
        super(null);
        sides = Spatial.sides("Cropping2D", "cropping", top, bottom, left, right);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Spatial.requireNhwc(this, x);
        int h = x.dim(1), w = x.dim(2), top = sides[0], bottom = sides[1], left = sides[2], right = sides[3];
        if (top + bottom >= h || left + right >= w)
            throw new IllegalArgumentException("Cropping2D '" + name() + "': cropping " + top + "+" + bottom + " rows and " + left + "+" + right
                    + " columns leaves nothing of an input of shape " + Shapes.format(x.shape()));
        Tensor rows = ArrayOps.slice(x, 1, top, h - bottom, 1);
        return ArrayOps.slice(rows, 2, left, w - right, 1);
    }
}
