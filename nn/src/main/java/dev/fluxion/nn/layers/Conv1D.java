package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;

/**
 * 1-D convolution over sequences [batch, steps, channels] with a kernel [kernelSize, inChannels, filters] (Keras
 * {@code Conv1D}, channels last). Padding "valid", "same" or "causal" (zeros on the left only, so step t sees steps
 * up to t: WaveNet's and temporal convolutional networks'). Runs as a 2-D convolution over a height of one, through
 * the same kernels and gradients as {@link Conv2D}. {@code new Conv1D(64, 5).padding("causal").dilation(2)}.
 */
public class Conv1D extends ConvLayer<Conv1D> {
    private int dilation = 1;
    private boolean causal;

    public Conv1D(int filters, int kernelSize) {
        super(filters, 1, kernelSize);
    }

    @Override
    public Conv1D strides(int s) {
        return strides(1, s);
    }

    public Conv1D dilation(int d) {
        checkUnbuilt();
        if (d <= 0) throw new IllegalArgumentException("Conv1D: dilation must be positive, got " + d);
        dilation = d;
        return this;
    }

    /** "valid", "same" or "causal". */
    @Override
    public Conv1D padding(String p) {
        causal = "causal".equalsIgnoreCase(p);
        return causal ? padding(NnOps.Padding.VALID) : super.padding(p);
    }

    @Override
    public Conv1D padding(NnOps.Padding p) {
        if (p != NnOps.Padding.VALID) causal = false;
        return super.padding(p);
    }

    @Override
    protected int[] kernelShape(int inChannels) {
        return new int[] {kw, inChannels, filters};
    }

    @Override
    protected int inputRank() {
        return 3;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor image = ArrayOps.expandDims(x, 1); // [batch, 1, steps, channels]
        if (causal) image = ArrayOps.pad(image, new int[][] {{0, 0}, {0, 0}, {(kw - 1) * dilation, 0}, {0, 0}}, 0);
        Tensor k = ArrayOps.expandDims(kernel.value(), 0); // [1, kernelSize, in, filters]
        Tensor y = NnOps.conv2d(image, k, 1, sw, padding, 1, dilation);
        return finish(ArrayOps.squeeze(y, 1));
    }
}
