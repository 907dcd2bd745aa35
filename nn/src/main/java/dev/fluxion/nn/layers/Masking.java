package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import dev.fluxion.ops.ReduceFn;

/**
 * Keras' {@code Masking}: a step whose features all equal {@code maskValue} is padding. The output is the input with
 * those steps set to zero, and it carries the mask "some feature differs from maskValue" over every axis but the
 * last (see {@link dev.fluxion.nn.Masks}), for the recurrent layers, average pooling and the loss downstream.
 */
public class Masking extends Layer {
    private final double maskValue;

    /** Steps of all zeros are padding. */
    public Masking() {
        this(0.0);
    }

    public Masking(double maskValue) {
        super(null);
        if (Double.isNaN(maskValue)) throw new IllegalArgumentException("Masking: maskValue must not be NaN (NaN equals nothing, so nothing would be masked)");
        this.maskValue = maskValue;
    }

    public double maskValue() {
        return maskValue;
    }

    /** [..., 1] bool: whether some feature of the step differs from maskValue. */
    private Tensor keep(Tensor x) {
        if (x.rank() < 2)
            throw new IllegalArgumentException("Masking '" + name() + "': expected an input of rank 2 or more [batch, ..., features], got shape " + Shapes.format(x.shape()));
        Tensor differs = Ops.cast(Ops.notEqual(x, Ops.constantLike(maskValue, x)), x.dtype());
        return Ops.reduce(ReduceFn.MAX, differs, new int[] {-1}, true).gt(Ops.zerosOf(x));
    }

    /** The input with masked steps zeroed, carrying the mask (computed once for both). */
    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor keep = keep(x);
        return Masks.attach(x.mul(Ops.cast(keep, x.dtype())), ArrayOps.squeeze(keep, -1));
    }
}
