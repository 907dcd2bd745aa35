package dev.fluxion.cpu.kernels;

/**
 * The adjoint of max pooling's backward pass: for every pooling window, the value of {@code g} at the window's
 * first maximal cell of {@code x} (the cell that max pooling's gradient is routed to; NaN counts as maximal). It is
 * what second-order gradients through max pooling need. Plain loops; float32 and float64.
 */
public final class PoolSelectKernels {
    private PoolSelectKernels() {}

    /** y[n,i,j,c] = g[argmax of x over window (i,j), channel c]; y has the pooled shape. */
    public static void select(Pool2dGeometry p, float[] x, float[] g, float[] y) {
        check(p, x.length, g.length, y.length);
        int c = p.c();
        for (int img = 0; img < p.n(); img++)
            for (int i = 0; i < p.oh(); i++)
                for (int j = 0; j < p.ow(); j++)
                    for (int k = 0; k < c; k++) {
                        int arg = argmax(p, img, i, j, k, x);
                        y[((img * p.oh() + i) * p.ow() + j) * c + k] = arg < 0 ? 0f : g[arg];
                    }
    }

    /** float64 version of {@link #select(Pool2dGeometry, float[], float[], float[])}. */
    public static void select(Pool2dGeometry p, double[] x, double[] g, double[] y) {
        check(p, x.length, g.length, y.length);
        int c = p.c();
        for (int img = 0; img < p.n(); img++)
            for (int i = 0; i < p.oh(); i++)
                for (int j = 0; j < p.ow(); j++)
                    for (int k = 0; k < c; k++) {
                        int arg = argmax(p, img, i, j, k, x);
                        y[((img * p.oh() + i) * p.ow() + j) * c + k] = arg < 0 ? 0 : g[arg];
                    }
    }

    private static int argmax(Pool2dGeometry p, int img, int i, int j, int k, Object x) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int r = p.rowLo(i); r < p.rowHi(i); r++)
            for (int s = p.colLo(j); s < p.colHi(j); s++) {
                int at = ((img * p.h() + r) * p.w() + s) * p.c() + k;
                double v = x instanceof float[] f ? f[at] : ((double[]) x)[at];
                if (best < 0 || v > bestValue || (Double.isNaN(v) && !Double.isNaN(bestValue))) {
                    best = at;
                    bestValue = v;
                }
            }
        return best;
    }

    private static void check(Pool2dGeometry p, int x, int g, int y) {
        if (x < p.xSize() || g < p.xSize() || y < p.ySize())
            throw new IllegalArgumentException("max_pool2d_select: arrays too small for " + p);
    }
}
