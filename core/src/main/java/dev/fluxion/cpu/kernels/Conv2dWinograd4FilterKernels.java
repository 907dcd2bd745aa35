package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The filter gradient of 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3), the adjoint of
 * {@link Conv2dWinograd4Kernels}' forward pass as {@link Conv2dWinogradFilterKernels} is of F(2x2, 3x3) (whose blocks,
 * fixed groups of partial sums and products this class shares): dU[ξν] (c x o) = Σ over tiles V[ξν]ᵀ W[ξν] with
 * V = Bᵀ d B of each 6x6 input tile and W = A dy Aᵀ of its 4x4 block of the output gradient (zero outside the
 * output), then dW = Gᵀ dU G per channel pair. The matrices are
 * {@link Conv2dWinograd4Kernels}'; A dy Aᵀ takes each 4-vector y to (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3,
 * y0 + y1 / 2 + y2 / 4 + y3 / 8, y0 - 2 y1 + 4 y2 - 8 y3, y3), down the columns, then across the rows.
 */
final class Conv2dWinograd4FilterKernels {
    private Conv2dWinograd4FilterKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    private static final int MR = GemmMicroKernels.MR, NR = GemmMicroKernels.NR;

    /**
     * Whether the filter gradient runs here: wherever the forward pass would. Every block of tiles loads and stores
     * all of dU (36 c o floats, 2.25 times F(2x2, 3x3)'s), and yet, with the filter transforms vectorized and the
     * partial sums bounded ({@link Conv2dWinogradFilterKernels#groups}), 4x4 blocks also win where dU outgrows L2:
     * {@code ConvBench quick} on Zen 2, the 8x8x64 to 128 layer (dU 1.1 MiB), two alternating rounds, 1 / 2 threads:
     * 131.0 / 238.2 and 144.1 / 271.3 GFLOP/s on 2x2 blocks, 173.8 / 291.6 and 195.9 / 273.1 on 4x4 blocks (and
     * 1.03-1.4x in a throwaway harness on layers with dU up to 4.5 MiB).
     */
    static boolean applies(Conv2dGeometry g) {
        return Conv2dWinogradKernels.forwardApplies(g) && Conv2dWinograd4Kernels.prefers(g);
    }

    /** Floats of V and W per block of tiles: twice dU's, between 512 KiB and 2 MiB (as for F(2x2, 3x3)). */
    private static int blockFloats(int c, int o) {
        return (int) Math.clamp(72L * c * o, 1 << 17, 1 << 19);
    }

    /** Tiles per block of V and W. */
    static int perBlock(int c, int o) {
        return Math.max(1, blockFloats(c, o) / (36 * (c + o)));
    }

    /** Per-thread blocks of V and W, the padded image, the 1-D passes' tile, and a tile for channels past c. */
    private static final class Scratch {
        float[] v = new float[0], w = new float[0], padded = new float[0];
        final float[] pass = new float[36 * V], zeros = new float[V], tile = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** dw = the filter gradient of conv2d for {@link #applies} geometries. */
    static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                               int threads) {
        Conv2dWinogradKernels.Tiling tiling = Conv2dWinograd4Kernels.TILING;
        int c = g.c(), o = g.o(), th = tiling.rows(g), tw = tiling.columns(g), du = 36 * c * o;
        int ph = 4 * th + 2, pw = 4 * tw + 2;
        long tiles = tiling.tiles(g);
        int perBlock = perBlock(c, o);
        int blocks = (int) ((tiles + perBlock - 1) / perBlock);
        int groups = Conv2dWinogradFilterKernels.groups(blocks, du);
        float[] sums = Conv2dWinogradFilterKernels.partialSums(groups * du);
        Parallel.forRange(groups, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            // V is read up to MR - 1 floats past its last tile (channel groups past c)
            if (s.v.length < 36 * perBlock * c + MR) s.v = new float[36 * perBlock * c + MR];
            if (s.w.length < 36 * perBlock * o) s.w = new float[36 * perBlock * o];
            if (s.padded.length < ph * pw * c) s.padded = new float[ph * pw * c];
            int image = -1; // the image in s.padded (x changes from call to call)
            for (int grp = from; grp < to; grp++) {
                int b0 = (int) ((long) grp * blocks / groups), b1 = (int) ((long) (grp + 1) * blocks / groups);
                for (int b = b0; b < b1; b++) {
                    int t0 = b * perBlock, count = (int) Math.min(perBlock, tiles - t0);
                    for (int t = 0; t < count; t++) {
                        int tile = t0 + t, img = tile / (th * tw), ti = tile % (th * tw) / tw, tj = tile % tw;
                        if (img != image) {
                            Conv2dWinograd4Kernels.pad(g, x, xOff + img * g.h() * g.w() * c, ph, pw, s.padded);
                            image = img;
                        }
                        Conv2dWinograd4Kernels.inputTile(s.padded, (4 * ti * pw + 4 * tj) * c, pw * c, c, s.v,
                                perBlock, t, s.pass);
                        gradientTile(g, dy, dyOff + ((img * g.oh() + 4 * ti) * g.ow() + 4 * tj) * o, 4 * ti,
                                4 * tj, s.w, perBlock, t, s.pass, s.zeros);
                    }
                    Conv2dWinogradFilterKernels.accumulate(36, c, o, count, perBlock, s.v, s.w, sums, grp * du,
                            b > b0, s.tile);
                }
            }
        });
        Conv2dFilterKernels.addPartials(sums, 0, sums, du, groups - 1, du, threads);
        filterFromSums(sums, c, o, dw, dwOff);
    }

    /**
     * W = A dy Aᵀ of the 4x4 block of dy at {@code dy[at]} (output rows from oy, columns from ox; zero outside the
     * output), per filter vector: down each of its four columns into {@code pass}, then across the six rows into B
     * panels {@code w[((k * o / NR + oc / NR) * perBlock + slot) * NR + oc % NR]}, k = 6i + j.
     */
    private static void gradientTile(Conv2dGeometry g, float[] dy, int at, int oy, int ox, float[] w, int perBlock,
                                     int slot, float[] pass, float[] zeros) {
        int o = g.o(), rows = Math.min(4, g.oh() - oy), cols = Math.min(4, g.ow() - ox), rowStride = g.ow() * o;
        int k = o / NR * perBlock * NR;
        for (int oc = 0; oc < o; oc += V) {
            int panel = ((oc / NR) * perBlock + slot) * NR + oc % NR;
            for (int step = 0; step < 10; step++) {
                boolean down = step < 4;
                int i = down ? step : step - 4;
                // down column i: cells (r, i) of dy, zero outside the output; across row i of the pass tile
                float[] dst = down ? pass : w;
                int s0 = down ? at + i * o + oc : i * 4 * V, ss = down ? rowStride : V;
                int d0 = down ? i * V : panel + 6 * i * k, ds = down ? 4 * V : k;
                boolean in = !down || i < cols;
                boolean in0 = in && (!down || rows > 0), in1 = in && (!down || rows > 1);
                boolean in2 = in && (!down || rows > 2), in3 = in && (!down || rows > 3);
                float[] src = down ? dy : pass;
                FloatVector y0 = FloatVector.fromArray(S, in0 ? src : zeros, in0 ? s0 : 0);
                FloatVector y1 = FloatVector.fromArray(S, in1 ? src : zeros, in1 ? s0 + ss : 0);
                FloatVector y2 = FloatVector.fromArray(S, in2 ? src : zeros, in2 ? s0 + 2 * ss : 0);
                FloatVector y3 = FloatVector.fromArray(S, in3 ? src : zeros, in3 ? s0 + 3 * ss : 0);
                FloatVector e = y0.add(y2), f = y1.add(y3);
                y0.intoArray(dst, d0);
                e.add(f).intoArray(dst, d0 + ds);
                e.sub(f).intoArray(dst, d0 + 2 * ds);
                y0.add(y2.mul(0.25f)).add(y1.mul(0.5f).add(y3.mul(0.125f))).intoArray(dst, d0 + 3 * ds);
                y0.add(y2.mul(4f)).sub(y1.mul(2f).add(y3.mul(8f))).intoArray(dst, d0 + 4 * ds);
                y3.intoArray(dst, d0 + 5 * ds);
            }
        }
    }

    /**
     * dw (HWIO) = Gᵀ dU G per channel pair, V filters at a time, dU at {@code sums[(k * c + ch) * o + oc]}: per tap
     * row r, row r of Gᵀ dU (six positions) into a small buffer, then times G for the row's three taps (no vector
     * crosses a loop iteration or a call, which C2 would box).
     */
    private static void filterFromSums(float[] sums, int c, int o, float[] dw, int dwOff) {
        float[][] gf = Conv2dWinograd4Kernels.GF;
        float[] t = new float[6 * V];
        int k = c * o;
        for (int ch = 0; ch < c; ch++) {
            for (int oc = 0; oc < o; oc += V) {
                int a = ch * o + oc;
                for (int r = 0; r < 3; r++) {
                    for (int j = 0; j < 6; j++) {
                        FloatVector.fromArray(S, sums, a + j * k).mul(gf[0][r])
                                .add(FloatVector.fromArray(S, sums, a + (6 + j) * k).mul(gf[1][r]))
                                .add(FloatVector.fromArray(S, sums, a + (12 + j) * k).mul(gf[2][r]))
                                .add(FloatVector.fromArray(S, sums, a + (18 + j) * k).mul(gf[3][r]))
                                .add(FloatVector.fromArray(S, sums, a + (24 + j) * k).mul(gf[4][r]))
                                .add(FloatVector.fromArray(S, sums, a + (30 + j) * k).mul(gf[5][r]))
                                .intoArray(t, j * V);
                    }
                    for (int q = 0; q < 3; q++) {
                        FloatVector.fromArray(S, t, 0).mul(gf[0][q])
                                .add(FloatVector.fromArray(S, t, V).mul(gf[1][q]))
                                .add(FloatVector.fromArray(S, t, 2 * V).mul(gf[2][q]))
                                .add(FloatVector.fromArray(S, t, 3 * V).mul(gf[3][q]))
                                .add(FloatVector.fromArray(S, t, 4 * V).mul(gf[4][q]))
                                .add(FloatVector.fromArray(S, t, 5 * V).mul(gf[5][q]))
                                .intoArray(dw, dwOff + (r * 3 + q) * k + a);
                    }
                }
            }
        }
    }
}
