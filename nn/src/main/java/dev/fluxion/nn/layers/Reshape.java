package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Reshapes each example to {@code targetShape} (batch axis kept; one dimension may be -1). */
public class Reshape extends Layer {
    private final int[] target;

    public Reshape(int... targetShape) {
        super(null);
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) unknown++;
            else if (d < 0) throw new IllegalArgumentException("Reshape: invalid dimension " + d + " in " + Shapes.format(targetShape));
        }
        if (unknown > 1) throw new IllegalArgumentException("Reshape: at most one dimension may be -1, got " + Shapes.format(targetShape));
        this.target = targetShape.clone();
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() == 0) throw new IllegalArgumentException("Reshape '" + name() + "': needs an input with a batch axis, got a 0-d tensor");
        int[] s = x.shape();
        long inner = 1, known = 1;
        for (int i = 1; i < s.length; i++) inner *= s[i];
        int[] out = new int[target.length + 1];
        out[0] = s[0];
        int unknownAt = -1;
        for (int i = 0; i < target.length; i++) {
            out[i + 1] = target[i];
            if (target[i] == -1) unknownAt = i + 1;
            else known *= target[i];
        }
        if (unknownAt >= 0) {
            if (known == 0 || inner % known != 0) throw mismatch(s);
            out[unknownAt] = Math.toIntExact(inner / known);
        } else if (known != inner) {
            throw mismatch(s);
        }
        return x.reshape(out);
    }

    private IllegalArgumentException mismatch(int[] s) {
        return new IllegalArgumentException("Reshape '" + name() + "': cannot reshape examples of input shape " + Shapes.format(s)
                + " to " + Shapes.format(target));
    }
}
