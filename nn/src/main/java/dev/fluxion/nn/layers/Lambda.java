package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A layer made of a function of tensors (Keras {@code Lambda}), for a step with no weights that has no layer of its
 * own: {@code new Lambda(x -> x.div(255.0))}. The function must use tensor ops only, so shape inference, tapes and
 * graph functions see through it; it must not create weights (write a {@link Layer} for that).
 */
public class Lambda extends Layer {
    private final UnaryOperator<Tensor> function;

    public Lambda(UnaryOperator<Tensor> function) {
        this(function, null);
    }

    /** A named Lambda (the name shows in {@code summary()}). */
    public Lambda(UnaryOperator<Tensor> function, String name) {
        super(name);
        this.function = Objects.requireNonNull(function, "Lambda: function");
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor y = function.apply(x);
        if (y == null) throw new IllegalStateException("Lambda '" + name() + "': the function returned null for an input of shape "
                + dev.fluxion.Shapes.format(x.shape()));
        return y;
    }
}
