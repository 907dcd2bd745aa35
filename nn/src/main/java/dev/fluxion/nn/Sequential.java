package dev.fluxion.nn;

import dev.fluxion.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A plain stack of one-input, one-output layers (Keras {@code Sequential}).
 *
 * <pre>{@code
 * var model = Sequential.of(Input.shape(32, 32, 3),
 *         new Conv2D(32, 3).padding("same"), new BatchNormalization(), Activation.elu(), new MaxPooling2D(2),
 *         new Flatten(), new Dense(10, Activation.softmax()));
 * model.summary();
 * }</pre>
 *
 * With a leading {@link Input} the model builds at once (each added layer is applied symbolically), so summaries
 * and weight counts work before any data; without one, every layer builds on the first call.
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    private KerasTensor input, output;

    public Sequential() {
        super(null);
    }

    public Sequential(String name) {
        super(name);
    }

    /** A model with a fixed input shape, built at once. */
    public static Sequential of(KerasTensor input, Layer... layers) {
        Sequential s = new Sequential();
        s.add(input);
        for (Layer l : layers) s.add(l);
        return s;
    }

    /** A model that builds on its first call. */
    public static Sequential of(Layer... layers) {
        Sequential s = new Sequential();
        for (Layer l : layers) s.add(l);
        return s;
    }

    /** Fixes the input shape; only as the first element. */
    public Sequential add(KerasTensor input) {
        if (input == null) throw new IllegalArgumentException("Sequential '" + name() + "': input is null");
        if (this.input != null || !stack.isEmpty())
            throw new IllegalStateException("Sequential '" + name() + "': an Input may only come first, got " + input + " after "
                    + (this.input != null ? "another Input" : stack.size() + " layer(s)"));
        if (!input.isInput()) throw new IllegalArgumentException("Sequential '" + name() + "': expected an Input.shape(...), got " + input);
        this.input = input;
        this.output = input;
        setBuilt();
        setOutputShape(input.shape());
        return this;
    }

    /** Appends a layer (applied symbolically at once when the input shape is known). */
    public Sequential add(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("Sequential '" + name() + "': layer is null");
        if (layer == this) throw new IllegalArgumentException("Sequential '" + name() + "': cannot add a model to itself");
        if (output != null) {
            output = layer.apply(output);
            setOutputShape(output.shape());
        }
        track(layer);
        stack.add(layer);
        return this;
    }

    /** The input, or null when none was given. */
    public KerasTensor input() {
        return input;
    }

    /** The layers in order. */
    @Override
    public List<Layer> layers() {
        return Collections.unmodifiableList(stack);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (stack.isEmpty()) throw new IllegalStateException("Sequential '" + name() + "': has no layers");
        if (input != null) Functional.checkInput(name(), input, x);
        Tensor y = x;
        for (int i = 0; i < stack.size(); i++) {
            // a fused pair would bypass the masks each layer passes on
            Tensor pair = i + 1 < stack.size() && Masks.of(y) == null ? stack.get(i).callThen(stack.get(i + 1), y, training) : null;
            if (pair != null) {
                y = pair;
                i++;
            } else {
                y = stack.get(i).call(y, training);
            }
        }
        return y;
    }
}
