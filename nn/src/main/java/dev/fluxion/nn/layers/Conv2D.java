package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/**
 * 2-D convolution over NHWC inputs with an HWIO kernel (Keras {@code Conv2D}, channels last). Defaults as Keras:
 * strides 1, padding VALID, dilation 1, bias on, glorot-uniform kernel.
 * {@code new Conv2D(32, 3).padding(Padding.SAME).useBias(false)}.
 */
public class Conv2D extends ConvLayer<Conv2D> {
    private int dh = 1, dw = 1;
    private FusedLinear fused;

    /** A square kernel. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2D(int filters, int kernelH, int kernelW) {
        super(filters, kernelH, kernelW);
    }

    public Conv2D dilation(int d) { return dilation(d, d); }
    public Conv2D dilation(int h, int w) {
        checkUnbuilt();
        if (h <= 0 || w <= 0) throw new IllegalArgumentException("Conv2D: dilation must be positive, got " + h + "x" + w);
        dh = h; dw = w; return this;
    }

    /** The eager fused form, once a call has used it (for tests). */
    FusedLinear fused() { return fused; }

    @Override
    protected int[] kernelShape(int inChannels) {
        return new int[] {kh, kw, inChannels, filters};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        if (FusedLinear.applies(x, activation)) {
            if (fused == null) fused = new FusedLinear(name(), (in, k) -> NnOps.conv2d(in, k, sh, sw, padding, dh, dw), activation);
            if (fused.accepts(x)) return fused.apply(x, kernel.value(), bias == null ? null : bias.value());
        }
        return finish(NnOps.conv2d(x, kernel.value(), sh, sw, padding, dh, dw));
    }
}
