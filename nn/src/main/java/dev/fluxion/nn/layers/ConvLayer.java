package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;

/**
 * What {@link Conv1D}, {@link Conv2D} and {@link Conv2DTranspose} share: filters, kernel size, strides, padding, activation, bias, and
 * the kernel/bias initializers, regularizers and constraints, set fluently before the layer is built (Keras' defaults:
 * strides 1, VALID, bias on, glorot-uniform kernel, zero bias). {@code L} is the concrete layer, so setters chain.
 */
public abstract class ConvLayer<L extends ConvLayer<L>> extends Layer {
    protected final int filters, kh, kw;
    protected int sh = 1, sw = 1;
    protected NnOps.Padding padding = NnOps.Padding.VALID;
    protected Activation activation;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer biasInitializer = Initializers.zeros();
    private Regularizer kernelRegularizer, biasRegularizer;
    private Constraint kernelConstraint, biasConstraint;
    protected Variable kernel, bias;
    protected int inChannels;

    protected ConvLayer(int filters, int kernelH, int kernelW) {
        super(null);
        if (filters <= 0) throw new IllegalArgumentException(kind() + ": filters must be positive, got " + filters);
        if (kernelH <= 0 || kernelW <= 0)
            throw new IllegalArgumentException(kind() + ": kernel size must be positive, got " + kernelH + "x" + kernelW);
        this.filters = filters;
        this.kh = kernelH;
        this.kw = kernelW;
    }

    /** The layer's Keras class name, for messages. */
    protected String kind() {
        return getClass().getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    public L strides(int s) { return strides(s, s); }
    public L strides(int h, int w) {
        checkUnbuilt();
        if (h <= 0 || w <= 0) throw new IllegalArgumentException(kind() + ": strides must be positive, got " + h + "x" + w);
        sh = h; sw = w; return self();
    }
    public L padding(NnOps.Padding p) {
        if (p == null) throw new IllegalArgumentException(kind() + ": padding is null");
        padding = p; return self();
    }
    /** "valid" or "same". */
    public L padding(String p) { return padding(Pooling2D.parsePadding(kind(), p)); }
    public L activation(Activation a) { activation = a; return self(); }
    public L activation(String a) { activation = Activation.get(a); return self(); }
    public L useBias(boolean b) { checkUnbuilt(); useBias = b; return self(); }
    public L kernelInitializer(Initializer i) { checkUnbuilt(); kernelInitializer = i; return self(); }
    public L biasInitializer(Initializer i) { checkUnbuilt(); biasInitializer = i; return self(); }
    public L kernelRegularizer(Regularizer r) { checkUnbuilt(); kernelRegularizer = r; return self(); }
    public L biasRegularizer(Regularizer r) { checkUnbuilt(); biasRegularizer = r; return self(); }
    public L kernelConstraint(Constraint c) { checkUnbuilt(); kernelConstraint = c; return self(); }
    public L biasConstraint(Constraint c) { checkUnbuilt(); biasConstraint = c; return self(); }

    protected void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException(kind() + " '" + name() + "': options must be set before the layer is built");
    }

    public Variable kernel() { return kernel; }
    public Variable bias() { return bias; }

    /** The kernel's shape for an input with {@code inChannels} channels. */
    protected abstract int[] kernelShape(int inChannels);

    /** The input's rank, channels last: 4 (NHWC) for the 2-D layers. */
    protected int inputRank() {
        return 4;
    }

    private String inputLayout() {
        return inputRank() == 4 ? "an NHWC input of rank 4" : "an input of rank " + inputRank() + " [batch, steps, channels]";
    }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length != inputRank())
            throw new IllegalArgumentException(kind() + " '" + name() + "': expected " + inputLayout() + ", got shape " + Shapes.format(inputShape));
        inChannels = inputShape[inputRank() - 1];
        kernel = addWeight("kernel", kernelShape(inChannels), kernelInitializer, true, kernelRegularizer, kernelConstraint);
        if (useBias) bias = addWeight("bias", new int[] {filters}, biasInitializer, true, biasRegularizer, biasConstraint);
    }

    /** Checks a call's input against the built kernel. */
    protected void checkInput(Tensor x) {
        if (x.rank() != inputRank() || x.dim(inputRank() - 1) != inChannels)
            throw new IllegalArgumentException(kind() + " '" + name() + "': expected " + inputLayout() + " with " + inChannels
                    + " channels (kernel " + Shapes.format(kernel.shape()) + "), got shape " + Shapes.format(x.shape()));
    }

    /** The bias and the activation, after the layer's convolution. */
    protected Tensor finish(Tensor y) {
        if (bias != null) y = y.add(bias.value());
        return activation == null ? y : activation.activate(y);
    }
}
