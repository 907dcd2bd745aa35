package dev.fluxion.cpu.kernels;

import dev.fluxion.cpu.kernels.SgemmConvPacking.FilterByTapRight;
import dev.fluxion.cpu.kernels.SgemmConvPacking.TableLeft;
import dev.fluxion.cpu.kernels.SgemmConvPacking.Tables;
import dev.fluxion.cpu.kernels.SgemmConvPacking.Window;
import dev.fluxion.cpu.kernels.SgemmConvPacking.WindowLeft;
import dev.fluxion.cpu.kernels.SgemmConvPacking.WindowRight;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * 2-D convolution over NHWC inputs and HWIO filters (see {@link Conv2dGeometry}): the forward pass and the
 * gradients with respect to the input and the filter. Outputs are overwritten.
 *
 * <p>3x3 stride-1 undilated layers (channels in whole vectors, filters in whole micro-tile panels) run the forward pass
 * and both gradients by Winograd's F(2x2, 3x3), 2.25 times fewer multiply-adds ({@link Conv2dWinogradKernels}, {@link
 * Conv2dWinogradFilterKernels}), or for outputs large enough by F(4x4, 3x3), four times fewer ({@link
 * Conv2dWinograd4Kernels}, {@link Conv2dWinograd4FilterKernels}). Otherwise float32 runs as implicit GEMM on {@link GemmEngine}; the im2col matrix is
 * never stored. Forward is y = im2col(x) · W, with im2col either gathered block by block while packing or, for few
 * channels or filters, read in place through offset tables over x or a zero-padded copy ({@link #readsInPlace}); padded
 * stride-1 layers with enough channels run on {@link Conv2dShiftKernels} ({@link #forwardShifts}). The input gradient,
 * for stride 1 and enough channels, gathers dy through mirrored taps times the per-tap transposed filter ({@link
 * #gathersInputGradient}; {@link Conv2dShiftKernels} when the channels fill whole tiles); otherwise it is dY · Wᵀ per
 * image, or per group of small images ({@link #imagesPerProduct}), followed by col2im. First layers run direct kernels
 * ({@link Conv2dFewChannelKernels}) for the stride-1 forward pass (256-bit vectors or narrower) and input gradient with
 * few channels and for the filter gradient with up to three, where GEMM's per-tile overheads would match the
 * multiply-adds. The filter gradient is im2col(x)ᵀ · dY: for channels in fours and enough channels or filters, a kernel
 * that packs x once for all taps ({@link Conv2dFilterKernels}); otherwise GEMM, as dWᵀ = dYᵀ · im2col(x) transposed
 * when im2col is packed. With {@link KernelConfig#SIMD} off the float kernels run their scalar twins (direct loops);
 * float64 always runs direct loops. All results are independent of the thread count.
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    /** Most floats of dY · Wᵀ held per thread by the strided input gradient before col2im. */
    private static final int DCOL_CAP = 1 << 20;
    /**
     * Floats of dY · Wᵀ per product when whole images fit (1 MiB; 7 of MNIST's 13x13x32 to 64 images). Measured
     * there on one thread (Zen 5): 115-119 GFLOP/s one image per product, 123-126 with 3, 128-135 with 15.
     */
    private static final int DCOL_GROUP = 1 << 18;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    /** The calling thread's transposed filter for the scattered input gradient (read by all threads). */
    private static final ThreadLocal<float[][]> FILTER_T = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    // ---------------------------------------------------------------------------------------------- float32 entry

    /** y = conv2d(x, w), float32. */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        forward(g, x, xOff, w, wOff, y, yOff, GemmEpilogue.NONE);
    }

    /**
     * y = epilogue(conv2d(x, w)), float32: a per-filter bias and an activation applied to each output tile while it
     * is in cache, so a Conv2D layer's forward pass is one sweep over its output; bitwise the unfused ops.
     */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                               GemmEpilogue epilogue) {
        g.check("conv2d", "x", len(x), xOff, "filter", len(w), wOff, "y", len(y), yOff);
        epilogue.check("conv2d", g.o());
        if (KernelConfig.SIMD) {
            forward(g, x, xOff, w, wOff, y, yOff, epilogue, KernelConfig.THREADS);
        } else {
            forwardDirect(g, x, xOff, w, wOff, y, yOff);
            if (!epilogue.isIdentity()) epilogue.applyScalar(y, yOff, g.o(), g.rows(), 0, g.o());
        }
    }

    /** dx = the gradient of conv2d with respect to its input, given dy, float32. */
    public static void backpropInput(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx,
                                     int dxOff) {
        g.check("conv2d_backprop_input", "dx", len(dx), dxOff, "filter", len(w), wOff, "dy", len(dy), dyOff);
        if (KernelConfig.SIMD) backpropInput(g, dy, dyOff, w, wOff, dx, dxOff, KernelConfig.THREADS);
        else backpropInputDirect(g, dy, dyOff, w, wOff, dx, dxOff);
    }

    /** dw = the gradient of conv2d with respect to its filter, given x and dy, float32. */
    public static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw,
                                      int dwOff) {
        g.check("conv2d_backprop_filter", "x", len(x), xOff, "dw", len(dw), dwOff, "dy", len(dy), dyOff);
        if (KernelConfig.SIMD) backpropFilter(g, x, xOff, dy, dyOff, dw, dwOff, KernelConfig.THREADS);
        else backpropFilterDirect(g, x, xOff, dy, dyOff, dw, dwOff);
    }

    /** The scalar twin of {@link #forward(Conv2dGeometry, float[], int, float[], int, float[], int)}. */
    public static void forwardScalar(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        g.check("conv2d", "x", len(x), xOff, "filter", len(w), wOff, "y", len(y), yOff);
        forwardDirect(g, x, xOff, w, wOff, y, yOff);
    }

    /** The scalar twin of {@link #backpropInput(Conv2dGeometry, float[], int, float[], int, float[], int)}. */
    public static void backpropInputScalar(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx,
                                           int dxOff) {
        g.check("conv2d_backprop_input", "dx", len(dx), dxOff, "filter", len(w), wOff, "dy", len(dy), dyOff);
        backpropInputDirect(g, dy, dyOff, w, wOff, dx, dxOff);
    }

    /** The scalar twin of {@link #backpropFilter(Conv2dGeometry, float[], int, float[], int, float[], int)}. */
    public static void backpropFilterScalar(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw,
                                            int dwOff) {
        g.check("conv2d_backprop_filter", "x", len(x), xOff, "dw", len(dw), dwOff, "dy", len(dy), dyOff);
        backpropFilterDirect(g, x, xOff, dy, dyOff, dw, dwOff);
    }

    // ---------------------------------------------------------------------------------------- float32 GEMM paths

    /**
     * Whether the forward pass and the filter gradient read x in place, through offset tables over a zero-padded
     * copy, instead of packing im2col blocks. Packing pays off when many filters share each packed value and the
     * channel runs are long enough to transpose in registers; with few channels (first layers) or at most two
     * micro-tile column panels of filters it costs about as much as the multiply-adds it feeds (measured: 3x faster in
     * place for 32x32x3 to 32; 16x16x32 to 64 with 512-bit vectors, where 64 filters are two panels: 113-115 packed,
     * 137-150 GFLOP/s in place on one thread; 8x8x64 to 128, four panels: no difference). With 256-bit vectors, up
     * to 64 filters (four panels) at stride 1 as well: on Zen 2, one thread, 13x13x32 to 64 VALID ran at 62-64
     * GFLOP/s in place against 58-60 packed, while a stride-2 32x32x32 to 64 lost (51-52 against 55).
     */
    static boolean readsInPlace(Conv2dGeometry g) {
        boolean fewFilters = g.o() <= 2 * GemmMicroKernels.NR
                || g.o() <= 64 && g.strideH() == 1 && g.strideW() == 1;
        return (g.c() < 32 || fewFilters) && g.rows() > 0 && g.patch() > 0;
    }

    /**
     * Whether the forward pass runs on {@link Conv2dShiftKernels}: enough channels for its long filter-row runs, at any
     * stride (stride 2 on Zen 2, one thread / two, against im2col blocks whose packing took a third of the time:
     * 32x32x32 to 64 SAME 58 / 113 to 68 / 132 GFLOP/s, to 32 filters 45 / 74 to 60 / 122, 16x16x64 to 128 73 / 141 to
     * 78 / 156, 33x33x32 to 64 VALID 56 / 111 to 68 / 135, in a throwaway loop). Padded layers measured on Zen 5, one
     * thread / two: 16x16x32 to 64 SAME 173 / 315 against 166 / 222-266 in place; 8x8x64 to 128 173 / 308-315 against
     * 155 / 284 packed; with AVX2 code on the same machine 85 against 67-80. Without padding the offset tables read x
     * itself, with no copy at all, and win at 512 bits (MNIST's 13x13x32 to 64, 167 against 160 GFLOP/s on one thread);
     * at 256 bits the shift kernels' unrolled loop wins there too (Zen 2, {@code ConvBench quick}: 66.1 against 63.7 on
     * one thread, 131.9 against 126.6 on two).
     */
    static boolean forwardShifts(Conv2dGeometry g, Window win) {
        boolean padded = g.padTop() > 0 || g.padLeft() > 0;
        return g.c() >= 32 && (padded || GemmMicroKernels.V < 16)
                && Conv2dShiftKernels.applies(win, g.o());
    }

    /**
     * Whether the input gradient gathers (stride 1 only): each input pixel collects the dy cells that saw it, an
     * implicit GEMM with no scatter. It needs enough channels to fill the micro-kernel's columns, and an output about
     * as large as the input (a VALID convolution would gather over mostly padding); otherwise dY · Wᵀ and col2im.
     */
    static boolean gathersInputGradient(Conv2dGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.c() >= 32
                && (long) g.h() * g.w() * 10 <= (long) g.oh() * g.ow() * 11;
    }

    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, int threads) {
        forward(g, x, xOff, w, wOff, y, yOff, GemmEpilogue.NONE, threads);
    }

    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                        GemmEpilogue epilogue, int threads) {
        if (Conv2dFewChannelKernels.forwardApplies(g)) {
            Conv2dFewChannelKernels.forward(g, x, xOff, w, wOff, y, yOff, epilogue, threads);
            return;
        }
        if (Conv2dWinogradKernels.forwardApplies(g)) {
            Conv2dWinogradKernels.forward(g, x, xOff, w, wOff, y, yOff, epilogue, threads);
            return;
        }
        Window win = Window.forward(g, x, xOff);
        if (forwardShifts(g, win)) {
            Conv2dShiftKernels.gemm(win, SgemmPacking.Right.of(false, w, wOff, g.o()), g.o(), y, yOff, epilogue,
                    threads);
            return;
        }
        SgemmPacking.Left a;
        if (readsInPlace(g)) {
            Tables t = win.tables();
            a = new TableLeft(t.data(), t.pixels(), t.taps());
        } else {
            a = new WindowLeft(win);
        }
        GemmEngine.gemm(g.rows(), g.o(), g.patch(), a, SgemmPacking.Right.of(false, w, wOff, g.o()), y, yOff, g.o(),
                false, epilogue, threads);
    }

    static void backpropInput(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                              int threads) {
        if (Conv2dWinogradKernels.inputGradientApplies(g)) {
            Conv2dWinogradKernels.backpropInput(g, dy, dyOff, w, wOff, dx, dxOff, threads);
            return;
        }
        if (gathersInputGradient(g)) {
            Window win = Window.transposed(g, dy, dyOff);
            if (Conv2dShiftKernels.applies(win, g.c())) {
                Conv2dShiftKernels.gemm(win, new FilterByTapRight(w, wOff, g.c(), g.o()), g.c(), dx, dxOff,
                        GemmEpilogue.NONE, threads);
                return;
            }
            GemmEngine.gemm(g.n() * g.h() * g.w(), g.c(), g.kh() * g.kw() * g.o(), new WindowLeft(win),
                    new FilterByTapRight(w, wOff, g.c(), g.o()), dx, dxOff, g.c(), false, threads);
            return;
        }
        if (Conv2dFewChannelKernels.inputGradientApplies(g)) {
            Conv2dFewChannelKernels.backpropInput(g, dy, dyOff, w, wOff, dx, dxOff, threads);
            return;
        }
        int pixels = g.oh() * g.ow(), patch = g.patch(), imgSize = g.h() * g.w() * g.c(), o = g.o();
        int rowsPer = rowsPerProduct(g), group = imagesPerProduct(g);
        // Wᵀ once per call: each image's product then packs it by plain copies, not 4x4 transposes (1.1x for MNIST's
        // 13x13x32 to 64, bitwise the same)
        float[][] holder = FILTER_T.get();
        if (holder[0].length < o * patch) holder[0] = new float[o * patch];
        float[] t = holder[0];
        for (int p = 0; p < patch; p++) {
            for (int oc = 0; oc < o; oc++) t[oc * patch + p] = w[wOff + p * o + oc];
        }
        SgemmPacking.Right wt = SgemmPacking.Right.of(false, t, 0, patch);
        if (group > 0) {
            int perImage = pixels * patch;
            Parallel.forRange(g.n(), group, threads, (from, to) -> {
                float[] dcol = scratch((to - from) * perImage);
                Arrays.fill(dx, dxOff + from * imgSize, dxOff + to * imgSize, 0f);
                GemmEngine.gemm((to - from) * pixels, patch, g.o(),
                        SgemmPacking.Left.of(false, dy, dyOff + from * pixels * g.o(), g.o()), wt, dcol, 0, patch,
                        false, 1);
                for (int img = from; img < to; img++) {
                    col2im(g, dcol, (img - from) * perImage, 0, pixels, dx, dxOff + img * imgSize);
                }
            });
            return;
        }
        Parallel.forRange(g.n(), 1, threads, (from, to) -> {
            for (int img = from; img < to; img++) {
                int dxImg = dxOff + img * imgSize;
                Arrays.fill(dx, dxImg, dxImg + imgSize, 0f);
                for (int oy = 0; oy < g.oh(); oy += rowsPer) {
                    int rows = Math.min(rowsPer, g.oh() - oy) * g.ow();
                    float[] dcol = scratch(rows * patch);
                    GemmEngine.gemm(rows, patch, g.o(),
                            SgemmPacking.Left.of(false, dy, dyOff + (img * pixels + oy * g.ow()) * g.o(), g.o()),
                            wt, dcol, 0, patch, false, 1);
                    col2im(g, dcol, 0, oy, rows, dx, dxImg);
                }
            }
        });
    }

    /** Output rows of one image per dY · Wᵀ product on the col2im path (all of them unless that is over DCOL_CAP). */
    private static int rowsPerProduct(Conv2dGeometry g) {
        return Math.max(1, Math.min(g.oh(), DCOL_CAP / Math.max(1, g.ow() * g.patch())));
    }

    /**
     * Whole images per dY · Wᵀ product on the col2im path, 0 when images are split into bands of rows. Several small
     * images share a product: Wᵀ is packed once per product instead of once per image, and fewer rows fall in partial
     * tiles (rows are independent, so the sums are the same).
     */
    static int imagesPerProduct(Conv2dGeometry g) {
        if (rowsPerProduct(g) < g.oh()) return 0;
        long perImage = (long) g.oh() * g.ow() * g.patch();
        return (int) Math.max(1, Math.min(g.n(), DCOL_GROUP / Math.max(1, perImage)));
    }

    /**
     * Adds dcol from {@code dcol[d0]} (rows pixels of one image from output row oy0, im2col layout) back into the
     * image at dx[dxImg].
     */
    private static void col2im(Conv2dGeometry g, float[] dcol, int d0, int oy0, int rows, float[] dx, int dxImg) {
        int c = g.c(), patch = g.patch(), cv = c - c % GemmMicroKernels.V;
        for (int r = 0; r < rows; r++) {
            int oy = oy0 + r / g.ow(), ox = r % g.ow();
            for (int ty = 0; ty < g.kh(); ty++) {
                int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                if (sy < 0 || sy >= g.h()) continue;
                for (int tx = 0; tx < g.kw(); tx++) {
                    int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                    if (sx < 0 || sx >= g.w()) continue;
                    int d = dxImg + (sy * g.w() + sx) * c, s = d0 + r * patch + (ty * g.kw() + tx) * c, ch = 0;
                    for (; ch < cv; ch += GemmMicroKernels.V) {
                        FloatVector.fromArray(GemmMicroKernels.S, dx, d + ch)
                                .add(FloatVector.fromArray(GemmMicroKernels.S, dcol, s + ch)).intoArray(dx, d + ch);
                    }
                    for (; ch < c; ch++) dx[d + ch] += dcol[s + ch];
                }
            }
        }
    }

    static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                               int threads) {
        int patch = g.patch(), o = g.o();
        if (Conv2dWinogradFilterKernels.applies(g)) {
            Conv2dWinogradFilterKernels.backpropFilter(g, x, xOff, dy, dyOff, dw, dwOff, threads);
            return;
        }
        if (Conv2dFewChannelKernels.filterGradientApplies(g)) {
            Conv2dFewChannelKernels.backpropFilter(g, x, xOff, dy, dyOff, dw, dwOff, threads);
            return;
        }
        if (Conv2dFilterKernels.applies(g)) {
            Conv2dFilterKernels.backpropFilter(g, x, xOff, dy, dyOff, dw, dwOff, threads);
            return;
        }
        if (readsInPlace(g)) {
            // dW (patch x o) = im2col(x)ᵀ · dY, im2colᵀ read in place: rows are taps, steps pixels
            Tables t = Window.forward(g, x, xOff).tables();
            GemmEngine.gemm(patch, o, g.rows(), new TableLeft(t.data(), t.taps(), t.pixels()),
                    SgemmPacking.Right.of(false, dy, dyOff, o), dw, dwOff, o, false, threads);
            return;
        }
        // dWᵀ (o x patch) = dYᵀ · im2col(x): the big im2col operand is packed once and shared by all threads
        float[] dwT = scratch(o * patch);
        GemmEngine.gemm(o, patch, g.rows(), SgemmPacking.Left.of(true, dy, dyOff, o),
                new WindowRight(Window.forward(g, x, xOff)), dwT, 0, patch, false, threads);
        for (int oc = 0; oc < o; oc++) {
            for (int p = 0; p < patch; p++) dw[dwOff + p * o + oc] = dwT[oc * patch + p];
        }
    }

    // -------------------------------------------------------------------------------- float32 direct (scalar twins)

    private static void forwardDirect(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        int c = g.c(), o = g.o();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                        Arrays.fill(y, yb, yb + o, 0f);
                        for (int ty = 0; ty < g.kh(); ty++) {
                            int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                            if (sy < 0 || sy >= g.h()) continue;
                            for (int tx = 0; tx < g.kw(); tx++) {
                                int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                                if (sx < 0 || sx >= g.w()) continue;
                                int xb = xOff + ((img * g.h() + sy) * g.w() + sx) * c;
                                int wb = wOff + (ty * g.kw() + tx) * c * o;
                                for (int ch = 0; ch < c; ch++) {
                                    float xv = x[xb + ch];
                                    for (int oc = 0; oc < o; oc++) y[yb + oc] += xv * w[wb + ch * o + oc];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    private static void backpropInputDirect(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx,
                                            int dxOff) {
        int c = g.c(), o = g.o(), imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                Arrays.fill(dx, dxOff + img * imgSize, dxOff + (img + 1) * imgSize, 0f);
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                        for (int ty = 0; ty < g.kh(); ty++) {
                            int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                            if (sy < 0 || sy >= g.h()) continue;
                            for (int tx = 0; tx < g.kw(); tx++) {
                                int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                                if (sx < 0 || sx >= g.w()) continue;
                                int xb = dxOff + ((img * g.h() + sy) * g.w() + sx) * c;
                                int wb = wOff + (ty * g.kw() + tx) * c * o;
                                for (int ch = 0; ch < c; ch++) {
                                    float s = 0;
                                    for (int oc = 0; oc < o; oc++) s += dy[db + oc] * w[wb + ch * o + oc];
                                    dx[xb + ch] += s;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    private static void backpropFilterDirect(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw,
                                             int dwOff) {
        int c = g.c(), o = g.o();
        // one task per filter tap: each owns its rows of dw, so the sums need no merging
        Parallel.forRange(g.kh() * g.kw(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int ty = t / g.kw(), tx = t % g.kw(), wb = dwOff + t * c * o;
                Arrays.fill(dw, wb, wb + c * o, 0f);
                for (int img = 0; img < g.n(); img++) {
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                        if (sy < 0 || sy >= g.h()) continue;
                        for (int ox = 0; ox < g.ow(); ox++) {
                            int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                            if (sx < 0 || sx >= g.w()) continue;
                            int xb = xOff + ((img * g.h() + sy) * g.w() + sx) * c;
                            int db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                            for (int ch = 0; ch < c; ch++) {
                                float xv = x[xb + ch];
                                for (int oc = 0; oc < o; oc++) dw[wb + ch * o + oc] += xv * dy[db + oc];
                            }
                        }
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------- float64 (direct)

    /** y = conv2d(x, w), float64 (references and gradient checks). */
    public static void forward(Conv2dGeometry g, double[] x, int xOff, double[] w, int wOff, double[] y, int yOff) {
        g.check("conv2d", "x", len(x), xOff, "filter", len(w), wOff, "y", len(y), yOff);
        int c = g.c(), o = g.o();
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yb = yOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                        Arrays.fill(y, yb, yb + o, 0.0);
                        for (int ty = 0; ty < g.kh(); ty++) {
                            int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                            if (sy < 0 || sy >= g.h()) continue;
                            for (int tx = 0; tx < g.kw(); tx++) {
                                int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                                if (sx < 0 || sx >= g.w()) continue;
                                int xb = xOff + ((img * g.h() + sy) * g.w() + sx) * c;
                                int wb = wOff + (ty * g.kw() + tx) * c * o;
                                for (int ch = 0; ch < c; ch++) {
                                    double xv = x[xb + ch];
                                    for (int oc = 0; oc < o; oc++) y[yb + oc] += xv * w[wb + ch * o + oc];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** dx = the gradient of conv2d with respect to its input, float64. */
    public static void backpropInput(Conv2dGeometry g, double[] dy, int dyOff, double[] w, int wOff, double[] dx,
                                     int dxOff) {
        g.check("conv2d_backprop_input", "dx", len(dx), dxOff, "filter", len(w), wOff, "dy", len(dy), dyOff);
        int c = g.c(), o = g.o(), imgSize = g.h() * g.w() * c;
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                Arrays.fill(dx, dxOff + img * imgSize, dxOff + (img + 1) * imgSize, 0.0);
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                        for (int ty = 0; ty < g.kh(); ty++) {
                            int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                            if (sy < 0 || sy >= g.h()) continue;
                            for (int tx = 0; tx < g.kw(); tx++) {
                                int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                                if (sx < 0 || sx >= g.w()) continue;
                                int xb = dxOff + ((img * g.h() + sy) * g.w() + sx) * c;
                                int wb = wOff + (ty * g.kw() + tx) * c * o;
                                for (int ch = 0; ch < c; ch++) {
                                    double s = 0;
                                    for (int oc = 0; oc < o; oc++) s += dy[db + oc] * w[wb + ch * o + oc];
                                    dx[xb + ch] += s;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** dw = the gradient of conv2d with respect to its filter, float64. */
    public static void backpropFilter(Conv2dGeometry g, double[] x, int xOff, double[] dy, int dyOff, double[] dw,
                                      int dwOff) {
        g.check("conv2d_backprop_filter", "x", len(x), xOff, "dw", len(dw), dwOff, "dy", len(dy), dyOff);
        int c = g.c(), o = g.o();
        Parallel.forRange(g.kh() * g.kw(), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int ty = t / g.kw(), tx = t % g.kw(), wb = dwOff + t * c * o;
                Arrays.fill(dw, wb, wb + c * o, 0.0);
                for (int img = 0; img < g.n(); img++) {
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int sy = oy * g.strideH() + ty * g.dilationH() - g.padTop();
                        if (sy < 0 || sy >= g.h()) continue;
                        for (int ox = 0; ox < g.ow(); ox++) {
                            int sx = ox * g.strideW() + tx * g.dilationW() - g.padLeft();
                            if (sx < 0 || sx >= g.w()) continue;
                            int xb = xOff + ((img * g.h() + sy) * g.w() + sx) * c;
                            int db = dyOff + ((img * g.oh() + oy) * g.ow() + ox) * o;
                            for (int ch = 0; ch < c; ch++) {
                                double xv = x[xb + ch];
                                for (int oc = 0; oc < o; oc++) dw[wb + ch * o + oc] += xv * dy[db + oc];
                            }
                        }
                    }
                }
            }
        });
    }

    private static int len(float[] a) {
        if (a == null) throw new IllegalArgumentException("conv2d: null array");
        return a.length;
    }

    private static int len(double[] a) {
        if (a == null) throw new IllegalArgumentException("conv2d: null array");
        return a.length;
    }
}
