package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3): each 4x4 block of output pixels from a 6x6 input tile with
 * 36 multiplications per channel pair instead of 144, 1.78 times fewer than {@link Conv2dWinogradKernels}' F(2x2, 3x3)
 * (whose products and geometry checks this class shares), with 1.78 times fewer values of V and M to write and read
 * per output pixel as well.
 *
 * <p>The interpolation points are 0, 1, -1, 1/2, -2 and infinity rather than the usual 0, ±1, ±2: with float32 inputs
 * uniform in [-1, 1] and 32 to 128 channels, the worst error of an output element relative to the sum of |x * w| it
 * adds up was 3.5e-7 to 4.2e-7, against 0.9e-6 to 1.6e-6 for the usual points and 0.6e-7 to 0.8e-7 for F(2x2, 3x3)
 * ({@code bench/winograd_points.py}, a float32 model; Conv2dKernelsTest bounds every path at 2e-6). The transforms,
 * with rows of Bᵀ and G scaled by powers of two (exactly) so that Bᵀ has integer entries:
 * <pre>
 *   Bᵀ = [2 -3 -4  3  2  0]   G = [ 1/2     0     0  ]   Aᵀ = [1  1  1  1    1  0]
 *        [0 -2  1  5  2  0]       [ 1/6   1/6   1/6 ]        [0  1 -1  1/2 -2  0]
 *        [0  2 -5  1  2  0]       [-1/6   1/6  -1/6 ]        [0  1  1  1/4  4  0]
 *        [0 -2 -1  2  1  0]       [-16/15 -8/15 -4/15]       [0  1 -1  1/8 -8  1]
 *        [0  1 -2 -1  2  0]       [ 1/30 -1/15  2/15]
 *        [0  2 -3 -4  3  2]       [ 0     0     1/2 ]
 * </pre>
 * U = G g Gᵀ is computed once per call, vectorized over the filters. Each image is first copied, zero-padded, into a
 * per-thread buffer covering its whole tile grid, so every tile reads its 36 cells at fixed strides with no checks for
 * the border; both transforms run as 1-D passes over six columns, then over the rows, through a small buffer in L1 (a
 * 6x6 tile of vectors does not fit the register file). A NaN or infinity in a tile's input reaches its whole 4x4 block.
 * {@code -Dfluxion.conv.winograd4=false} keeps F(2x2, 3x3) for every geometry.
 */
final class Conv2dWinograd4Kernels {
    private Conv2dWinograd4Kernels() {}

    static final boolean ENABLED = Conv2dWinogradKernels.ENABLED
            && !"false".equals(System.getProperty("fluxion.conv.winograd4"));

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int V = S.length();
    private static final int MR = GemmMicroKernels.MR, NR = GemmMicroKernels.NR;
    /** Floats of V and M per block of tiles (512 KiB; a quarter or twice that ran level). */
    private static final int BLOCK_FLOATS = 1 << 17;
    /** G with its rows scaled as in the class comment. */
    static final double[][] G = {
        {0.5, 0, 0}, {1 / 6.0, 1 / 6.0, 1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {-16 / 15.0, -8 / 15.0, -4 / 15.0}, {1 / 30.0, -1 / 15.0, 2 / 15.0}, {0, 0, 0.5}};
    /** G rounded to float, for the vector transforms. */
    static final float[][] GF = new float[6][3];

    static {
        for (int i = 0; i < 6; i++) for (int j = 0; j < 3; j++) GF[i][j] = (float) G[i][j];
    }

    /**
     * Whether a convolution that {@link Conv2dWinogradKernels} takes runs here: when 4x4 blocks need at most two thirds
     * of the products of 2x2 blocks, partial blocks counted whole ({@code ConvBench quick}, one thread: the 16x16, 8x8
     * and 11x11 outputs, 0.56 of the products, ran 1.15-1.4x faster than on 2x2 blocks; a 13x13 one, 0.73, ran level in
     * a harness).
     */
    static boolean prefers(Conv2dGeometry g) {
        Conv2dWinogradKernels.Tiling small = Conv2dWinogradKernels.TILING;
        long smallProducts = (long) small.rows(g) * small.columns(g) * small.positions();
        long largeProducts = (long) TILING.rows(g) * TILING.columns(g) * TILING.positions();
        return ENABLED && 3 * largeProducts <= 2 * smallProducts;
    }

    /** This class's tiling: 4x4 blocks. */
    static final Conv2dWinogradKernels.Tiling TILING = new Conv2dWinogradKernels.Tiling(4, 36, BLOCK_FLOATS);

    /** Per-thread buffers: V and M of a block, the padded image, and the 1-D passes' tile. */
    private static final class Scratch {
        float[] v = new float[0], m = new float[0], padded = new float[0];
        final float[] pass = new float[36 * V];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<float[]> FILTER = ThreadLocal.withInitial(() -> new float[0]);

    /** y = epi(conv2d(x, w)) for an HWIO 3x3 filter {@code w} (c channels, o filters) of a geometry taken here. */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                        GemmEpilogue epi, int threads) {
        int c = g.c(), o = g.o();
        if (FILTER.get().length < 36 * c * o) FILTER.set(new float[36 * c * o]);
        float[] u = FILTER.get();
        Conv2dWinogradKernels.transformFilter(GF, w, wOff, c, o, u);
        int th = TILING.rows(g), tw = TILING.columns(g), ph = 4 * th + 2, pw = 4 * tw + 2;
        long tiles = TILING.tiles(g);
        int perBlock = TILING.tilesPerBlock(g), blocks = TILING.blocks(g);
        Parallel.forRange(blocks, 1, threads, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.v.length < 36 * perBlock * c) s.v = new float[36 * perBlock * c];
            if (s.m.length < 36 * perBlock * o) s.m = new float[36 * perBlock * o];
            if (s.padded.length < ph * pw * c) s.padded = new float[ph * pw * c];
            int image = -1; // the image in s.padded: x changes from call to call, so never trust an earlier one
            for (int b = from; b < to; b++) {
                int t0 = b * perBlock, count = (int) Math.min(perBlock, tiles - t0);
                for (int t = 0; t < count; t++) {
                    int tile = t0 + t, img = tile / (th * tw);
                    if (img != image) pad(g, x, xOff + img * g.h() * g.w() * c, ph, pw, s.padded);
                    image = img;
                    int ti = tile % (th * tw) / tw, tj = tile % tw;
                    inputTile(s.padded, (4 * ti * pw + 4 * tj) * c, pw * c, c, s.v, perBlock, t, s.pass);
                }
                Conv2dWinogradKernels.products(36, c, o, count, perBlock, s.v, u, s.m);
                for (int t = 0; t < count; t++) outputTile(g, s.m, perBlock, t, t0 + t, th, tw, y, yOff, epi, s.pass);
            }
        });
    }

    /** Image {@code x[at]} (h x w x c) into {@code dst} (ph x pw x c) at the geometry's top-left padding, zeros elsewhere. */
    static void pad(Conv2dGeometry g, float[] x, int at, int ph, int pw, float[] dst) {
        int c = g.c(), h = g.h(), w = g.w(), top = g.padTop(), left = g.padLeft();
        int cols = Math.max(0, Math.min(w, pw - left)), row = pw * c;
        for (int r = 0; r < ph; r++) {
            int src = r - top, d = r * row;
            if (src < 0 || src >= h || cols == 0) {
                Arrays.fill(dst, d, d + row, 0f);
                continue;
            }
            Arrays.fill(dst, d, d + left * c, 0f);
            System.arraycopy(x, at + src * w * c, dst, d + left * c, cols * c);
            Arrays.fill(dst, d + (left + cols) * c, d + row, 0f);
        }
    }

    /**
     * V = Bᵀ d B of the 6x6 tile at {@code p[at]} (rows {@code rowStride} apart, cells c apart) into
     * {@code v[((6i + j) * perBlock + slot) * c + ch]}: per channel vector, Bᵀ down each of the six columns into
     * {@code pass}, then across each of its six rows into v. Each pass is its own loop, so that every load and store
     * offset is affine in the loop variable and C2 hoists their range checks (one loop selecting between the passes'
     * arrays kept a check on each access: JFR put a third of the transform's samples in them).
     */
    static void inputTile(float[] p, int at, int rowStride, int c, float[] v, int perBlock, int slot, float[] pass) {
        int k = perBlock * c;
        for (int ch = 0; ch < c; ch += V) {
            for (int i = 0; i < 6; i++) inputPass(p, at + i * c + ch, rowStride, pass, i * V, 6 * V);
            for (int i = 0; i < 6; i++) inputPass(pass, i * 6 * V, V, v, (6 * i * perBlock + slot) * c + ch, k);
        }
    }

    /** Bᵀ x of the six vectors {@code src[s0 + j * ss]} into {@code dst[d0 + j * ds]}, j < 6. */
    private static void inputPass(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector x0 = FloatVector.fromArray(S, src, s0), x1 = FloatVector.fromArray(S, src, s0 + ss);
        FloatVector x2 = FloatVector.fromArray(S, src, s0 + 2 * ss), x3 = FloatVector.fromArray(S, src, s0 + 3 * ss);
        FloatVector x4 = FloatVector.fromArray(S, src, s0 + 4 * ss), x5 = FloatVector.fromArray(S, src, s0 + 5 * ss);
        FloatVector u = x3.sub(x1), w = x4.sub(x2);
        // rows of Bᵀ: 2(x0 + x4) + 3(x3 - x1) - 4x2, 2(x4 - x1) + x2 + 5x3, 2(x1 + x4) + x3 - 5x2,
        // 2(x3 - x1) + (x4 - x2), 2(x4 - x2) + (x1 - x3), 2(x1 + x5) + 3(x4 - x2) - 4x3
        u.mul(3f).add(x0.add(x4).mul(2f)).sub(x2.mul(4f)).intoArray(dst, d0);
        x4.sub(x1).mul(2f).add(x2).add(x3.mul(5f)).intoArray(dst, d0 + ds);
        x1.add(x4).mul(2f).add(x3).sub(x2.mul(5f)).intoArray(dst, d0 + 2 * ds);
        u.add(u).add(w).intoArray(dst, d0 + 3 * ds);
        w.add(w).sub(u).intoArray(dst, d0 + 4 * ds);
        w.mul(3f).add(x1.add(x5).mul(2f)).sub(x3.mul(4f)).intoArray(dst, d0 + 5 * ds);
    }

    /**
     * The 4x4 output block Aᵀ M A of slot {@code slot} (tile {@code tile}) into y, the parts inside it, then the
     * epilogue on each: per filter vector, Aᵀ down each of M's six columns into {@code pass}, then across its rows
     * inside the output (each pass its own loop, as in {@link #inputTile}).
     */
    private static void outputTile(Conv2dGeometry g, float[] m, int perBlock, int slot, int tile, int th, int tw,
                                   float[] y, int yOff, GemmEpilogue epi, float[] pass) {
        int o = g.o(), img = tile / (th * tw), ti = tile % (th * tw) / tw, tj = tile % tw;
        int oy = 4 * ti, ox = 4 * tj, rows = Math.min(4, g.oh() - oy), cols = Math.min(4, g.ow() - ox);
        int y0 = yOff + ((img * g.oh() + oy) * g.ow() + ox) * o, k = perBlock * o;
        for (int oc = 0; oc < o; oc += V) {
            for (int i = 0; i < 6; i++) outputPass(m, (i * perBlock + slot) * o + oc, 6 * k, pass, i * V, 6 * V, 4);
            for (int i = 0; i < rows; i++) outputPass(pass, i * 6 * V, V, y, y0 + i * g.ow() * o + oc, o, cols);
        }
        if (epi.isIdentity()) return;
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) epi.applyVector(y, y0 + (r * g.ow() + col) * o, o, 1, 0, o);
        }
    }

    /** The first n of Aᵀ x for the six vectors {@code src[s0 + j * ss]}, into {@code dst[d0 + r * ds]}, r < n. */
    private static void outputPass(float[] src, int s0, int ss, float[] dst, int d0, int ds, int n) {
        FloatVector x0 = FloatVector.fromArray(S, src, s0), x1 = FloatVector.fromArray(S, src, s0 + ss);
        FloatVector x2 = FloatVector.fromArray(S, src, s0 + 2 * ss), x3 = FloatVector.fromArray(S, src, s0 + 3 * ss);
        FloatVector x4 = FloatVector.fromArray(S, src, s0 + 4 * ss), x5 = FloatVector.fromArray(S, src, s0 + 5 * ss);
        FloatVector sum = x1.add(x2), diff = x1.sub(x2);
        // rows of Aᵀ: x0 + x1 + x2 + x3 + x4, (x1 - x2) + x3 / 2 - 2x4, (x1 + x2) + x3 / 4 + 4x4,
        // (x1 - x2) + x3 / 8 - 8x4 + x5
        if (n > 0) x0.add(sum).add(x3).add(x4).intoArray(dst, d0);
        if (n > 1) diff.add(x3.mul(0.5f)).sub(x4.mul(2f)).intoArray(dst, d0 + ds);
        if (n > 2) sum.add(x3.mul(0.25f)).add(x4.mul(4f)).intoArray(dst, d0 + 2 * ds);
        if (n > 3) diff.add(x3.mul(0.125f)).sub(x4.mul(8f)).add(x5).intoArray(dst, d0 + 3 * ds);
    }
}
