package dev.fluxion.nn.losses;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Remembers the logits behind the outputs of softmax and sigmoid activations, so that a cross-entropy given those
 * probabilities ({@code fromLogits = false}) computes from the logits instead, as Keras does (its {@code _keras_logits}).
 * Computing from clipped probabilities loses the gradient of every example the model gets badly wrong (p below 1e-7 is
 * clipped, and the clip has no gradient), which stalls training of a softmax-output model after one large step; the
 * logits give the exact, stable gradient. Outputs are held weakly: nothing is kept alive by being remembered.
 */
public final class ActivationLogits {
    private ActivationLogits() {}

    private record Source(String activation, Tensor logits) {}

    private static final Map<Tensor, Source> SOURCES = Collections.synchronizedMap(new WeakHashMap<>());

    /** softmax(x) along {@code axis}; along the last axis the result remembers x as its logits. */
    public static Tensor softmax(Tensor x, int axis) {
        Tensor p = NnOps.softmax(x, axis);
        if (axis == -1 || axis == x.rank() - 1) SOURCES.put(p, new Source("softmax", x));
        return p;
    }

    /** sigmoid(x), remembering x as its logits. */
    public static Tensor sigmoid(Tensor x) {
        Tensor p = x.sigmoid();
        SOURCES.put(p, new Source("sigmoid", x));
        return p;
    }

    /** The logits of {@code probabilities} if a softmax (last axis) made them, else null. */
    static Tensor ofSoftmax(Tensor probabilities) {
        Source s = SOURCES.get(probabilities);
        return s != null && s.activation.equals("softmax") ? s.logits : null;
    }

    /** The logits of {@code probabilities} if a sigmoid made them, else null. */
    static Tensor ofSigmoid(Tensor probabilities) {
        Source s = SOURCES.get(probabilities);
        return s != null && s.activation.equals("sigmoid") ? s.logits : null;
    }
}
