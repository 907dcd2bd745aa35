package dev.fluxion.cpu.kernels;

import dev.fluxion.cpu.kernels.SgemmConvPacking.Window;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Implicit GEMM over a {@link Window} without im2col blocks: the input gradient's gather (stride 1:
 * dx = im2col'(dy) · W per tap, transposed), whose product has only c output columns (2 to 4 column panels), so
 * that packing im2col blocks (each dy cell copied and transposed once per tap) cost as much as a third of the time;
 * and the forward pass of layers with many channels, at any stride.
 *
 * <p>Here, per chunk of output rows, the source is copied once, zero-padded, with the cells under the kw filter
 * columns of each output column side by side ({@code [padded row][output column][kw][c]}): filter row ty of output
 * pixel (py, px) is a run of kw * c steps at row py * strideH + ty * stepH (less the lowest), column px. Rows are
 * stored by stride phase ({@link #pack}), so the chunk's pixels are runs at a constant stride, and only kw (not
 * kh * kw) copies of each cell are made. An MR-pixel x
 * 2-vector tile of the output is kept in 2 * MR accumulators over the filter rows of a k-block: per step MR
 * broadcasts (one per pixel, a run apart) and 2 loads from the B panel, packed once per call and streamed from L2.
 *
 * <p>The forward pass of padded stride-1 layers runs here too ({@link Conv2dKernels#forwardShifts} has the
 * measurements).
 *
 * <p>Every output element is computed by one task, k-block after k-block (boundaries fixed by the geometry), with
 * the same operations whatever its tile: results do not depend on the thread count or the chunking.
 */
final class Conv2dShiftKernels {
    private Conv2dShiftKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    /** Output columns per tile: two vectors. */
    private static final int OB = 2 * V;
    /**
     * Pixels per tile: 8 at 512 bits, else 5 (10 accumulator chains, enough for a 5-cycle FMA latency on two pipes).
     * The 5-pixel tile takes one step per loop iteration: unrolled by two, as the 4-pixel tile it replaced was, C2
     * spilled it (47 GFLOP/s); one step at a time it ran 3-8% faster than the unrolled 4-pixel tile on Zen 2.
     */
    private static final int MR = GemmMicroKernels.V >= 16 ? 8 : 5;
    /**
     * Most k steps per block: whole filter rows, all three of a 3x3 filter over up to 128 channels. Each tile then
     * makes one pass, and the B block (up to 72 KiB at 256-bit vectors) streams from L2: on Zen 2, one thread, that ran
     * 4-9% faster than blocks of 256 steps that stay in L1, whose tiles were stored and read back once per block
     * (ConvBench).
     */
    private static final int KC = 1152;
    /** Most steps in one filter row (kw * c): the range measured against the GEMM paths. */
    private static final int MAX_RUN = 512;
    /** Output pixels per chunk (its copy, kw times its cells, stays in L2); fewer when threads would lack chunks. */
    private static final int CHUNK_PIXELS = 256;

    /**
     * Whether a window with {@code n} output columns runs here: stride 1, whole tiles of columns, and filter rows of at
     * most {@link #MAX_RUN} steps (measured up to 3 x 128 channels).
     */
    static boolean applies(Window win, int n) {
        return win.strideH() >= 1 && win.strideW() >= 1 && n % OB == 0 && n > 0 && win.c() > 0
                && win.kh() * win.kw() > 0 && win.kw() * win.c() <= MAX_RUN
                && win.images() * win.gridH() * win.gridW() > 0;
    }

    /** The k-blocks of a call over {@code win}: its kh filter rows in groups of at most KC steps (at least one row). */
    static int kBlocks(Window win) {
        int rowsPerBlock = Math.max(1, KC / (win.kw() * win.c()));
        return (win.kh() + rowsPerBlock - 1) / rowsPerBlock;
    }

    /** Per-thread copies of the source, grown on demand. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    /** The calling thread's packed B (read by all threads during its call). */
    private static final ThreadLocal<float[][]> PACKED_B = ThreadLocal.withInitial(() -> new float[1][0]);

    /** y (pixels x n, row stride n) = epi(im2col(win) · B), B (taps * c x n) packed from {@code b}. */
    static void gemm(Window win, SgemmPacking.Right b, int n, float[] y, int yOff, GemmEpilogue epi, int threads) {
        int c = win.c(), kh = win.kh(), kw = win.kw(), k = kh * kw * c, gh = win.gridH(), gw = win.gridW();
        int run = kw * c, oBlocks = n / OB;
        float[][] bHolder = PACKED_B.get();
        if (bHolder[0].length < oBlocks * k * OB) bHolder[0] = new float[oBlocks * k * OB];
        float[] bp = bHolder[0];
        for (int ob = 0; ob < oBlocks; ob++) b.pack(0, k, ob * OB, OB, bp, ob * k * OB);
        // k-blocks of whole filter rows, balanced
        int nkb = kBlocks(win);
        int[] rowStart = new int[nkb + 1];
        for (int kb = 0; kb <= nkb; kb++) rowStart[kb] = kb * kh / nkb;
        // the chunk's source rows r: filter row ty of output row py is r = (py - oy0) * strideH + ty * stepH - rMin,
        // stored by phase (see pack) so that consecutive output rows read consecutive copy rows
        int sh = win.strideH(), rMin = Math.min(0, (kh - 1) * win.stepH()), rSpan = Math.abs((kh - 1) * win.stepH());
        int bandRows = Math.max(1, Math.min(gh, CHUNK_PIXELS / gw));
        if ((long) win.images() * ((gh + bandRows - 1) / bandRows) < 4L * threads && threads > 1) {
            bandRows = Math.max(1, Math.min(gh, (int) ((long) gh * win.images() / (4L * threads))));
        }
        int rowsPer = bandRows, chunksPerImage = (gh + bandRows - 1) / bandRows;
        Parallel.forRange(win.images() * chunksPerImage, 1, threads, (from, to) -> {
            float[] tile = new float[MR * OB];
            int[] shift = new int[kh];
            for (int chunk = from; chunk < to; chunk++) {
                int img = chunk / chunksPerImage, oy0 = chunk % chunksPerImage * rowsPer;
                int rows = Math.min(rowsPer, gh - oy0), pr = (rows - 1) * sh + rSpan + 1;
                int phaseRows = (pr + sh - 1) / sh;
                float[][] holder = SCRATCH.get();
                if (holder[0].length < sh * phaseRows * gw * run) holder[0] = new float[sh * phaseRows * gw * run];
                float[] a = holder[0];
                pack(win, img, oy0 * sh + rMin, pr, phaseRows, a);
                for (int ty = 0; ty < kh; ty++) {
                    int r = ty * win.stepH() - rMin;
                    shift[ty] = ((r % sh) * phaseRows + r / sh) * gw * run;
                }
                int pixels = rows * gw, yb = yOff + ((img * gh + oy0) * gw) * n;
                for (int ob = 0; ob < oBlocks; ob++) {
                    for (int kb = 0; kb < nkb; kb++) {
                        int ty0 = rowStart[kb], ty1 = rowStart[kb + 1], bi = ob * k * OB + ty0 * run * OB;
                        boolean last = kb == nkb - 1;
                        for (int q = 0; q < pixels; q += MR) {
                            int mr = Math.min(MR, pixels - q), yi = yb + q * n + ob * OB;
                            if (mr == MR) {
                                tile(a, q * run, run, shift, ty0, ty1, bp, bi, y, yi, n, MR, kb > 0);
                            } else {
                                tile(a, q * run, run, shift, ty0, ty1, bp, bi, tile, 0, OB, mr, false);
                                for (int r = 0; r < mr; r++) {
                                    for (int j = 0; j < OB; j++) {
                                        int e = yi + r * n + j;
                                        y[e] = kb > 0 ? y[e] + tile[r * OB + j] : tile[r * OB + j];
                                    }
                                }
                            }
                            if (last) epi.applyVector(y, yi, n, mr, ob * OB, OB);
                        }
                    }
                }
            }
        });
    }

    /**
     * Copies rows [r0, r0 + pr) (window coordinates: source row r0 + offH + r) of image img into {@code a} as
     * {@code [row][gridW][kw][c]}: the cells under filter columns tx = 0..kw-1 of output column px, that is source
     * columns px * strideW + tx * stepW + offW, side by side; cells outside the source are zero. Row r is stored at
     * (r mod strideH) * phaseRows + r / strideH, so that the rows one filter row reads for consecutive output rows
     * (strideH apart) follow each other and a chunk's pixels are runs at a constant stride.
     */
    private static void pack(Window win, int img, int r0, int pr, int phaseRows, float[] a) {
        int c = win.c(), gw = win.gridW(), w = win.w(), kw = win.kw(), run = kw * c, sh = win.strideH();
        int base = win.off() + img * win.h() * w * c;
        for (int r = 0; r < pr; r++) {
            int sy = r0 + r + win.offH(), row = ((r % sh) * phaseRows + r / sh) * gw * run;
            if (sy < 0 || sy >= win.h()) {
                Arrays.fill(a, row, row + gw * run, 0f);
                continue;
            }
            int src = base + sy * w * c;
            for (int px = 0; px < gw; px++) {
                int sx = px * win.strideW() + win.offW(), d = row + px * run;
                if (win.stepW() == 1 && sx >= 0 && sx + kw <= w) {
                    System.arraycopy(win.src(), src + sx * c, a, d, run);
                    continue;
                }
                for (int tx = 0; tx < kw; tx++, sx += win.stepW(), d += c) {
                    if (sx < 0 || sx >= w) Arrays.fill(a, d, d + c, 0f);
                    else System.arraycopy(win.src(), src + sx * c, a, d, c);
                }
            }
        }
    }

    /**
     * The output tile at {@code y[yi]} (MR rows {@code ldy} apart, two vectors) (+)= the sums over filter rows
     * [ty0, ty1): pixel r's run of {@code run} steps (filter columns, channels) under row ty at
     * {@code a[ai + min(r, mr - 1) * run + shift[ty]]} (rows past mr repeat the last pixel and are discarded by the
     * caller), B steps at {@code b[bi]}, consecutive. {@link Conv2dWinogradKernels} runs its products here too (one
     * filter row: MR rows of a matrix, {@code run} apart, read in place).
     */
    static void tile(float[] a, int ai, int run, int[] shift, int ty0, int ty1, float[] b, int bi, float[] y, int yi,
                     int ldy, int mr, boolean add) {
        if (MR == 8) tile8(a, ai, run, shift, ty0, ty1, b, bi, y, yi, ldy, mr, add);
        else tile5(a, ai, run, shift, ty0, ty1, b, bi, y, yi, ldy, mr, add);
    }

    /** {@link #tile} with 5 pixels. */
    private static void tile5(float[] a, int ai, int run, int[] shift, int ty0, int ty1, float[] b, int bi, float[] y,
                              int yi, int ldy, int mr, boolean add) {
        int o1 = Math.min(1, mr - 1) * run, o2 = Math.min(2, mr - 1) * run, o3 = Math.min(3, mr - 1) * run;
        int o4 = Math.min(4, mr - 1) * run;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z, e0 = z, e1 = z;
        int pb = bi;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int pa = ai + shift[ty], end = pa + run; pa < end; pa++, pb += OB) {
                FloatVector w0 = FloatVector.fromArray(S, b, pb), w1 = FloatVector.fromArray(S, b, pb + V);
                FloatVector v = FloatVector.broadcast(S, a[pa]);
                a0 = v.fma(w0, a0);
                a1 = v.fma(w1, a1);
                v = FloatVector.broadcast(S, a[pa + o1]);
                b0 = v.fma(w0, b0);
                b1 = v.fma(w1, b1);
                v = FloatVector.broadcast(S, a[pa + o2]);
                c0 = v.fma(w0, c0);
                c1 = v.fma(w1, c1);
                v = FloatVector.broadcast(S, a[pa + o3]);
                d0 = v.fma(w0, d0);
                d1 = v.fma(w1, d1);
                v = FloatVector.broadcast(S, a[pa + o4]);
                e0 = v.fma(w0, e0);
                e1 = v.fma(w1, e1);
            }
        }
        // written out here, not through a helper: see GemmMicroKernels.NEGATIVE_ZEROS
        float[] base = add ? y : GemmMicroKernels.NEGATIVE_ZEROS;
        int at = add ? yi : 0, step = add ? ldy : 0;
        FloatVector.fromArray(S, base, at).add(a0).intoArray(y, yi);
        FloatVector.fromArray(S, base, at + V).add(a1).intoArray(y, yi + V);
        FloatVector.fromArray(S, base, at + step).add(b0).intoArray(y, yi + ldy);
        FloatVector.fromArray(S, base, at + step + V).add(b1).intoArray(y, yi + ldy + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c0).intoArray(y, yi + 2 * ldy);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c1).intoArray(y, yi + 2 * ldy + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(d0).intoArray(y, yi + 3 * ldy);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(d1).intoArray(y, yi + 3 * ldy + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(e0).intoArray(y, yi + 4 * ldy);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(e1).intoArray(y, yi + 4 * ldy + V);
    }

    /** {@link #tile} with 8 pixels. */
    private static void tile8(float[] a, int ai, int run, int[] shift, int ty0, int ty1, float[] b, int bi, float[] y,
                              int yi, int ldy, int mr, boolean add) {
        int o1 = Math.min(1, mr - 1) * run, o2 = Math.min(2, mr - 1) * run, o3 = Math.min(3, mr - 1) * run;
        int o4 = Math.min(4, mr - 1) * run, o5 = Math.min(5, mr - 1) * run, o6 = Math.min(6, mr - 1) * run;
        int o7 = Math.min(7, mr - 1) * run;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z;
        FloatVector e0 = z, e1 = z, f0 = z, f1 = z, g0 = z, g1 = z, h0 = z, h1 = z;
        int pb = bi;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int pa = ai + shift[ty], end = pa + run; pa < end; pa++, pb += OB) {
                FloatVector w0 = FloatVector.fromArray(S, b, pb), w1 = FloatVector.fromArray(S, b, pb + V);
                FloatVector v = FloatVector.broadcast(S, a[pa]);
                a0 = v.fma(w0, a0);
                a1 = v.fma(w1, a1);
                v = FloatVector.broadcast(S, a[pa + o1]);
                b0 = v.fma(w0, b0);
                b1 = v.fma(w1, b1);
                v = FloatVector.broadcast(S, a[pa + o2]);
                c0 = v.fma(w0, c0);
                c1 = v.fma(w1, c1);
                v = FloatVector.broadcast(S, a[pa + o3]);
                d0 = v.fma(w0, d0);
                d1 = v.fma(w1, d1);
                v = FloatVector.broadcast(S, a[pa + o4]);
                e0 = v.fma(w0, e0);
                e1 = v.fma(w1, e1);
                v = FloatVector.broadcast(S, a[pa + o5]);
                f0 = v.fma(w0, f0);
                f1 = v.fma(w1, f1);
                v = FloatVector.broadcast(S, a[pa + o6]);
                g0 = v.fma(w0, g0);
                g1 = v.fma(w1, g1);
                v = FloatVector.broadcast(S, a[pa + o7]);
                h0 = v.fma(w0, h0);
                h1 = v.fma(w1, h1);
            }
        }
        // written out here, not through a helper: see GemmMicroKernels.NEGATIVE_ZEROS
        float[] base = add ? y : GemmMicroKernels.NEGATIVE_ZEROS;
        int at = add ? yi : 0, step = add ? ldy : 0;
        FloatVector.fromArray(S, base, at).add(a0).intoArray(y, yi);
        FloatVector.fromArray(S, base, at + V).add(a1).intoArray(y, yi + V);
        FloatVector.fromArray(S, base, at + step).add(b0).intoArray(y, yi + ldy);
        FloatVector.fromArray(S, base, at + step + V).add(b1).intoArray(y, yi + ldy + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c0).intoArray(y, yi + 2 * ldy);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c1).intoArray(y, yi + 2 * ldy + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(d0).intoArray(y, yi + 3 * ldy);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(d1).intoArray(y, yi + 3 * ldy + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(e0).intoArray(y, yi + 4 * ldy);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(e1).intoArray(y, yi + 4 * ldy + V);
        FloatVector.fromArray(S, base, at + 5 * step).add(f0).intoArray(y, yi + 5 * ldy);
        FloatVector.fromArray(S, base, at + 5 * step + V).add(f1).intoArray(y, yi + 5 * ldy + V);
        FloatVector.fromArray(S, base, at + 6 * step).add(g0).intoArray(y, yi + 6 * ldy);
        FloatVector.fromArray(S, base, at + 6 * step + V).add(g1).intoArray(y, yi + 6 * ldy + V);
        FloatVector.fromArray(S, base, at + 7 * step).add(h0).intoArray(y, yi + 7 * ldy);
        FloatVector.fromArray(S, base, at + 7 * step + V).add(h1).intoArray(y, yi + 7 * ldy + V);
    }
}
