package dev.fluxion.cpu.kernels;

/**
 * Convolution as GEMM over the batch's im2col matrix: forward is cols · W, the input gradient is col2im(dY · Wᵀ)
 * and the filter gradient colsᵀ · dY, each one call into the packed, multithreaded GEMM. im2col and col2im run one
 * image per task, so results do not depend on the thread count.
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    /** y = conv2d(x, w) for float32. */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        g.check("conv2d", x.length, xOff, w.length, wOff, y.length, yOff);
        if (g.rows() == 0 || g.o() == 0) return;
        float[] cols = new float[g.rows() * g.patch()];
        im2col(g, x, xOff, cols);
        if (KernelConfig.SIMD) Sgemm.sgemm(false, false, g.rows(), g.o(), g.patch(), cols, 0, g.patch(), w, wOff, g.o(), y, yOff, g.o(), false);
        else Sgemm.sgemmScalar(false, false, g.rows(), g.o(), g.patch(), cols, 0, g.patch(), w, wOff, g.o(), y, yOff, g.o(), false);
    }

    /** dx = the gradient of conv2d with respect to x, given dy, for float32. */
    public static void backpropInput(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        g.check("conv2d_backprop_input", dx.length, dxOff, w.length, wOff, dy.length, dyOff);
        java.util.Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * g.c(), 0f);
        if (g.rows() == 0 || g.o() == 0) return;
        float[] cols = new float[g.rows() * g.patch()];
        if (KernelConfig.SIMD) Sgemm.sgemm(false, true, g.rows(), g.patch(), g.o(), dy, dyOff, g.o(), w, wOff, g.o(), cols, 0, g.patch(), false);
        else Sgemm.sgemmScalar(false, true, g.rows(), g.patch(), g.o(), dy, dyOff, g.o(), w, wOff, g.o(), cols, 0, g.patch(), false);
        col2im(g, cols, dx, dxOff);
    }

    /** dw = the gradient of conv2d with respect to the filter, given x and dy, for float32. */
    public static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        g.check("conv2d_backprop_filter", x.length, xOff, dw.length, dwOff, dy.length, dyOff);
        if (g.rows() == 0) {
            java.util.Arrays.fill(dw, dwOff, dwOff + g.patch() * g.o(), 0f);
            return;
        }
        float[] cols = new float[g.rows() * g.patch()];
        im2col(g, x, xOff, cols);
        if (KernelConfig.SIMD) Sgemm.sgemm(true, false, g.patch(), g.o(), g.rows(), cols, 0, g.patch(), dy, dyOff, g.o(), dw, dwOff, g.o(), false);
        else Sgemm.sgemmScalar(true, false, g.patch(), g.o(), g.rows(), cols, 0, g.patch(), dy, dyOff, g.o(), dw, dwOff, g.o(), false);
    }

    /** float64 forward (references and gradient checks). */
    public static void forward(Conv2dGeometry g, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff) {
        g.check("conv2d", x.length, xOff, w.length, wOff, y.length, yOff);
        double[] cols = new double[g.rows() * g.patch()];
        im2col(g, x, xOff, cols);
        Sgemm.dgemm(false, false, g.rows(), g.o(), g.patch(), cols, 0, g.patch(), w, wOff, g.o(), y, yOff, g.o(), false);
    }

    /** float64 input gradient. */
    public static void backpropInput(Conv2dGeometry g, double[] dy, int dyOff, double[] w, int wOff, double[] dx, int dxOff) {
        g.check("conv2d_backprop_input", dx.length, dxOff, w.length, wOff, dy.length, dyOff);
        java.util.Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * g.c(), 0);
        double[] cols = new double[g.rows() * g.patch()];
        Sgemm.dgemm(false, true, g.rows(), g.patch(), g.o(), dy, dyOff, g.o(), w, wOff, g.o(), cols, 0, g.patch(), false);
        col2im(g, cols, dx, dxOff);
    }

    /** float64 filter gradient. */
    public static void backpropFilter(Conv2dGeometry g, double[] x, int xOff, double[] dy, int dyOff, double[] dw, int dwOff) {
        g.check("conv2d_backprop_filter", x.length, xOff, dw.length, dwOff, dy.length, dyOff);
        double[] cols = new double[g.rows() * g.patch()];
        im2col(g, x, xOff, cols);
        Sgemm.dgemm(true, false, g.patch(), g.o(), g.rows(), cols, 0, g.patch(), dy, dyOff, g.o(), dw, dwOff, g.o(), false);
    }

    /** cols[(img*oh + i)*ow + j][(p*kw + q)*c + ch] = x[img][i*sh + p*dh - pt][j*sw + q*dw - pl][ch], or 0 in the padding. */
    static void im2col(Conv2dGeometry g, Object x, int xOff, Object cols) {
        int rowsPerImage = g.oh() * g.ow(), patch = g.patch(), c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        int row = (img * rowsPerImage + i * g.ow() + j) * patch;
                        for (int p = 0; p < g.kh(); p++) {
                            int y = i * g.strideH() + p * g.dilationH() - g.padTop();
                            for (int q = 0; q < g.kw(); q++) {
                                int xx = j * g.strideW() + q * g.dilationW() - g.padLeft();
                                int dst = row + (p * g.kw() + q) * c;
                                if (y < 0 || y >= g.h() || xx < 0 || xx >= g.w()) fillZero(cols, dst, c);
                                else System.arraycopy(x, xOff + ((img * g.h() + y) * g.w() + xx) * c, cols, dst, c);
                            }
                        }
                    }
            }
        });
    }

    private static void fillZero(Object a, int from, int n) {
        if (a instanceof float[] f) java.util.Arrays.fill(f, from, from + n, 0f);
        else java.util.Arrays.fill((double[]) a, from, from + n, 0);
    }

    /** The adjoint of im2col: adds each column entry back into dx (which must start zeroed). */
    static void col2im(Conv2dGeometry g, Object cols, Object dx, int dxOff) {
        int rowsPerImage = g.oh() * g.ow(), patch = g.patch(), c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++)
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        int row = (img * rowsPerImage + i * g.ow() + j) * patch;
                        for (int p = 0; p < g.kh(); p++) {
                            int y = i * g.strideH() + p * g.dilationH() - g.padTop();
                            if (y < 0 || y >= g.h()) continue;
                            for (int q = 0; q < g.kw(); q++) {
                                int xx = j * g.strideW() + q * g.dilationW() - g.padLeft();
                                if (xx < 0 || xx >= g.w()) continue;
                                int src = row + (p * g.kw() + q) * c, dst = dxOff + ((img * g.h() + y) * g.w() + xx) * c;
                                if (dx instanceof float[] d) {
                                    float[] s = (float[]) cols;
                                    for (int k = 0; k < c; k++) d[dst + k] += s[src + k];
                                } else {
                                    double[] d = (double[]) dx, s = (double[]) cols;
                                    for (int k = 0; k < c; k++) d[dst + k] += s[src + k];
                                }
                            }
                        }
                    }
        });
    }
}
