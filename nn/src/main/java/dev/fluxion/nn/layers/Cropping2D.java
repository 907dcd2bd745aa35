package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Cuts rows and columns off NHWC images (Keras {@code Cropping2D}): [N, H, W, C] → [N, H-top-bottom, W-left-right, C]. */
public class Cropping2D extends Layer {
    private final int top, bottom, left, right;

    /** The same cropping on every side. */
    public Cropping2D(int cropping) { this(cropping, cropping, cropping, cropping); }

    public Cropping2D(int top, int bottom, int left, int right) {
        super(null);
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new IllegalArgumentException("Cropping2D: cropping must be >= 0, got top " + top + ", bottom " + bottom + ", left " + left + ", right " + right);
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Spatial.requireNhwc(this, x);
        int h = x.dim(1), w = x.dim(2);
        if (top + bottom >= h || left + right >= w)
            throw new IllegalArgumentException("Cropping2D '" + name() + "': cropping " + top + "+" + bottom + " rows and " + left + "+" + right
                    + " columns leaves nothing of an input of shape " + Shapes.format(x.shape()));
        Tensor rows = ArrayOps.slice(x, 1, top, h - bottom, 1);
        return ArrayOps.slice(rows, 2, left, w - right, 1);
    }
}
