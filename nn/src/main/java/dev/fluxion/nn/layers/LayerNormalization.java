package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.initializers.Initializers;

/**
 * Layer normalization over the last axis (Keras {@code LayerNormalization}, epsilon 1e-3): each example's features
 * are normalized by their own mean and variance, then scaled by gamma and shifted by beta. Same in training and
 * inference.
 */
public class LayerNormalization extends Layer {
    private double epsilon = 1e-3;
    private boolean center = true, scale = true;
    private Variable gamma, beta;
    private int features;

    public LayerNormalization() {
        super(null);
    }

    public LayerNormalization epsilon(double e) {
        if (!(e > 0)) throw new IllegalArgumentException("LayerNormalization: epsilon must be positive, got " + e);
        epsilon = e; return this;
    }
    public LayerNormalization center(boolean c) { center = c; return this; }
    public LayerNormalization scale(boolean s) { scale = s; return this; }

    public Variable gamma() { return gamma; }
    public Variable beta() { return beta; }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length < 1) throw new IllegalArgumentException("LayerNormalization '" + name() + "': needs an input of rank >= 1");
        features = inputShape[inputShape.length - 1];
        if (scale) gamma = addWeight("gamma", new int[] {features}, Initializers.ones());
        if (center) beta = addWeight("beta", new int[] {features}, Initializers.zeros());
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() < 1 || x.dim(-1) != features)
            throw new IllegalArgumentException("LayerNormalization '" + name() + "': built for " + features + " features, got shape " + Shapes.format(x.shape()));
        int[] last = {x.rank() - 1};
        Tensor mean = Ops.mean(x, last, true);
        Tensor variance = Ops.variance(x, last, true);
        Tensor y = x.sub(mean).mul(Ops.rsqrt(variance.add(epsilon)));
        if (gamma != null) y = y.mul(gamma.value());
        if (beta != null) y = y.add(beta.value());
        return y;
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
