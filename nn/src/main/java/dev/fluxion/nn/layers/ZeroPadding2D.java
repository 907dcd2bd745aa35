package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Zero rows and columns around NHWC images (Keras {@code ZeroPadding2D}): [N, H, W, C] → [N, top+H+bottom, left+W+right, C]. */
public class ZeroPadding2D extends Layer {
    private final int[] sides; // top, bottom, left, right

    /** The same padding on every side. */
    public ZeroPadding2D(int padding) { this(padding, padding, padding, padding); }

    public ZeroPadding2D(int top, int bottom, int left, int right) {
        super(null);
        sides = Spatial.sides("ZeroPadding2D", "padding", top, bottom, left, right);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Spatial.requireNhwc(this, x);
        return ArrayOps.pad(x, new int[][] {{0, 0}, {sides[0], sides[1]}, {sides[2], sides[3]}, {0, 0}}, 0);
    }
}
