package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * Repeats each example's feature vector {@code n} times (Keras {@code RepeatVector}): [N, F] → [N, n, F], e.g. to
 * feed an encoder's summary to every step of a decoder. A broadcast, so the gradient sums the copies.
 */
public class RepeatVector extends Layer {
    private final int n;

    public RepeatVector(int n) {
        super(null);
        if (n <= 0) throw new IllegalArgumentException("RepeatVector: n must be positive, got " + n);
        this.n = n;
    }

    public int n() {
        return n;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Sequence1D.requireRank(this, x, 2, "[batch, features]");
        int f = x.dim(1);
        return ArrayOps.broadcastTo(ArrayOps.reshape(x, -1, 1, f), x.dim(0), n, f);
    }
}
