package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class Conv2dKernelsTest {

    /** A geometry from input and filter sizes, TF-style SAME or VALID padding, strides and dilations. */
    static Conv2dGeometry geometry(int n, int h, int w, int c, int kh, int kw, int o, boolean same, int sh, int sw,
                                   int dh, int dw) {
        int ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
        int oh, ow, pt = 0, pl = 0;
        if (same) {
            oh = (h + sh - 1) / sh;
            ow = (w + sw - 1) / sw;
            pt = Math.max((oh - 1) * sh + ekh - h, 0) / 2;
            pl = Math.max((ow - 1) * sw + ekw - w, 0) / 2;
        } else {
            oh = Math.max(0, (h - ekh) / sh + 1);
            ow = Math.max(0, (w - ekw) / sw + 1);
        }
        return new Conv2dGeometry(n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl);
    }

    /** Geometries covering every path: in place and packed im2col, gathered and scattered input gradients. */
    static List<Conv2dGeometry> geometries() {
        List<Conv2dGeometry> gs = new ArrayList<>();
        gs.add(geometry(2, 5, 5, 1, 3, 3, 1, true, 1, 1, 1, 1));
        gs.add(geometry(2, 7, 5, 3, 3, 3, 4, true, 1, 1, 1, 1));
        gs.add(geometry(1, 8, 8, 5, 3, 3, 7, false, 1, 1, 1, 1));
        gs.add(geometry(3, 9, 10, 6, 3, 3, 5, true, 2, 2, 1, 1));
        gs.add(geometry(2, 11, 11, 5, 3, 3, 7, false, 2, 2, 2, 2));
        gs.add(geometry(1, 13, 7, 17, 1, 1, 19, true, 1, 1, 1, 1));
        gs.add(geometry(2, 6, 9, 4, 5, 5, 3, true, 1, 1, 1, 1));
        gs.add(geometry(1, 12, 12, 9, 3, 2, 33, true, 1, 2, 2, 1));
        gs.add(geometry(2, 9, 9, 3, 3, 3, 32, true, 1, 1, 1, 1));
        gs.add(geometry(1, 4, 4, 2, 5, 5, 3, false, 1, 1, 1, 1)); // filter larger than the input: empty output
        gs.add(geometry(0, 4, 4, 2, 3, 3, 3, true, 1, 1, 1, 1)); // empty batch
        gs.add(geometry(2, 10, 12, 40, 3, 3, 24, true, 1, 1, 1, 1)); // patch 360: more than one k-block
        gs.add(geometry(2, 8, 8, 33, 3, 3, 20, true, 2, 2, 1, 1)); // strided input gradient with k-blocks
        gs.add(geometry(1, 3, 3, 2, 3, 3, 2, true, 3, 3, 1, 1));
        // many channels and filters: packed im2col blocks instead of in-place offset tables
        gs.add(geometry(2, 7, 9, 33, 3, 3, 37, true, 1, 1, 1, 1)); // input gradient by gather
        gs.add(geometry(1, 9, 9, 40, 3, 3, 36, true, 2, 2, 1, 1)); // input gradient by col2im
        gs.add(geometry(1, 11, 10, 32, 3, 3, 33, true, 1, 1, 2, 2));
        gs.add(geometry(2, 9, 8, 35, 5, 5, 40, false, 1, 1, 1, 1));
        gs.add(geometry(1, 6, 7, 33, 3, 3, 67, true, 1, 1, 1, 1)); // more than two column panels of filters at any width
        // first layers (Conv2dFewChannelKernels): 1 channel for the filter gradient, under 16 for the input gradient; odd and
        // prime sizes leave pixel and channel tails, stride 2 and dilation 2, several output blocks
        gs.add(geometry(3, 13, 11, 1, 3, 3, 32, false, 1, 1, 1, 1));
        gs.add(geometry(2, 7, 9, 2, 3, 3, 64, true, 2, 2, 1, 1));
        gs.add(geometry(1, 11, 7, 3, 3, 3, 16, true, 1, 1, 2, 2)); // 16 filters: whole vectors up to 512 bits
        gs.add(geometry(2, 5, 6, 4, 5, 5, 32, true, 1, 1, 1, 1));
        gs.add(geometry(1, 3, 5, 5, 3, 3, 16, false, 1, 1, 1, 1));
        gs.add(geometry(2, 9, 10, 1, 3, 3, 96, true, 1, 1, 1, 1));
        gs.add(geometry(1, 6, 7, 13, 3, 3, 24, true, 1, 1, 1, 1));
        gs.add(geometry(2, 10, 11, 3, 3, 3, 32, true, 2, 1, 1, 1));
        // rows of whole 8-pixel blocks and a tail, for an even channel count (pairs only) and for 3 (a pair and a single
        // channel); 9 images: the filter gradient's partial sums over 3 groups of images, the last short
        gs.add(geometry(2, 7, 17, 2, 3, 3, 16, true, 1, 1, 1, 1));
        gs.add(geometry(9, 6, 16, 3, 3, 3, 32, true, 1, 1, 2, 1));
        // the direct forward pass (at up to 256 bits): two channel planes, rows a whole number of 5-pixel tiles; and rows
        // narrower than one tile, which stay on GEMM
        gs.add(geometry(2, 8, 12, 2, 3, 3, 32, false, 1, 1, 1, 1));
        gs.add(geometry(2, 6, 4, 2, 3, 3, 32, true, 1, 1, 1, 1));
        // 1x1 taps over 3 channels: 3 steps, too few for the filter gradient's blocks of 5 (9 = 5 + 4, 27 = 15 + 12)
        gs.add(geometry(2, 6, 7, 3, 1, 1, 32, true, 1, 1, 1, 1));
        // the filter gradient without im2col (Conv2dFilterKernels): more images than partial sums, in uneven groups
        // and several small images per chunk; images split into bands of rows; strides, dilations, 1x1 and 5x5 taps
        gs.add(geometry(11, 5, 7, 4, 3, 3, 64, true, 1, 1, 1, 1));
        gs.add(geometry(2, 23, 19, 32, 3, 3, 32, true, 1, 1, 1, 1));
        gs.add(geometry(3, 13, 11, 36, 3, 3, 32, true, 2, 2, 1, 1));
        gs.add(geometry(1, 40, 34, 8, 3, 3, 64, true, 2, 2, 1, 1)); // stride 2 in bands of 15 and 5 output rows
        gs.add(geometry(2, 14, 13, 32, 3, 3, 32, false, 3, 2, 2, 1)); // three row phases, taps two rows apart
        gs.add(geometry(2, 12, 13, 8, 3, 2, 64, false, 1, 2, 2, 1));
        gs.add(geometry(2, 6, 5, 32, 1, 1, 64, true, 1, 1, 1, 1));
        gs.add(geometry(1, 9, 8, 12, 5, 5, 64, true, 1, 1, 1, 1));
        gs.add(geometry(2, 7, 6, 80, 3, 3, 32, true, 1, 1, 1, 1)); // channels in whole blocks of 5 (and 4, and 8)
        gs.add(geometry(3, 5, 6, 68, 3, 3, 32, false, 1, 1, 1, 1)); // a last block past c at any block size
        // the input gradient's gather without im2col blocks (Conv2dShiftKernels): pixel counts off the 5- and 8-pixel tiles,
        // odd filter counts, dilation (mirrored taps two apart), images split into bands of rows, 5x3 filters
        gs.add(geometry(3, 7, 9, 32, 3, 3, 20, true, 1, 1, 1, 1));
        gs.add(geometry(2, 11, 10, 48, 3, 3, 5, true, 1, 1, 2, 2));
        gs.add(geometry(1, 23, 20, 32, 5, 3, 7, true, 1, 1, 1, 1));
        // the forward pass of VALID layers on the shift kernels (at 256 bits): odd channels, 5x3 filters
        gs.add(geometry(2, 9, 11, 32, 3, 3, 32, false, 1, 1, 1, 1));
        gs.add(geometry(1, 10, 9, 33, 5, 3, 16, false, 1, 1, 1, 1));
        // strided forward passes on the shift kernels: stride 2 in bands of 14 and 7 output rows; strides 3 and 2
        // with taps two rows apart (row phases of the copy)
        gs.add(geometry(1, 41, 35, 32, 3, 3, 32, true, 2, 2, 1, 1));
        gs.add(geometry(2, 17, 16, 32, 3, 3, 64, true, 3, 2, 2, 1));
        gs.add(geometry(2, 17, 18, 32, 3, 3, 32, true, 4, 4, 1, 1)); // stride above the filter: rows no tap reads
        // filters too long for one k-block of the shift kernels: 5 rows of 3 x 128 steps, tiles summed over 2 blocks
        gs.add(geometry(1, 6, 5, 128, 5, 3, 32, true, 1, 1, 1, 1));
        // dY · Wᵀ and col2im over several whole images per product: 1 MiB of dcol holds 2 of these (groups 2, 2, 1)
        gs.add(geometry(5, 21, 21, 32, 3, 3, 40, false, 1, 1, 1, 1));
        // the same at stride 2, off Winograd: groups 2, 2, 1 of whole images; and an image whose dY · Wᵀ exceeds
        // 4 MiB, in bands of 57 and 4 output rows
        gs.add(geometry(5, 41, 41, 32, 3, 3, 8, true, 2, 2, 1, 1));
        gs.add(geometry(1, 121, 121, 33, 3, 3, 5, true, 2, 2, 1, 1));
        // Winograd F(2x2, 3x3) (Conv2dWinogradKernels) for small outputs and F(4x4, 3x3) (Conv2dWinograd4Kernels) for
        // the others: each with output sizes that leave tiles partly outside, several blocks of tiles with a last group
        // short of the micro-kernel's rows, SAME and VALID (the input gradient then pads dy by 2), an explicit padding
        // of 2 (the input gradient's mirrored filter then pads by 0); dilated 3x3 layers stay on the shift kernels
        gs.add(new Conv2dGeometry(2, 6, 7, 32, 3, 3, 32, 8, 9, 1, 1, 1, 1, 2, 2)); // 2x2 blocks, dx too
        gs.add(geometry(14, 5, 5, 32, 3, 3, 32, true, 1, 1, 1, 1)); // 2x2 blocks, 126 tiles in 2 or 3 blocks
        gs.add(geometry(2, 6, 6, 32, 3, 3, 32, false, 1, 1, 1, 1)); // one 4x4 block per image; dx 2x2 blocks
        gs.add(geometry(2, 25, 21, 32, 3, 3, 32, true, 1, 1, 1, 1)); // 4x4 blocks, 84 tiles in 2 blocks
        gs.add(geometry(2, 12, 12, 32, 3, 3, 32, false, 1, 1, 1, 1)); // dx on 4x4 blocks, dy padded by 2
        gs.add(new Conv2dGeometry(2, 8, 8, 32, 3, 3, 32, 10, 10, 1, 1, 1, 1, 2, 2)); // dx on 4x4 blocks, no padding
        gs.add(geometry(2, 8, 8, 64, 3, 3, 64, true, 1, 1, 1, 1)); // 4x4 blocks, dU 576 KiB
        gs.add(geometry(11, 16, 16, 32, 3, 3, 64, true, 1, 1, 1, 1)); // dW: 176 tiles, 5 blocks in 4 partial sums
        gs.add(geometry(2, 10, 10, 32, 3, 3, 64, true, 1, 1, 2, 2));
        return gs;
    }

    // ------------------------------------------------------------------------------------- naive float64 reference

    /** y = conv(x, w) by the definition; with abs = true, sums |x| * |w| instead (the rounding-error scale). */
    static double[] refForward(Conv2dGeometry g, float[] x, float[] w, boolean abs) {
        double[] y = new double[(int) g.ySize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int p = 0; p < g.kh(); p++)
                        for (int q = 0; q < g.kw(); q++)
                            for (int c = 0; c < g.c(); c++)
                                for (int o = 0; o < g.o(); o++) {
                                    int r = i * g.strideH() + p * g.dilationH() - g.padTop();
                                    int s = j * g.strideW() + q * g.dilationW() - g.padLeft();
                                    if (r < 0 || r >= g.h() || s < 0 || s >= g.w()) continue;
                                    double xv = x[((n * g.h() + r) * g.w() + s) * g.c() + c];
                                    double wv = w[((p * g.kw() + q) * g.c() + c) * g.o() + o];
                                    y[((n * g.oh() + i) * g.ow() + j) * g.o() + o] += abs ? Math.abs(xv * wv) : xv * wv;
                                }
        return y;
    }

    /** dx = the transpose of the forward map applied to dy (the same 7 loops, scattering). */
    static double[] refBackpropInput(Conv2dGeometry g, float[] dy, float[] w, boolean abs) {
        double[] dx = new double[(int) g.xSize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int p = 0; p < g.kh(); p++)
                        for (int q = 0; q < g.kw(); q++)
                            for (int c = 0; c < g.c(); c++)
                                for (int o = 0; o < g.o(); o++) {
                                    int r = i * g.strideH() + p * g.dilationH() - g.padTop();
                                    int s = j * g.strideW() + q * g.dilationW() - g.padLeft();
                                    if (r < 0 || r >= g.h() || s < 0 || s >= g.w()) continue;
                                    double v = dy[((n * g.oh() + i) * g.ow() + j) * g.o() + o]
                                            * (double) w[((p * g.kw() + q) * g.c() + c) * g.o() + o];
                                    dx[((n * g.h() + r) * g.w() + s) * g.c() + c] += abs ? Math.abs(v) : v;
                                }
        return dx;
    }

    static double[] refBackpropFilter(Conv2dGeometry g, float[] x, float[] dy, boolean abs) {
        double[] dw = new double[(int) g.wSize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int p = 0; p < g.kh(); p++)
                        for (int q = 0; q < g.kw(); q++)
                            for (int c = 0; c < g.c(); c++)
                                for (int o = 0; o < g.o(); o++) {
                                    int r = i * g.strideH() + p * g.dilationH() - g.padTop();
                                    int s = j * g.strideW() + q * g.dilationW() - g.padLeft();
                                    if (r < 0 || r >= g.h() || s < 0 || s >= g.w()) continue;
                                    double v = x[((n * g.h() + r) * g.w() + s) * g.c() + c]
                                            * (double) dy[((n * g.oh() + i) * g.ow() + j) * g.o() + o];
                                    dw[((p * g.kw() + q) * g.c() + c) * g.o() + o] += abs ? Math.abs(v) : v;
                                }
        return dw;
    }

    // ------------------------------------------------------------------------------------------------- helpers

    static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /**
     * The rounding-error scale of the outputs of {@code g}'s forward pass from the sums of |terms| of each output
     * ({@code mag}, changed in place): on the Winograd paths the largest over the output's 2x2 or 4x4 block, because
     * the transforms mix the whole input tile before their exact cancellations (an output at a padded border, which
     * sums few terms, carries rounding errors from the tile's other inputs).
     */
    static double[] winogradScale(Conv2dGeometry g, double[] mag) {
        if (!Conv2dWinogradKernels.forwardApplies(g)) return mag;
        int b = Conv2dWinograd4Kernels.prefers(g) ? 4 : 2, o = g.o();
        double[] max = new double[mag.length];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int oc = 0; oc < o; oc++) {
                        int at = ((n * g.oh() + i / b * b) * g.ow() + j / b * b) * o + oc;
                        max[at] = Math.max(max[at], mag[((n * g.oh() + i) * g.ow() + j) * o + oc]);
                    }
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int oc = 0; oc < o; oc++) {
                        mag[((n * g.oh() + i) * g.ow() + j) * o + oc] =
                                max[((n * g.oh() + i / b * b) * g.ow() + j / b * b) * o + oc];
                    }
        return mag;
    }

    /**
     * Checks got[off..] against the reference, with an error bound scaled by the sum of |terms|, and that the cells
     * before and after it still hold {@link #OUTSIDE}.
     */
    static void assertClose(String what, double[] ref, double[] mag, float[] got, int off) {
        for (int i = 0; i < ref.length; i++) {
            double tol = 2e-6 * mag[i] + 1e-30;
            if (!(Math.abs(got[off + i] - ref[i]) <= tol)) fail(what + ": element " + i + " is " + got[off + i] + ", expected " + ref[i]);
        }
        for (int i = 0; i < got.length; i++) {
            if ((i < off || i >= off + ref.length) && got[i] != OUTSIDE) fail(what + ": wrote cell " + i + " outside its output");
        }
    }

    static void assertClose(String what, double[] ref, double[] got, int off) {
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(got[off + i] - ref[i]) <= 1e-12 * (1 + Math.abs(ref[i])))) {
                fail(what + ": element " + i + " is " + got[off + i] + ", expected " + ref[i]);
            }
        }
        for (int i = 0; i < got.length; i++) {
            if ((i < off || i >= off + ref.length) && got[i] != OUTSIDE) fail(what + ": wrote cell " + i + " outside its output");
        }
    }

    /** What the cells around an output hold: no kernel may write them. */
    static final float OUTSIDE = 12345f;

    /** A float64 output array with the tensor at {@code off}, garbage in it and {@link #OUTSIDE} around it. */
    static double[] padded64(Random rnd, long size, int off) {
        double[] a = new double[(int) size + off + 2];
        Arrays.fill(a, OUTSIDE);
        for (int i = 0; i < size; i++) a[off + i] = rnd.nextDouble() * 2 - 1;
        return a;
    }

    /**
     * An array with the tensor at offset 3, garbage in it and {@link #OUTSIDE} around it, so that offsets, overwriting
     * and writes past the output are exercised.
     */
    static float[] padded(Random rnd, long size) {
        float[] a = random(rnd, (int) size + 5);
        Arrays.fill(a, 0, 3, OUTSIDE);
        Arrays.fill(a, (int) size + 3, a.length, OUTSIDE);
        return a;
    }

    // --------------------------------------------------------------------------------------------------- tests

    @Test
    void geometriesCoverEveryPath() {
        List<Conv2dGeometry> gs = geometries();
        assertTrue(gs.stream().anyMatch(Conv2dKernels::readsInPlace));
        assertTrue(gs.stream().anyMatch(g -> !Conv2dKernels.readsInPlace(g) && g.rows() > 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.gathersInputGradient(g) && g.rows() > 0));
        assertTrue(gs.stream().anyMatch(g -> !Conv2dKernels.gathersInputGradient(g) && g.c() >= 32));
        // the input gradient by col2im (dY · Wᵀ) over groups of whole images, the last one short, and in bands of rows
        Predicate<Conv2dGeometry> col2im = g -> !Conv2dWinogradKernels.inputGradientApplies(g)
                && !Conv2dKernels.gathersInputGradient(g) && !Conv2dFewChannelKernels.inputGradientApplies(g)
                && g.rows() > 0;
        assertTrue(gs.stream().anyMatch(col2im.and(g -> Conv2dKernels.imagesPerProduct(g) > 1
                && g.n() % Conv2dKernels.imagesPerProduct(g) != 0)));
        assertTrue(gs.stream().anyMatch(col2im.and(g -> Conv2dKernels.imagesPerProduct(g) == 0)));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.filterGradientApplies(g) && g.n() > 1));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.n() > 8 && g.oh() * g.ow() < 128));
        // channel blocks that end past c (on the scratch tile; blocks of 5, at 256 bits and narrower) and blocks that
        // divide c, whatever the block size
        assertTrue(GemmMicroKernels.MR != 5 || gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g)
                && g.c() % Conv2dFilterKernels.channelBlock(g.c()) != 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.c() > 16
                && g.c() % Conv2dFilterKernels.channelBlock(g.c()) == 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.oh() * g.ow() > 256));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.strideH() == 2));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.strideH() == 2
                && g.oh() * g.ow() > 256 && g.ow() < 256));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFilterKernels.applies(g) && g.strideH() == 3
                && g.dilationH() == 2));
        assertTrue(gs.stream().anyMatch(g -> !Conv2dFilterKernels.applies(g) && !Conv2dKernels.readsInPlace(g)
                && g.rows() > 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.gathersInputGradient(g) && g.h() * g.w() > 256
                && Conv2dShiftKernels.applies(SgemmConvPacking.Window.transposed(g, null, 0), g.c())
                && !Conv2dWinogradKernels.inputGradientApplies(g)));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.gathersInputGradient(g) && g.rows() > 0
                && !Conv2dShiftKernels.applies(SgemmConvPacking.Window.transposed(g, null, 0), g.c())));
        assertTrue(gs.stream().anyMatch(g -> g.padTop() == 0 && g.c() >= 32 && g.o() % (2 * GemmMicroKernels.V) == 0
                && !Conv2dWinogradKernels.forwardApplies(g)
                && Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                        == (GemmMicroKernels.V < 16)));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                && !Conv2dWinogradKernels.forwardApplies(g) && g.padTop() > 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                && Conv2dShiftKernels.kBlocks(SgemmConvPacking.Window.forward(g, null, 0)) > 1));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                && g.strideH() == 2 && g.oh() * g.ow() > 256));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                && g.strideH() == 3 && g.dilationH() == 2));
        assertTrue(gs.stream().anyMatch(g -> Conv2dKernels.forwardShifts(g, SgemmConvPacking.Window.forward(g, null, 0))
                && Conv2dFilterKernels.applies(g) && g.strideH() > g.kh() && g.strideW() > g.kw()));
        // Winograd, both block sizes: partial tiles, several blocks of tiles, VALID and padding 2 for the input
        // gradient
        for (boolean large : new boolean[] {false, true}) {
            if (large && !Conv2dWinograd4Kernels.ENABLED) continue;
            Predicate<Conv2dGeometry> forward = g -> Conv2dWinogradKernels.forwardApplies(g)
                    && Conv2dWinograd4Kernels.prefers(g) == large;
            Predicate<Conv2dGeometry> input = g -> Conv2dWinogradKernels.inputGradientApplies(g)
                    && Conv2dWinograd4Kernels.prefers(Conv2dWinogradKernels.inputGradientGeometry(g)) == large;
            int block = large ? 4 : 2;
            assertTrue(gs.stream().anyMatch(forward.and(g -> g.oh() % block != 0 && g.ow() % block != 0)));
            Conv2dWinogradKernels.Tiling tiling = large ? Conv2dWinograd4Kernels.TILING : Conv2dWinogradKernels.TILING;
            assertTrue(gs.stream().anyMatch(forward.and(g -> tiling.blocks(g) > 1
                    && tiling.lastBlockTiles(g) % GemmMicroKernels.MR != 0)));
            assertTrue(gs.stream().anyMatch(input.and(g -> g.padTop() == 0)));
            assertTrue(gs.stream().anyMatch(input.and(g -> g.padTop() == 2)));
            // the filter gradient on the same blocks: tiles partly outside, several images
            assertTrue(gs.stream().anyMatch(g -> Conv2dWinogradFilterKernels.applies(g)
                    && Conv2dWinograd4FilterKernels.applies(g) == large && g.oh() % block != 0 && g.n() > 1));
        }
        // a filter gradient on 4x4 blocks whose dU allows fewer partial sums than PARTIALS, with more blocks than sums
        assertTrue(!Conv2dWinograd4Kernels.ENABLED || gs.stream().anyMatch(g -> {
            if (!Conv2dWinograd4FilterKernels.applies(g)) return false;
            int perBlock = Conv2dWinograd4FilterKernels.perBlock(g.c(), g.o());
            int blocks = (int) ((Conv2dWinograd4Kernels.TILING.tiles(g) + perBlock - 1) / perBlock);
            int groups = Conv2dWinogradFilterKernels.groups(blocks, 36 * g.c() * g.o());
            return groups < Conv2dWinogradFilterKernels.PARTIALS && blocks > groups;
        }));
        boolean direct = GemmMicroKernels.V < 16; // the direct forward pass runs at up to 256 bits
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.forwardApplies(g) == direct && g.c() == 1
                && g.ow() % 5 != 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.forwardApplies(g) == direct && g.c() == 3
                && g.dilationH() == 2));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.forwardApplies(g) == direct && g.c() == 2));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.filterGradientApplies(g) && g.patch() == 9));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.filterGradientApplies(g) && g.patch() == 27));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.filterGradientApplies(g) && g.patch() == 3));
        assertTrue(gs.stream().anyMatch(g -> !Conv2dFewChannelKernels.forwardApplies(g) && g.c() <= 3
                && g.strideW() == 1 && g.o() % (2 * GemmMicroKernels.V) == 0 && g.ow() > 0));
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.inputGradientApplies(g) && g.c() % 2 == 1
                && g.w() % 4 != 0 && g.dilationH() == 2));
        for (int c = 2; c <= 3; c++) {
            int ch = c;
            assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.inputGradientApplies(g) && g.c() == ch
                    && g.w() >= 16 && g.w() % 8 != 0 == (ch == 2)));
        }
        assertTrue(gs.stream().anyMatch(g -> Conv2dFewChannelKernels.filterGradientApplies(g) && g.n() > 8));
    }

    @Test
    void floatKernelsMatchTheDefinition() {
        Random rnd = new Random(7);
        for (Conv2dGeometry g : geometries()) {
            float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), dy = random(rnd, (int) g.ySize());
            double[] y = refForward(g, x, w, false), yMag = refForward(g, x, w, true);
            double[] dx = refBackpropInput(g, dy, w, false), dxMag = refBackpropInput(g, dy, w, true);
            // the SIMD paths' scale: Winograd's where it runs
            double[] yScale = winogradScale(g, yMag.clone());
            double[] dxScale = Conv2dWinogradKernels.inputGradientApplies(g)
                    ? winogradScale(Conv2dWinogradKernels.inputGradientGeometry(g), dxMag.clone()) : dxMag;
            double[] dw = refBackpropFilter(g, x, dy, false), dwMag = refBackpropFilter(g, x, dy, true);
            for (int threads : new int[] {1, 2}) {
                float[] out = padded(rnd, g.ySize());
                Conv2dKernels.forward(g, x, 0, w, 0, out, 3, threads);
                assertClose("forward " + g, y, yScale, out, 3);
                out = padded(rnd, g.xSize());
                Conv2dKernels.backpropInput(g, dy, 0, w, 0, out, 3, threads);
                assertClose("backpropInput " + g, dx, dxScale, out, 3);
                out = padded(rnd, g.wSize());
                Conv2dKernels.backpropFilter(g, x, 0, dy, 0, out, 3, threads);
                assertClose("backpropFilter " + g, dw, dwMag, out, 3);
            }
            float[] out = padded(rnd, g.ySize());
            Conv2dKernels.forwardScalar(g, x, 0, w, 0, out, 3);
            assertClose("forwardScalar " + g, y, yMag, out, 3);
            out = padded(rnd, g.xSize());
            Conv2dKernels.backpropInputScalar(g, dy, 0, w, 0, out, 3);
            assertClose("backpropInputScalar " + g, dx, dxMag, out, 3);
            out = padded(rnd, g.wSize());
            Conv2dKernels.backpropFilterScalar(g, x, 0, dy, 0, out, 3);
            assertClose("backpropFilterScalar " + g, dw, dwMag, out, 3);
            out = padded(rnd, g.ySize());
            Conv2dKernels.forward(g, x, 0, w, 0, out, 3);
            assertClose("forward (public) " + g, y, yScale, out, 3);
            out = padded(rnd, g.xSize());
            Conv2dKernels.backpropInput(g, dy, 0, w, 0, out, 3);
            assertClose("backpropInput (public) " + g, dx, dxScale, out, 3);
            out = padded(rnd, g.wSize());
            Conv2dKernels.backpropFilter(g, x, 0, dy, 0, out, 3);
            assertClose("backpropFilter (public) " + g, dw, dwMag, out, 3);
        }
    }

    @Test
    void doubleKernelsMatchTheDefinition() {
        Random rnd = new Random(8);
        for (Conv2dGeometry g : geometries()) {
            float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), dy = random(rnd, (int) g.ySize());
            double[] out = padded64(rnd, g.ySize(), 2);
            Conv2dKernels.forward(g, toDouble(x), 0, toDouble(w), 0, out, 2);
            assertClose("forward64 " + g, refForward(g, x, w, false), out, 2);
            out = padded64(rnd, g.xSize(), 1);
            Conv2dKernels.backpropInput(g, toDouble(dy), 0, toDouble(w), 0, out, 1);
            assertClose("backpropInput64 " + g, refBackpropInput(g, dy, w, false), out, 1);
            out = padded64(rnd, g.wSize(), 0);
            Conv2dKernels.backpropFilter(g, toDouble(x), 0, toDouble(dy), 0, out, 0);
            assertClose("backpropFilter64 " + g, refBackpropFilter(g, x, dy, false), out, 0);
        }
    }

    @Test
    void gradientsAreTheAdjointsOfTheForwardPass() {
        Random rnd = new Random(9);
        for (Conv2dGeometry g : geometries()) {
            double[] x = toDouble(random(rnd, (int) g.xSize())), w = toDouble(random(rnd, (int) g.wSize()));
            double[] dy = toDouble(random(rnd, (int) g.ySize()));
            double[] y = new double[(int) g.ySize()], dx = new double[x.length], dw = new double[w.length];
            Conv2dKernels.forward(g, x, 0, w, 0, y, 0);
            Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 0);
            Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 0);
            double a = dot(y, dy), b = dot(x, dx), c = dot(w, dw);
            assertEquals(a, b, 1e-9 * (1 + Math.abs(a)), "<conv(x,w),dy> vs <x,dx> for " + g);
            assertEquals(a, c, 1e-9 * (1 + Math.abs(a)), "<conv(x,w),dy> vs <w,dw> for " + g);

            // the float kernels satisfy it too, up to float rounding
            float[] xf = toFloat(x), wf = toFloat(w), dyf = toFloat(dy);
            float[] yf = new float[y.length], dxf = new float[x.length], dwf = new float[w.length];
            Conv2dKernels.forward(g, xf, 0, wf, 0, yf, 0, 2);
            Conv2dKernels.backpropInput(g, dyf, 0, wf, 0, dxf, 0, 2);
            Conv2dKernels.backpropFilter(g, xf, 0, dyf, 0, dwf, 0, 2);
            double scale = 1e-4 * (1 + Math.sqrt(g.macs()));
            assertEquals(a, dot(toDouble(xf), toDouble(dxf)), scale, "float <x,dx> for " + g);
            assertEquals(a, dot(toDouble(wf), toDouble(dwf)), scale, "float <w,dw> for " + g);
            assertEquals(a, dot(toDouble(yf), dy), scale, "float <y,dy> for " + g);
        }
    }

    @Test
    void resultsAreBitwiseIndependentOfThreadCount() {
        Random rnd = new Random(10);
        Conv2dGeometry[] gs = {geometry(4, 16, 16, 32, 3, 3, 64, true, 1, 1, 1, 1),
            geometry(3, 28, 28, 1, 3, 3, 32, false, 1, 1, 1, 1), geometry(3, 15, 15, 24, 3, 3, 40, true, 2, 2, 1, 1),
            geometry(5, 17, 13, 3, 3, 3, 32, true, 1, 1, 1, 1), geometry(4, 11, 11, 7, 3, 3, 16, false, 1, 1, 1, 1),
            geometry(11, 23, 19, 8, 3, 3, 64, true, 1, 1, 1, 1), geometry(13, 6, 5, 32, 3, 3, 32, true, 2, 2, 1, 1),
            geometry(1, 9, 7, 32, 3, 3, 24, true, 1, 1, 1, 1), geometry(2, 5, 5, 64, 3, 3, 16, true, 1, 1, 1, 1)};
        for (Conv2dGeometry g : gs) {
            float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), dy = random(rnd, (int) g.ySize());
            float[][] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                float[] y = new float[(int) g.ySize()], dx = new float[(int) g.xSize()], dw = new float[(int) g.wSize()];
                Conv2dKernels.forward(g, x, 0, w, 0, y, 0, threads);
                Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 0, threads);
                Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 0, threads);
                if (first == null) {
                    first = new float[][] {y, dx, dw};
                    assertClose("forward " + g, refForward(g, x, w, false), refForward(g, x, w, true), y, 0);
                } else {
                    assertArrayEquals(first[0], y, "forward, threads=" + threads + " " + g);
                    assertArrayEquals(first[1], dx, "backpropInput, threads=" + threads + " " + g);
                    assertArrayEquals(first[2], dw, "backpropFilter, threads=" + threads + " " + g);
                }
            }
        }
    }

    /** Bias and ReLU fused into the forward pass equal the separate ops, bitwise, on each forward path. */
    @Test
    void fusedEpilogueMatchesSeparateOps() {
        Random rnd = new Random(12);
        Conv2dGeometry[] gs = {geometry(3, 16, 16, 32, 3, 3, 64, true, 1, 1, 1, 1), // Winograd 4x4, whole tiles
            geometry(3, 13, 13, 32, 3, 3, 64, false, 1, 1, 1, 1), // Winograd 4x4, tiles partly outside the output
            geometry(3, 5, 5, 32, 3, 3, 64, true, 1, 1, 1, 1), // Winograd 2x2, tiles half outside the output
            geometry(3, 16, 16, 32, 3, 3, 64, true, 1, 1, 2, 2), // shift kernels (dilated)
            geometry(3, 13, 13, 32, 5, 3, 64, false, 1, 1, 1, 1), // shift kernels at 256 bits, else tables over x
            geometry(2, 12, 12, 16, 3, 3, 32, false, 1, 1, 1, 1), // tables over x itself
            geometry(2, 11, 9, 3, 3, 3, 32, true, 1, 1, 1, 1), // direct at up to 256 bits, else tables over a copy
            geometry(2, 13, 11, 1, 3, 3, 32, false, 1, 1, 1, 1), // direct, one channel, an overlapping last tile
            geometry(2, 8, 8, 40, 3, 3, 160, true, 1, 1, 1, 1), // packed im2col (more than two panels)
            geometry(2, 9, 9, 32, 3, 3, 64, true, 2, 2, 1, 1)}; // stride 2
        for (Conv2dGeometry g : gs) {
            float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), bias = random(rnd, g.o() + 1);
            float[] plain = new float[(int) g.ySize()];
            Conv2dKernels.forward(g, x, 0, w, 0, plain, 0, 2);
            for (int variant = 0; variant < 3; variant++) {
                boolean withBias = variant < 2, relu = variant != 1;
                GemmEpilogue epi = GemmEpilogue.of(withBias ? bias : null, withBias ? 1 : 0,
                        relu ? GemmEpilogue.Activation.RELU : GemmEpilogue.Activation.NONE);
                float[] fused = new float[(int) g.ySize()], expected = new float[plain.length];
                Conv2dKernels.forward(g, x, 0, w, 0, fused, 0, epi, 2);
                for (int i = 0; i < plain.length; i++) {
                    float v = withBias ? plain[i] + bias[1 + i % g.o()] : plain[i];
                    expected[i] = relu && !(v > 0) ? 0f : v;
                }
                assertArrayEquals(expected, fused, "conv2d with " + (withBias ? "bias" : "") + (relu ? " relu " : " ")
                        + g);
            }
        }
    }

    /**
     * A NaN input cell reaches every output that reads it and, on the Winograd paths, the rest of the 2x2 (or 4x4)
     * output blocks whose 4x4 (6x6) tiles hold it, nothing further: not the other image, not the other tiles.
     */
    @Test
    void aNanInputStaysWithinTheOutputBlocksAroundIt() {
        // 6x6 images run 2x2 blocks (4x4 blocks would not save enough products), 8x8 ones 4x4 blocks
        for (int size : new int[] {6, 8}) {
            Conv2dGeometry g = geometry(2, size, size, 32, 3, 3, 32, true, 1, 1, 1, 1);
            boolean winograd = Conv2dWinogradKernels.forwardApplies(g);
            int block = !winograd ? 0 : Conv2dWinograd4Kernels.prefers(g) ? 4 : 2;
            if (Conv2dWinograd4Kernels.ENABLED) assertEquals(size == 6 ? 2 : 4, block, "blocks of " + g);
            nanStaysWithinBlocks(g, 3, 3, block);
            nanStaysWithinBlocks(g, size - 3, 2, block);
        }
    }

    /** A NaN at input (row, col) of image 0 on a same-padded geometry whose Winograd blocks are block x block. */
    private static void nanStaysWithinBlocks(Conv2dGeometry g, int row, int col0, int block) {
        int size = g.h();
        float[] x = random(new Random(13), (int) g.xSize()), w = random(new Random(14), (int) g.wSize());
        x[(row * size + col0) * 32 + 5] = Float.NaN; // image 0, channel 5
        for (int threads : new int[] {1, 2}) {
            float[] y = new float[(int) g.ySize()];
            Conv2dKernels.forward(g, x, 0, w, 0, y, 0, threads);
            for (int img = 0; img < 2; img++) {
                for (int r = 0; r < size; r++) {
                    for (int col = 0; col < size; col++) {
                        boolean reads = img == 0 && Math.abs(r - row) <= 1 && Math.abs(col - col0) <= 1;
                        // a tile holds padded cells [block * t, block * t + block + 1] of each axis (padding 1)
                        boolean inBlock = img == 0 && block > 0 && holds(r / block, row + 1, block)
                                && holds(col / block, col0 + 1, block);
                        for (int o = 0; o < 32; o++) {
                            float v = y[((img * size + r) * size + col) * 32 + o];
                            String at = "output (" + img + ", " + r + ", " + col + ", " + o + ") on " + threads + " threads, NaN at (" + row + ", " + col0 + "), blocks " + block + ", " + g;
                            if (reads) assertTrue(Float.isNaN(v), at + " reads the NaN");
                            else if (!inBlock) assertTrue(Float.isFinite(v), at + " is " + v);
                        }
                    }
                }
            }
        }
    }

    private static boolean holds(int tile, int padded, int block) {
        return padded >= block * tile && padded <= block * tile + block + 1;
    }

    @Test
    void shortArraysAreRejected() {
        Conv2dGeometry g = geometry(2, 5, 5, 3, 3, 3, 4, true, 1, 1, 1, 1);
        float[] x = new float[(int) g.xSize()], w = new float[(int) g.wSize()], y = new float[(int) g.ySize()];
        var e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.forward(g, x, 1, w, 0, y, 0));
        assertTrue(e.getMessage().startsWith("conv2d: x needs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.backpropInput(g, y, 0, w, 0, new float[5], 0));
        assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.backpropFilter(g, x, 0, y, 0, new float[5], 0));
        assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.forward(g, new double[3], 0, new double[(int) g.wSize()], 0, new double[(int) g.ySize()], 0));
        double[] x64 = new double[(int) g.xSize()], w64 = new double[(int) g.wSize()], y64 = new double[(int) g.ySize()];
        e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.backpropInput(g, y64, 0, w64, 0, x64, 1));
        assertTrue(e.getMessage().startsWith("conv2d_backprop_input: dx needs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.backpropFilter(g, x64, 0, y64, 0, w64, 1));
        assertTrue(e.getMessage().startsWith("conv2d_backprop_filter: dw needs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2dGeometry(1, 5, 5, 3, 3, 3, 4, 5, 5, 0, 1, 1, 1, 1, 1));
        // the scalar twins check as the SIMD entry points do
        e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.forwardScalar(g, x, 0, w, 0, y, 1));
        assertTrue(e.getMessage().startsWith("conv2d: y needs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.backpropInputScalar(g, y, 0, w, 1, new float[(int) g.xSize()], 0));
        assertTrue(e.getMessage().startsWith("conv2d_backprop_input: filter needs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.backpropFilterScalar(g, x, 0, y, 0, new float[(int) g.wSize() - 1], 0));
        assertTrue(e.getMessage().startsWith("conv2d_backprop_filter: dw needs"), e.getMessage());
        // a bias shorter than the filters
        GemmEpilogue shortBias = GemmEpilogue.of(new float[4], 1, GemmEpilogue.Activation.NONE);
        e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.forward(g, x, 0, w, 0, y, 0, shortBias));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
