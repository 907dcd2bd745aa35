package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 filter gradient for channels in fours and filters in whole blocks of two vectors, without im2col.
 * dW[t, ch, oc] = sum over output pixels p of x(p under tap t, ch) * dy[p, oc] has a very long reduction (every pixel
 * of the batch) and a small result. As a GEMM over im2col, packing im2col copies x once per tap (9 times for 3x3), a
 * quarter of the time. Here, per chunk of about {@link #CHUNK_PIXELS} output pixels (a band of rows of one image, or
 * several small images):
 * <ul>
 *   <li>x is packed once per filter column tx, zero-padded, as panels of 4, 5 or 8 channels per cell
 *       ({@code [tx][channel block][image][padded row][output column][channel]}): the cell under tap (ty, tx) of output
 *       pixel (oy, ox) is padded row oy * strideH + ty * dilationH, column ox of panel tx. Padded rows are stored by
 *       phase (row r at (r mod strideH) * rowsPerPhase + r / strideH), so that the rows one tap reads for consecutive
 *       output rows follow each other: every tap reads a panel at a constant shift and an image's pixels are one
 *       consecutive run at any stride (with stride 2, runs of one output row cost the tiles a fifth to a half of
 *       their time in loading and storing their accumulators);</li>
 *   <li>dy is packed as panels of two vectors of filters per pixel;</li>
 *   <li>each 4, 5 or 8 channel x 2 vector (filter) tile of dW is kept in 8, 10 or 16 accumulators while a run of
 *       pixels streams by: per pixel a broadcast per channel from the x panel and 2 loads from the dy panel, which
 *       stays in L1 across taps and channel blocks ({@link #channelBlock}).</li>
 * </ul>
 * Threads take whole groups of images ({@link #PARTIALS} per batch); each group's sums are kept apart and added in
 * group order, run sums in run order, so every element of dW is computed by the same operations in the same
 * order on any number of threads.
 */
final class Conv2dFilterKernels {
    private Conv2dFilterKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    /** Filters per tile: two vectors. */
    private static final int OB = 2 * V;
    /**
     * Channels per tile when they come in fours: 8 accumulators + 2 dy vectors + 4 broadcasts fit AVX2's 16
     * registers. With 512-bit vectors (32 registers), channels in eights run 8 per tile ({@link #channelBlock}):
     * 8 accumulator chains are too few to cover the FMA latency on two pipes.
     */
    private static final int CB = 4;
    /** Pixels per chunk: a dy panel of CHUNK_PIXELS * OB floats (16 KiB at 256-bit vectors) stays in L1. */
    private static final int CHUNK_PIXELS = 256;
    /**
     * Partial sums, over consecutive groups of images: their number depends on the batch alone, so that the summation
     * order never depends on the thread count, and lets threads balance (a core shared with other work takes fewer).
     */
    private static final int PARTIALS = 8;
    /** Most floats of partial sums kept (16 MiB): larger filters (above 3x3x256x256) run on GEMM. */
    private static final long PARTIAL_CAP = 1 << 22;

    /**
     * Whether this kernel runs: channels in fours, filters in whole tiles, a non-empty output, and enough channels or
     * filters. Measured against the GEMM paths on Zen 3 (batch 128, 3x3, one thread): 1.05x to 1.6x faster from 32
     * channels or 64 filters on; 0.6x to 0.95x below that (4 to 16 channels with 16 or 32 filters), where packing x
     * three times costs too much next to the few multiply-adds per pixel and reading x in place wins.
     */
    static boolean applies(Conv2dGeometry g) {
        return g.c() % CB == 0 && g.o() % OB == 0 && (g.c() >= 32 || g.o() >= 64) && g.kh() * g.kw() > 0
                && g.rows() > 0 && g.wSize() * (PARTIALS - 1) <= PARTIAL_CAP;
    }

    /**
     * Channels per tile for {@code c} channels (a multiple of {@link #CB}): 8 where the tile fits; with 16 registers,
     * 5 from 32 channels on (10 accumulator chains cover the FMA latency on two pipes, 8 cannot; the channels past c,
     * 3 of 35 for 32, are zeros whose sums are dropped), else 4. The x packing copies blocks in loops of constant
     * length per size: with the block size a run-time value, the copies stayed loops and cost 4-5% of the kernel.
     */
    static int channelBlock(int c) {
        if (GemmMicroKernels.MR == 8) return c % 8 == 0 ? 8 : CB;
        return GemmMicroKernels.MR == 5 && c >= 32 ? 5 : CB;
    }

    /** Per-thread packed panels, grown on demand. */
    private static final class Scratch {
        float[] x = new float[0], dy = new float[0], wide = new float[0];
        /** A tile whose last rows are channels past c, so that they land nowhere in dW. */
        final float[] tile = new float[GemmMicroKernels.MR * OB];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The calling thread's buffer of partial sums (written by all threads during its call). */
    private static final ThreadLocal<float[][]> PARTIAL = ThreadLocal.withInitial(() -> new float[1][0]);

    static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                               int threads) {
        // a chunk is `images` whole images, or `bandRows` output rows of one image
        int images = Math.max(1, CHUNK_PIXELS / (g.oh() * g.ow()));
        int bandRows = Math.max(1, Math.min(g.oh(), CHUNK_PIXELS / g.ow()));
        int size = g.patch() * g.o(), groups = Math.min(g.n(), PARTIALS);
        float[][] holder = PARTIAL.get();
        if (holder[0].length < (groups - 1) * size) holder[0] = new float[(groups - 1) * size];
        float[] partial = holder[0];
        Parallel.forRange(groups, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (int grp = from; grp < to; grp++) {
                float[] p = grp == 0 ? dw : partial;
                int pb = grp == 0 ? dwOff : (grp - 1) * size;
                int n0 = (int) ((long) grp * g.n() / groups), n1 = (int) ((long) (grp + 1) * g.n() / groups);
                boolean add = false;
                for (int n = n0; n < n1; n += images) {
                    for (int oy = 0; oy < g.oh(); oy += bandRows, add = true) {
                        chunk(g, x, xOff, dy, dyOff, n, Math.min(images, n1 - n), oy, Math.min(bandRows, g.oh() - oy),
                                p, pb, add, s);
                    }
                }
            }
        });
        addPartials(dw, dwOff, partial, 0, groups - 1, size, threads);
    }

    /**
     * {@code dst[dOff + i] += partial[pOff + grp * size + i]} for grp = 0 .. groups - 1 in that order, split over
     * threads by element: each element is summed on its own, so any split gives the same bits. The kernels that keep
     * fixed groups of partial sums (here and {@link Conv2dWinogradFilterKernels}) finish with it.
     */
    static void addPartials(float[] dst, int dOff, float[] partial, int pOff, int groups, int size, int threads) {
        if (groups <= 0) return;
        Parallel.forRange(size, Math.max(1 << 12, size / (4 * threads)), threads, (from, to) -> {
            for (int grp = 0; grp < groups; grp++) {
                int pb = pOff + grp * size;
                for (int i = from; i < to; i++) dst[dOff + i] += partial[pb + i];
            }
        });
    }

    /**
     * Adds to (or, when {@code !add}, writes) the dW at {@code p[pb]} the sums over output rows [oy0, oy0 + rows) of
     * images [n0, n0 + images).
     */
    private static void chunk(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, int n0, int images,
                              int oy0, int rows, float[] p, int pb, boolean add, Scratch s) {
        int c = g.c(), o = g.o(), ow = g.ow(), sh = g.strideH(), kw = g.kw(), cpt = channelBlock(c); // per tile
        int pr = (rows - 1) * sh + (g.kh() - 1) * g.dilationH() + 1, phaseRows = (pr + sh - 1) / sh;
        int fullBlocks = c / cpt, cBlocks = (c + cpt - 1) / cpt, oBlocks = o / OB;
        int aImg = sh * phaseRows * ow * cpt, aBlock = images * aImg, aCol = cBlocks * aBlock;
        int steps = images * rows * ow, bBlock = steps * OB;
        if (s.x.length < kw * aCol) s.x = new float[kw * aCol];
        if (s.dy.length < oBlocks * bBlock) s.dy = new float[oBlocks * bBlock];
        float[] xp = s.x, dp = s.dy;
        packX(g, x, xOff, n0, images, oy0, pr, phaseRows, cpt, aBlock, aCol, xp, s);
        // dy: per filter block, the chunk's pixels in order, OB filters each
        for (int img = 0, q = 0; img < images; img++) {
            for (int r = 0; r < rows; r++) {
                int src = dyOff + (((n0 + img) * g.oh() + oy0 + r) * ow) * o;
                for (int ox = 0; ox < ow; ox++, q++, src += o) {
                    for (int ob = 0; ob < oBlocks; ob++) {
                        int d = ob * bBlock + q * OB, e = src + ob * OB;
                        FloatVector.fromArray(S, dy, e).intoArray(dp, d);
                        FloatVector.fromArray(S, dy, e + V).intoArray(dp, d + V);
                    }
                }
            }
        }
        int run = rows * ow; // each image's pixels, the rows of a phase following each other
        for (int ob = 0; ob < oBlocks; ob++) {
            for (int ty = 0, t = 0; ty < g.kh(); ty++) {
                int r0 = ty * g.dilationH(); // the padded row under tap ty of output row 0
                for (int tx = 0; tx < kw; tx++, t++) {
                    int a0 = tx * aCol + ((r0 % sh) * phaseRows + r0 / sh) * ow * cpt;
                    for (int cb = 0; cb < cBlocks; cb++) {
                        int ai = a0 + cb * aBlock, pi = pb + (t * c + cb * cpt) * o + ob * OB;
                        int bi = ob * bBlock;
                        if (cb == fullBlocks) { // channels past c: on the scratch tile, its real rows in and out
                            int real = c - cb * cpt;
                            if (add) for (int r = 0; r < real; r++) System.arraycopy(p, pi + r * o, s.tile, r * OB, OB);
                            tiles(cpt, xp, ai, aImg, dp, bi, images, run, s.tile, 0, OB, add);
                            for (int r = 0; r < real; r++) System.arraycopy(s.tile, r * OB, p, pi + r * o, OB);
                        } else {
                            tiles(cpt, xp, ai, aImg, dp, bi, images, run, p, pi, o, add);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs x once per filter column tx: cell (r, ox) of image img, stored at phase row
     * (r mod strideH) * phaseRows + r / strideH, is input cell
     * (oy0 * sh + r - padTop, ox * strideW + tx * dilationW - padLeft), zero outside. Each input row is packed once, in
     * blocks, into a zero-padded wide row whose cells are stored by column phase (cell j at
     * (j mod strideW) * phaseCols + j / strideW), and the kw panels are copied from it as runs: the cells tap column tx
     * reads for consecutive output columns are adjacent there (per-cell copies for every tap column were a fifth of the
     * kernel's time at stride 1; at stride 2 this measured level with them, 0-2% faster, and leaves one path).
     */
    private static void packX(Conv2dGeometry g, float[] x, int xOff, int n0, int images, int oy0, int pr,
                              int phaseRows, int cpt, int aBlock, int aCol, float[] xp, Scratch s) {
        int c = g.c(), ow = g.ow(), kw = g.kw(), sh = g.strideH(), sw = g.strideW(), cBlocks = (c + cpt - 1) / cpt;
        int wideCols = (ow - 1) * sw + (kw - 1) * g.dilationW() + 1, phaseCols = (wideCols + sw - 1) / sw;
        int wideBlock = sw * phaseCols * cpt;
        if (s.wide.length < cBlocks * wideBlock) s.wide = new float[cBlocks * wideBlock];
        for (int img = 0; img < images; img++) {
            int xImg = xOff + (n0 + img) * g.h() * g.w() * c;
            for (int r = 0; r < pr; r++) {
                int iy = oy0 * sh + r - g.padTop();
                int row = ((img * sh + r % sh) * phaseRows + r / sh) * ow * cpt;
                if (iy < 0 || iy >= g.h()) {
                    for (int tx = 0; tx < kw; tx++) {
                        for (int cb = 0, e = tx * aCol + row; cb < cBlocks; cb++, e += aBlock) {
                            Arrays.fill(xp, e, e + ow * cpt, 0f);
                        }
                    }
                    continue;
                }
                int src = xImg + iy * g.w() * c;
                for (int phase = 0; phase < sw; phase++) {
                    for (int j = phase, d = phase * phaseCols * cpt; j < wideCols; j += sw, d += cpt) {
                        int ix = j - g.padLeft();
                        cell(x, src + ix * c, ix >= 0 && ix < g.w(), c, cpt, s.wide, d, wideBlock);
                    }
                }
                for (int tx = 0; tx < kw; tx++) {
                    int col = tx * g.dilationW(), from = ((col % sw) * phaseCols + col / sw) * cpt;
                    for (int cb = 0; cb < cBlocks; cb++) {
                        System.arraycopy(s.wide, cb * wideBlock + from, xp, tx * aCol + cb * aBlock + row, ow * cpt);
                    }
                }
            }
        }
    }

    /**
     * Copies the c channels at {@code x[src]} (zeros unless {@code inside}) into blocks of cpt at {@code d},
     * {@code d + blockStride}, ...; the channels past c are zeros.
     */
    private static void cell(float[] x, int src, boolean inside, int c, int cpt, float[] dst, int d, int blockStride) {
        int cBlocks = (c + cpt - 1) / cpt, fullBlocks = c / cpt, cb = 0;
        if (!inside) {
            for (int e = d; cb < cBlocks; cb++, e += blockStride) Arrays.fill(dst, e, e + cpt, 0f);
            return;
        }
        // constant trip counts per block size: C2 unrolls them into straight copies
        if (cpt == CB) {
            for (; cb < fullBlocks; cb++, src += CB) {
                int e = d + cb * blockStride;
                for (int j = 0; j < CB; j++) dst[e + j] = x[src + j];
            }
        } else if (cpt == 5) {
            for (; cb < fullBlocks; cb++, src += 5) {
                int e = d + cb * blockStride;
                for (int j = 0; j < 5; j++) dst[e + j] = x[src + j];
            }
        } else {
            for (; cb < fullBlocks; cb++, src += cpt) {
                int e = d + cb * blockStride;
                for (int j = 0; j < cpt; j++) dst[e + j] = x[src + j];
            }
        }
        if (cb < cBlocks) { // the channels past c are zeros
            int e = d + cb * blockStride, real = c - cb * cpt;
            for (int j = 0; j < cpt; j++) dst[e + j] = j < real ? x[src + j] : 0f;
        }
    }

    /** One tile call per image's run of pixels, the first writing (unless {@code add}) and the others adding. */
    private static void tiles(int cpt, float[] xp, int ai, int aImg, float[] dp, int bi, int images, int run,
                              float[] p, int pi, int o, boolean add) {
        for (int img = 0, q = bi; img < images; img++, q += run * OB) {
            int at = ai + img * aImg;
            boolean sum = add || img > 0;
            if (cpt == 8) tile8(xp, at, dp, q, run, p, pi, o, sum);
            else if (cpt == 5) tile5(xp, at, dp, q, run, p, pi, o, sum);
            else tile(xp, at, dp, q, run, p, pi, o, sum);
        }
    }

    /**
     * The tile at {@code p[pb]} (4 rows {@code o} apart, two vectors) (+)= the sums over {@code run} consecutive
     * pixels: x panel cells of 4 channels at {@code a[ai]}, dy panel values at {@code b[bi]}. One counted loop
     * between loading and storing the accumulators (see {@link #tile8}).
     */
    private static void tile(float[] a, int ai, float[] b, int bi, int run, float[] p, int pb, int o, boolean add) {
        // written out here, not through a helper: see GemmMicroKernels.NEGATIVE_ZEROS
        float[] base = add ? p : GemmMicroKernels.NEGATIVE_ZEROS;
        int at = add ? pb : 0, step = add ? o : 0;
        FloatVector a0 = FloatVector.fromArray(S, base, at), a1 = FloatVector.fromArray(S, base, at + V);
        FloatVector b0 = FloatVector.fromArray(S, base, at + step), b1 = FloatVector.fromArray(S, base, at + step + V);
        FloatVector c0 = FloatVector.fromArray(S, base, at + 2 * step);
        FloatVector c1 = FloatVector.fromArray(S, base, at + 2 * step + V);
        FloatVector d0 = FloatVector.fromArray(S, base, at + 3 * step);
        FloatVector d1 = FloatVector.fromArray(S, base, at + 3 * step + V);
        for (int k = 0; k < run; k++) {
            int qb = bi + k * OB, qa = ai + k * CB;
            FloatVector y0 = FloatVector.fromArray(S, b, qb), y1 = FloatVector.fromArray(S, b, qb + V);
            FloatVector v = FloatVector.broadcast(S, a[qa]);
            a0 = v.fma(y0, a0);
            a1 = v.fma(y1, a1);
            v = FloatVector.broadcast(S, a[qa + 1]);
            b0 = v.fma(y0, b0);
            b1 = v.fma(y1, b1);
            v = FloatVector.broadcast(S, a[qa + 2]);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            v = FloatVector.broadcast(S, a[qa + 3]);
            d0 = v.fma(y0, d0);
            d1 = v.fma(y1, d1);
        }
        a0.intoArray(p, pb);
        a1.intoArray(p, pb + V);
        b0.intoArray(p, pb + o);
        b1.intoArray(p, pb + o + V);
        c0.intoArray(p, pb + 2 * o);
        c1.intoArray(p, pb + 2 * o + V);
        d0.intoArray(p, pb + 3 * o);
        d1.intoArray(p, pb + 3 * o + V);
    }

    /** {@link #tile} for 5 channels (x panel cells of 5). */
    private static void tile5(float[] a, int ai, float[] b, int bi, int run, float[] p, int pb, int o, boolean add) {
        // written out here, not through a helper: see GemmMicroKernels.NEGATIVE_ZEROS
        float[] base = add ? p : GemmMicroKernels.NEGATIVE_ZEROS;
        int at = add ? pb : 0, step = add ? o : 0;
        FloatVector a0 = FloatVector.fromArray(S, base, at), a1 = FloatVector.fromArray(S, base, at + V);
        FloatVector b0 = FloatVector.fromArray(S, base, at + step), b1 = FloatVector.fromArray(S, base, at + step + V);
        FloatVector c0 = FloatVector.fromArray(S, base, at + 2 * step);
        FloatVector c1 = FloatVector.fromArray(S, base, at + 2 * step + V);
        FloatVector d0 = FloatVector.fromArray(S, base, at + 3 * step);
        FloatVector d1 = FloatVector.fromArray(S, base, at + 3 * step + V);
        FloatVector e0 = FloatVector.fromArray(S, base, at + 4 * step);
        FloatVector e1 = FloatVector.fromArray(S, base, at + 4 * step + V);
        // the packed GEMM tile's loop shape (A's offset counts the steps, B's follows): C2 keeps B's range checks,
        // which hold each broadcast next to its FMAs; indexing both from one counter let it hoist all five and spill
        for (int qa = ai, qb = bi, end = ai + run * 5; qa < end; qa += 5, qb += OB) {
            FloatVector y0 = FloatVector.fromArray(S, b, qb), y1 = FloatVector.fromArray(S, b, qb + V);
            FloatVector v = FloatVector.broadcast(S, a[qa]);
            a0 = v.fma(y0, a0);
            a1 = v.fma(y1, a1);
            v = FloatVector.broadcast(S, a[qa + 1]);
            b0 = v.fma(y0, b0);
            b1 = v.fma(y1, b1);
            v = FloatVector.broadcast(S, a[qa + 2]);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            v = FloatVector.broadcast(S, a[qa + 3]);
            d0 = v.fma(y0, d0);
            d1 = v.fma(y1, d1);
            v = FloatVector.broadcast(S, a[qa + 4]);
            e0 = v.fma(y0, e0);
            e1 = v.fma(y1, e1);
        }
        a0.intoArray(p, pb);
        a1.intoArray(p, pb + V);
        b0.intoArray(p, pb + o);
        b1.intoArray(p, pb + o + V);
        c0.intoArray(p, pb + 2 * o);
        c1.intoArray(p, pb + 2 * o + V);
        d0.intoArray(p, pb + 3 * o);
        d1.intoArray(p, pb + 3 * o + V);
        e0.intoArray(p, pb + 4 * o);
        e1.intoArray(p, pb + 4 * o + V);
    }

    /**
     * {@link #tile} for 8 channels and one run: the tile at {@code p[pb]} (8 rows {@code o} apart, two vectors) (+)=
     * the sums over {@code run} consecutive pixels, x panel cells of 8 channels at {@code a[ai]}, dy panel values at
     * {@code b[bi]}. One counted loop with the accumulators loaded before it and stored after it: with the image and
     * run loops inside, C2 sometimes (depending on what compiled first) kept one accumulator on the stack, a store and
     * a load on its FMA chain every pixel, and ran the kernel 1.6-2.5x slower.
     */
    private static void tile8(float[] a, int ai, float[] b, int bi, int run, float[] p, int pb, int o, boolean add) {
        // written out here, not through a helper: see GemmMicroKernels.NEGATIVE_ZEROS
        float[] base = add ? p : GemmMicroKernels.NEGATIVE_ZEROS;
        int at = add ? pb : 0, step = add ? o : 0;
        FloatVector a0 = FloatVector.fromArray(S, base, at), a1 = FloatVector.fromArray(S, base, at + V);
        FloatVector b0 = FloatVector.fromArray(S, base, at + step), b1 = FloatVector.fromArray(S, base, at + step + V);
        FloatVector c0 = FloatVector.fromArray(S, base, at + 2 * step);
        FloatVector c1 = FloatVector.fromArray(S, base, at + 2 * step + V);
        FloatVector d0 = FloatVector.fromArray(S, base, at + 3 * step);
        FloatVector d1 = FloatVector.fromArray(S, base, at + 3 * step + V);
        FloatVector e0 = FloatVector.fromArray(S, base, at + 4 * step);
        FloatVector e1 = FloatVector.fromArray(S, base, at + 4 * step + V);
        FloatVector f0 = FloatVector.fromArray(S, base, at + 5 * step);
        FloatVector f1 = FloatVector.fromArray(S, base, at + 5 * step + V);
        FloatVector g0 = FloatVector.fromArray(S, base, at + 6 * step);
        FloatVector g1 = FloatVector.fromArray(S, base, at + 6 * step + V);
        FloatVector h0 = FloatVector.fromArray(S, base, at + 7 * step);
        FloatVector h1 = FloatVector.fromArray(S, base, at + 7 * step + V);
        for (int k = 0; k < run; k++) {
            int qb = bi + k * OB, qa = ai + k * 8;
            FloatVector y0 = FloatVector.fromArray(S, b, qb), y1 = FloatVector.fromArray(S, b, qb + V);
            FloatVector v = FloatVector.broadcast(S, a[qa]);
            a0 = v.fma(y0, a0);
            a1 = v.fma(y1, a1);
            v = FloatVector.broadcast(S, a[qa + 1]);
            b0 = v.fma(y0, b0);
            b1 = v.fma(y1, b1);
            v = FloatVector.broadcast(S, a[qa + 2]);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            v = FloatVector.broadcast(S, a[qa + 3]);
            d0 = v.fma(y0, d0);
            d1 = v.fma(y1, d1);
            v = FloatVector.broadcast(S, a[qa + 4]);
            e0 = v.fma(y0, e0);
            e1 = v.fma(y1, e1);
            v = FloatVector.broadcast(S, a[qa + 5]);
            f0 = v.fma(y0, f0);
            f1 = v.fma(y1, f1);
            v = FloatVector.broadcast(S, a[qa + 6]);
            g0 = v.fma(y0, g0);
            g1 = v.fma(y1, g1);
            v = FloatVector.broadcast(S, a[qa + 7]);
            h0 = v.fma(y0, h0);
            h1 = v.fma(y1, h1);
        }
        a0.intoArray(p, pb);
        a1.intoArray(p, pb + V);
        b0.intoArray(p, pb + o);
        b1.intoArray(p, pb + o + V);
        c0.intoArray(p, pb + 2 * o);
        c1.intoArray(p, pb + 2 * o + V);
        d0.intoArray(p, pb + 3 * o);
        d1.intoArray(p, pb + 3 * o + V);
        e0.intoArray(p, pb + 4 * o);
        e1.intoArray(p, pb + 4 * o + V);
        f0.intoArray(p, pb + 5 * o);
        f1.intoArray(p, pb + 5 * o + V);
        g0.intoArray(p, pb + 6 * o);
        g1.intoArray(p, pb + 6 * o + V);
        h0.intoArray(p, pb + 7 * o);
        h1.intoArray(p, pb + 7 * o + V);
    }
}
