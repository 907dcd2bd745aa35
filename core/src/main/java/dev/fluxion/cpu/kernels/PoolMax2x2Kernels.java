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
        int row = g.w() * g.c(), outRow = g.ow() * g.c();
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++)
                for (int oy = 0; oy < g.oh(); oy++)
                    forwardRow(g, x, xOff + (img * g.h() + 2 * oy) * row, y, yOff + (img * g.oh() + oy) * outRow);
        });
    }

    /**
     * {@link #forward} over output rows [q0, q1), numbered across images ({@code q = image * oh + row}), for an input
     * of even height: output row q reads input rows 2q and 2q + 1 at {@code x[xOff + 2 * q * w * c]} on. A fused pass
     * pools each tile of whole row pairs while it is in cache.
     */
    static void forwardRows(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int q0, int q1) {
        int row = g.w() * g.c(), outRow = g.ow() * g.c();
        for (int q = q0; q < q1; q++) forwardRow(g, x, xOff + 2 * q * row, y, yOff + q * outRow);
    }

    /**
     * {@link #forwardRows}, also recording each window's routing cell in {@code cell} (same layout as y): 0 to 3 for
     * top left, top right, bottom left, bottom right, the cell {@link #backward} gives the gradient to. A pass that
     * records it need not store x for the gradient.
     */
    static void forwardRowsRouted(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, float[] cell, int cellOff,
                                  int q0, int q1) {
        int c = g.c(), cv = c - c % V, row = g.w() * c, outRow = g.ow() * c;
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        for (int q = q0; q < q1; q++) {
            int xr = xOff + 2 * q * row, yr = yOff + q * outRow, kr = cellOff + q * outRow;
            for (int ox = 0; ox < g.ow(); ox++) {
                int a = xr + 2 * ox * c, yb = yr + ox * c, kb = kr + ox * c, ch = 0;
                for (; ch < cv; ch += V) {
                    FloatVector v0 = FloatVector.fromArray(S, x, a + ch), v1 = FloatVector.fromArray(S, x, a + c + ch);
                    FloatVector v2 = FloatVector.fromArray(S, x, a + row + ch), v3 = FloatVector.fromArray(S, x, a + row + c + ch);
                    FloatVector m = v0.max(v1).max(v2.max(v3));
                    m.intoArray(y, yb + ch);
                    VectorMask<Float> hit0 = v0.compare(VectorOperators.EQ, m).or(v0.test(VectorOperators.IS_NAN));
                    VectorMask<Float> hit1 = v1.compare(VectorOperators.EQ, m).or(v1.test(VectorOperators.IS_NAN)).andNot(hit0);
                    VectorMask<Float> taken = hit0.or(hit1);
                    VectorMask<Float> hit2 = v2.compare(VectorOperators.EQ, m).or(v2.test(VectorOperators.IS_NAN)).andNot(taken);
                    three.blend(two, hit2).blend(one, hit1).blend(0f, hit0).intoArray(cell, kb + ch);
                }
                for (; ch < c; ch++) {
                    int best = firstMaximal(x, a + ch, c, row);
                    y[yb + ch] = max(max(x[a + ch], x[a + c + ch]), max(x[a + row + ch], x[a + row + c + ch]));
                    cell[kb + ch] = best == 0 ? 0 : best == c ? 1 : best == row ? 2 : 3;
                }
            }
        }
    }

    /** {@link #backwardRows} from the cells {@link #forwardRowsRouted} recorded instead of from x. */
    static void backwardRowsRouted(Pool2dGeometry g, float[] cell, int cellOff, float[] dy, int dyOff, float[] dx,
                                   int dxOff, int q0, int q1) {
        int c = g.c(), cv = c - c % V, row = g.w() * c, outRow = g.ow() * c;
        FloatVector zero = FloatVector.zero(S);
        for (int q = q0; q < q1; q++) {
            int kr = cellOff + q * outRow, db = dyOff + q * outRow, dr = dxOff + 2 * q * row;
            for (int ox = 0; ox < g.ow(); ox++) {
                int kb = kr + ox * c, d = db + ox * c, da = dr + 2 * ox * c, ch = 0;
                for (; ch < cv; ch += V) {
                    FloatVector k = FloatVector.fromArray(S, cell, kb + ch), grad = FloatVector.fromArray(S, dy, d + ch);
                    zero.blend(grad, k.compare(VectorOperators.EQ, 0f)).intoArray(dx, da + ch);
                    zero.blend(grad, k.compare(VectorOperators.EQ, 1f)).intoArray(dx, da + c + ch);
                    zero.blend(grad, k.compare(VectorOperators.EQ, 2f)).intoArray(dx, da + row + ch);
                    zero.blend(grad, k.compare(VectorOperators.EQ, 3f)).intoArray(dx, da + row + c + ch);
                }
                for (; ch < c; ch++) {
                    float k = cell[kb + ch], grad = dy[d + ch];
                    dx[da + ch] = k == 0 ? grad : 0f;
                    dx[da + c + ch] = k == 1 ? grad : 0f;
                    dx[da + row + ch] = k == 2 ? grad : 0f;
                    dx[da + row + c + ch] = k == 3 ? grad : 0f;
                }
            }
            clearUncoveredColumn(g, dx, dr);
        }
    }

    /** One output row from the two input rows starting at {@code x[xr]}. */
    private static void forwardRow(Pool2dGeometry g, float[] x, int xr, float[] y, int yr) {
        int c = g.c(), cv = c - c % V, row = g.w() * c;
        for (int ox = 0; ox < g.ow(); ox++) {
            int a = xr + 2 * ox * c, yb = yr + ox * c, ch = 0;
            for (; ch < cv; ch += V) {
                FloatVector top = FloatVector.fromArray(S, x, a + ch).max(FloatVector.fromArray(S, x, a + c + ch));
                FloatVector bottom = FloatVector.fromArray(S, x, a + row + ch)
                        .max(FloatVector.fromArray(S, x, a + row + c + ch));
                top.max(bottom).intoArray(y, yb + ch);
            }
            for (; ch < c; ch++) {
                y[yb + ch] = max(max(x[a + ch], x[a + c + ch]), max(x[a + row + ch], x[a + row + c + ch]));
            }
        }
    }

    static void backward(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                         int threads) {
        int row = g.w() * g.c(), imgSize = g.h() * row, outRow = g.ow() * g.c();
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * imgSize, dxImg = dxOff + img * imgSize;
                for (int oy = 0; oy < g.oh(); oy++)
                    backwardRow(g, x, xImg + 2 * oy * row, dy, dyOff + (img * g.oh() + oy) * outRow, dx, dxImg + 2 * oy * row);
                // rows no window covers (odd height)
                Arrays.fill(dx, dxImg + 2 * g.oh() * row, dxImg + imgSize, 0f);
            }
        });
    }

    /**
     * {@link #backward} for the input rows of output rows [q0, q1) (as in {@link #forwardRows}, even height): writes
     * input rows 2 * q0 to 2 * q1, at {@code dx[dxOff + 2 * q * w * c]} on, which may be a tile's own buffer.
     */
    static void backwardRows(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                             int q0, int q1) {
        int row = g.w() * g.c(), outRow = g.ow() * g.c();
        for (int q = q0; q < q1; q++)
            backwardRow(g, x, xOff + 2 * q * row, dy, dyOff + q * outRow, dx, dxOff + 2 * q * row);
    }

    /** The two input rows of one output row: x and dx from {@code xr} and {@code dr}, that row's dy from {@code db}. */
    private static void backwardRow(Pool2dGeometry g, float[] x, int xr, float[] dy, int db, float[] dx, int dr) {
        int c = g.c(), cv = c - c % V, row = g.w() * c;
        for (int ox = 0; ox < g.ow(); ox++) {
            int cell = 2 * ox * c, xa = xr + cell, da = dr + cell, d = db + ox * c, ch = 0;
            for (; ch < cv; ch += V) route(x, xa + ch, dy, d + ch, dx, da + ch, c, row);
            for (; ch < c; ch++) routeScalar(x, xa + ch, dy[d + ch], dx, da + ch, c, row);
        }
        clearUncoveredColumn(g, dx, dr);
    }

    /** Zeros, in the two input rows from {@code dx[dr]}, the last column no window covers (odd width). */
    private static void clearUncoveredColumn(Pool2dGeometry g, float[] dx, int dr) {
        if (2 * g.ow() == g.w()) return;
        int row = g.w() * g.c(), tail = dr + 2 * g.ow() * g.c();
        Arrays.fill(dx, tail, dr + row, 0f);
        Arrays.fill(dx, tail + row, dr + 2 * row, 0f);
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
        int best = firstMaximal(x, xa, c, row);
        dx[da] = 0f;
        dx[da + c] = 0f;
        dx[da + row] = 0f;
        dx[da + row + c] = 0f;
        dx[da + best] = grad;
    }

    /** The offset (0, c, row or row + c) of the window's first maximal cell, a NaN counting as maximal. */
    private static int firstMaximal(float[] x, int xa, int c, int row) {
        int best = 0;
        float m = x[xa];
        for (int k : new int[] {c, row, row + c}) {
            float v = x[xa + k];
            if (v > m || (v != v && m == m)) {
                m = v;
                best = k;
            }
        }
        return best;
    }

    /** NaN-propagating max, as the vector lanes compute it. */
    private static float max(float a, float b) {
        return Math.max(a, b);
    }
}
