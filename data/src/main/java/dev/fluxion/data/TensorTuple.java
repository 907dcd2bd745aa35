package dev.fluxion.data;

import dev.fluxion.Tensor;
import java.util.List;

/**
 * An element of several aligned tensors, e.g. (x, y, sampleWeight) or several model inputs. {@link Pair} is the
 * two-tensor case with named parts; this type covers any count.
 *
 * @param tensors the components, in order (at least one)
 */
public record TensorTuple(List<Tensor> tensors) {
    public TensorTuple {
        tensors = List.copyOf(tensors);
        if (tensors.isEmpty()) throw new IllegalArgumentException("a TensorTuple needs at least one tensor");
    }

    public static TensorTuple of(Tensor... tensors) {
        return new TensorTuple(List.of(tensors));
    }

    public Tensor get(int i) {
        return tensors.get(i);
    }

    public int size() {
        return tensors.size();
    }

    /** The first component (conventionally the features). */
    public Tensor x() {
        return tensors.get(0);
    }

    /** The second component (conventionally the labels). */
    public Tensor y() {
        if (tensors.size() < 2) throw new IllegalStateException("TensorTuple.y(): this tuple has only one component, no labels");
        return tensors.get(1);
    }
}
