package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Zero steps at both ends of sequences (Keras {@code ZeroPadding1D}, default 1 each): [N, T, C] → [N, left+T+right, C]. */
public class ZeroPadding1D extends Layer {
    private final int left, right;

    public ZeroPadding1D() { this(1); }

    /** The same padding at both ends. */
    public ZeroPadding1D(int padding) { this(padding, padding); }

    public ZeroPadding1D(int left, int right) {
        super(null);
        Sequence1D.checkEnds("ZeroPadding1D", "padding", left, right);
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Sequence1D.requireSteps(this, x);
        return ArrayOps.pad(x, new int[][] {{0, 0}, {left, right}, {0, 0}}, 0);
    }
}
