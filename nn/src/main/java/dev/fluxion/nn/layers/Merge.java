package dev.fluxion.nn.layers;

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
}
