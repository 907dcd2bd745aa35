package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Flattens every axis but the batch: [N, d1, ..., dk] → [N, d1*...*dk]. */
public class Flatten extends Layer {
    public Flatten() {
        super(null);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() == 0) throw new IllegalArgumentException("Flatten '" + name() + "': needs an input with a batch axis, got a 0-d tensor");
        int[] s = x.shape();
        long inner = 1;
        for (int i = 1; i < s.length; i++) inner *= s[i];
        if (x.rank() == 2) return x;
        return x.reshape(s[0], Math.toIntExact(inner));
    }
}
