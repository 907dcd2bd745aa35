package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Keras masks: a bool tensor [batch, steps] saying which steps of a padded sequence are real. A layer that makes one
 * ({@code Embedding.maskZero}, {@code Masking}) attaches it to the tensor it returns, as Keras attaches
 * {@code _keras_mask}; {@link Layer#call} hands the mask of its input to the layer and attaches the layer's output
 * mask to its result, so a mask follows the data through Sequential and functional models and through a subclassed
 * model's own Java code alike. Layers that consume a mask: the recurrent layers (masked steps keep the state),
 * {@code GlobalAveragePooling1D} (masked steps are left out of the mean), and the compiled loss and metrics of a model
 * whose output carries one (masked entries get weight zero; see {@code Loss.call}).
 *
 * <p>Tensors do not override {@code equals}, so the table is keyed by identity; its keys are weak, so a mask lives
 * as long as the tensor it belongs to.
 */
public final class Masks {
    private static final Map<Tensor, Tensor> MASKS = Collections.synchronizedMap(new WeakHashMap<>());

    private Masks() {}

    /** The mask attached to {@code x}, or null. */
    public static Tensor of(Tensor x) {
        return x == null ? null : MASKS.get(x);
    }

    /**
     * Attaches {@code mask} (bool, x's leading dimensions; null removes any) to {@code x} and returns x.
     *
     * @throws IllegalArgumentException if the mask is not bool or its shape is not a prefix of x's
     */
    public static Tensor attach(Tensor x, Tensor mask) {
        if (x == null) throw new IllegalArgumentException("Masks.attach: tensor is null");
        if (mask == null) {
            MASKS.remove(x);
            return x;
        }
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("Masks.attach: a mask must be bool, got " + mask.dtype() + " of shape " + Shapes.format(mask.shape()));
        boolean prefix = mask.rank() <= x.rank();
        for (int i = 0; prefix && i < mask.rank(); i++) {
            int m = mask.dim(i), d = x.dim(i);
            prefix = m == d || m == Shapes.UNKNOWN || d == Shapes.UNKNOWN;
        }
        if (!prefix)
            throw new IllegalArgumentException("Masks.attach: mask of shape " + Shapes.format(mask.shape())
                    + " does not match the leading dimensions of a tensor of shape " + Shapes.format(x.shape()));
        MASKS.put(x, mask);
        return x;
    }
}
