package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution kernels for first layers (one to a few input channels, as in MNIST's and CIFAR's first Conv2D),
 * where GEMM's shapes degenerate: the input gradient's dY * W^T has only kh*kw*c columns, the filter gradient only
 * kh*kw*c rows and the forward pass only kh*kw*c steps, so per-tile packing, set-up and stores cost as much as the
 * multiply-adds. Each image is copied into a
 * zero-padded per-thread buffer, so that no tap needs a bounds check, and:
 * <ul>
 *   <li>input gradient (stride 1): each input pixel gathers the dy cells that saw it, as dot products over (tap,
 *       output channel) vectorized along the output channels, 4 pixels x 2 channels or 8 pixels x 1 channel at a
 *       time (8 independent accumulators), the lanes summed in lane order per result;</li>
 *   <li>filter gradient (up to 3 input channels): 5 or 4 steps (tap, channel) x 2 vectors of filters in 10 or 8
 *       accumulators stream over each image's pixels; partial sums over fixed groups of images are added in group order;</li>
 *   <li>forward (stride 1, up to 3 channels, 256-bit vectors or narrower): 5 adjacent output pixels x 2 vectors of
 *       filters in 10 accumulators, one step per (tap, channel) in im2col order over a channel-planar padded copy
 *       (a pixel's neighbours are then constant offsets), bias and ReLU applied in registers before the one store.
 *       GEMM's in-place tiles spent more on per-tile set-up and a separate epilogue pass than on their 9 or 27
 *       multiply-adds per element.</li>
 * </ul>
 * One image or group per task, and every result is computed by the same sequence of operations whatever its
 * position in a block, so results do not depend on the thread count.
 */
final class Conv2dFewChannelKernels {
    private Conv2dFewChannelKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    /** Output channels per filter-gradient block: two vectors (4 steps x 2 vectors = 8 accumulators). */
    private static final int OB = 2 * V;

    /** Whether the direct input gradient runs: stride 1, few input channels, whole vectors of output channels. */
    static boolean inputGradientApplies(Conv2dGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.c() < 16 && g.o() % V == 0 && g.o() > 0 && g.n() > 0
                && g.h() > 0 && g.w() > 0 && g.kh() * g.kw() > 0 && g.padTop() >= 0 && g.padLeft() >= 0;
    }

    /** Output pixels per forward tile (5 x 2 vectors: 10 accumulators, as GemmMicroKernels' 5-row tile). */
    private static final int FORWARD_PIXELS = 5;

    /** Per-thread scratch: a padded image, the tap (and pixel) offset table, one vector's lanes. */
    private static final class Scratch {
        float[] image = new float[0];
        int[] taps = new int[0];
        final float[] lanes = new float[V];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The calling thread's filter in blocks of {@link #OB} filters (read by all threads of one call). */
    private static final ThreadLocal<float[][]> FILTER_BLOCKS = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * Copies image {@code [h, w, ch]} at {@code src[off]} into {@code dst} as {@code [hp, wp, ch]} with its top-left
     * cell at (top, left), zeros elsewhere.
     */
    private static void pad(float[] src, int off, int h, int w, int ch, float[] dst, int hp, int wp, int top,
                            int left) {
        int run = w * ch, rowP = wp * ch;
        Arrays.fill(dst, 0, top * rowP, 0f);
        for (int r = 0; r < h; r++) {
            int d = (top + r) * rowP;
            Arrays.fill(dst, d, d + left * ch, 0f);
            System.arraycopy(src, off + r * run, dst, d + left * ch, run);
            Arrays.fill(dst, d + left * ch + run, d + rowP, 0f);
        }
        Arrays.fill(dst, (top + h) * rowP, hp * rowP, 0f);
    }

    // ------------------------------------------------------------------------------------------------ forward

    /**
     * Whether the direct forward pass runs: stride 1, 1 to 3 input channels, whole blocks of {@link #OB} filters,
     * output rows at least a tile wide, vectors of at most 256 bits (where it was measured: Zen 2, two threads,
     * {@code ConvBench}, against the GEMM path's offset-table tiles; with 512-bit vectors the GEMM path keeps its 8-row
     * tiles).
     */
    static boolean forwardApplies(Conv2dGeometry g) {
        return GemmMicroKernels.V < 16 && g.strideH() == 1 && g.strideW() == 1 && g.c() > 0 && g.c() <= 3
                && g.o() % OB == 0 && g.o() > 0 && g.ow() >= FORWARD_PIXELS && g.n() > 0 && g.oh() > 0
                && g.kh() * g.kw() > 0 && g.padTop() >= 0 && g.padLeft() >= 0;
    }

    /** y = epilogue(conv2d(x, w)) for {@link #forwardApplies} geometries. */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                        GemmEpilogue epi, int threads) {
        int c = g.c(), o = g.o(), patch = g.patch(), ow = g.ow(), pt = g.padTop(), pl = g.padLeft();
        int hp = Math.max(pt + g.h(), g.oh() - 1 + (g.kh() - 1) * g.dilationH() + 1);
        int wp = Math.max(pl + g.w(), ow - 1 + (g.kw() - 1) * g.dilationW() + 1);
        int plane = hp * wp;
        float[][] holder = FILTER_BLOCKS.get();
        if (holder[0].length < patch * o) holder[0] = new float[patch * o];
        float[] blocks = holder[0]; // block ob: patch steps of OB filters
        for (int ob = 0; ob < o; ob += OB) {
            for (int k = 0; k < patch; k++) System.arraycopy(w, wOff + k * o + ob, blocks, ob * patch + k * OB, OB);
        }
        boolean hasBias = epi.bias() != null, relu = epi.activation() == GemmEpilogue.Activation.RELU;
        // -0 is the exact identity of addition: no bias adds -0
        float[] bias = hasBias ? epi.bias() : GemmMicroKernels.NEGATIVE_ZEROS;
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.image.length < plane * c) s.image = new float[plane * c];
            if (s.taps.length < patch) s.taps = new int[patch];
            float[] img = s.image;
            if (c > 1) Arrays.fill(img, 0, plane * c, 0f); // the padding, once: images overwrite only their cells
            int[] taps = s.taps;
            for (int ty = 0, k = 0; ty < g.kh(); ty++) {
                for (int tx = 0; tx < g.kw(); tx++) {
                    for (int ch = 0; ch < c; ch++) taps[k++] = ch * plane + ty * g.dilationH() * wp + tx * g.dilationW();
                }
            }
            for (int n = from; n < to; n++) {
                padPlanar(x, xOff + n * g.h() * g.w() * c, g.h(), g.w(), c, img, hp, wp, pt, pl);
                for (int oy = 0; oy < g.oh(); oy++) {
                    int yRow = yOff + (n * g.oh() + oy) * ow * o;
                    for (int x0 = 0; x0 < ow; x0 += FORWARD_PIXELS) {
                        // the last tile of a row overlaps the one before: its pixels get the same bits again
                        int xs = Math.min(x0, ow - FORWARD_PIXELS), pix = oy * wp + xs, yi = yRow + xs * o;
                        for (int ob = 0; ob < o; ob += OB) {
                            forwardTile(img, pix, taps, patch, blocks, ob * patch, y, yi + ob, o, bias,
                                    hasBias ? epi.biasOffset() + ob : 0, relu);
                        }
                    }
                }
            }
        });
    }

    /**
     * {@link #pad} into channel planes, {@code dst[ch * hp * wp + row * wp + col]}. With several channels only the
     * image's cells are written: the caller clears the planes once per task, and images only overwrite those cells
     * (clearing per image and an inner loop over the channels of each cell were a sixth of a 32x32x3 forward pass in
     * a profile).
     */
    private static void padPlanar(float[] src, int off, int h, int w, int ch, float[] dst, int hp, int wp, int top,
                                  int left) {
        if (ch == 1) {
            pad(src, off, h, w, 1, dst, hp, wp, top, left);
            return;
        }
        int plane = hp * wp;
        for (int r = 0; r < h; r++) {
            int s = off + r * w * ch, d = (top + r) * wp + left;
            if (ch == 3) {
                for (int col = 0; col < w; col++, d++, s += 3) {
                    dst[d] = src[s];
                    dst[plane + d] = src[s + 1];
                    dst[2 * plane + d] = src[s + 2];
                }
            } else {
                for (int col = 0; col < w; col++, d++) {
                    for (int q = 0; q < ch; q++) dst[q * plane + d] = src[s++];
                }
            }
        }
    }

    /**
     * y tile (5 pixels o apart from {@code y[yi]}, 2 vectors each) = epilogue(sum over steps k of the padded image at
     * {@code pix + taps[k] + pixel} times filter block row k): the same fused multiply-adds in the same order as the
     * GEMM path, then + bias and ReLU (where enabled) as {@link GemmEpilogue#applyVector} does, so the same bits.
     */
    private static void forwardTile(float[] img, int pix, int[] taps, int patch, float[] w, int wb, float[] y, int yi,
                                    int o, float[] bias, int bo, boolean relu) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z;
        for (int k = 0; k < patch; k++) {
            int s = pix + taps[k], wk = wb + k * OB;
            FloatVector b0 = FloatVector.fromArray(S, w, wk);
            FloatVector b1 = FloatVector.fromArray(S, w, wk + V);
            FloatVector x = FloatVector.broadcast(S, img[s]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, img[s + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, img[s + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, img[s + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, img[s + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        // written out, no helper taking the accumulators (see GemmMicroKernels.NEGATIVE_ZEROS); no branch on relu
        // either (a vector flowing through a phi can be boxed): the mask is all-false without it
        VectorMask<Float> on = S.maskAll(relu);
        FloatVector u0 = FloatVector.fromArray(S, bias, bo), u1 = FloatVector.fromArray(S, bias, bo + V), r;
        r = c00.add(u0);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi);
        r = c01.add(u1);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + V);
        r = c10.add(u0);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + o);
        r = c11.add(u1);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + o + V);
        r = c20.add(u0);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 2 * o);
        r = c21.add(u1);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 2 * o + V);
        r = c30.add(u0);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 3 * o);
        r = c31.add(u1);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 3 * o + V);
        r = c40.add(u0);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 4 * o);
        r = c41.add(u1);
        r.blend(0f, r.compare(VectorOperators.LE, 0f).and(on)).intoArray(y, yi + 4 * o + V);
    }

    // ------------------------------------------------------------------------------------------ input gradient

    static void backpropInput(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                              int threads) {
        int c = g.c(), o = g.o(), taps = g.kh() * g.kw();
        // input pixel (iy, ix) under tap (ty, tx) reads dy (iy + padTop - ty * dilationH, ...): pad dy so that all do
        int top = Math.max(0, (g.kh() - 1) * g.dilationH() - g.padTop());
        int left = Math.max(0, (g.kw() - 1) * g.dilationW() - g.padLeft());
        int hp = Math.max(top + g.oh(), g.h() + g.padTop() + top);
        int wp = Math.max(left + g.ow(), g.w() + g.padLeft() + left);
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.image.length < hp * wp * o) s.image = new float[hp * wp * o];
            if (s.taps.length < taps) s.taps = new int[taps];
            float[] img = s.image;
            int[] tapOff = s.taps;
            float[] lanes = s.lanes;
            for (int ty = 0, t = 0; ty < g.kh(); ty++) {
                for (int tx = 0; tx < g.kw(); tx++) tapOff[t++] = -(ty * g.dilationH() * wp + tx * g.dilationW()) * o;
            }
            for (int n = from; n < to; n++) {
                pad(dy, dyOff + n * g.oh() * g.ow() * o, g.oh(), g.ow(), o, img, hp, wp, top, left);
                for (int iy = 0; iy < g.h(); iy++) {
                    int rowBase = ((iy + g.padTop() + top) * wp + g.padLeft() + left) * o;
                    int dxRow = dxOff + (n * g.h() + iy) * g.w() * c, ix = 0;
                    for (; ix + 8 <= g.w(); ix += 8) {
                        int ch = 0;
                        for (; ch + 2 <= c; ch += 2) {
                            for (int p = ix; p < ix + 8; p += 4) {
                                gather4x2(img, rowBase + p * o, tapOff, taps, w, wOff + ch * o, c, o, dx,
                                        dxRow + p * c + ch, lanes);
                            }
                        }
                        if (ch < c) {
                            gather8x1(img, rowBase + ix * o, tapOff, taps, w, wOff + ch * o, c, o, dx,
                                    dxRow + ix * c + ch, lanes);
                        }
                    }
                    for (; ix < g.w(); ix++) {
                        for (int ch = 0; ch < c; ch++) {
                            dx[dxRow + ix * c + ch] =
                                    gather1(img, rowBase + ix * o, tapOff, taps, w, wOff + ch * o, c, o, lanes);
                        }
                    }
                }
            }
        });
    }

    /**
     * dx for 4 adjacent input pixels (padded-dy offset p0, then + o each) and 2 channels (filter rows from wb, the
     * next channel o further): dot products over (tap, output channel), one vector of output channels per step.
     */
    private static void gather4x2(float[] img, int p0, int[] tapOff, int taps, float[] w, int wb, int c, int o,
                                  float[] dx, int db, float[] lanes) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        for (int t = 0; t < taps; t++) {
            int src = p0 + tapOff[t], wt = wb + t * c * o;
            for (int j = 0; j < o; j += V) {
                FloatVector u = FloatVector.fromArray(S, w, wt + j), v = FloatVector.fromArray(S, w, wt + o + j);
                FloatVector d = FloatVector.fromArray(S, img, src + j);
                a0 = d.fma(u, a0);
                b0 = d.fma(v, b0);
                d = FloatVector.fromArray(S, img, src + o + j);
                a1 = d.fma(u, a1);
                b1 = d.fma(v, b1);
                d = FloatVector.fromArray(S, img, src + 2 * o + j);
                a2 = d.fma(u, a2);
                b2 = d.fma(v, b2);
                d = FloatVector.fromArray(S, img, src + 3 * o + j);
                a3 = d.fma(u, a3);
                b3 = d.fma(v, b3);
            }
        }
        dx[db] = sum(a0, lanes);
        dx[db + 1] = sum(b0, lanes);
        dx[db + c] = sum(a1, lanes);
        dx[db + c + 1] = sum(b1, lanes);
        dx[db + 2 * c] = sum(a2, lanes);
        dx[db + 2 * c + 1] = sum(b2, lanes);
        dx[db + 3 * c] = sum(a3, lanes);
        dx[db + 3 * c + 1] = sum(b3, lanes);
    }

    /** {@link #gather4x2} for 8 adjacent pixels and one channel (8 independent chains hide the FMA latency). */
    private static void gather8x1(float[] img, int p0, int[] tapOff, int taps, float[] w, int wb, int c, int o,
                                  float[] dx, int db, float[] lanes) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int t = 0; t < taps; t++) {
            int src = p0 + tapOff[t], wt = wb + t * c * o;
            for (int j = 0; j < o; j += V) {
                FloatVector u = FloatVector.fromArray(S, w, wt + j);
                int d = src + j;
                a0 = FloatVector.fromArray(S, img, d).fma(u, a0);
                a1 = FloatVector.fromArray(S, img, d + o).fma(u, a1);
                a2 = FloatVector.fromArray(S, img, d + 2 * o).fma(u, a2);
                a3 = FloatVector.fromArray(S, img, d + 3 * o).fma(u, a3);
                a4 = FloatVector.fromArray(S, img, d + 4 * o).fma(u, a4);
                a5 = FloatVector.fromArray(S, img, d + 5 * o).fma(u, a5);
                a6 = FloatVector.fromArray(S, img, d + 6 * o).fma(u, a6);
                a7 = FloatVector.fromArray(S, img, d + 7 * o).fma(u, a7);
            }
        }
        dx[db] = sum(a0, lanes);
        dx[db + c] = sum(a1, lanes);
        dx[db + 2 * c] = sum(a2, lanes);
        dx[db + 3 * c] = sum(a3, lanes);
        dx[db + 4 * c] = sum(a4, lanes);
        dx[db + 5 * c] = sum(a5, lanes);
        dx[db + 6 * c] = sum(a6, lanes);
        dx[db + 7 * c] = sum(a7, lanes);
    }

    /** {@link #gather4x2} for one pixel and one channel: the same operations per result. */
    private static float gather1(float[] img, int p0, int[] tapOff, int taps, float[] w, int wb, int c, int o,
                                 float[] lanes) {
        FloatVector a = FloatVector.zero(S);
        for (int t = 0; t < taps; t++) {
            int src = p0 + tapOff[t], wt = wb + t * c * o;
            for (int j = 0; j < o; j += V) {
                a = FloatVector.fromArray(S, img, src + j).fma(FloatVector.fromArray(S, w, wt + j), a);
            }
        }
        return sum(a, lanes);
    }

    // ----------------------------------------------------------------------------------------- filter gradient

    /** Images per partial sum of the filter gradient: fixed, so that the summation order never depends on threads. */
    private static final int IMAGES_PER_PARTIAL = 4;

    /**
     * Whether the direct filter gradient runs: up to 3 input channels (grayscale and RGB first layers), whole blocks
     * of output channels. Measured against the GEMM path (dW = im2colᵀ · dY: a 27 x 32 product over 131072 pixels,
     * which splits into few tasks): MNIST's 28x28x1 to 32 1.07x to 1.5x faster on a Zen 3; CIFAR's 32x32x3 to 32 alike
     * there, and on a Zen 5 (512-bit vectors, one column panel) 70 against 81 GFLOP/s on one thread but 103 against 38
     * on two, where the GEMM path got slower than on one.
     */
    static boolean filterGradientApplies(Conv2dGeometry g) {
        return g.c() <= 3 && g.o() % OB == 0 && g.n() > 0 && g.oh() > 0 && g.ow() > 0 && g.kh() * g.kw() > 0
                && g.padTop() >= 0 && g.padLeft() >= 0;
    }

    /**
     * dw[k, oc] = sum over pixels of x(pixel, k) * dy[pixel, oc], k = (tap, channel): per group of
     * {@link #IMAGES_PER_PARTIAL} images a partial sum (5 or 4 k x 2 vectors of oc = 10 or 8 accumulators streaming
     * over the pixels of each image), then the partials added in group order.
     */
    static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                               int threads) {
        int c = g.c(), o = g.o(), patch = g.patch(), pixels = g.oh() * g.ow(), size = patch * o;
        int pt = g.padTop(), pl = g.padLeft();
        int hp = Math.max(pt + g.h(), (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilationH() + 1);
        int wp = Math.max(pl + g.w(), (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilationW() + 1);
        int groups = (g.n() + IMAGES_PER_PARTIAL - 1) / IMAGES_PER_PARTIAL;
        float[] partial = new float[groups * size];
        // steps in blocks of 5 and 4 where they add up (9 = 5 + 4, 27 = 3 * 5 + 3 * 4): a lone step's 2 accumulator
        // chains wait on the FMA latency, 10 or 8 do not
        int fives = 5 * (patch % 4) <= patch ? patch % 4 : 0;
        Parallel.forRange(groups, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.image.length < hp * wp * c) s.image = new float[hp * wp * c];
            if (s.taps.length < patch + pixels) s.taps = new int[patch + pixels];
            float[] img = s.image;
            int[] taps = s.taps; // patch tap offsets, then the pixels' offsets
            for (int ty = 0, k = 0; ty < g.kh(); ty++) {
                for (int tx = 0; tx < g.kw(); tx++) {
                    for (int ch = 0; ch < c; ch++) taps[k++] = (ty * g.dilationH() * wp + tx * g.dilationW()) * c + ch;
                }
            }
            for (int oy = 0, q = patch; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) taps[q++] = (oy * g.strideH() * wp + ox * g.strideW()) * c;
            }
            for (int grp = from; grp < to; grp++) {
                int base = grp * size;
                for (int n = grp * IMAGES_PER_PARTIAL; n < Math.min(g.n(), (grp + 1) * IMAGES_PER_PARTIAL); n++) {
                    pad(x, xOff + n * g.h() * g.w() * c, g.h(), g.w(), c, img, hp, wp, pt, pl);
                    int dyImg = dyOff + n * pixels * o;
                    for (int ob = 0; ob < o; ob += OB) {
                        int k = 0;
                        for (; k < fives * 5; k += 5) {
                            filter5(img, taps, patch, pixels, k, dy, dyImg + ob, o, partial, base + k * o + ob);
                        }
                        for (; k + 4 <= patch; k += 4) {
                            filter4(img, taps, patch, pixels, k, dy, dyImg + ob, o, partial, base + k * o + ob);
                        }
                        for (; k < patch; k++) {
                            filter1(img, taps, patch, pixels, k, dy, dyImg + ob, o, partial, base + k * o + ob);
                        }
                    }
                }
            }
        });
        Arrays.fill(dw, dwOff, dwOff + size, 0f);
        for (int grp = 0; grp < groups; grp++) {
            for (int i = 0; i < size; i++) dw[dwOff + i] += partial[grp * size + i];
        }
    }

    /** Adds to p[pb + r * o] (r < 4, two vectors each) the sums over the image's pixels for steps k..k+3. */
    private static void filter4(float[] img, int[] taps, int patch, int pixels, int k, float[] dy, int db, int o,
                                float[] p, int pb) {
        int t0 = taps[k], t1 = taps[k + 1], t2 = taps[k + 2], t3 = taps[k + 3];
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z;
        for (int q = 0; q < pixels; q++) {
            int px = taps[patch + q], d = db + q * o;
            FloatVector y0 = FloatVector.fromArray(S, dy, d), y1 = FloatVector.fromArray(S, dy, d + V);
            FloatVector v = FloatVector.broadcast(S, img[px + t0]);
            a0 = v.fma(y0, a0);
            a1 = v.fma(y1, a1);
            v = FloatVector.broadcast(S, img[px + t1]);
            b0 = v.fma(y0, b0);
            b1 = v.fma(y1, b1);
            v = FloatVector.broadcast(S, img[px + t2]);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            v = FloatVector.broadcast(S, img[px + t3]);
            d0 = v.fma(y0, d0);
            d1 = v.fma(y1, d1);
        }
        add2(p, pb, a0, a1);
        add2(p, pb + o, b0, b1);
        add2(p, pb + 2 * o, c0, c1);
        add2(p, pb + 3 * o, d0, d1);
    }

    /** {@link #filter4} for steps k..k+4: 10 accumulators, as GemmMicroKernels' 5-row tile. */
    private static void filter5(float[] img, int[] taps, int patch, int pixels, int k, float[] dy, int db, int o,
                                float[] p, int pb) {
        int t0 = taps[k], t1 = taps[k + 1], t2 = taps[k + 2], t3 = taps[k + 3], t4 = taps[k + 4];
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z, e0 = z, e1 = z;
        for (int q = 0; q < pixels; q++) {
            int px = taps[patch + q], d = db + q * o;
            FloatVector y0 = FloatVector.fromArray(S, dy, d), y1 = FloatVector.fromArray(S, dy, d + V);
            FloatVector v = FloatVector.broadcast(S, img[px + t0]);
            a0 = v.fma(y0, a0);
            a1 = v.fma(y1, a1);
            v = FloatVector.broadcast(S, img[px + t1]);
            b0 = v.fma(y0, b0);
            b1 = v.fma(y1, b1);
            v = FloatVector.broadcast(S, img[px + t2]);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            v = FloatVector.broadcast(S, img[px + t3]);
            d0 = v.fma(y0, d0);
            d1 = v.fma(y1, d1);
            v = FloatVector.broadcast(S, img[px + t4]);
            e0 = v.fma(y0, e0);
            e1 = v.fma(y1, e1);
        }
        add2(p, pb, a0, a1);
        add2(p, pb + o, b0, b1);
        add2(p, pb + 2 * o, c0, c1);
        add2(p, pb + 3 * o, d0, d1);
        add2(p, pb + 4 * o, e0, e1);
    }

    /** {@link #filter4} for one step: the same operations per result. */
    private static void filter1(float[] img, int[] taps, int patch, int pixels, int k, float[] dy, int db, int o,
                                float[] p, int pb) {
        int t0 = taps[k];
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z;
        for (int q = 0; q < pixels; q++) {
            int d = db + q * o;
            FloatVector v = FloatVector.broadcast(S, img[taps[patch + q] + t0]);
            a0 = v.fma(FloatVector.fromArray(S, dy, d), a0);
            a1 = v.fma(FloatVector.fromArray(S, dy, d + V), a1);
        }
        add2(p, pb, a0, a1);
    }

    /**
     * p[pb..] += (v0, v1). Loop-carried vectors are only ever arguments, never receivers: a method call on one boxes
     * it (see GemmMicroKernels.store), so the loaded vector is the receiver.
     */
    private static void add2(float[] p, int pb, FloatVector v0, FloatVector v1) {
        FloatVector.fromArray(S, p, pb).add(v0).intoArray(p, pb);
        FloatVector.fromArray(S, p, pb + V).add(v1).intoArray(p, pb + V);
    }

    /**
     * The lanes' sum of an accumulator, added in lane order. Not reduceLanes(ADD): its order differs between the JIT's
     * intrinsic and the interpreted fallback, and two threads may run different tiers, which broke bitwise equality
     * across thread counts. The accumulator is written out through a fresh vector (-0.0 + v is exactly v; see
     * {@link #add2}).
     */
    private static float sum(FloatVector acc, float[] lanes) {
        FloatVector.broadcast(S, -0.0f).add(acc).intoArray(lanes, 0);
        float s = lanes[0];
        for (int i = 1; i < V; i++) s += lanes[i];
        return s;
    }
}
