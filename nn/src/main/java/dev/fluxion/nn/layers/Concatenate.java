package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
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

    /**
     * Along an axis the masks cover (the steps), the masks are concatenated too, an input without one counting as
     * all real; along the features, the merged mask is where every input's is (Keras).
     */
    @Override
    protected Tensor computeMask(List<Tensor> xs, List<Tensor> masks) {
        Tensor some = masks.stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (some == null) return null;
        int a = Shapes.axis("Concatenate '" + name() + "'", axis, xs.get(0).rank());
        if (a >= some.rank()) return super.computeMask(xs, masks);
        Tensor[] parts = new Tensor[xs.size()];
        for (int i = 0; i < parts.length; i++) {
            Tensor m = masks.get(i), x = xs.get(i);
            if (m == null) { // all real: x's leading dimensions
                Tensor lead = x;
                while (lead.rank() > some.rank()) lead = ArrayOps.squeeze(ArrayOps.slice(lead, -1, 0, 1, 1), -1);
                m = Ops.equal(lead.zerosLike(), Ops.zerosOf(lead));
            }
            parts[i] = m;
        }
        return ArrayOps.concat(a, parts);
    }
}
