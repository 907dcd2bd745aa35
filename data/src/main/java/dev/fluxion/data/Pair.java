package dev.fluxion.data;

import dev.fluxion.Tensor;
import java.util.Objects;

/**
 * The (features, labels[, sample weights]) element: one example from {@link Dataset#fromTensorSlices(Tensor, Tensor)}
 * or {@link Dataset#fromTensorSlices(Pair)}, or a batch of them after {@link Dataset#batch(int)}, where every tensor
 * gains a leading batch axis. The optional third component is Keras' {@code (x, y, sample_weight)} triple: the weight of
 * each example in the loss and the compiled metrics of {@code Model.fit} and {@code evaluate}. It is an ordinary
 * component of the element, so batching, padding, unbatching, shuffling, caching and saved iterator positions carry it
 * like x and y.
 *
 * @param x the features (input of the model)
 * @param y the labels (target of the loss)
 * @param sampleWeight the per-example weights (shape [batch] for a batch, 0-d for one example), or null for none
 */
public record Pair(Tensor x, Tensor y, Tensor sampleWeight) {
    public Pair {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
    }

    /** An unweighted pair. */
    public Pair(Tensor x, Tensor y) {
        this(x, y, null);
    }

    /** Whether this element carries sample weights. */
    public boolean hasSampleWeight() {
        return sampleWeight != null;
    }

    /** This pair with {@code sampleWeight} as its weights (null drops them). */
    public Pair withSampleWeight(Tensor sampleWeight) {
        return new Pair(x, y, sampleWeight);
    }
}
