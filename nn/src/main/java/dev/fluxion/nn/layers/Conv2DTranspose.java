package dev.fluxion.nn.layers;

import dev.fluxion.Dispatcher;
import dev.fluxion.NnOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.Window2d;

/**
 * Transposed 2-D convolution over NHWC inputs (Keras {@code Conv2DTranspose}, channels last): the gradient of a
 * convolution with respect to its input, so it upsamples by the strides (a DCGAN generator's building block). The
 * kernel is {@code [kh, kw, filters, inChannels]}, Keras' layout. Output size per spatial axis: SAME
 * {@code in * stride}; VALID {@code in * stride + max(k - stride, 0)}. Defaults as Keras: strides 1, VALID, bias on,
 * glorot-uniform kernel. Dilation and output padding are not supported.
 */
public class Conv2DTranspose extends Layer {
    private final int filters, kh, kw;
    private int sh = 1, sw = 1;
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
    public Conv2DTranspose(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2DTranspose(int filters, int kernelH, int kernelW) {
        super(null);
        if (filters <= 0) throw new IllegalArgumentException("Conv2DTranspose: filters must be positive, got " + filters);
        if (kernelH <= 0 || kernelW <= 0)
            throw new IllegalArgumentException("Conv2DTranspose: kernel size must be positive, got " + kernelH + "x" + kernelW);
        this.filters = filters;
        this.kh = kernelH;
        this.kw = kernelW;
    }

    public Conv2DTranspose strides(int s) { return strides(s, s); }
    public Conv2DTranspose strides(int h, int w) {
        checkUnbuilt();
        if (h <= 0 || w <= 0) throw new IllegalArgumentException("Conv2DTranspose: strides must be positive, got " + h + "x" + w);
        sh = h; sw = w; return this;
    }
    public Conv2DTranspose padding(NnOps.Padding p) {
        if (p == null) throw new IllegalArgumentException("Conv2DTranspose: padding is null");
        padding = p; return this;
    }
    /** "valid" or "same". */
    public Conv2DTranspose padding(String p) { return padding(Pooling2D.parsePadding("Conv2DTranspose", p)); }
    public Conv2DTranspose activation(Activation a) { activation = a; return this; }
    public Conv2DTranspose activation(String a) { activation = Activation.get(a); return this; }
    public Conv2DTranspose useBias(boolean b) { checkUnbuilt(); useBias = b; return this; }
    public Conv2DTranspose kernelInitializer(Initializer i) { checkUnbuilt(); kernelInitializer = i; return this; }
    public Conv2DTranspose biasInitializer(Initializer i) { checkUnbuilt(); biasInitializer = i; return this; }
    public Conv2DTranspose kernelRegularizer(Regularizer r) { checkUnbuilt(); kernelRegularizer = r; return this; }
    public Conv2DTranspose biasRegularizer(Regularizer r) { checkUnbuilt(); biasRegularizer = r; return this; }
    public Conv2DTranspose kernelConstraint(Constraint c) { checkUnbuilt(); kernelConstraint = c; return this; }
    public Conv2DTranspose biasConstraint(Constraint c) { checkUnbuilt(); biasConstraint = c; return this; }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("Conv2DTranspose '" + name() + "': options must be set before the layer is built");
    }

    public Variable kernel() { return kernel; }
    public Variable bias() { return bias; }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length != 4)
            throw new IllegalArgumentException("Conv2DTranspose '" + name() + "': expected an NHWC input of rank 4, got shape " + Shapes.format(inputShape));
        inChannels = inputShape[3];
        kernel = addWeight("kernel", new int[] {kh, kw, filters, inChannels}, kernelInitializer, true, kernelRegularizer, kernelConstraint);
        if (useBias) bias = addWeight("bias", new int[] {filters}, biasInitializer, true, biasRegularizer, biasConstraint);
    }

    /** The output length along one spatial axis for an input length (Keras' deconv_output_length, no output padding). */
    private int outputLength(int in, int k, int stride) {
        return padding == NnOps.Padding.SAME ? in * stride : in * stride + Math.max(k - stride, 0);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 4 || x.dim(3) != inChannels)
            throw new IllegalArgumentException("Conv2DTranspose '" + name() + "': expected an NHWC input with " + inChannels
                    + " channels (kernel " + Shapes.format(kernel.shape()) + "), got shape " + Shapes.format(x.shape()));
        int oh = outputLength(x.dim(1), kh, sh), ow = outputLength(x.dim(2), kw, sw);
        Window2d window = padding == NnOps.Padding.SAME ? Window2d.same(oh, ow, kh, kw, sh, sw, 1, 1) : Window2d.valid(sh, sw, 1, 1);
        // x plays the role of a convolution's output gradient: the result is that convolution's input gradient
        int[] outShape = {x.dim(0), oh, ow, filters};
        Tensor y = Dispatcher.apply(new Op.Conv2DBackpropInput(outShape, window), x, kernel.value());
        if (bias != null) y = y.add(bias.value());
        return activation == null ? y : activation.activate(y);
    }
}
