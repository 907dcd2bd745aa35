package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2015): each 2x2 block of
 * output pixels is computed from a 4x4 input tile with 16 multiplications per channel pair instead of 36, so the
 * multiply-adds of the forward pass and of the input gradient (itself a 3x3 stride-1 convolution of dy with the
 * mirrored, transposed filter) drop 2.25 times, for a few additions per tile and pixel. The filter gradient, the
 * adjoint of the same transforms, is in {@link Conv2dWinogradFilterKernels}.
 *
 * <p>With d a 4x4 input tile of one channel, g a 3x3 filter, and
 * <pre>
 *   Bᵀ = [1  0 -1  0]    G = [1    0    0  ]    Aᵀ = [1  1  1  0]
 *        [0  1  1  0]        [1/2  1/2  1/2]         [0  1 -1 -1]
 *        [0 -1  1  0]        [1/2 -1/2  1/2]
 *        [0  1  0 -1]        [0    0    1  ]
 * </pre>
 * the 2x2 output is Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A summed over channels. The 16 elementwise products become 16 GEMMs over
 * the channels: M[ξν] (tiles x o) = V[ξν] (tiles x c) · U[ξν] (c x o), with V = Bᵀ d B per tile and channel and U = G g
 * Gᵀ per channel pair (once per call). Per block of tiles (V and M kept in L2), the input transform writes V with the
 * channels of a tile contiguous (vector stores), {@link Conv2dShiftKernels#tile} reads MR tiles of it in place against
 * U packed as GEMM B panels, and the output transform writes each 2x2 block (plus the epilogue) straight to y. Measured
 * on Zen 2 ({@code ConvBench quick nopython} with and without {@code -Dfluxion.conv.winograd=false}, two threads, batch
 * 128): 1.30x (16x16x32 to 64 forward), 1.55x (its input gradient), 1.76x and 1.71x (8x8x64 to 128). Writing V in the
 * packed-A layout instead (five tiles interleaved per step, scalar stores) cost more in the transform than the packed
 * tile saved, and vectors passed to helpers that C2 did not inline were boxed (the transforms are written out for that
 * reason).
 *
 * <p>Rounding differs from the direct sum (the transforms add and subtract inputs before multiplying), within a few
 * units in the last place of the sum of |x * w| (Conv2dKernelsTest's bound). As in other Winograd implementations, a
 * NaN or an infinity anywhere in a tile's 4x4 input reaches all four outputs of its 2x2 block (the transforms' exact
 * cancellations do not hold for them), where the direct sum would confine it to the outputs that read the cell. Every output element is computed by one
 * task with the same operations whatever the block or thread, so results do not depend on the thread count.
 * {@code -Dfluxion.conv.winograd=false} turns these kernels off (the shift and GEMM kernels then run). Outputs large
 * enough for 4x4 blocks to save a third of the products go on to {@link Conv2dWinograd4Kernels} (see
 * {@link Conv2dWinograd4Kernels#prefers}).
 */
final class Conv2dWinogradKernels {
    private Conv2dWinogradKernels() {}

    static final boolean ENABLED = !"false".equals(System.getProperty("fluxion.conv.winograd"));

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    /** Tiles per micro-kernel call (V read in place, rows c apart) and filters per B panel. */
    private static final int MR = GemmMicroKernels.MR, NR = GemmMicroKernels.NR;
    /** One filter row: the shift kernels' tile then reads MR rows of V, c apart, as one run of c steps. */
    private static final int[] ONE_ROW = {0};
    /** Floats of V and M per block of tiles (256 KiB: both stay in L2 between the three stages). */
    private static final int BLOCK_FLOATS = 1 << 16;

    /** Whether the forward pass runs here: a 3x3 stride-1 undilated filter, channels in vectors, filters in panels. */
    static boolean forwardApplies(Conv2dGeometry g) {
        return ENABLED && shapeApplies(g) && g.c() % V == 0 && g.o() % NR == 0;
    }

    /**
     * Whether the input gradient runs here: as {@link #forwardApplies} for the convolution of dy (o channels) with the
     * mirrored filter (c filters), whose padding 2 - pad must not be negative.
     */
    static boolean inputGradientApplies(Conv2dGeometry g) {
        return ENABLED && shapeApplies(g) && g.o() % V == 0 && g.c() % NR == 0 && g.padTop() <= 2
                && g.padLeft() <= 2;
    }

    private static boolean shapeApplies(Conv2dGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 && g.padTop() >= 0 && g.padLeft() >= 0 && g.n() > 0 && g.oh() > 0
                && g.ow() > 0 && g.c() > 0 && g.o() > 0;
    }

    /** Per-thread blocks of V and M, grown on demand. */
    private static final class Scratch {
        float[] v = new float[0], m = new float[0];
        /** V zeros: the cells outside the input. */
        final float[] zeros = new float[V];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The calling thread's transformed filter (read by all threads of one call) and mirrored filter. */
    private static final ThreadLocal<float[][]> FILTERS = ThreadLocal.withInitial(() -> new float[2][0]);

    /** y = epi(conv2d(x, w)) for {@link #forwardApplies} geometries. */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                        GemmEpilogue epi, int threads) {
        if (Conv2dWinograd4Kernels.prefers(g)) {
            Conv2dWinograd4Kernels.forward(g, x, xOff, w, wOff, y, yOff, epi, threads);
            return;
        }
        float[][] filters = FILTERS.get();
        float[] u = grow(filters, 0, 16 * g.c() * g.o());
        transformFilter(w, wOff, g.c(), g.o(), u);
        run(g, x, xOff, u, y, yOff, epi, threads);
    }

    /** dx = the input gradient of conv2d for {@link #inputGradientApplies} geometries. */
    static void backpropInput(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                              int threads) {
        int c = g.c(), o = g.o();
        // dx = conv2d(dy, w') with w'[ty][tx][oc][ch] = w[2 - ty][2 - tx][ch][oc] and padding 2 - pad
        float[][] filters = FILTERS.get();
        float[] mirrored = grow(filters, 1, 9 * c * o);
        for (int t = 0; t < 9; t++) {
            int src = wOff + (8 - t) * c * o, dst = t * o * c;
            for (int ch = 0; ch < c; ch++) {
                for (int oc = 0; oc < o; oc++) mirrored[dst + oc * c + ch] = w[src + ch * o + oc];
            }
        }
        Conv2dGeometry t = inputGradientGeometry(g);
        if (Conv2dWinograd4Kernels.prefers(t)) {
            Conv2dWinograd4Kernels.forward(t, dy, dyOff, mirrored, 0, dx, dxOff, GemmEpilogue.NONE, threads);
            return;
        }
        float[] u = grow(filters, 0, 16 * o * c);
        transformFilter(mirrored, 0, o, c, u);
        run(t, dy, dyOff, u, dx, dxOff, GemmEpilogue.NONE, threads);
    }

    /** The convolution of dy with the mirrored, transposed filter that gives the input gradient of {@code g}. */
    static Conv2dGeometry inputGradientGeometry(Conv2dGeometry g) {
        return new Conv2dGeometry(g.n(), g.oh(), g.ow(), g.o(), 3, 3, g.c(), g.h(), g.w(), 1, 1, 1, 1,
                2 - g.padTop(), 2 - g.padLeft());
    }

    private static float[] grow(float[][] holder, int i, int size) {
        if (holder[i].length < size) holder[i] = new float[size];
        return holder[i];
    }

    /** G of F(2x2, 3x3), rows ξ. */
    private static final float[][] G = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};

    /** {@link #transformFilter(float[][], float[], int, int, int, float[])} with this class's G. */
    private static void transformFilter(float[] w, int wOff, int c, int o, float[] u) {
        transformFilter(G, w, wOff, c, o, u);
    }

    /**
     * U[ξν] = G g Gᵀ for each channel pair of the HWIO 3x3 filter at {@code w[wOff]} (c channels, o filters), V filters
     * at a time, packed for the micro-kernel: {@code u[((k * o / NR + panel) * c + ch) * NR + j]} for filter
     * panel * NR + j, k = n ξ + ν with n = {@code g.length} (4 here, 6 in {@link Conv2dWinograd4Kernels}). Per row ξ
     * of G g, then that row times Gᵀ; no vector crosses a loop iteration (C2 would box it).
     */
    static void transformFilter(float[][] g, float[] w, int wOff, int c, int o, float[] u) {
        int n = g.length, k = o / NR * c * NR, tap = c * o;
        for (int ch = 0; ch < c; ch++) {
            for (int oc = 0; oc < o; oc += V) {
                int at = wOff + ch * o + oc;
                FloatVector g00 = FloatVector.fromArray(S, w, at), g01 = FloatVector.fromArray(S, w, at + tap);
                FloatVector g02 = FloatVector.fromArray(S, w, at + 2 * tap), g10 = FloatVector.fromArray(S, w, at + 3 * tap);
                FloatVector g11 = FloatVector.fromArray(S, w, at + 4 * tap), g12 = FloatVector.fromArray(S, w, at + 5 * tap);
                FloatVector g20 = FloatVector.fromArray(S, w, at + 6 * tap), g21 = FloatVector.fromArray(S, w, at + 7 * tap);
                FloatVector g22 = FloatVector.fromArray(S, w, at + 8 * tap);
                int to = (oc / NR) * c * NR + ch * NR + oc % NR;
                for (int i = 0; i < n; i++) {
                    float a = g[i][0], b = g[i][1], d = g[i][2];
                    FloatVector t0 = g00.mul(a).add(g10.mul(b)).add(g20.mul(d));
                    FloatVector t1 = g01.mul(a).add(g11.mul(b)).add(g21.mul(d));
                    FloatVector t2 = g02.mul(a).add(g12.mul(b)).add(g22.mul(d));
                    for (int j = 0; j < n; j++) {
                        t0.mul(g[j][0]).add(t1.mul(g[j][1])).add(t2.mul(g[j][2])).intoArray(u, to + (n * i + j) * k);
                    }
                }
            }
        }
    }

    /**
     * How a forward pass is cut into tiles of {@code size} x {@code size} output blocks ({@code positions} values of V
     * and of M each) and blocks of tiles whose V and M take at most {@code blockFloats}.
     */
    record Tiling(int size, int positions, int blockFloats) {
        /** Tiles of a forward pass over {@code g} (the last row and column possibly partly outside the output). */
        long tiles(Conv2dGeometry g) {
            return (long) g.n() * rows(g) * columns(g);
        }

        int rows(Conv2dGeometry g) {
            return (g.oh() + size - 1) / size;
        }

        int columns(Conv2dGeometry g) {
            return (g.ow() + size - 1) / size;
        }

        /** Tiles per block: V and M within blockFloats, whole micro-kernel groups. */
        int tilesPerBlock(Conv2dGeometry g) {
            return Math.max(MR, blockFloats / (positions * (g.c() + g.o())) / MR * MR);
        }

        int blocks(Conv2dGeometry g) {
            return (int) ((tiles(g) + tilesPerBlock(g) - 1) / tilesPerBlock(g));
        }

        /** Tiles in the last block (for tests). */
        int lastBlockTiles(Conv2dGeometry g) {
            return (int) (tiles(g) - (long) (blocks(g) - 1) * tilesPerBlock(g));
        }
    }

    /** This class's tiling: 2x2 blocks. */
    static final Tiling TILING = new Tiling(2, 16, BLOCK_FLOATS);

    /** y = epi(conv2d(x, the filter transformed into u)) over blocks of tiles. */
    private static void run(Conv2dGeometry g, float[] x, int xOff, float[] u, float[] y, int yOff, GemmEpilogue epi,
                            int threads) {
        int c = g.c(), o = g.o(), th = TILING.rows(g), tw = TILING.columns(g);
        long tiles = TILING.tiles(g);
        int perBlock = TILING.tilesPerBlock(g), blocks = TILING.blocks(g);
        Parallel.forRange(blocks, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.v.length < 16 * perBlock * c) s.v = new float[16 * perBlock * c];
            if (s.m.length < 16 * perBlock * o) s.m = new float[16 * perBlock * o];
            for (int b = from; b < to; b++) {
                int t0 = b * perBlock, count = (int) Math.min(perBlock, tiles - t0);
                for (int t = 0; t < count; t++) inputTile(g, x, xOff, t0 + t, th, tw, s.v, perBlock, t, s.zeros);
                products(16, c, o, count, perBlock, s.v, u, s.m);
                for (int t = 0; t < count; t++) outputTile(g, s.m, perBlock, t, t0 + t, th, tw, y, yOff, epi);
            }
        });
    }

    /**
     * V[ξν] = Bᵀ d B of tile {@code tile} (row-major over images and tile rows), channel by channel, into
     * {@code v[(k * perBlock + slot) * c + ch]}; cells outside the input are zero.
     */
    static void inputTile(Conv2dGeometry g, float[] x, int xOff, int tile, int th, int tw, float[] v,
                          int perBlock, int slot, float[] zeros) {
        int c = g.c(), img = tile / (th * tw), ti = tile % (th * tw) / tw, tj = tile % tw;
        int r0 = 2 * ti - g.padTop(), c0 = 2 * tj - g.padLeft(), h = g.h(), w = g.w();
        int rowStride = w * c, base = xOff + img * h * rowStride;
        // offsets of the 16 cells, -1 outside the input
        int p00 = at(r0, c0, h, w, base, c), p01 = at(r0, c0 + 1, h, w, base, c);
        int p02 = at(r0, c0 + 2, h, w, base, c), p03 = at(r0, c0 + 3, h, w, base, c);
        int p10 = at(r0 + 1, c0, h, w, base, c), p11 = at(r0 + 1, c0 + 1, h, w, base, c);
        int p12 = at(r0 + 1, c0 + 2, h, w, base, c), p13 = at(r0 + 1, c0 + 3, h, w, base, c);
        int p20 = at(r0 + 2, c0, h, w, base, c), p21 = at(r0 + 2, c0 + 1, h, w, base, c);
        int p22 = at(r0 + 2, c0 + 2, h, w, base, c), p23 = at(r0 + 2, c0 + 3, h, w, base, c);
        int p30 = at(r0 + 3, c0, h, w, base, c), p31 = at(r0 + 3, c0 + 1, h, w, base, c);
        int p32 = at(r0 + 3, c0 + 2, h, w, base, c), p33 = at(r0 + 3, c0 + 3, h, w, base, c);
        int k = perBlock * c, out = slot * c;
        for (int ch = 0; ch < c; ch += V) {
            // Bᵀ d: rows d0 - d2, d1 + d2, d2 - d1, d1 - d3 (four cells each)
            FloatVector d0 = cell(x, zeros, p00, ch), d1 = cell(x, zeros, p10, ch), d2 = cell(x, zeros, p20, ch), d3 = cell(x, zeros, p30, ch);
            FloatVector a0 = d0.sub(d2), b0 = d1.add(d2), e0 = d2.sub(d1), f0 = d1.sub(d3);
            d0 = cell(x, zeros, p01, ch); d1 = cell(x, zeros, p11, ch); d2 = cell(x, zeros, p21, ch); d3 = cell(x, zeros, p31, ch);
            FloatVector a1 = d0.sub(d2), b1 = d1.add(d2), e1 = d2.sub(d1), f1 = d1.sub(d3);
            d0 = cell(x, zeros, p02, ch); d1 = cell(x, zeros, p12, ch); d2 = cell(x, zeros, p22, ch); d3 = cell(x, zeros, p32, ch);
            FloatVector a2 = d0.sub(d2), b2 = d1.add(d2), e2 = d2.sub(d1), f2 = d1.sub(d3);
            d0 = cell(x, zeros, p03, ch); d1 = cell(x, zeros, p13, ch); d2 = cell(x, zeros, p23, ch); d3 = cell(x, zeros, p33, ch);
            FloatVector a3 = d0.sub(d2), b3 = d1.add(d2), e3 = d2.sub(d1), f3 = d1.sub(d3);
            // (Bᵀ d) B: the same combination of each row's four columns (written out: a helper taking vectors
            // that C2 does not inline gets them boxed)
            int at = out + ch;
            a0.sub(a2).intoArray(v, at);
            a1.add(a2).intoArray(v, at + k);
            a2.sub(a1).intoArray(v, at + 2 * k);
            a1.sub(a3).intoArray(v, at + 3 * k);
            b0.sub(b2).intoArray(v, at + 4 * k);
            b1.add(b2).intoArray(v, at + 5 * k);
            b2.sub(b1).intoArray(v, at + 6 * k);
            b1.sub(b3).intoArray(v, at + 7 * k);
            e0.sub(e2).intoArray(v, at + 8 * k);
            e1.add(e2).intoArray(v, at + 9 * k);
            e2.sub(e1).intoArray(v, at + 10 * k);
            e1.sub(e3).intoArray(v, at + 11 * k);
            f0.sub(f2).intoArray(v, at + 12 * k);
            f1.add(f2).intoArray(v, at + 13 * k);
            f2.sub(f1).intoArray(v, at + 14 * k);
            f1.sub(f3).intoArray(v, at + 15 * k);
        }
    }

    private static int at(int r, int col, int h, int w, int base, int c) {
        return r < 0 || r >= h || col < 0 || col >= w ? -1 : base + (r * w + col) * c;
    }

    /**
     * The V channels from ch of the cell at offset p, or zeros (p &lt; 0) read from {@code zeros}: selecting the array,
     * not the vector, keeps C2 from merging two vectors in a phi, which it boxes.
     */
    private static FloatVector cell(float[] x, float[] zeros, int p, int ch) {
        return FloatVector.fromArray(S, p < 0 ? zeros : x, p < 0 ? 0 : p + ch);
    }

    /**
     * M[k] (tiles x o, row stride o) = V[k] · U[k] for each of the {@code positions} tile positions k (16 here, 36 in
     * {@link Conv2dWinograd4Kernels}) and the block's first {@code count} tiles, MR at a time.
     */
    static void products(int positions, int c, int o, int count, int perBlock, float[] v, float[] u, float[] m) {
        int panels = o / NR;
        for (int k = 0; k < positions; k++) {
            int vk = k * perBlock * c, uk = k * panels * c * NR, mk = k * perBlock * o;
            for (int p = 0; p < panels; p++) {
                for (int t = 0; t < count; t += MR) {
                    Conv2dShiftKernels.tile(v, vk + t * c, c, ONE_ROW, 0, 1, u, uk + p * c * NR, m,
                            mk + t * o + p * NR, o, Math.min(MR, count - t), false);
                }
            }
        }
    }

    /** The 2x2 output block Aᵀ M A of the block's slot {@code slot} (tile {@code tile}) into y, then the epilogue. */
    private static void outputTile(Conv2dGeometry g, float[] m, int perBlock, int slot, int tile, int th, int tw,
                                   float[] y, int yOff, GemmEpilogue epi) {
        int o = g.o(), img = tile / (th * tw), ti = tile % (th * tw) / tw, tj = tile % tw;
        int oy = 2 * ti, ox = 2 * tj, ow = g.ow();
        boolean right = ox + 1 < ow, below = oy + 1 < g.oh();
        int y00 = yOff + ((img * g.oh() + oy) * ow + ox) * o, y10 = y00 + ow * o;
        int k = perBlock * o, at = slot * o;
        for (int oc = 0; oc < o; oc += V) {
            int a = at + oc;
            // Aᵀ M: rows m0 + m1 + m2 and m1 - m2 - m3, per column ν
            FloatVector m0 = FloatVector.fromArray(S, m, a), m1 = FloatVector.fromArray(S, m, a + 4 * k);
            FloatVector m2 = FloatVector.fromArray(S, m, a + 8 * k), m3 = FloatVector.fromArray(S, m, a + 12 * k);
            FloatVector s0 = m0.add(m1).add(m2), t0 = m1.sub(m2).sub(m3);
            m0 = FloatVector.fromArray(S, m, a + k); m1 = FloatVector.fromArray(S, m, a + 5 * k);
            m2 = FloatVector.fromArray(S, m, a + 9 * k); m3 = FloatVector.fromArray(S, m, a + 13 * k);
            FloatVector s1 = m0.add(m1).add(m2), t1 = m1.sub(m2).sub(m3);
            m0 = FloatVector.fromArray(S, m, a + 2 * k); m1 = FloatVector.fromArray(S, m, a + 6 * k);
            m2 = FloatVector.fromArray(S, m, a + 10 * k); m3 = FloatVector.fromArray(S, m, a + 14 * k);
            FloatVector s2 = m0.add(m1).add(m2), t2 = m1.sub(m2).sub(m3);
            m0 = FloatVector.fromArray(S, m, a + 3 * k); m1 = FloatVector.fromArray(S, m, a + 7 * k);
            m2 = FloatVector.fromArray(S, m, a + 11 * k); m3 = FloatVector.fromArray(S, m, a + 15 * k);
            FloatVector s3 = m0.add(m1).add(m2), t3 = m1.sub(m2).sub(m3);
            // (Aᵀ M) A: columns 0 + 1 + 2 and 1 - 2 - 3
            s0.add(s1).add(s2).intoArray(y, y00 + oc);
            if (right) s1.sub(s2).sub(s3).intoArray(y, y00 + o + oc);
            if (below) {
                t0.add(t1).add(t2).intoArray(y, y10 + oc);
                if (right) t1.sub(t2).sub(t3).intoArray(y, y10 + o + oc);
            }
        }
        if (epi.isIdentity()) return;
        epi.applyVector(y, y00, o, 1, 0, o);
        if (right) epi.applyVector(y, y00 + o, o, 1, 0, o);
        if (below) {
            epi.applyVector(y, y10, o, 1, 0, o);
            if (right) epi.applyVector(y, y10 + o, o, 1, 0, o);
        }
    }
}
