package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Keras' {@code TimeDistributed}: applies one layer, with one set of weights, to every step of a sequence, e.g. a
 * Dense to each step's features or a Conv2D to each frame of a video: input [batch, steps, ...], the layer called
 * on [batch·steps, ...], output [batch, steps, ...the layer's output]. A mask on the input passes on unchanged.
 */
public class TimeDistributed extends Layer {
    private final Layer layer;

    public TimeDistributed(Layer layer) {
        super(null);
        this.layer = track(Objects.requireNonNull(layer, "TimeDistributed: layer"));
        if (layer == this) throw new IllegalArgumentException("TimeDistributed: cannot wrap itself");
    }

    /** The wrapped layer. */
    public Layer layer() {
        return layer;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() < 3)
            throw new IllegalArgumentException("TimeDistributed '" + name() + "' (of " + layer.getClass().getSimpleName()
                    + "): expected an input of rank 3 or more [batch, steps, ...], got shape " + Shapes.format(x.shape()));
        int steps = x.dim(1);
        if (steps == Shapes.UNKNOWN) throw new IllegalArgumentException("TimeDistributed '" + name() + "': the number of steps must be known");
        int[] inner = Arrays.copyOfRange(x.shape(), 1, x.rank());
        inner[0] = -1; // batch · steps
        Tensor y = layer.call(x.reshape(inner), training);
        int[] out = new int[y.rank() + 1];
        out[0] = -1;
        out[1] = steps;
        System.arraycopy(y.shape(), 1, out, 2, y.rank() - 1);
        return y.reshape(out);
    }

    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
