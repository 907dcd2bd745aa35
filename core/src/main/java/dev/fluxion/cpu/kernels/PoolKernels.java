package dev.fluxion.cpu.kernels;

import java.util.Arrays;

/**
 * Max and average pooling over NHWC windows, forward and backward. The innermost loops run along the contiguous
 * channel axis. Max pooling routes each gradient to the first maximal cell of its window in row-major order (NaN
 * counts as maximal, as in TensorFlow); average pooling divides by the number of cells inside the input (padding
 * excluded). One image per task, so results do not depend on the thread count.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /** Rows of the window that lie inside the input, for output row i: [lo, hi). */
    private static int lo(int i, int stride, int pad) {
        return Math.max(0, i * stride - pad);
    }

    private static int hi(int i, int stride, int pad, int k, int size) {
        return Math.min(size, i * stride - pad + k);
    }

    public static void maxPoolForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        g.check("max_pool2d", x.length, xOff, y.length, yOff);
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++)
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        int dst = yOff + ((img * g.oh() + i) * g.ow() + j) * c;
                        Arrays.fill(y, dst, dst + c, Float.NEGATIVE_INFINITY);
                        for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                            for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                                int src = xOff + ((img * g.h() + r) * g.w() + s) * c;
                                for (int k = 0; k < c; k++) {
                                    float v = x[src + k], m = y[dst + k];
                                    if (v > m || (v != v && m == m)) y[dst + k] = v;
                                }
                            }
                    }
        });
    }

    public static void maxPoolForward(Pool2dGeometry g, double[] x, int xOff, double[] y, int yOff) {
        g.check("max_pool2d", x.length, xOff, y.length, yOff);
        int c = g.c();
        for (int img = 0; img < g.n(); img++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++) {
                    int dst = yOff + ((img * g.oh() + i) * g.ow() + j) * c;
                    Arrays.fill(y, dst, dst + c, Double.NEGATIVE_INFINITY);
                    for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                        for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                            int src = xOff + ((img * g.h() + r) * g.w() + s) * c;
                            for (int k = 0; k < c; k++) {
                                double v = x[src + k], m = y[dst + k];
                                if (v > m || (v != v && m == m)) y[dst + k] = v;
                            }
                        }
                }
    }

    /** dx (overwritten) from x and dy: each dy goes to the first maximal cell of its window. */
    public static void maxPoolBackward(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        g.check("max_pool2d_grad", x.length, xOff, dy.length, dyOff);
        g.check("max_pool2d_grad", dx.length, dxOff, dy.length, dyOff);
        int c = g.c();
        Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * c, 0f);
        Parallel.forRange(g.n(), 1, (from, to) -> {
            int[] arg = new int[c];
            float[] best = new float[c];
            for (int img = from; img < to; img++)
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        Arrays.fill(best, Float.NEGATIVE_INFINITY);
                        Arrays.fill(arg, -1);
                        for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                            for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                                int src = ((img * g.h() + r) * g.w() + s) * c;
                                for (int k = 0; k < c; k++) {
                                    float v = x[xOff + src + k], m = best[k];
                                    if (arg[k] < 0 || v > m || (v != v && m == m)) {
                                        best[k] = v;
                                        arg[k] = src + k;
                                    }
                                }
                            }
                        int d = dyOff + ((img * g.oh() + i) * g.ow() + j) * c;
                        for (int k = 0; k < c; k++) if (arg[k] >= 0) dx[dxOff + arg[k]] += dy[d + k];
                    }
        });
    }

    public static void maxPoolBackward(Pool2dGeometry g, double[] x, int xOff, double[] dy, int dyOff, double[] dx, int dxOff) {
        g.check("max_pool2d_grad", x.length, xOff, dy.length, dyOff);
        g.check("max_pool2d_grad", dx.length, dxOff, dy.length, dyOff);
        int c = g.c();
        Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * c, 0);
        int[] arg = new int[c];
        double[] best = new double[c];
        for (int img = 0; img < g.n(); img++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++) {
                    Arrays.fill(best, Double.NEGATIVE_INFINITY);
                    Arrays.fill(arg, -1);
                    for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                        for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                            int src = ((img * g.h() + r) * g.w() + s) * c;
                            for (int k = 0; k < c; k++) {
                                double v = x[xOff + src + k], m = best[k];
                                if (arg[k] < 0 || v > m || (v != v && m == m)) {
                                    best[k] = v;
                                    arg[k] = src + k;
                                }
                            }
                        }
                    int d = dyOff + ((img * g.oh() + i) * g.ow() + j) * c;
                    for (int k = 0; k < c; k++) if (arg[k] >= 0) dx[dxOff + arg[k]] += dy[d + k];
                }
    }

    private static int count(Pool2dGeometry g, int i, int j) {
        return (hi(i, g.strideH(), g.padTop(), g.kh(), g.h()) - lo(i, g.strideH(), g.padTop()))
                * (hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()) - lo(j, g.strideW(), g.padLeft()));
    }

    public static void avgPoolForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        g.check("avg_pool2d", x.length, xOff, y.length, yOff);
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++)
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        int dst = yOff + ((img * g.oh() + i) * g.ow() + j) * c;
                        Arrays.fill(y, dst, dst + c, 0f);
                        for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                            for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                                int src = xOff + ((img * g.h() + r) * g.w() + s) * c;
                                for (int k = 0; k < c; k++) y[dst + k] += x[src + k];
                            }
                        float inv = 1f / Math.max(1, count(g, i, j));
                        for (int k = 0; k < c; k++) y[dst + k] *= inv;
                    }
        });
    }

    public static void avgPoolForward(Pool2dGeometry g, double[] x, int xOff, double[] y, int yOff) {
        g.check("avg_pool2d", x.length, xOff, y.length, yOff);
        int c = g.c();
        for (int img = 0; img < g.n(); img++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++) {
                    int dst = yOff + ((img * g.oh() + i) * g.ow() + j) * c;
                    Arrays.fill(y, dst, dst + c, 0);
                    for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                        for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                            int src = xOff + ((img * g.h() + r) * g.w() + s) * c;
                            for (int k = 0; k < c; k++) y[dst + k] += x[src + k];
                        }
                    double cnt = Math.max(1, count(g, i, j));
                    for (int k = 0; k < c; k++) y[dst + k] /= cnt;
                }
    }

    /** dx (overwritten): each dy spread evenly over the in-bounds cells of its window. */
    public static void avgPoolBackward(Pool2dGeometry g, float[] dy, int dyOff, float[] dx, int dxOff) {
        g.check("avg_pool2d_grad", dx.length, dxOff, dy.length, dyOff);
        int c = g.c();
        Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * c, 0f);
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++)
                for (int i = 0; i < g.oh(); i++)
                    for (int j = 0; j < g.ow(); j++) {
                        int d = dyOff + ((img * g.oh() + i) * g.ow() + j) * c;
                        float inv = 1f / Math.max(1, count(g, i, j));
                        for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                            for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                                int dst = dxOff + ((img * g.h() + r) * g.w() + s) * c;
                                for (int k = 0; k < c; k++) dx[dst + k] += dy[d + k] * inv;
                            }
                    }
        });
    }

    public static void avgPoolBackward(Pool2dGeometry g, double[] dy, int dyOff, double[] dx, int dxOff) {
        g.check("avg_pool2d_grad", dx.length, dxOff, dy.length, dyOff);
        int c = g.c();
        Arrays.fill(dx, dxOff, dxOff + g.n() * g.h() * g.w() * c, 0);
        for (int img = 0; img < g.n(); img++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++) {
                    int d = dyOff + ((img * g.oh() + i) * g.ow() + j) * c;
                    double cnt = Math.max(1, count(g, i, j));
                    for (int r = lo(i, g.strideH(), g.padTop()); r < hi(i, g.strideH(), g.padTop(), g.kh(), g.h()); r++)
                        for (int s = lo(j, g.strideW(), g.padLeft()); s < hi(j, g.strideW(), g.padLeft(), g.kw(), g.w()); s++) {
                            int dst = dxOff + ((img * g.h() + r) * g.w() + s) * c;
                            for (int k = 0; k < c; k++) dx[dst + k] += dy[d + k] / cnt;
                        }
                }
    }
}
