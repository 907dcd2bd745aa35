package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * {@code x * scale + offset} (Keras {@code Rescaling}), e.g. {@code new Rescaling(1 / 255.0)} to bring pixel values
 * into [0, 1] or {@code new Rescaling(1 / 127.5, -1)} into [-1, 1]. As in Keras, every input is cast to the layer's
 * dtype first, so integer images (uint8, int32) come out as float32. No weights; masks pass through.
 */
public class Rescaling extends Layer {
    private final double scale, offset;

    /** {@code x * scale}. */
    public Rescaling(double scale) {
        this(scale, 0);
    }

    public Rescaling(double scale, double offset) {
        super(null);
        if (!Double.isFinite(scale) || !Double.isFinite(offset))
            throw new IllegalArgumentException("Rescaling '" + name() + "': scale and offset must be finite, got scale " + scale + " and offset " + offset);
        this.scale = scale;
        this.offset = offset;
    }

    public double scale() { return scale; }
    public double offset() { return offset; }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor y = x.dtype() == dtype() ? x : Ops.cast(x, dtype());
        return y.mul(scale).add(offset);
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
