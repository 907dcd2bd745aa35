package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** The input check the image-reshaping layers share. */
final class Spatial {
    private Spatial() {}

    static void requireNhwc(Layer layer, Tensor x) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(layer.getClass().getSimpleName() + " '" + layer.name() + "': expected an NHWC input of rank 4, got shape "
                    + Shapes.format(x.shape()));
    }
}
