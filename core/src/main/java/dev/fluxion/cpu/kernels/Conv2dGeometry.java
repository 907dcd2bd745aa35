package dev.fluxion.cpu.kernels;

/**
 * Sizes of one 2-D convolution: input x [n,h,w,c] (NHWC), filter [kh,kw,c,o] (HWIO), output [n,oh,ow,o], with
 * strides, dilations and the top/left padding. Output cell (i, j) reads input rows
 * {@code i * strideH + p * dilationH - padTop} for p in [0, kh) (likewise columns); cells outside the input are zero,
 * so the bottom/right padding is implied by the output size.
 */
public record Conv2dGeometry(int n, int h, int w, int c, int kh, int kw, int o, int oh, int ow,
                             int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft) {
    public Conv2dGeometry {
        if (n < 0 || h < 0 || w < 0 || c < 0 || kh < 0 || kw < 0 || o < 0 || oh < 0 || ow < 0) {
            throw new IllegalArgumentException(
                    "conv2d geometry: negative size in " + describe(n, h, w, c, kh, kw, o, oh, ow));
        }
        if (strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0) {
            throw new IllegalArgumentException("conv2d geometry: strides and dilations must be positive, got strides "
                    + strideH + "x" + strideW + ", dilations " + dilationH + "x" + dilationW);
        }
    }

    private static String describe(int n, int h, int w, int c, int kh, int kw, int o, int oh, int ow) {
        return "x [" + n + "," + h + "," + w + "," + c + "], filter [" + kh + "," + kw + "," + c + "," + o + "], y ["
                + n + "," + oh + "," + ow + "," + o + "]";
    }

    /** Elements of one im2col row: kh * kw * c. */
    int patch() {
        return kh * kw * c;
    }

    /** Output pixels of the batch: n * oh * ow. */
    int rows() {
        return n * oh * ow;
    }

    long xSize() {
        return (long) n * h * w * c;
    }

    long wSize() {
        return (long) kh * kw * c * o;
    }

    long ySize() {
        return (long) n * oh * ow * o;
    }

    /** Multiply-adds of one pass (forward or either gradient), counting padded taps. */
    long macs() {
        return (long) n * oh * ow * kh * kw * c * o;
    }

    /** Throws if an array is too short (or an offset negative) for its tensor, naming the kernel and sizes. */
    void check(String kernel, String xName, int xLen, int xOff, String wName, int wLen, int wOff, String yName,
               int yLen, int yOff) {
        checkOne(kernel, xName, xLen, xOff, xSize());
        checkOne(kernel, wName, wLen, wOff, wSize());
        checkOne(kernel, yName, yLen, yOff, ySize());
    }

    private void checkOne(String kernel, String name, int len, int off, long size) {
        if (off < 0 || off + size > len) {
            throw new IllegalArgumentException(kernel + ": " + name + " needs " + size + " elements from offset " + off
                    + " but the array has " + len + " (" + describe(n, h, w, c, kh, kw, o, oh, ow) + ")");
        }
    }

    @Override
    public String toString() {
        return describe(n, h, w, c, kh, kw, o, oh, ow) + ", strides " + strideH + "x" + strideW + ", dilations "
                + dilationH + "x" + dilationW + ", pad top/left " + padTop + "/" + padLeft;
    }
}
