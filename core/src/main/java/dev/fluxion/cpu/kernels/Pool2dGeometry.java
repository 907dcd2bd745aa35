package dev.fluxion.cpu.kernels;

/**
 * Sizes of one 2-D pooling: input [n,h,w,c] (NHWC), window kh x kw, output [n,oh,ow,c], strides and top/left
 * padding. Output cell (i, j) covers input rows [i * strideH - padTop, + kh) and columns [j * strideW - padLeft, + kw),
 * clipped to the input (padded cells are skipped, never read).
 */
public record Pool2dGeometry(int n, int h, int w, int c, int kh, int kw, int oh, int ow,
                             int strideH, int strideW, int padTop, int padLeft) {
    public Pool2dGeometry {
        if (n < 0 || h < 0 || w < 0 || c < 0 || kh < 0 || kw < 0 || oh < 0 || ow < 0) {
            throw new IllegalArgumentException("pool2d geometry: negative size: x [" + n + "," + h + "," + w + "," + c
                    + "], window " + kh + "x" + kw + ", y [" + n + "," + oh + "," + ow + "," + c + "]");
        }
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException(
                    "pool2d geometry: strides must be positive, got " + strideH + "x" + strideW);
        }
    }

    long xSize() {
        return (long) n * h * w * c;
    }

    long ySize() {
        return (long) n * oh * ow * c;
    }

    /** First input row of output row i's window inside the input. */
    int rowLo(int i) {
        return Math.max(0, i * strideH - padTop);
    }

    /** End (exclusive) of output row i's window inside the input. */
    int rowHi(int i) {
        return Math.min(h, i * strideH - padTop + kh);
    }

    int colLo(int j) {
        return Math.max(0, j * strideW - padLeft);
    }

    int colHi(int j) {
        return Math.min(w, j * strideW - padLeft + kw);
    }

    /** Throws if an array is too short (or an offset negative) for its tensor, naming the kernel and sizes. */
    void check(String kernel, String name, int len, int off, long size) {
        if (off < 0 || off + size > len) {
            throw new IllegalArgumentException(kernel + ": " + name + " needs " + size + " elements from offset " + off
                    + " but the array has " + len + " (" + this + ")");
        }
    }

    @Override
    public String toString() {
        return "x [" + n + "," + h + "," + w + "," + c + "], window " + kh + "x" + kw + ", y [" + n + "," + oh + ","
                + ow + "," + c + "], strides " + strideH + "x" + strideW + ", pad top/left " + padTop + "/" + padLeft;
    }
}
