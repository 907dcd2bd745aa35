package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;

import java.util.List;

/** The elementwise mean of two or more inputs (Keras {@code Average}), broadcast as {@link ElementwiseMerge}. */
public class Average extends ElementwiseMerge {
    @Override
    protected Tensor combine(List<Tensor> aligned, List<Tensor> original, int[] outShape) {
        Tensor sum = aligned.get(0);
        for (int i = 1; i < aligned.size(); i++) sum = sum.add(aligned.get(i));
        return sum.div(aligned.size());
    }
}
