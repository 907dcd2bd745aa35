package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

import java.util.List;

/** The base of layers that combine several inputs ({@link Add}, {@link Concatenate}): call them with a list. */
public abstract class Merge extends Layer {
    protected Merge() {
        super(null);
    }

    @Override
    protected boolean acceptsList() {
        return true;
    }

    @Override
    protected final Tensor forward(Tensor x, boolean training) {
        return merge(List.of(x));
    }

    @Override
    protected final Tensor forward(List<Tensor> xs, boolean training) {
        return merge(xs);
    }

    protected abstract Tensor merge(List<Tensor> xs);

    @Override
    protected boolean supportsMasking() {
        return true;
    }

    /** A step is real where every input that has a mask says so (Keras' merge layers); null when none has one. */
    @Override
    protected Tensor computeMask(List<Tensor> xs, List<Tensor> masks) {
        Tensor all = null;
        for (Tensor m : masks) if (m != null) all = all == null ? m : Ops.logicalAnd(all, m);
        return all;
    }
}
