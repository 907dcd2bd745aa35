package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * Repeats each step {@code size} times (Keras {@code UpSampling1D}, default 2): [N, T, C] → [N, T·size, C], steps
 * t·size .. t·size+size-1 all equal to step t. A broadcast and a reshape, so the gradient sums each run of copies.
 */
public class UpSampling1D extends Layer {
    private final int size;

    public UpSampling1D() { this(2); }

    public UpSampling1D(int size) {
        super(null);
        if (size <= 0) throw new IllegalArgumentException("UpSampling1D: size must be positive, got " + size);
        this.size = size;
    }

    public int size() {
        return size;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Sequence1D.requireSteps(this, x);
        int t = x.dim(1), c = x.dim(2);
        Tensor runs = ArrayOps.broadcastTo(ArrayOps.reshape(x, -1, t, 1, c), x.dim(0), t, size, c);
        return ArrayOps.reshape(runs, -1, t * size, c);
    }
}
