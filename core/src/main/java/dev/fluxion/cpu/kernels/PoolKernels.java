package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over NHWC windows (see {@link Pool2dGeometry}), forward and backward; outputs are
 * overwritten. The float kernels vectorize along the contiguous channel axis, with scalar twins used when
 * {@link KernelConfig#SIMD} is off; float64 runs the scalar loops.
 *
 * <p>Semantics follow TensorFlow: padded cells are skipped (a window entirely in the padding gives -inf for max and 0
 * for average); max pooling propagates NaN and routes each gradient to the first maximal cell of its window in
 * row-major order, a NaN counting as maximal; average pooling divides by the number of cells inside the input. One
 * image per task, so results do not depend on the thread count. 2x2 stride-2 max pooling inside the input, the
 * common case, runs the straight-line kernels of {@link PoolMax2x2Kernels}.
 */
public final class PoolKernels {
    private PoolKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();

    // ------------------------------------------------------------------------------------------------ max forward

    /** y = max_pool2d(x), float32. */
    public static void maxPoolForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        check(g, "max_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        if (KernelConfig.SIMD) maxForward(g, x, xOff, y, yOff, KernelConfig.THREADS);
        else maxForwardScalar(g, x, xOff, y, yOff);
    }

    /** The scalar twin of {@link #maxPoolForward(Pool2dGeometry, float[], int, float[], int)}. */
    public static void maxPoolForwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        check(g, "max_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        maxForwardScalar(g, x, xOff, y, yOff);
    }

    static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int threads) {
        if (PoolMax2x2Kernels.applies(g)) {
            PoolMax2x2Kernels.forward(g, x, xOff, y, yOff, threads);
            return;
        }
        int c = g.c(), cv = c - c % V;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        if (r0 >= r1 || c0 >= c1) {
                            Arrays.fill(y, yb, yb + c, Float.NEGATIVE_INFINITY);
                            continue;
                        }
                        for (int ch = 0; ch < cv; ch += V) {
                            windowMax(g, x, xImg + ch, r0, r1, c0, c1).intoArray(y, yb + ch);
                        }
                        for (int ch = cv; ch < c; ch++) y[yb + ch] = windowMax(g, x, xImg + ch, r0, r1, c0, c1, c);
                    }
                }
            }
        });
    }

    /** Lanewise max (NaN-propagating) of the window's cells, channels [ch, ch + V) at x[base + cell * c]. */
    private static FloatVector windowMax(Pool2dGeometry g, float[] x, int base, int r0, int r1, int c0, int c1) {
        int c = g.c();
        FloatVector m = FloatVector.fromArray(S, x, base + (r0 * g.w() + c0) * c);
        for (int r = r0; r < r1; r++) {
            for (int s = c0; s < c1; s++) m = FloatVector.fromArray(S, x, base + (r * g.w() + s) * c).max(m);
        }
        // a fresh vector for the caller to call methods on (see GemmMicroKernels.store); -0.0 + m is exactly m
        return FloatVector.broadcast(S, -0.0f).add(m);
    }

    private static float windowMax(Pool2dGeometry g, float[] x, int base, int r0, int r1, int c0, int c1, int c) {
        float m = Float.NEGATIVE_INFINITY;
        for (int r = r0; r < r1; r++) {
            for (int s = c0; s < c1; s++) {
                m = Math.max(m, x[base + (r * g.w() + s) * c]); // as the vector lanes: NaN wins, 0.0 beats -0.0
            }
        }
        return m;
    }

    private static void maxForwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        for (int ch = 0; ch < c; ch++) {
                            int r0 = g.rowLo(oy), r1 = g.rowHi(oy), c0 = g.colLo(ox), c1 = g.colHi(ox);
                            y[yb + ch] = windowMax(g, x, xImg + ch, r0, r1, c0, c1, c);
                        }
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------------------ 2x2 max pooling by row pairs

    /**
     * Whether a fused pass can pool (or route the gradient of) {@code g} row pair by row pair: 2x2 windows of stride
     * 2 inside an input of even height, so that output row q reads exactly input rows 2q and 2q + 1.
     */
    public static boolean maxPool2x2ByRows(Pool2dGeometry g) {
        return PoolMax2x2Kernels.applies(g) && g.h() == 2 * g.oh();
    }

    /**
     * Max pooling of output rows [q0, q1) (numbered across images: {@code q = image * oh + row}) for a geometry
     * {@link #maxPool2x2ByRows} accepts; the input's element 0 is at {@code x[xOff]}, the output's at {@code y[yOff]}.
     * The same bits as {@link #maxPoolForward}.
     */
    public static void maxPool2x2Rows(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int q0, int q1) {
        checkRows(g, q0, q1);
        PoolMax2x2Kernels.forwardRows(g, x, xOff, y, yOff, q0, q1);
    }

    /**
     * The gradient of {@link #maxPool2x2Rows} for the input rows of output rows [q0, q1): input row r goes to
     * {@code dx[dxOff + r * w * c]} on (an offset below zero lets a tile's buffer hold just its rows). The same bits
     * as {@link #maxPoolBackward}.
     */
    public static void maxPool2x2GradRows(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
                                          int dxOff, int q0, int q1) {
        checkRows(g, q0, q1);
        PoolMax2x2Kernels.backwardRows(g, x, xOff, dy, dyOff, dx, dxOff, q0, q1);
    }

    /**
     * {@link #maxPool2x2Rows} that also records, for each output element, which cell of its window takes the gradient
     * (0 to 3: top left, top right, bottom left, bottom right; {@code cell} has y's layout), so that the gradient can
     * be routed without x ({@link #maxPool2x2GradRowsRouted}).
     */
    public static void maxPool2x2RowsRouted(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, float[] cell,
                                            int cellOff, int q0, int q1) {
        checkRows(g, q0, q1);
        PoolMax2x2Kernels.forwardRowsRouted(g, x, xOff, y, yOff, cell, cellOff, q0, q1);
    }

    /** {@link #maxPool2x2GradRows} from the cells {@link #maxPool2x2RowsRouted} recorded: the same bits. */
    public static void maxPool2x2GradRowsRouted(Pool2dGeometry g, float[] cell, int cellOff, float[] dy, int dyOff,
                                                float[] dx, int dxOff, int q0, int q1) {
        checkRows(g, q0, q1);
        PoolMax2x2Kernels.backwardRowsRouted(g, cell, cellOff, dy, dyOff, dx, dxOff, q0, q1);
    }

    private static void checkRows(Pool2dGeometry g, int q0, int q1) {
        if (!maxPool2x2ByRows(g)) throw new IllegalArgumentException("max_pool2d by row pairs: needs 2x2 windows of stride 2 "
                + "and an even input height, got " + g);
        if (q0 < 0 || q1 < q0 || q1 > g.n() * g.oh())
            throw new IndexOutOfBoundsException("max_pool2d by row pairs: rows [" + q0 + ", " + q1 + ") of " + g.n() * g.oh());
    }

    // ----------------------------------------------------------------------------------------------- max backward

    /** dx = the gradient of max_pool2d given its input x and dy, float32. */
    public static void maxPoolBackward(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
                                       int dxOff) {
        checkBackward(g, len(x), xOff, len(dy), dyOff, len(dx), dxOff);
        if (KernelConfig.SIMD) maxBackward(g, x, xOff, dy, dyOff, dx, dxOff, KernelConfig.THREADS);
        else maxBackwardScalar(g, x, xOff, dy, dyOff, dx, dxOff);
    }

    /** The scalar twin of {@link #maxPoolBackward(Pool2dGeometry, float[], int, float[], int, float[], int)}. */
    public static void maxPoolBackwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
                                             int dxOff) {
        checkBackward(g, len(x), xOff, len(dy), dyOff, len(dx), dxOff);
        maxBackwardScalar(g, x, xOff, dy, dyOff, dx, dxOff);
    }

    static void maxBackward(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
                            int threads) {
        if (PoolMax2x2Kernels.applies(g)) {
            PoolMax2x2Kernels.backward(g, x, xOff, dy, dyOff, dx, dxOff, threads);
            return;
        }
        int c = g.c(), cv = c - c % V, imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * imgSize, dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0f);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        if (r0 >= r1 || c0 >= c1) continue;
                        for (int ch = 0; ch < cv; ch += V) {
                            // second pass: the first cell equal to the max (or NaN) takes the gradient, lane by lane
                            FloatVector m = windowMax(g, x, xImg + ch, r0, r1, c0, c1);
                            FloatVector grad = FloatVector.fromArray(S, dy, db + ch);
                            VectorMask<Float> done = S.maskAll(false);
                            // (vector methods are called on fresh values, never on the loop-carried mask:
                            // see GemmMicroKernels.store)
                            window:
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) {
                                    int cell = (r * g.w() + s) * c + ch;
                                    FloatVector v = FloatVector.fromArray(S, x, xImg + cell);
                                    VectorMask<Float> hit = v.compare(VectorOperators.EQ, m)
                                            .or(v.test(VectorOperators.IS_NAN)).andNot(done);
                                    if (!hit.anyTrue()) continue;
                                    int d = dxImg + cell;
                                    FloatVector.fromArray(S, dx, d).add(grad, hit).intoArray(dx, d);
                                    done = hit.or(done);
                                    if (S.maskAll(false).or(done).allTrue()) break window;
                                }
                            }
                        }
                        for (int ch = cv; ch < c; ch++) {
                            int cell = argMax(g, x, xImg + ch, r0, r1, c0, c1, c);
                            dx[dxImg + cell + ch] += dy[db + ch];
                        }
                    }
                }
            }
        });
    }

    /** Offset (cell * c) of the first maximal cell of a non-empty window, NaN counting as maximal. */
    private static int argMax(Pool2dGeometry g, float[] x, int base, int r0, int r1, int c0, int c1, int c) {
        int best = (r0 * g.w() + c0) * c;
        float m = x[base + best];
        for (int r = r0; r < r1; r++) {
            for (int s = c0; s < c1; s++) {
                int cell = (r * g.w() + s) * c;
                float v = x[base + cell];
                if (v > m || (v != v && m == m)) {
                    m = v;
                    best = cell;
                }
            }
        }
        return best;
    }

    private static void maxBackwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
                                          int dxOff) {
        int c = g.c(), imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * imgSize, dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0f);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        if (r0 >= r1 || c0 >= c1) continue;
                        for (int ch = 0; ch < c; ch++) {
                            dx[dxImg + argMax(g, x, xImg + ch, r0, r1, c0, c1, c) + ch] += dy[db + ch];
                        }
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ avg forward

    /** y = avg_pool2d(x), float32. */
    public static void avgPoolForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        check(g, "avg_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        if (KernelConfig.SIMD) avgForward(g, x, xOff, y, yOff, KernelConfig.THREADS);
        else avgForwardScalar(g, x, xOff, y, yOff);
    }

    /** The scalar twin of {@link #avgPoolForward(Pool2dGeometry, float[], int, float[], int)}. */
    public static void avgPoolForwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        check(g, "avg_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        avgForwardScalar(g, x, xOff, y, yOff);
    }

    static void avgForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int threads) {
        int c = g.c(), cv = c - c % V;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        float inv = 1f / Math.max(1, (r1 - r0) * (c1 - c0));
                        for (int ch = 0; ch < cv; ch += V) {
                            FloatVector sum = FloatVector.zero(S);
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) {
                                    sum = FloatVector.fromArray(S, x, xImg + (r * g.w() + s) * c + ch).add(sum);
                                }
                            }
                            FloatVector.broadcast(S, inv).mul(sum).intoArray(y, yb + ch);
                        }
                        for (int ch = cv; ch < c; ch++) {
                            y[yb + ch] = windowSum(g, x, xImg + ch, r0, r1, c0, c1, c) * inv;
                        }
                    }
                }
            }
        });
    }

    private static float windowSum(Pool2dGeometry g, float[] x, int base, int r0, int r1, int c0, int c1, int c) {
        float sum = 0;
        for (int r = r0; r < r1; r++) {
            for (int s = c0; s < c1; s++) sum += x[base + (r * g.w() + s) * c];
        }
        return sum;
    }

    private static void avgForwardScalar(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        float inv = 1f / Math.max(1, (r1 - r0) * (c1 - c0));
                        for (int ch = 0; ch < c; ch++) y[yb + ch] = windowSum(g, x, xImg + ch, r0, r1, c0, c1, c) * inv;
                    }
                }
            }
        });
    }

    // ----------------------------------------------------------------------------------------------- avg backward

    /** dx = the gradient of avg_pool2d given dy, float32. */
    public static void avgPoolBackward(Pool2dGeometry g, float[] dy, int dyOff, float[] dx, int dxOff) {
        check(g, "avg_pool2d_grad", "dy", len(dy), dyOff, g.ySize(), "dx", len(dx), dxOff, g.xSize());
        if (KernelConfig.SIMD) avgBackward(g, dy, dyOff, dx, dxOff, KernelConfig.THREADS, true);
        else avgBackward(g, dy, dyOff, dx, dxOff, KernelConfig.THREADS, false);
    }

    /** The scalar twin of {@link #avgPoolBackward(Pool2dGeometry, float[], int, float[], int)}. */
    public static void avgPoolBackwardScalar(Pool2dGeometry g, float[] dy, int dyOff, float[] dx, int dxOff) {
        check(g, "avg_pool2d_grad", "dy", len(dy), dyOff, g.ySize(), "dx", len(dx), dxOff, g.xSize());
        avgBackward(g, dy, dyOff, dx, dxOff, KernelConfig.THREADS, false);
    }

    static void avgBackward(Pool2dGeometry g, float[] dy, int dyOff, float[] dx, int dxOff, int threads, boolean simd) {
        int c = g.c(), cv = simd ? c - c % V : 0, imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0f);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        float inv = 1f / Math.max(1, (r1 - r0) * (c1 - c0));
                        for (int ch = 0; ch < cv; ch += V) {
                            FloatVector grad = FloatVector.fromArray(S, dy, db + ch).mul(inv);
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) {
                                    int d = dxImg + (r * g.w() + s) * c + ch;
                                    FloatVector.fromArray(S, dx, d).add(grad).intoArray(dx, d);
                                }
                            }
                        }
                        for (int ch = cv; ch < c; ch++) {
                            float grad = dy[db + ch] * inv;
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) dx[dxImg + (r * g.w() + s) * c + ch] += grad;
                            }
                        }
                    }
                }
            }
        });
    }

    // ----------------------------------------------------------------------------------------------------- float64

    /** y = max_pool2d(x), float64. */
    public static void maxPoolForward(Pool2dGeometry g, double[] x, int xOff, double[] y, int yOff) {
        check(g, "max_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        for (int ch = 0; ch < c; ch++) {
                            double m = Double.NEGATIVE_INFINITY;
                            for (int r = g.rowLo(oy); r < g.rowHi(oy); r++) {
                                for (int s = g.colLo(ox); s < g.colHi(ox); s++) {
                                    m = Math.max(m, x[xImg + (r * g.w() + s) * c + ch]); // NaN wins, 0.0 beats -0.0
                                }
                            }
                            y[yb + ch] = m;
                        }
                    }
                }
            }
        });
    }

    /** dx = the gradient of max_pool2d given its input x and dy, float64. */
    public static void maxPoolBackward(Pool2dGeometry g, double[] x, int xOff, double[] dy, int dyOff, double[] dx,
                                       int dxOff) {
        checkBackward(g, len(x), xOff, len(dy), dyOff, len(dx), dxOff);
        int c = g.c(), imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * imgSize, dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0.0);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        if (r0 >= r1 || c0 >= c1) continue;
                        for (int ch = 0; ch < c; ch++) {
                            int best = (r0 * g.w() + c0) * c;
                            double m = x[xImg + best + ch];
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) {
                                    int cell = (r * g.w() + s) * c;
                                    double v = x[xImg + cell + ch];
                                    if (v > m || (v != v && m == m)) {
                                        m = v;
                                        best = cell;
                                    }
                                }
                            }
                            dx[dxImg + best + ch] += dy[db + ch];
                        }
                    }
                }
            }
        });
    }

    /** y = avg_pool2d(x), float64. */
    public static void avgPoolForward(Pool2dGeometry g, double[] x, int xOff, double[] y, int yOff) {
        check(g, "avg_pool2d", "x", len(x), xOff, g.xSize(), "y", len(y), yOff, g.ySize());
        int c = g.c();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int xImg = xOff + img * g.h() * g.w() * c;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        double count = Math.max(1, (r1 - r0) * (c1 - c0));
                        for (int ch = 0; ch < c; ch++) {
                            double sum = 0;
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) sum += x[xImg + (r * g.w() + s) * c + ch];
                            }
                            y[yb + ch] = sum / count;
                        }
                    }
                }
            }
        });
    }

    /** dx = the gradient of avg_pool2d given dy, float64. */
    public static void avgPoolBackward(Pool2dGeometry g, double[] dy, int dyOff, double[] dx, int dxOff) {
        check(g, "avg_pool2d_grad", "dy", len(dy), dyOff, g.ySize(), "dx", len(dx), dxOff, g.xSize());
        int c = g.c(), imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                int dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0.0);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int r0 = g.rowLo(oy), r1 = g.rowHi(oy);
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int c0 = g.colLo(ox), c1 = g.colHi(ox), db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * c;
                        double count = Math.max(1, (r1 - r0) * (c1 - c0));
                        for (int ch = 0; ch < c; ch++) {
                            double grad = dy[db + ch] / count;
                            for (int r = r0; r < r1; r++) {
                                for (int s = c0; s < c1; s++) dx[dxImg + (r * g.w() + s) * c + ch] += grad;
                            }
                        }
                    }
                }
            }
        });
    }

    // --------------------------------------------------------------------------------------------------- checking

    private static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    private static int len(double[] a) {
        return a == null ? -1 : a.length;
    }

    private static void check(Pool2dGeometry g, String kernel, String in, int inLen, int inOff, long inSize, String out,
                              int outLen, int outOff, long outSize) {
        if (inLen < 0 || outLen < 0) throw new IllegalArgumentException(kernel + ": null array (" + g + ")");
        g.check(kernel, in, inLen, inOff, inSize);
        g.check(kernel, out, outLen, outOff, outSize);
    }

    private static void checkBackward(Pool2dGeometry g, int xLen, int xOff, int dyLen, int dyOff, int dxLen,
                                      int dxOff) {
        check(g, "max_pool2d_grad", "x", xLen, xOff, g.xSize(), "dy", dyLen, dyOff, g.ySize());
        check(g, "max_pool2d_grad", "dx", dxLen, dxOff, g.xSize(), "dy", dyLen, dyOff, g.ySize());
    }
}
