package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling with 2x2 windows and stride 2 whose windows all lie inside the input (Keras's {@code MaxPooling2D(2)}
 * on VALID padding, the pooling of every reference model): straight-line vector code per window, no per-cell loops.
 * The windows do not overlap, so the backward pass writes each input cell once (the routed gradient or zero) instead
 * of clearing dx and adding into it. Same semantics as {@link PoolKernels}: NaN propagates, the gradient goes to the
 * first maximal cell in row-major order (a NaN counting as maximal). One image per task: thread-count independent.
 */
final class PoolMax2x2Kernels {
    private PoolMax2x2Kernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();

    /** Whether {@code g} is a 2x2, stride-2 pooling with every window inside the input. */
    static boolean applies(Pool2dGeometry g) {
        return g.kh() == 2 && g.kw() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padTop() == 0
                && g.padLeft() == 0 && 2 * g.oh() <= g.h() && 2 * g.ow() <= g.w();
    }

    static void forward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int threads) {
        int c = g.c(), cv = c - c % V, row = g.w() * c;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    int xr = xOff + (img * g.h() + 2 * oy) * row, yr = yOff + (img * g.oh() + oy) * g.ow() * c;
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int a = xr + 2 * ox * c, yb = yr + ox * c, ch = 0;
                        for (; ch < cv; ch += V) {
                            FloatVector top = FloatVector.fromArray(S, x, a + ch)
                                    .max(FloatVector.fromArray(S, x, a + c + ch));
                            FloatVector bottom = FloatVector.fromArray(S, x, a + row + ch)
                                    .max(FloatVector.fromArray(S, x, a + row + c + ch));
                            top.max(bottom).intoArray(y, yb + ch);
                        }
                        for (; ch < c; ch++) {
                            y[yb + ch] = max(max(x[a + ch], x[a + c + ch]), max(x[a + row + ch], x[a + row + c + ch]));
                        }
                    }
                }
            }
        });
    }

    static void backward(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                         int threads) {
        int c = g.c(), cv = c - c % V, row = g.w() * c, imgSize = g.h() * row;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * imgSize, dxImg = dxOff + img * imgSize;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r = 2 * oy * row, db = dyOff + (img * g.oh() + oy) * g.ow() * c;
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int cell = r + 2 * ox * c, xa = xImg + cell, da = dxImg + cell, d = db + ox * c, ch = 0;
                        for (; ch < cv; ch += V) route(x, xa + ch, dy, d + ch, dx, da + ch, c, row);
                        for (; ch < c; ch++) routeScalar(x, xa + ch, dy[d + ch], dx, da + ch, c, row);
                    }
                    // a last column no window covers (odd width)
                    if (2 * g.ow() < g.w()) {
                        int tail = dxImg + r + 2 * g.ow() * c;
                        Arrays.fill(dx, tail, dxImg + r + row, 0f);
                        Arrays.fill(dx, tail + row, dxImg + r + 2 * row, 0f);
                    }
                }
                // rows no window covers (odd height)
                Arrays.fill(dx, dxImg + 2 * g.oh() * row, dxImg + imgSize, 0f);
            }
        });
    }

    /** One window, V channels: the gradient to the first cell equal to the max (or NaN), zero to the other three. */
    private static void route(float[] x, int xa, float[] dy, int d, float[] dx, int da, int c, int row) {
        FloatVector v0 = FloatVector.fromArray(S, x, xa), v1 = FloatVector.fromArray(S, x, xa + c);
        FloatVector v2 = FloatVector.fromArray(S, x, xa + row), v3 = FloatVector.fromArray(S, x, xa + row + c);
        FloatVector m = v0.max(v1).max(v2.max(v3));
        FloatVector grad = FloatVector.fromArray(S, dy, d), zero = FloatVector.zero(S);
        VectorMask<Float> hit0 = v0.compare(VectorOperators.EQ, m).or(v0.test(VectorOperators.IS_NAN));
        VectorMask<Float> hit1 = v1.compare(VectorOperators.EQ, m).or(v1.test(VectorOperators.IS_NAN)).andNot(hit0);
        VectorMask<Float> taken = hit0.or(hit1);
        VectorMask<Float> hit2 = v2.compare(VectorOperators.EQ, m).or(v2.test(VectorOperators.IS_NAN)).andNot(taken);
        VectorMask<Float> rest = hit2.or(taken).not(); // one cell always equals the max, or is the first NaN
        zero.blend(grad, hit0).intoArray(dx, da);
        zero.blend(grad, hit1).intoArray(dx, da + c);
        zero.blend(grad, hit2).intoArray(dx, da + row);
        zero.blend(grad, rest).intoArray(dx, da + row + c);
    }

    private static void routeScalar(float[] x, int xa, float grad, float[] dx, int da, int c, int row) {
        int best = 0;
        float m = x[xa];
        int[] cells = {c, row, row + c};
        for (int k : cells) {
            float v = x[xa + k];
            if (v > m || (v != v && m == m)) {
                m = v;
                best = k;
            }
        }
        dx[da] = 0f;
        dx[da + c] = 0f;
        dx[da + row] = 0f;
        dx[da + row + c] = 0f;
        dx[da + best] = grad;
    }

    /** NaN-propagating max, as the vector lanes compute it. */
    private static float max(float a, float b) {
        return Math.max(a, b);
    }
}
