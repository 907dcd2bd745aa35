package dev.fluxion.ops;

/**
 * Strides, dilations and explicit padding of a 2-D sliding window (convolution or pooling). {@link #same} and
 * {@link #valid} compute TensorFlow's padding for the named schemes.
 */
public record Window2d(int strideH, int strideW, int dilationH, int dilationW,
                       int padTop, int padBottom, int padLeft, int padRight) {
    public Window2d {
        if (strideH <= 0 || strideW <= 0) throw new IllegalArgumentException("strides must be positive, got " + strideH + "x" + strideW);
        if (dilationH <= 0 || dilationW <= 0) throw new IllegalArgumentException("dilations must be positive, got " + dilationH + "x" + dilationW);
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) throw new IllegalArgumentException("padding must be >= 0");
    }

    /** VALID: no padding. */
    public static Window2d valid(int strideH, int strideW, int dilationH, int dilationW) {
        return new Window2d(strideH, strideW, dilationH, dilationW, 0, 0, 0, 0);
    }

    /** SAME: output size ceil(in / stride), padding split with the extra cell at the bottom/right (TF's rule). */
    public static Window2d same(int h, int w, int kh, int kw, int strideH, int strideW, int dilationH, int dilationW) {
        valid(strideH, strideW, dilationH, dilationW); // validates strides and dilations before dividing by them
        int padH = samePadding(h, kh, strideH, dilationH), padW = samePadding(w, kw, strideW, dilationW);
        return new Window2d(strideH, strideW, dilationH, dilationW, padH / 2, padH - padH / 2, padW / 2, padW - padW / 2);
    }

    private static int samePadding(int in, int k, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
    }

    /** Output height for an input height and window height. */
    public int outputHeight(int h, int kh) {
        return Math.floorDiv(h + padTop + padBottom - dilationH * (kh - 1) - 1, strideH) + 1;
    }

    /** Output width for an input width and window width. */
    public int outputWidth(int w, int kw) {
        return Math.floorDiv(w + padLeft + padRight - dilationW * (kw - 1) - 1, strideW) + 1;
    }

    @Override
    public String toString() {
        return "strides " + strideH + "x" + strideW + (dilationH * dilationW > 1 ? ", dilations " + dilationH + "x" + dilationW : "")
                + ", padding [" + padTop + "," + padBottom + "," + padLeft + "," + padRight + "]";
    }
}
