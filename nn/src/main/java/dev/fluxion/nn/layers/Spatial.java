package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** The input check the image-reshaping layers share. */
final class Spatial {
    private Spatial() {}

    /** Checked amounts for the four sides of an image, {top, bottom, left, right}. */
    static int[] sides(String layer, String what, int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new IllegalArgumentException(layer + ": " + what + " must be >= 0, got top " + top + ", bottom " + bottom + ", left " + left + ", right " + right);
        return new int[] {top, bottom, left, right};
    }

    static void requireNhwc(Layer layer, Tensor x) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(layer.getClass().getSimpleName() + " '" + layer.name() + "': expected an NHWC input of rank 4, got shape "
                    + Shapes.format(x.shape()));
    }
}
