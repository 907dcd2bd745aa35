package dev.fluxion.cpu.kernels;

/** Sizes of one 2-D pooling: input [n,h,w,c] (NHWC), window kh x kw, output [n,oh,ow,c], strides and top/left padding. */
public record Pool2dGeometry(int n, int h, int w, int c, int kh, int kw, int oh, int ow,
                             int strideH, int strideW, int padTop, int padLeft) {
    void check(String kernel, int xLen, int xOff, int yLen, int yOff) {
        if (xOff < 0 || (long) xOff + (long) n * h * w * c > xLen || yOff < 0 || (long) yOff + (long) n * oh * ow * c > yLen)
            throw new IllegalArgumentException(kernel + ": arrays too small for " + this);
    }
}
