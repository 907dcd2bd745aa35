package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

import java.util.List;

/** Concatenates inputs along an axis (Keras {@code Concatenate}, default the last); other dimensions must match. */
public class Concatenate extends Merge {
    private final int axis;

    public Concatenate() { this(-1); }

    public Concatenate(int axis) {
        this.axis = axis;
    }

    @Override
    protected Tensor merge(List<Tensor> xs) {
        int[] first = xs.get(0).shape();
        int a = Shapes.axis("Concatenate '" + name() + "'", axis, first.length);
        for (int i = 1; i < xs.size(); i++) {
            int[] s = xs.get(i).shape();
            boolean ok = s.length == first.length;
            for (int d = 0; ok && d < s.length; d++) ok = d == a || s[d] == first[d];
            if (!ok)
                throw new IllegalArgumentException("Concatenate '" + name() + "': inputs must match in every dimension except axis " + axis
                        + ", got " + Shapes.format(first) + " (input 0) and " + Shapes.format(s) + " (input " + i + ")");
        }
        return ArrayOps.concat(a, xs.toArray(Tensor[]::new));
    }
}
