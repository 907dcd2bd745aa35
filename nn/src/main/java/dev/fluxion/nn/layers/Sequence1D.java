package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** The input checks the sequence-reshaping layers share. */
final class Sequence1D {
    private Sequence1D() {}

    static void requireRank(Layer layer, Tensor x, int rank, String layout) {
        if (x.rank() != rank)
            throw new IllegalArgumentException(layer.getClass().getSimpleName() + " '" + layer.name() + "': expected an input of rank " + rank + " "
                    + layout + ", got shape " + Shapes.format(x.shape()));
    }

    static void requireSteps(Layer layer, Tensor x) {
        requireRank(layer, x, 3, "[batch, steps, features]");
    }

    /** Checked amounts for the two ends of a sequence. */
    static void checkEnds(String layer, String what, int left, int right) {
        if (left < 0 || right < 0)
            throw new IllegalArgumentException(layer + ": " + what + " must be >= 0, got left " + left + ", right " + right);
    }
}
