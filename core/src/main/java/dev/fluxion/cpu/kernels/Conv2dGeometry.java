package dev.fluxion.cpu.kernels;

/**
 * Sizes of one 2-D convolution: input x [n,h,w,c] (NHWC), filter [kh,kw,c,o] (HWIO), output [n,oh,ow,o], with
 * strides, dilations and the top/left padding (bottom/right padding is implied by the output size).
 */
public record Conv2dGeometry(int n, int h, int w, int c, int kh, int kw, int o, int oh, int ow,
                             int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft) {
    /** Elements of one im2col row: kh * kw * c. */
    int patch() {
        return kh * kw * c;
    }

    /** Rows of the whole batch's im2col matrix: n * oh * ow. */
    int rows() {
        return n * oh * ow;
    }

    void check(String kernel, int xLen, int xOff, int wLen, int wOff, int yLen, int yOff) {
        if (xOff < 0 || (long) xOff + (long) n * h * w * c > xLen || wOff < 0 || (long) wOff + (long) kh * kw * c * o > wLen
                || yOff < 0 || (long) yOff + (long) n * oh * ow * o > yLen)
            throw new IllegalArgumentException(kernel + ": arrays too small for " + this);
    }
}
