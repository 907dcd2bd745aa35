package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The filter gradient of 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3), the adjoint of
 * {@link Conv2dWinogradKernels}' forward pass: the forward 2x2 output block of a tile is Aᵀ [(G g Gᵀ) ⊙ V] A with
 * V = Bᵀ d B, so the gradient with respect to g is Gᵀ [Σ over tiles (A dy Aᵀ) ⊙ V] G, with dy the tile's 2x2 block of
 * the output gradient (zero outside the output). Summed over tiles that is 16 products with a long reduction:
 * dU[ξν] (c x o) = Σ_t V_t[ξν]ᵀ W_t[ξν], W = A dy Aᵀ, then dW = Gᵀ dU G per channel pair.
 *
 * <p>Per block of tiles the forward pass's input transform writes V (a tile's channels contiguous) and the dy
 * transform writes W as GEMM B panels; {@link GemmMicroKernels#stepped}, over 5 (8 at 512 bits) consecutive channels
 * of V read in place a tile's channels apart, accumulates each block into dU, so neither side is transposed. Blocks are summed in
 * fixed groups of consecutive blocks ({@link #groups}), each in block order, and the groups in group order: the
 * summation order depends on the geometry alone, never on the thread count.
 */
final class Conv2dWinogradFilterKernels {
    private Conv2dWinogradFilterKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    private static final int MR = GemmMicroKernels.MR, NR = GemmMicroKernels.NR;
    /**
     * Floats of V and W per block of tiles: twice dU's, between 256 KiB and 1 MiB. Each block loads and stores every
     * tile of dU once, so a large dU wants long blocks, a small one blocks that stay in L2 (on Zen 2, one thread, the
     * seed model's 8x8x64 to 128 layer, dU 512 KiB, ran about a fifth faster with 1 MiB blocks than with 256 KiB ones,
     * and its 16x16x32 to 64 layer, dU 128 KiB, about a tenth slower).
     */
    static int blockFloats(int c, int o) {
        return (int) Math.clamp(32L * c * o, 1 << 16, 1 << 18);
    }
    /** Most partial sums over fixed groups of blocks (tasks for the threads). */
    static final int PARTIALS = 8;
    /**
     * Most floats of all groups' partial sums together (2 MiB): each group stores its whole dU and the groups are then
     * added, so with a large dU that traffic outweighs what more groups gain in balance (two threads, Zen 2, a
     * throwaway harness: the 8x8x64 to 128 layer's filter gradient, 8 groups of 1.1 MiB on 4x4 blocks, ran 10-13%
     * faster in 2 groups; on 2x2 blocks, 8 groups of 512 KiB, 4-6% faster in 2 or 4).
     */
    static final int PARTIAL_FLOATS = 1 << 19;

    /**
     * The partial-sum groups for {@code blocks} blocks and a dU of {@code du} floats: {@link #PARTIALS}, halved while
     * they would exceed {@link #PARTIAL_FLOATS} (down to 2, a power of two so that 2 or 4 threads share them evenly),
     * at most one per block. Depends on the geometry alone.
     */
    static int groups(int blocks, int du) {
        int groups = PARTIALS;
        while (groups > 2 && (long) groups * du > PARTIAL_FLOATS) groups /= 2;
        return Math.min(groups, blocks);
    }

    /** Whether the filter gradient runs here: the forward pass's conditions. */
    static boolean applies(Conv2dGeometry g) {
        return Conv2dWinogradKernels.forwardApplies(g);
    }

    /** Per-thread blocks of V and W, and a tile for channel groups past c. */
    private static final class Scratch {
        float[] v = new float[0], w = new float[0];
        final float[] zeros = new float[V], tile = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The calling thread's partial sums (written by all threads of one call, one group each). */
    private static final ThreadLocal<float[][]> PARTIAL_SUMS = ThreadLocal.withInitial(() -> new float[1][0]);

    /** The calling thread's buffer of partial sums, grown to at least {@code floats}. */
    static float[] partialSums(int floats) {
        float[][] holder = PARTIAL_SUMS.get();
        if (holder[0].length < floats) holder[0] = new float[floats];
        return holder[0];
    }

    /** dw = the filter gradient of conv2d for {@link #applies} geometries. */
    static void backpropFilter(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                               int threads) {
        if (Conv2dWinograd4FilterKernels.applies(g)) {
            Conv2dWinograd4FilterKernels.backpropFilter(g, x, xOff, dy, dyOff, dw, dwOff, threads);
            return;
        }
        int c = g.c(), o = g.o(), th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2, du = 16 * c * o;
        long tiles = (long) g.n() * th * tw;
        int perBlock = Math.max(1, blockFloats(c, o) / (16 * (c + o)));
        int blocks = (int) ((tiles + perBlock - 1) / perBlock), groups = groups(blocks, du);
        float[] sums = partialSums(groups * du);
        Parallel.forRange(groups, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            // V is read up to MR - 1 floats past its last tile (channel groups past c)
            if (s.v.length < 16 * perBlock * c + MR) s.v = new float[16 * perBlock * c + MR];
            if (s.w.length < 16 * perBlock * o) s.w = new float[16 * perBlock * o];
            for (int grp = from; grp < to; grp++) {
                int b0 = (int) ((long) grp * blocks / groups), b1 = (int) ((long) (grp + 1) * blocks / groups);
                for (int b = b0; b < b1; b++) {
                    int t0 = b * perBlock, count = (int) Math.min(perBlock, tiles - t0);
                    for (int t = 0; t < count; t++) {
                        Conv2dWinogradKernels.inputTile(g, x, xOff, t0 + t, th, tw, s.v, perBlock, t, s.zeros);
                        gradientTile(g, dy, dyOff, t0 + t, th, tw, s.w, perBlock, t, s.zeros);
                    }
                    accumulate(16, c, o, count, perBlock, s.v, s.w, sums, grp * du, b > b0, s.tile);
                }
            }
        });
        Conv2dFilterKernels.addPartials(sums, 0, sums, du, groups - 1, du, threads);
        filterFromSums(sums, c, o, dw, dwOff);
    }

    /**
     * W[ξν] = A dy Aᵀ of tile {@code tile}'s 2x2 block of dy (zero outside the output), filter by filter, into B
     * panels: {@code w[((k * o / NR + oc / NR) * perBlock + slot) * NR + oc % NR]}.
     */
    private static void gradientTile(Conv2dGeometry g, float[] dy, int dyOff, int tile, int th, int tw, float[] w,
                                     int perBlock, int slot, float[] zeros) {
        int o = g.o(), ow = g.ow(), img = tile / (th * tw), oy = 2 * (tile % (th * tw) / tw), ox = 2 * (tile % tw);
        boolean right = ox + 1 < ow, below = oy + 1 < g.oh();
        int p00 = dyOff + ((img * g.oh() + oy) * ow + ox) * o, p01 = right ? p00 + o : -1;
        int p10 = below ? p00 + ow * o : -1, p11 = right && below ? p00 + ow * o + o : -1;
        int k = o / NR * perBlock * NR;
        for (int oc = 0; oc < o; oc += V) {
            FloatVector y00 = FloatVector.fromArray(S, dy, p00 + oc);
            FloatVector y01 = FloatVector.fromArray(S, p01 < 0 ? zeros : dy, p01 < 0 ? 0 : p01 + oc);
            FloatVector y10 = FloatVector.fromArray(S, p10 < 0 ? zeros : dy, p10 < 0 ? 0 : p10 + oc);
            FloatVector y11 = FloatVector.fromArray(S, p11 < 0 ? zeros : dy, p11 < 0 ? 0 : p11 + oc);
            // A dy: rows y0, y0 + y1, y0 - y1, -y1; then the same on each row's two columns (written out: vectors
            // passed to a helper C2 does not inline are boxed)
            FloatVector s0 = y00.add(y10), s1 = y01.add(y11), d0 = y00.sub(y10), d1 = y01.sub(y11);
            int at = ((oc / NR) * perBlock + slot) * NR + oc % NR;
            y00.intoArray(w, at);
            y00.add(y01).intoArray(w, at + k);
            y00.sub(y01).intoArray(w, at + 2 * k);
            y01.neg().intoArray(w, at + 3 * k);
            s0.intoArray(w, at + 4 * k);
            s0.add(s1).intoArray(w, at + 5 * k);
            s0.sub(s1).intoArray(w, at + 6 * k);
            s1.neg().intoArray(w, at + 7 * k);
            d0.intoArray(w, at + 8 * k);
            d0.add(d1).intoArray(w, at + 9 * k);
            d0.sub(d1).intoArray(w, at + 10 * k);
            d1.neg().intoArray(w, at + 11 * k);
            y10.neg().intoArray(w, at + 12 * k);
            y10.add(y11).neg().intoArray(w, at + 13 * k);
            y11.sub(y10).intoArray(w, at + 14 * k);
            y11.intoArray(w, at + 15 * k);
        }
    }

    /**
     * dU[k] (c x o at {@code sums[su + k * c * o]}, row stride o) (+)= V[k]ᵀ W[k] over the block's first count tiles,
     * for each of the {@code positions} tile positions k (16 here, 36 in {@link Conv2dWinograd4FilterKernels}).
     */
    static void accumulate(int positions, int c, int o, int count, int perBlock, float[] v, float[] w, float[] sums,
                           int su, boolean add, float[] tile) {
        int panels = o / NR;
        for (int k = 0; k < positions; k++) {
            int vk = k * perBlock * c, wk = k * panels * perBlock * NR, sk = su + k * c * o;
            for (int ch = 0; ch < c; ch += MR) {
                int mr = Math.min(MR, c - ch);
                for (int p = 0; p < panels; p++) {
                    int bi = wk + p * perBlock * NR, ci = sk + ch * o + p * NR;
                    if (mr == MR) {
                        GemmMicroKernels.stepped(count, v, vk + ch, c, w, bi, sums, ci, o, add);
                        continue;
                    }
                    // channels past c: their sums land on the scratch tile and are dropped
                    GemmMicroKernels.stepped(count, v, vk + ch, c, w, bi, tile, 0, NR, false);
                    for (int r = 0; r < mr; r++) {
                        for (int j = 0; j < NR; j++) {
                            int e = ci + r * o + j;
                            sums[e] = add ? sums[e] + tile[r * NR + j] : tile[r * NR + j];
                        }
                    }
                }
            }
        }
    }

    /** dw (HWIO) = Gᵀ dU G per channel pair, dU at {@code sums[(k * c + ch) * o + oc]}. */
    private static void filterFromSums(float[] sums, int c, int o, float[] dw, int dwOff) {
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        int k = c * o, tap = c * o;
        for (int ch = 0; ch < c; ch++) {
            for (int oc = 0; oc < o; oc += V) {
                int a = ch * o + oc, out = dwOff + ch * o + oc;
                // Gᵀ X: rows X0 + (X1 + X2) / 2, (X1 - X2) / 2, (X1 + X2) / 2 + X3, per column ν
                FloatVector x0 = FloatVector.fromArray(S, sums, a), x1 = FloatVector.fromArray(S, sums, a + 4 * k);
                FloatVector x2 = FloatVector.fromArray(S, sums, a + 8 * k), x3 = FloatVector.fromArray(S, sums, a + 12 * k);
                FloatVector p = x1.add(x2).mul(half);
                FloatVector r00 = x0.add(p), r10 = x1.sub(x2).mul(half), r20 = p.add(x3);
                x0 = FloatVector.fromArray(S, sums, a + k); x1 = FloatVector.fromArray(S, sums, a + 5 * k);
                x2 = FloatVector.fromArray(S, sums, a + 9 * k); x3 = FloatVector.fromArray(S, sums, a + 13 * k);
                p = x1.add(x2).mul(half);
                FloatVector r01 = x0.add(p), r11 = x1.sub(x2).mul(half), r21 = p.add(x3);
                x0 = FloatVector.fromArray(S, sums, a + 2 * k); x1 = FloatVector.fromArray(S, sums, a + 6 * k);
                x2 = FloatVector.fromArray(S, sums, a + 10 * k); x3 = FloatVector.fromArray(S, sums, a + 14 * k);
                p = x1.add(x2).mul(half);
                FloatVector r02 = x0.add(p), r12 = x1.sub(x2).mul(half), r22 = p.add(x3);
                x0 = FloatVector.fromArray(S, sums, a + 3 * k); x1 = FloatVector.fromArray(S, sums, a + 7 * k);
                x2 = FloatVector.fromArray(S, sums, a + 11 * k); x3 = FloatVector.fromArray(S, sums, a + 15 * k);
                p = x1.add(x2).mul(half);
                FloatVector r03 = x0.add(p), r13 = x1.sub(x2).mul(half), r23 = p.add(x3);
                // (Gᵀ X) G: the same on each row's four columns, taps ty * 3 + tx
                p = r01.add(r02).mul(half);
                r00.add(p).intoArray(dw, out);
                r01.sub(r02).mul(half).intoArray(dw, out + tap);
                p.add(r03).intoArray(dw, out + 2 * tap);
                p = r11.add(r12).mul(half);
                r10.add(p).intoArray(dw, out + 3 * tap);
                r11.sub(r12).mul(half).intoArray(dw, out + 4 * tap);
                p.add(r13).intoArray(dw, out + 5 * tap);
                p = r21.add(r22).mul(half);
                r20.add(p).intoArray(dw, out + 6 * tap);
                r21.sub(r22).mul(half).intoArray(dw, out + 7 * tap);
                p.add(r23).intoArray(dw, out + 8 * tap);
            }
        }
    }
}
