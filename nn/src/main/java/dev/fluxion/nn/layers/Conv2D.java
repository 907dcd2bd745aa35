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
 * 2-D convolution over NHWC inputs with an HWIO kernel (Keras {@code Conv2D}, channels last). Defaults as Keras:
 * strides 1, padding VALID, dilation 1, bias on, glorot-uniform kernel.
 * {@code new Conv2D(32, 3).padding(Padding.SAME).useBias(false)}.
 */
public class Conv2D extends Layer {
    private final int filters, kh, kw;
    private int sh = 1, sw = 1, dh = 1, dw = 1;
    private NnOps.Padding padding = NnOps.Padding.VALID;
    private Activation activation;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer biasInitializer = Initializers.zeros();
    private Regularizer kernelRegularizer, biasRegularizer;
    private Constraint kernelConstraint, biasConstraint;
    private Variable kernel, bias;
    private int inChannels;

    /** A square kernel. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2D(int filters, int kernelH, int kernelW) {
        super(null);
        if (filters <= 0) throw new IllegalArgumentException("Conv2D: filters must be positive, got " + filters);
        if (kernelH <= 0 || kernelW <= 0) throw new IllegalArgumentException("Conv2D: kernel size must be positive, got " + kernelH + "x" + kernelW);
        this.filters = filters;
        this.kh = kernelH;
        this.kw = kernelW;
    }

    public Conv2D strides(int s) { return strides(s, s); }
    public Conv2D strides(int h, int w) {
        checkUnbuilt();
        if (h <= 0 || w <= 0) throw new IllegalArgumentException("Conv2D: strides must be positive, got " + h + "x" + w);
        sh = h; sw = w; return this;
    }
    public Conv2D dilation(int d) { return dilation(d, d); }
    public Conv2D dilation(int h, int w) {
        checkUnbuilt();
        if (h <= 0 || w <= 0) throw new IllegalArgumentException("Conv2D: dilation must be positive, got " + h + "x" + w);
        dh = h; dw = w; return this;
    }
    public Conv2D padding(NnOps.Padding p) {
        if (p == null) throw new IllegalArgumentException("Conv2D: padding is null");
        padding = p; return this;
    }
    /** "valid" or "same". */
    public Conv2D padding(String p) { return padding(Pooling2D.parsePadding("Conv2D", p)); }
    public Conv2D activation(Activation a) { activation = a; return this; }
    public Conv2D activation(String a) { activation = Activation.get(a); return this; }
    public Conv2D useBias(boolean b) { checkUnbuilt(); useBias = b; return this; }
    public Conv2D kernelInitializer(Initializer i) { checkUnbuilt(); kernelInitializer = i; return this; }
    public Conv2D biasInitializer(Initializer i) { checkUnbuilt(); biasInitializer = i; return this; }
    public Conv2D kernelRegularizer(Regularizer r) { checkUnbuilt(); kernelRegularizer = r; return this; }
    public Conv2D biasRegularizer(Regularizer r) { checkUnbuilt(); biasRegularizer = r; return this; }
    public Conv2D kernelConstraint(Constraint c) { checkUnbuilt(); kernelConstraint = c; return this; }
    public Conv2D biasConstraint(Constraint c) { checkUnbuilt(); biasConstraint = c; return this; }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("Conv2D '" + name() + "': options must be set before the layer is built");
    }

    public Variable kernel() { return kernel; }
    public Variable bias() { return bias; }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length != 4)
            throw new IllegalArgumentException("Conv2D '" + name() + "': expected an NHWC input of rank 4, got shape " + Shapes.format(inputShape));
        inChannels = inputShape[3];
        kernel = addWeight("kernel", new int[] {kh, kw, inChannels, filters}, kernelInitializer, true, kernelRegularizer, kernelConstraint);
        if (useBias) bias = addWeight("bias", new int[] {filters}, biasInitializer, true, biasRegularizer, biasConstraint);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 4 || x.dim(3) != inChannels)
            throw new IllegalArgumentException("Conv2D '" + name() + "': expected an NHWC input with " + inChannels
                    + " channels (kernel " + Shapes.format(kernel.shape()) + "), got shape " + Shapes.format(x.shape()));
        Tensor y = NnOps.conv2d(x, kernel.value(), sh, sw, padding, dh, dw);
        if (bias != null) y = y.add(bias.value());
        return activation == null ? y : activation.activate(y);
    }
}
