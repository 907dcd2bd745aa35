package dev.fluxion.nn.layers;

import dev.fluxion.Dispatcher;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.Window2d;

/**
 * Transposed 2-D convolution over NHWC inputs (Keras {@code Conv2DTranspose}, channels last): the gradient of a
 * convolution with respect to its input, so it upsamples by the strides (a DCGAN generator's building block). The
 * kernel is {@code [kh, kw, filters, inChannels]}, Keras' layout. Output size per spatial axis: SAME
 * {@code in * stride}; VALID {@code in * stride + max(k - stride, 0)}. Defaults as Keras: strides 1, VALID, bias on,
 * glorot-uniform kernel. Dilation and output padding are not supported.
 */
public class Conv2DTranspose extends ConvLayer<Conv2DTranspose> {
    /** A square kernel. */
    public Conv2DTranspose(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2DTranspose(int filters, int kernelH, int kernelW) {
        super(filters, kernelH, kernelW);
    }

    @Override
    protected int[] kernelShape(int inChannels) {
        return new int[] {kh, kw, filters, inChannels};
    }

    /** The output length along one spatial axis for an input length (Keras' deconv_output_length, no output padding). */
    private int outputLength(int in, int k, int stride) {
        return padding == NnOps.Padding.SAME ? in * stride : in * stride + Math.max(k - stride, 0);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int oh = outputLength(x.dim(1), kh, sh), ow = outputLength(x.dim(2), kw, sw);
        Window2d window = padding == NnOps.Padding.SAME ? Window2d.same(oh, ow, kh, kw, sh, sw, 1, 1) : Window2d.valid(sh, sw, 1, 1);
        // x plays the role of a convolution's output gradient: the result is that convolution's input gradient
        int[] outShape = {x.dim(0), oh, ow, filters};
        return finish(Dispatcher.apply(new Op.Conv2DBackpropInput(outShape, window), x, kernel.value()));
    }
}
