package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

import java.util.Arrays;

/**
 * The dtype and shape a graph function's tensor argument must have (tf.TensorSpec). A dimension of
 * {@link Shapes#UNKNOWN} (-1) is the batch dimension: any size is accepted there, the function is traced once, and
 * the graph is specialized per batch size without running the Java body again. All unknown dimensions of one call
 * must have the same size.
 */
public record TensorSpec(DType dtype, int[] shape) {
    public TensorSpec {
        shape = Shapes.checkAllowingUnknown("TensorSpec", shape);
    }

    public static TensorSpec of(DType dtype, int... shape) {
        return new TensorSpec(dtype, shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The unknown dimension's size in {@code t}, 0 if the spec has none; throws if {@code t} does not match. */
    int batchOf(String function, int index, Tensor t) {
        int[] s = t.shape();
        boolean match = t.dtype() == dtype && s.length == shape.length;
        int batch = 0;
        for (int i = 0; match && i < s.length; i++) {
            if (shape[i] == Shapes.UNKNOWN) {
                if (batch != 0 && s[i] != batch) match = false;
                batch = s[i];
            } else {
                match = s[i] == shape[i];
            }
        }
        if (!match)
            throw new IllegalArgumentException(function + ": argument " + index + " is " + t.type() + " but the input signature expects "
                    + dtype + Shapes.formatType(shape));
        return batch;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "TensorSpec(" + dtype + Shapes.formatType(shape) + ")";
    }
}
