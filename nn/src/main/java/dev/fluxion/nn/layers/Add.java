package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

import java.util.Arrays;
import java.util.List;

/** Elementwise sum of inputs of the same shape (Keras {@code Add}; residual connections). */
public class Add extends Merge {
    @Override
    protected Tensor merge(List<Tensor> xs) {
        Tensor sum = xs.get(0);
        for (int i = 1; i < xs.size(); i++) {
            Tensor t = xs.get(i);
            if (!Arrays.equals(t.shape(), sum.shape()))
                throw new IllegalArgumentException("Add '" + name() + "': inputs must have the same shape, got " + Shapes.format(xs.get(0).shape())
                        + " (input 0) and " + Shapes.format(t.shape()) + " (input " + i + ")");
            sum = sum.add(t);
        }
        return sum;
    }
}
