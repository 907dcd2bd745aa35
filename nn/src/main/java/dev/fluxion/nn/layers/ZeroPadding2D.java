package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Zero rows and columns around NHWC images (Keras {@code ZeroPadding2D}): [N, H, W, C] → [N, top+H+bottom, left+W+right, C]. */
public class ZeroPadding2D extends Layer {
    private final int top, bottom, left, right;

    /** The same padding on every side. */
    public ZeroPadding2D(int padding) { this(padding, padding, padding, padding); }

    public ZeroPadding2D(int top, int bottom, int left, int right) {
        super(null);
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new IllegalArgumentException("ZeroPadding2D: padding must be >= 0, got top " + top + ", bottom " + bottom + ", left " + left + ", right " + right);
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Spatial.requireNhwc(this, x);
        return ArrayOps.pad(x, new int[][] {{0, 0}, {top, bottom}, {left, right}, {0, 0}}, 0);
    }
}
