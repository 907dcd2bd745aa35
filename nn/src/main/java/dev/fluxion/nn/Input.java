package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Shapes;

/**
 * Keras' {@code keras.Input}: a symbolic input of the functional API, and the optional first element of a
 * {@link Sequential} that fixes its input shape. The shape excludes the batch dimension.
 *
 * <pre>{@code
 * KerasTensor in = Input.shape(32, 32, 3);
 * KerasTensor out = new Dense(10).apply(new Flatten().apply(in));
 * Functional model = Functional.of(in, out);
 * }</pre>
 */
public final class Input {
    private Input() {}

    /** A float32 input whose per-example shape is {@code shape}. */
    public static KerasTensor shape(int... shape) {
        return shape(DType.FLOAT32, shape);
    }

    /** An input of the given dtype (e.g. int32 token ids for an Embedding). */
    public static KerasTensor shape(DType dtype, int... shape) {
        return named(null, dtype, shape);
    }

    /** A named input. */
    public static KerasTensor named(String name, DType dtype, int... shape) {
        if (dtype == null) throw new IllegalArgumentException("Input: dtype is null");
        int[] s = Shapes.checkAllowingUnknown("Input", shape);
        int[] full = new int[s.length + 1];
        full[0] = -1;
        System.arraycopy(s, 0, full, 1, s.length);
        return new KerasTensor(full, dtype, name != null ? name : Layer.uniqueName("input_layer"));
    }
}
