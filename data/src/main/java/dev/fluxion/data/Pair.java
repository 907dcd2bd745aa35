package dev.fluxion.data;

import dev.fluxion.Tensor;
import java.util.Objects;

/**
 * The (features, labels) element: one example from {@link Dataset#fromTensorSlices(Tensor, Tensor)}, or a batch of
 * them after {@link Dataset#batch(int)}, where both tensors gain a leading batch axis.
 *
 * @param x the features (input of the model)
 * @param y the labels (target of the loss)
 */
public record Pair(Tensor x, Tensor y) {
    public Pair {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
    }
}
