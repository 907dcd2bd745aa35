package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.IN_PLACE_MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;

import java.util.Arrays;

/**
 * Blocked, multithreaded float gemm over {@link SgemmPacking} operands: C (m x n) = A (m x k) * B (k x n) (+ C).
 *
 * <p>Blocking follows Goto's scheme: k is cut into blocks of at most {@link #KC} steps; for a group of k-blocks the
 * needed part of B is packed once into NR-column panels shared by all threads (a panel stays in L1 while it meets
 * every A panel of a row block); each task packs MC rows of A per k-block (kept in L2) and runs the micro-kernel over
 * its tiles. Threads split C into rectangles of whole tiles. The epilogue (bias, activation) runs on each tile of C
 * right after its last k-block, while the tile is in L1.
 *
 * <p>Determinism: the k-block boundaries depend on k alone, and every element of C is computed by one micro-kernel
 * call per k-block with the same fused multiply-add order whatever the tile, task or thread, so results are bitwise
 * the same for any thread count and any split.
 */
final class GemmEngine {
    private GemmEngine() {}

    /**
     * Most k steps per block. Each block costs every tile a store and a reload of its accumulators and every panel a
     * packing boundary. Blocks of 512 steps (a B panel of 32 KiB at 256-bit vectors, 64 KiB at 512-bit, read partly
     * from L2 as A streams by) beat blocks of 256 whose panel stays in L1: 3-8% on Zen 2 (MatmulBench, one thread:
     * 2048^3, 512^3, the MLP's and the seed model's Dense shapes); on Zen 5 with 512-bit tiles, 0.84 to 0.88-0.89 of
     * the FMA peak at 2048^3 together with {@link #MC}'s 128 rows, level at 512^3 (PeakBench, one thread).
     */
    static final int KC = 512;
    /**
     * Rows of A packed per block (KC * MC floats, in L2): 160 with 5-row tiles; 128 with 8-row ones, where 256 rows
     * left C's 256 x NC block, A's block and B's panels competing for a 1 MiB L2 (Zen 5, 2048^3: 0.84-0.85 of the
     * FMA peak with 256 rows, 0.88-0.89 with 64 or 128).
     */
    static final int MC = (MR == 8 ? 16 : 32) * MR;
    /**
     * Most columns per outer block. A is packed again for every column block, so wide blocks save packing; C's
     * MC x NC block (320 KiB at 256-bit vectors, 512 KiB at 512-bit) is then read from L3 once per k-block. On Zen 5
     * at 2048^3 (PeakBench, one thread), with 256-step k-blocks and 256-row A blocks, 256 or 512 columns (a C block
     * in L2, A packed eight or four times) ran at 0.79-0.83 of the FMA peak against 0.84 for 1024; with this KC and
     * MC, 1024 columns 0.89 and 2048 0.87.
     */
    static final int NC = 32 * NR;
    /** Most floats of packed B held at once (the k-blocks of a group share one buffer). */
    static final int B_CAP = 1 << 20;
    /** Below this many flops a product runs on the calling thread: the hand-off would cost more than it saves. */
    static final long PARALLEL_MIN_FLOPS = 3L << 20;
    /** Fewest floats of packed B worth packing in parallel: smaller copies take about as long as a hand-off. */
    static final int PARALLEL_PACK_MIN = 1 << 13;
    /** Tasks per thread, for dynamic load balancing. */
    static final int TASKS_PER_THREAD = 2;
    /** With at most this many columns, each A element is used by so few B panels that reading A in place wins. */
    static final int PACK_A_MIN_N = 2 * NR;

    /** Per-thread packing buffers, reused across calls. */
    private static final class Buffers {
        final float[] a = new float[MC * KC + SgemmPacking.PACK_SLACK];
        final float[] tile = new float[MR * NR];
        float[] b = new float[0];

        float[] b(int size) {
            if (b.length < size) b = new float[Math.max(size, b.length + (b.length >> 1))];
            return b;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Number of k-blocks for k steps. */
    static int kBlocks(int k) {
        return (k + KC - 1) / KC;
    }

    /** First step of k-block {@code kb} of {@code nkb} (balanced: block sizes differ by at most one). */
    static int kStart(int kb, int nkb, int k) {
        return (int) ((long) kb * k / nkb);
    }

    /**
     * C = A * B (+ C when {@code accumulate}), using up to {@code threads} threads. C element (i, j) is
     * {@code c[cOff + i * ldc + j]}; the caller has validated all bounds.
     */
    static void gemm(int m, int n, int k, SgemmPacking.Left a, SgemmPacking.Right b, float[] c, int cOff, int ldc,
                     boolean accumulate, int threads) {
        gemm(m, n, k, a, b, c, cOff, ldc, accumulate, GemmEpilogue.NONE, threads);
    }

    /**
     * As {@link #gemm(int, int, int, SgemmPacking.Left, SgemmPacking.Right, float[], int, int, boolean, int)}, then
     * {@code epi} on each tile of C right after its last k-block.
     */
    static void gemm(int m, int n, int k, SgemmPacking.Left a, SgemmPacking.Right b, float[] c, int cOff, int ldc,
                     boolean accumulate, GemmEpilogue epi, int threads) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            epi.applyVector(c, cOff, ldc, m, 0, n);
            return;
        }
        int t = 2.0 * m * n * k < PARALLEL_MIN_FLOPS ? 1 : Math.max(1, threads);
        boolean packA = a.packs(n);
        int nkb = kBlocks(k);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = (nc + NR - 1) / NR;
            for (int kb0 = 0; kb0 < nkb; ) {
                // group as many k-blocks as fit in B_CAP floats of packed B
                int kb1 = kb0 + 1;
                while (kb1 < nkb && (long) (kStart(kb1 + 1, nkb, k) - kStart(kb0, nkb, k)) * panels * NR <= B_CAP) {
                    kb1++;
                }
                int groupRows = kStart(kb1, nkb, k) - kStart(kb0, nkb, k);
                float[] bp = BUFFERS.get().b(groupRows * panels * NR);
                packB(b, k, nkb, kb0, kb1, jc, nc, panels, bp, t);
                computeGroup(m, n, k, nkb, kb0, kb1, jc, nc, panels, a, packA, bp, c, cOff, ldc, accumulate, epi, t);
                kb0 = kb1;
            }
        }
    }

    /** Packs k-blocks [kb0, kb1) of columns [jc, jc + nc): block after block, each as consecutive panels. */
    private static void packB(SgemmPacking.Right b, int k, int nkb, int kb0, int kb1, int jc, int nc, int panels,
                              float[] bp, int threads) {
        int p00 = kStart(kb0, nkb, k);
        Parallel.RangeBody body = (q0, q1) -> {
            for (int kb = kb0; kb < kb1; kb++) {
                int p0 = kStart(kb, nkb, k), kc = kStart(kb + 1, nkb, k) - p0;
                int base = (p0 - p00) * panels * NR;
                for (int q = q0; q < q1; q++) {
                    int j = q * NR;
                    b.pack(p0, kc, jc + j, Math.min(NR, nc - j), bp, base + q * kc * NR);
                }
            }
        };
        long size = (long) (kStart(kb1, nkb, k) - p00) * panels * NR;
        // B is shared by all threads: packing it on one thread would serialize a large part of a mid-size product
        if (threads == 1 || size < PARALLEL_PACK_MIN) body.run(0, panels);
        else Parallel.forRange(panels, Math.max(1, panels / (4 * threads)), threads, body);
    }

    private static void computeGroup(int m, int n, int k, int nkb, int kb0, int kb1, int jc, int nc, int panels,
                                     SgemmPacking.Left a, boolean packA, float[] bp, float[] c, int cOff, int ldc,
                                     boolean accumulate, GemmEpilogue epi, int threads) {
        int tileRows = packA ? MR : IN_PLACE_MR;
        int rowPanels = (m + tileRows - 1) / tileRows;
        int[] split = split(rowPanels, MC / tileRows, panels, threads);
        int rowTasks = split[0], colTasks = split[1];
        int p00 = kStart(kb0, nkb, k);
        Parallel.RangeBody body = (t0, t1) -> {
            Buffers buf = BUFFERS.get();
            for (int task = t0; task < t1; task++) {
                int rt = task / colTasks, ct = task % colTasks;
                int r0 = stripeStart(rt, rowTasks, rowPanels) * tileRows, q0 = stripeStart(ct, colTasks, panels);
                int r1 = Math.min(m, stripeStart(rt + 1, rowTasks, rowPanels) * tileRows);
                int q1 = stripeStart(ct + 1, colTasks, panels);
                for (int ic = r0; ic < r1; ic += MC) {
                    int mc = Math.min(MC, r1 - ic);
                    for (int kb = kb0; kb < kb1; kb++) {
                        int p0 = kStart(kb, nkb, k), kc = kStart(kb + 1, nkb, k) - p0;
                        if (packA) a.pack(ic, mc, p0, kc, buf.a);
                        block(a, packA, tileRows, buf, ic, mc, p0, kc, bp, (p0 - p00) * panels * NR, q0, q1, jc, n,
                                c, cOff, ldc, accumulate || kb > 0, kb == nkb - 1 ? epi : null);
                    }
                }
            }
        };
        int tasks = rowTasks * colTasks;
        if (tasks == 1) body.run(0, 1);
        else Parallel.forRange(tasks, 1, threads, body);
    }

    /**
     * Runs the micro-kernel over rows [ic, ic + mc) x panels [q0, q1) for one k-block, then {@code epi} (non-null
     * on the last k-block only) on each finished tile while it is in L1.
     */
    private static void block(SgemmPacking.Left a, boolean packA, int tileRows, Buffers buf, int ic, int mc, int p0,
                              int kc, float[] bp, int bBase, int q0, int q1, int jc, int n, float[] c, int cOff,
                              int ldc, boolean add, GemmEpilogue epi) {
        boolean fuse = epi != null && !epi.isIdentity(), rowPanels = packA && a.rowPanels();
        float[] ap = buf.a, tile = buf.tile;
        for (int q = q0; q < q1; q++) {
            int j = jc + q * NR, nr = Math.min(NR, n - j), bi = bBase + q * kc * NR;
            for (int ir = 0; ir < mc; ir += tileRows) {
                int mr = Math.min(tileRows, mc - ir), ci = cOff + (ic + ir) * ldc + j;
                boolean full = mr == tileRows && nr == NR;
                float[] dst = full ? c : tile;
                int di = full ? ci : 0, dld = full ? ldc : NR;
                boolean dAdd = full && add;
                if (rowPanels) {
                    GemmMicroKernels.strided(kc, ap, ir * kc, kc, mr, bp, bi, dst, di, dld, dAdd);
                } else if (packA) {
                    GemmMicroKernels.packed(kc, ap, ir * kc, bp, bi, dst, di, dld, dAdd);
                } else {
                    a.tile(kc, ic + ir, mr, p0, bp, bi, dst, di, dld, dAdd);
                }
                if (!full) {
                    for (int r = 0; r < mr; r++) {
                        int o = ci + r * ldc;
                        if (add) for (int jj = 0; jj < nr; jj++) c[o + jj] += tile[r * NR + jj];
                        else System.arraycopy(tile, r * NR, c, o, nr);
                    }
                }
                if (fuse) epi.applyVector(c, ci, ldc, mr, j, nr);
            }
        }
    }

    /**
     * First panel of stripe {@code i} of {@code count} over {@code panels} panels: sizes differ by at most one, larger
     * and smaller alternating (26 panels in 4 stripes: 7, 6, 7, 6), so that two threads taking tasks in turn end
     * level, 13 panels each (equal ceilings, 7, 7, 7, 5, left 14 against 12, and 6, 7, 6, 7 would too).
     */
    static int stripeStart(int i, int count, int panels) {
        return (int) (((long) i * panels + count - 1) / count);
    }

    /**
     * Chooses how many row and column stripes C is cut into for {@code threads} threads. Several tasks per thread
     * let the threads balance dynamically (a core shared with other work finishes fewer tasks instead of holding
     * everyone up); row stripes come first because every column stripe packs its rows of A again.
     */
    static int[] split(int rowPanels, int panelsPerBlock, int colPanels, int threads) {
        if (threads <= 1) return new int[] {1, 1};
        // at least one task per MC-row block: row tasks share the packed B and cost nothing extra, and more of them
        // balance better when another process takes part of a core
        int target = Math.max(threads * TASKS_PER_THREAD, (rowPanels + panelsPerBlock - 1) / panelsPerBlock);
        // a whole number of tasks per thread: 7 equal tasks on 2 threads leave one idle for an eighth of the time
        target = (target + threads - 1) / threads * threads;
        int rows = Math.min(rowPanels, target);
        int cols = Math.min(colPanels, (target + rows - 1) / rows);
        return new int[] {rows, cols};
    }
}
