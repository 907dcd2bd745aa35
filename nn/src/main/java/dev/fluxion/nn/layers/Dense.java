package dev.fluxion.nn.layers;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;

/**
 * A densely connected layer: {@code activation(x · kernel + bias)} over the last axis of an input of rank &ge; 2
 * (Keras {@code Dense}). Options are fluent setters, used before the layer is built:
 * {@code new Dense(64, "relu").useBias(false).kernelRegularizer(Regularizer.l2(1e-4))}.
 */
public class Dense extends Layer {
    private final int units;
    private Activation activation;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer biasInitializer = Initializers.zeros();
    private Regularizer kernelRegularizer, biasRegularizer;
    private Constraint kernelConstraint, biasConstraint;
    private Variable kernel, bias;
    private int inputDim;
    private FusedLinear fused;

    public Dense(int units) {
        this(units, (Activation) null);
    }

    public Dense(int units, Activation activation) {
        super(null);
        if (units <= 0) throw new IllegalArgumentException("Dense: units must be positive, got " + units);
        this.units = units;
        this.activation = activation;
    }

    /** With an activation by Keras name ("relu", "softmax", ...). */
    public Dense(int units, String activation) {
        this(units, Activation.get(activation));
    }

    public Dense useBias(boolean useBias) { checkUnbuilt(); this.useBias = useBias; return this; }
    public Dense activation(Activation activation) { this.activation = activation; return this; }
    public Dense kernelInitializer(Initializer init) { checkUnbuilt(); this.kernelInitializer = init; return this; }
    public Dense biasInitializer(Initializer init) { checkUnbuilt(); this.biasInitializer = init; return this; }
    public Dense kernelRegularizer(Regularizer reg) { checkUnbuilt(); this.kernelRegularizer = reg; return this; }
    public Dense biasRegularizer(Regularizer reg) { checkUnbuilt(); this.biasRegularizer = reg; return this; }
    public Dense kernelConstraint(Constraint c) { checkUnbuilt(); this.kernelConstraint = c; return this; }
    public Dense biasConstraint(Constraint c) { checkUnbuilt(); this.biasConstraint = c; return this; }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("Dense '" + name() + "': options must be set before the layer is built");
    }

    public int units() { return units; }
    /** The kernel [inputDim, units] (null before build). */
    public Variable kernel() { return kernel; }
    /** The eager fused form, once a call has used it (for tests). */
    FusedLinear fused() { return fused; }
    /** The bias [units] (null before build or without bias). */
    public Variable bias() { return bias; }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length < 2)
            throw new IllegalArgumentException("Dense '" + name() + "': expected an input of rank >= 2 (batch, ..., features), got shape "
                    + Shapes.format(inputShape));
        inputDim = inputShape[inputShape.length - 1];
        kernel = addWeight("kernel", new int[] {inputDim, units}, kernelInitializer, true, kernelRegularizer, kernelConstraint);
        if (useBias) bias = addWeight("bias", new int[] {units}, biasInitializer, true, biasRegularizer, biasConstraint);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() < 2 || x.dim(-1) != inputDim)
            throw new IllegalArgumentException("Dense '" + name() + "': expected an input of shape [batch, ..., " + inputDim
                    + "] (built for last dimension " + inputDim + ", kernel " + Shapes.format(kernel.shape()) + "), got shape "
                    + Shapes.format(x.shape()));
        if (x.rank() == 2 && FusedLinear.applies(x, activation)) {
            if (fused == null) fused = new FusedLinear(name(), Tensor::matmul, activation);
            if (fused.accepts(x)) return fused.apply(x, kernel.value(), bias == null ? null : bias.value());
        }
        Tensor y = x.matmul(kernel.value());
        if (bias != null) y = y.add(bias.value());
        return activation == null ? y : activation.activate(y);
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
