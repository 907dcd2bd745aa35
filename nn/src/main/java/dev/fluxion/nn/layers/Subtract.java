package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;

import java.util.List;

/** The difference of exactly two inputs, input 0 minus input 1 (Keras {@code Subtract}), broadcast as {@link ElementwiseMerge}. */
public class Subtract extends ElementwiseMerge {
    @Override
    protected int maxInputs() {
        return 2;
    }

    @Override
    protected Tensor combine(List<Tensor> aligned, List<Tensor> original, int[] outShape) {
        return aligned.get(0).sub(aligned.get(1));
    }
}
