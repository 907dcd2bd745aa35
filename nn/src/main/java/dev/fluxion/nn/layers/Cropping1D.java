package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** Cuts steps off both ends of sequences (Keras {@code Cropping1D}, default 1 each): [N, T, C] → [N, T-left-right, C]. */
public class Cropping1D extends Layer {
    private final int left, right;

    public Cropping1D() { this(1); }

    /** The same cropping at both ends. */
    public Cropping1D(int cropping) { this(cropping, cropping); }

    public Cropping1D(int left, int right) {
        super(null);
        Sequence1D.checkEnds("Cropping1D", "cropping", left, right);
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Sequence1D.requireSteps(this, x);
        int t = x.dim(1);
        if (left + right >= t)
            throw new IllegalArgumentException("Cropping1D '" + name() + "': cropping " + left + "+" + right + " steps leaves nothing of an input of shape "
                    + Shapes.format(x.shape()));
        return ArrayOps.slice(x, 1, left, t - right, 1);
    }
}
