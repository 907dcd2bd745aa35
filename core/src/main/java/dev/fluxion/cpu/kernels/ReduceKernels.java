package dev.fluxion.cpu.kernels;

import dev.fluxion.ops.ReduceFn;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions of the middle axis of a contiguous [outer, r, inner] array into [outer, inner].
 *
 * <p>Every output has one fixed evaluation order, whatever the thread count, chunking or SIMD switch: the reduced
 * axis is cut into blocks, each block is folded, and the block results are combined pairwise (the left half of each
 * pair of subtrees is the largest power of two of blocks). For inner == 1 a block is {@value #BLOCK} contiguous
 * elements folded into {@code 4 * L} interleaved lanes, L the vector length of {@link KernelConfig#FLOATS}, which are
 * then combined in a fixed tree; the scalar twin emulates those lanes, so both versions agree bitwise (the order,
 * hence the last bits, does depend on L, i.e. on {@code fluxion.vectorBits}). For inner > 1 a block is
 * {@value #ROW_BLOCK} rows folded row after row, vectorized across inner. A float32 sum thus rounds about
 * BLOCK / (4 L) + log2(4 L r / BLOCK) times along any path (under 100 for 256-bit vectors), not r times.
 */
public final class ReduceKernels {
    private ReduceKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final int L = S.length();

    /** Elements per block when inner == 1; a multiple of 4 * L for every species. */
    static final int BLOCK = 2048;
    /** Rows per block when inner > 1. */
    static final int ROW_BLOCK = 64;
    /** Columns per task when inner > 1; a multiple of every vector length. */
    static final int TILE = 512;
    /** Inputs at least this large are reduced on the kernel threads. */
    static final int PARALLEL_THRESHOLD = 1 << 16;
    /** Elements of input per parallel chunk, roughly. */
    static final int CHUNK = 1 << 15;

    /**
     * Reduces float32 {@code src[srcOff + (o * r + k) * inner + i]} over k into {@code dst[dstOff + o * inner + i]}.
     * SUM, PROD, MAX, MIN; MAX and MIN propagate NaN; r == 0 gives {@link ReduceFn#identity()}. Results are
     * bitwise the same on any thread count and with SIMD on or off.
     */
    public static void reduce(ReduceFn fn, float[] src, int srcOff, int outer, int r, int inner, float[] dst,
                              int dstOff) {
        reduce(fn, src, srcOff, outer, r, inner, dst, dstOff, KernelConfig.SIMD, KernelConfig.THREADS);
    }

    /** The scalar twin of {@link #reduce(ReduceFn, float[], int, int, int, int, float[], int)}; same results. */
    public static void reduceScalar(ReduceFn fn, float[] src, int srcOff, int outer, int r, int inner, float[] dst,
                                    int dstOff) {
        reduce(fn, src, srcOff, outer, r, inner, dst, dstOff, false, KernelConfig.THREADS);
    }

    /** Entry point for tests: picks the version and the most threads to use. */
    static void reduce(ReduceFn fn, float[] src, int srcOff, int outer, int r, int inner, float[] dst, int dstOff,
                       boolean simd, int threads) {
        check(src.length, srcOff, outer, r, inner, dst.length, dstOff);
        if (outer == 0 || inner == 0) return;
        if (r == 0) {
            Arrays.fill(dst, dstOff, dstOff + outer * inner, (float) fn.identity());
            return;
        }
        // the split depends on the size only; threads only says how many run the chunks
        int th = (long) outer * r * inner >= PARALLEL_THRESHOLD ? threads : 0;
        if (inner == 1) reduceRows(fn, src, srcOff, outer, r, dst, dstOff, simd, th);
        else reduceColumns(fn, src, srcOff, outer, r, inner, dst, dstOff, simd && inner >= L, th);
    }

    static void check(int srcLen, int srcOff, int outer, int r, int inner, int dstLen, int dstOff) {
        if (outer < 0 || r < 0 || inner < 0) {
            throw new IllegalArgumentException("negative extent [" + outer + ", " + r + ", " + inner + "]");
        }
        long in = (long) outer * r * inner, out = (long) outer * inner;
        if (srcOff < 0 || srcOff + in > srcLen) {
            throw new IndexOutOfBoundsException("source of " + in + " at " + srcOff + " exceeds length " + srcLen);
        }
        if (dstOff < 0 || dstOff + out > dstLen) {
            throw new IndexOutOfBoundsException("output of " + out + " at " + dstOff + " exceeds length " + dstLen);
        }
    }

    static float op(ReduceFn fn, float x, float y) {
        return switch (fn) {
            case SUM -> x + y;
            case PROD -> x * y;
            case MAX -> Math.max(x, y); // NaN-propagating, as the reference
            case MIN -> Math.min(x, y);
        };
    }

    // ---- inner == 1: contiguous rows ------------------------------------------------------------------------------

    private static void reduceRows(ReduceFn fn, float[] src, int off, int outer, int r, float[] dst, int dstOff,
                                   boolean simd, int threads) {
        int blocks = (r + BLOCK - 1) / BLOCK;
        if (threads == 0) {
            float[] parts = new float[blocks], scratch = scratch();
            for (int o = 0; o < outer; o++) dst[dstOff + o] = row(fn, src, off + o * r, r, parts, scratch, simd);
        } else if (outer >= 4) {
            // several rows: whole rows per chunk
            Parallel.forRange(outer, Math.max(1, CHUNK / r), threads, (from, to) -> {
                float[] parts = new float[blocks], scratch = scratch();
                for (int o = from; o < to; o++) dst[dstOff + o] = row(fn, src, off + o * r, r, parts, scratch, simd);
            });
        } else {
            // few long rows: the blocks of a row in parallel, then the same pairwise combination
            float[] parts = new float[blocks];
            for (int o = 0; o < outer; o++) {
                int base = off + o * r;
                Parallel.forRange(blocks, Math.max(1, CHUNK / BLOCK), threads, (from, to) -> {
                    float[] scratch = scratch();
                    for (int j = from; j < to; j++) {
                        parts[j] = block(fn, src, base + j * BLOCK, blockLen(r, j), scratch, simd);
                    }
                });
                dst[dstOff + o] = pairwise(fn, parts, 0, blocks);
            }
        }
    }

    private static int blockLen(int r, int j) {
        return Math.min(BLOCK, r - j * BLOCK);
    }

    /** Work space of one thread for {@link #blockScalar}: 4 L accumulator lanes, then L lanes to combine. */
    private static float[] scratch() {
        return new float[5 * L];
    }

    private static float row(ReduceFn fn, float[] src, int base, int r, float[] parts, float[] scratch,
                             boolean simd) {
        int blocks = (r + BLOCK - 1) / BLOCK;
        if (blocks == 1) return block(fn, src, base, r, scratch, simd);
        for (int j = 0; j < blocks; j++) parts[j] = block(fn, src, base + j * BLOCK, blockLen(r, j), scratch, simd);
        return pairwise(fn, parts, 0, blocks);
    }

    /** Combines parts[from, from + n) as a tree whose left subtrees hold the largest power of two of parts. */
    static float pairwise(ReduceFn fn, float[] parts, int from, int n) {
        if (n == 1) return parts[from];
        int h = Integer.highestOneBit(n - 1);
        return op(fn, pairwise(fn, parts, from, h), pairwise(fn, parts, from + h, n - h));
    }

    private static float block(ReduceFn fn, float[] x, int off, int m, float[] scratch, boolean simd) {
        return simd ? blockVector(fn, x, off, m) : blockScalar(fn, x, off, m, scratch);
    }

    /**
     * Folds m <= BLOCK elements into four vector accumulators (the last partial vector into the first, tail lanes
     * masked), then combines (a0 op a1) op (a2 op a3) and its lanes in the fixed tree of {@link #laneTree}, by
     * shuffles. Not reduceLanes: its order is unspecified.
     */
    /** Shuffles bringing lane k + w to lane k, for w = L/2, L/4, ..., 1: the lane tree of {@link #laneTree}. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int levels = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] h = new VectorShuffle[levels];
        for (int k = 0, w = L / 2; k < levels; k++, w /= 2) {
            int shift = w;
            h[k] = VectorShuffle.fromOp(S, i -> (i + shift) % L);
        }
        return h;
    }

    private static float blockVector(ReduceFn fn, float[] x, int off, int m) {
        FloatVector id = FloatVector.broadcast(S, (float) fn.identity());
        FloatVector a0 = id, a1 = id, a2 = id, a3 = id;
        int j = 0, w = 4 * L;
        switch (fn) {
            case SUM -> {
                for (; j + w <= m; j += w) {
                    a0 = a0.add(FloatVector.fromArray(S, x, off + j));
                    a1 = a1.add(FloatVector.fromArray(S, x, off + j + L));
                    a2 = a2.add(FloatVector.fromArray(S, x, off + j + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(S, x, off + j + 3 * L));
                }
                for (; j < m; j += L) a0 = a0.add(tail(x, off, j, m, id));
                a0 = a0.add(a1).add(a2.add(a3));
                for (int k = 0; k < HALVES.length; k++) a0 = a0.add(a0.rearrange(HALVES[k]));
                return a0.lane(0);
            }
            case PROD -> {
                for (; j + w <= m; j += w) {
                    a0 = a0.mul(FloatVector.fromArray(S, x, off + j));
                    a1 = a1.mul(FloatVector.fromArray(S, x, off + j + L));
                    a2 = a2.mul(FloatVector.fromArray(S, x, off + j + 2 * L));
                    a3 = a3.mul(FloatVector.fromArray(S, x, off + j + 3 * L));
                }
                for (; j < m; j += L) a0 = a0.mul(tail(x, off, j, m, id));
                a0 = a0.mul(a1).mul(a2.mul(a3));
                for (int k = 0; k < HALVES.length; k++) a0 = a0.mul(a0.rearrange(HALVES[k]));
                return a0.lane(0);
            }
            case MAX -> {
                for (; j + w <= m; j += w) {
                    a0 = a0.max(FloatVector.fromArray(S, x, off + j));
                    a1 = a1.max(FloatVector.fromArray(S, x, off + j + L));
                    a2 = a2.max(FloatVector.fromArray(S, x, off + j + 2 * L));
                    a3 = a3.max(FloatVector.fromArray(S, x, off + j + 3 * L));
                }
                for (; j < m; j += L) a0 = a0.max(tail(x, off, j, m, id));
                a0 = a0.max(a1).max(a2.max(a3));
                for (int k = 0; k < HALVES.length; k++) a0 = a0.max(a0.rearrange(HALVES[k]));
                return a0.lane(0);
            }
            case MIN -> {
                for (; j + w <= m; j += w) {
                    a0 = a0.min(FloatVector.fromArray(S, x, off + j));
                    a1 = a1.min(FloatVector.fromArray(S, x, off + j + L));
                    a2 = a2.min(FloatVector.fromArray(S, x, off + j + 2 * L));
                    a3 = a3.min(FloatVector.fromArray(S, x, off + j + 3 * L));
                }
                for (; j < m; j += L) a0 = a0.min(tail(x, off, j, m, id));
                a0 = a0.min(a1).min(a2.min(a3));
                for (int k = 0; k < HALVES.length; k++) a0 = a0.min(a0.rearrange(HALVES[k]));
                return a0.lane(0);
            }
        }
        throw new AssertionError(fn);
    }

    /** A full vector at j, or the partial one with identity in its missing lanes. */
    private static FloatVector tail(float[] x, int off, int j, int m, FloatVector id) {
        if (j + L <= m) return FloatVector.fromArray(S, x, off + j);
        VectorMask<Float> in = S.indexInRange(j, m);
        return id.blend(FloatVector.fromArray(S, x, off + j, in), in);
    }

    /** Combines the L lanes at scratch[4 L ..] in a fixed tree: lane k with lane k + w, w = L/2, ..., 1. */
    private static float laneTree(ReduceFn fn, float[] scratch) {
        int b = 4 * L;
        for (int w = L / 2; w >= 1; w /= 2) {
            for (int k = 0; k < w; k++) scratch[b + k] = op(fn, scratch[b + k], scratch[b + k + w]);
        }
        return scratch[b];
    }

    /** blockVector's exact order with scalar arithmetic: accumulator lane t of vector v is acc[v * L + t]. */
    private static float blockScalar(ReduceFn fn, float[] x, int off, int m, float[] acc) {
        int w = 4 * L;
        Arrays.fill(acc, 0, w, (float) fn.identity());
        int j = 0;
        for (; j + w <= m; j += w) {
            for (int t = 0; t < w; t++) acc[t] = op(fn, acc[t], x[off + j + t]);
        }
        // partial vectors go to the first accumulator; their missing lanes would fold the identity, a no-op
        for (; j < m; j += L) {
            for (int t = 0, e = Math.min(L, m - j); t < e; t++) acc[t] = op(fn, acc[t], x[off + j + t]);
        }
        for (int t = 0; t < L; t++) {
            acc[w + t] = op(fn, op(fn, acc[t], acc[L + t]), op(fn, acc[2 * L + t], acc[3 * L + t]));
        }
        return laneTree(fn, acc);
    }

    // ---- inner > 1: rows of columns -------------------------------------------------------------------------------

    private static void reduceColumns(ReduceFn fn, float[] src, int off, int outer, int r, int inner, float[] dst,
                                      int dstOff, boolean simd, int threads) {
        int tiles = (inner + TILE - 1) / TILE;
        int tasks = outer * tiles;
        int blocks = (r + ROW_BLOCK - 1) / ROW_BLOCK, run = rowRun(Math.min(inner, TILE));
        if (threads > 0 && tasks < SPLIT_ROWS_BELOW_TASKS && run < blocks) {
            reduceColumnRuns(fn, src, off, outer, r, inner, dst, dstOff, simd, threads, run);
            return;
        }
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t / tiles, i0 = (t % tiles) * TILE, w = Math.min(TILE, inner - i0);
                columnTile(fn, src, off + o * r * inner + i0, r, inner, w, dst, dstOff + o * inner + i0, simd);
            }
        };
        if (threads > 0) Parallel.forRange(tasks, tileGrain(r, inner), threads, body);
        else body.run(0, tasks);
    }

    /** With fewer column tasks than this, a long reduction (batch norm's [N*H*W, C]) also splits its rows. */
    static final int SPLIT_ROWS_BELOW_TASKS = 8;

    /** Row blocks per run when rows are split: a power of two, about CHUNK elements of a w-column tile. */
    static int rowRun(int w) {
        return Integer.highestOneBit((int) Math.max(1, CHUNK / ((long) ROW_BLOCK * w)));
    }

    /**
     * reduceColumns for few, long column tiles: each task reduces a run of {@code run} row blocks (a power of two,
     * so a subtree of {@link #columnTile}'s merge tree, the last run a shorter one), then the runs of each tile are
     * merged in that tree: the same bits as one task per tile, with the rows spread over the threads.
     */
    private static void reduceColumnRuns(ReduceFn fn, float[] src, int off, int outer, int r, int inner, float[] dst,
                                         int dstOff, boolean simd, int threads, int run) {
        int tiles = (inner + TILE - 1) / TILE, tasks = outer * tiles;
        int rowsPerRun = run * ROW_BLOCK, runs = (r + rowsPerRun - 1) / rowsPerRun;
        float[][][] parts = new float[tasks][runs][];
        Parallel.forRange(tasks * runs, 1, threads, (from, to) -> {
            for (int q = from; q < to; q++) {
                int t = q / runs, k0 = q % runs * rowsPerRun, rows = Math.min(rowsPerRun, r - k0);
                int o = t / tiles, i0 = (t % tiles) * TILE, w = Math.min(TILE, inner - i0);
                float[] part = new float[w];
                columnTile(fn, src, off + (o * r + k0) * inner + i0, rows, inner, w, part, 0, simd);
                parts[t][q % runs] = part;
            }
        });
        for (int t = 0; t < tasks; t++) {
            int o = t / tiles, i0 = (t % tiles) * TILE, w = Math.min(TILE, inner - i0);
            mergeTree(fn, parts[t], 0, runs, w);
            System.arraycopy(parts[t][0], 0, dst, dstOff + o * inner + i0, w);
        }
    }

    /**
     * Reduces w columns starting at base over r rows: ROW_BLOCK rows at a time into a block accumulator, then the
     * blocks merged as a binary counter does, which is the same tree as {@link #pairwise}.
     */
    private static void columnTile(ReduceFn fn, float[] src, int base, int r, int inner, int w, float[] dst,
                                   int dstOff, boolean simd) {
        float id = (float) fn.identity();
        if (r <= ROW_BLOCK) {
            float[] acc = new float[w];
            Arrays.fill(acc, id);
            foldRows(fn, src, base, 0, r, inner, acc, w, simd);
            System.arraycopy(acc, 0, dst, dstOff, w);
            return;
        }
        float[][] stack = new float[33][];
        int top = 0, count = 0;
        for (int k0 = 0; k0 < r; k0 += ROW_BLOCK) {
            float[] acc = stack[top] != null ? stack[top] : new float[w];
            Arrays.fill(acc, id);
            foldRows(fn, src, base, k0, Math.min(r, k0 + ROW_BLOCK), inner, acc, w, simd);
            stack[top++] = acc;
            for (int c = ++count; (c & 1) == 0; c >>= 1) {
                merge(fn, stack[top - 2], stack[top - 1], w);
                top--; // the merged-away array stays in stack[top] for reuse
            }
        }
        float[] res = stack[top - 1];
        for (int lvl = top - 2; lvl >= 0; lvl--) {
            merge(fn, stack[lvl], res, w);
            res = stack[lvl];
        }
        System.arraycopy(res, 0, dst, dstOff, w);
    }

    // ---- the same blocks for fused passes --------------------------------------------------------------------------

    /**
     * Rows per block of a reduction over leading axes ({@code outer == 1, inner > 1}). A fused pass that folds
     * every block of this many rows with {@link #foldBlock} and merges the blocks with {@link #mergeTree} gives the
     * bits {@link #reduce} gives.
     */
    public static final int ROWS_PER_BLOCK = ROW_BLOCK;

    /** acc[i] = acc[i] op src[base + k * inner + i] for k in [0, rows), in row order, i in [0, inner). */
    public static void foldBlock(ReduceFn fn, float[] src, int base, int rows, int inner, float[] acc) {
        foldRows(fn, src, base, 0, rows, inner, acc, inner, KernelConfig.SIMD && inner >= L);
    }

    /**
     * Merges the block results parts[from, from + n) into parts[from] in the tree {@link #reduce} uses (left
     * subtrees hold the largest power of two of blocks). A power-of-two run of blocks aligned to its size is a
     * subtree of it, so such runs can be merged separately (on any thread) and their results merged by this again.
     */
    public static void mergeTree(ReduceFn fn, float[][] parts, int from, int n, int w) {
        if (n == 1) return;
        int h = Integer.highestOneBit(n - 1);
        mergeTree(fn, parts, from, h, w);
        mergeTree(fn, parts, from + h, n - h, w);
        merge(fn, parts[from], parts[from + h], w);
    }

    /** left[i] = left[i] op right[i]. */
    private static void merge(ReduceFn fn, float[] left, float[] right, int w) {
        switch (fn) {
            case SUM -> { for (int i = 0; i < w; i++) left[i] += right[i]; }
            case PROD -> { for (int i = 0; i < w; i++) left[i] *= right[i]; }
            case MAX -> { for (int i = 0; i < w; i++) left[i] = Math.max(left[i], right[i]); }
            case MIN -> { for (int i = 0; i < w; i++) left[i] = Math.min(left[i], right[i]); }
        }
    }

    /** acc[i] = acc[i] op src[base + k * inner + i] for rows k in [k0, k1), in row order. */
    private static void foldRows(ReduceFn fn, float[] src, int base, int k0, int k1, int inner, float[] acc, int w,
                                 boolean simd) {
        if (!simd) {
            for (int k = k0; k < k1; k++) {
                int row = base + k * inner;
                switch (fn) {
                    case SUM -> { for (int i = 0; i < w; i++) acc[i] += src[row + i]; }
                    case PROD -> { for (int i = 0; i < w; i++) acc[i] *= src[row + i]; }
                    case MAX -> { for (int i = 0; i < w; i++) acc[i] = Math.max(acc[i], src[row + i]); }
                    case MIN -> { for (int i = 0; i < w; i++) acc[i] = Math.min(acc[i], src[row + i]); }
                }
            }
            return;
        }
        int full = S.loopBound(w);
        for (int k = k0; k < k1; k++) {
            int row = base + k * inner;
            switch (fn) {
                case SUM -> {
                    for (int i = 0; i < full; i += L) {
                        FloatVector.fromArray(S, acc, i).add(FloatVector.fromArray(S, src, row + i)).intoArray(acc, i);
                    }
                }
                case PROD -> {
                    for (int i = 0; i < full; i += L) {
                        FloatVector.fromArray(S, acc, i).mul(FloatVector.fromArray(S, src, row + i)).intoArray(acc, i);
                    }
                }
                case MAX -> {
                    for (int i = 0; i < full; i += L) {
                        FloatVector.fromArray(S, acc, i).max(FloatVector.fromArray(S, src, row + i)).intoArray(acc, i);
                    }
                }
                case MIN -> {
                    for (int i = 0; i < full; i += L) {
                        FloatVector.fromArray(S, acc, i).min(FloatVector.fromArray(S, src, row + i)).intoArray(acc, i);
                    }
                }
            }
            // the few leftover columns: lanewise, so scalar gives the same values
            for (int i = full; i < w; i++) acc[i] = op(fn, acc[i], src[row + i]);
        }
    }

    // ---- float64 --------------------------------------------------------------------------------------------------

    /** Elements per block of a float64 row (inner == 1), folded into four interleaved accumulators. */
    static final int DOUBLE_BLOCK = 256;

    /**
     * float64 version of {@link #reduce(ReduceFn, float[], int, int, int, int, float[], int)}, scalar, with the same
     * kind of blocked pairwise order (blocks of {@value #DOUBLE_BLOCK} for inner == 1), so it is as deterministic
     * and closer to exact than a plain running sum.
     */
    public static void reduce(ReduceFn fn, double[] src, int srcOff, int outer, int r, int inner, double[] dst,
                              int dstOff) {
        reduce(fn, src, srcOff, outer, r, inner, dst, dstOff, KernelConfig.THREADS);
    }

    static void reduce(ReduceFn fn, double[] src, int srcOff, int outer, int r, int inner, double[] dst, int dstOff,
                       int threads) {
        check(src.length, srcOff, outer, r, inner, dst.length, dstOff);
        if (outer == 0 || inner == 0) return;
        if (r == 0) {
            Arrays.fill(dst, dstOff, dstOff + outer * inner, fn.identity());
            return;
        }
        boolean par = (long) outer * r * inner >= PARALLEL_THRESHOLD;
        if (inner == 1) {
            int blocks = (r + DOUBLE_BLOCK - 1) / DOUBLE_BLOCK;
            if (par && outer < 4) {
                double[] parts = new double[blocks];
                for (int o = 0; o < outer; o++) {
                    int base = srcOff + o * r;
                    Parallel.forRange(blocks, Math.max(1, CHUNK / DOUBLE_BLOCK), threads, (from, to) -> {
                        for (int j = from; j < to; j++) {
                            parts[j] = block(fn, src, base + j * DOUBLE_BLOCK, doubleBlockLen(r, j));
                        }
                    });
                    dst[dstOff + o] = pairwise(fn, parts, 0, blocks);
                }
                return;
            }
            Parallel.RangeBody rows = (from, to) -> {
                double[] parts = new double[blocks];
                for (int o = from; o < to; o++) {
                    int base = srcOff + o * r;
                    for (int j = 0; j < blocks; j++) {
                        parts[j] = block(fn, src, base + j * DOUBLE_BLOCK, doubleBlockLen(r, j));
                    }
                    dst[dstOff + o] = pairwise(fn, parts, 0, blocks);
                }
            };
            if (par) Parallel.forRange(outer, Math.max(1, CHUNK / r), threads, rows);
            else rows.run(0, outer);
            return;
        }
        int tiles = (inner + TILE - 1) / TILE;
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t / tiles, i0 = (t % tiles) * TILE, w = Math.min(TILE, inner - i0);
                columnTile(fn, src, srcOff + o * r * inner + i0, r, inner, w, dst, dstOff + o * inner + i0);
            }
        };
        if (par) Parallel.forRange(outer * tiles, tileGrain(r, inner), threads, body);
        else body.run(0, outer * tiles);
    }

    private static int doubleBlockLen(int r, int j) {
        return Math.min(DOUBLE_BLOCK, r - j * DOUBLE_BLOCK);
    }

    static double op(ReduceFn fn, double x, double y) {
        return switch (fn) {
            case SUM -> x + y;
            case PROD -> x * y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    private static double block(ReduceFn fn, double[] x, int off, int m) {
        double id = fn.identity(), a0 = id, a1 = id, a2 = id, a3 = id;
        int j = 0;
        for (; j + 4 <= m; j += 4) {
            a0 = op(fn, a0, x[off + j]);
            a1 = op(fn, a1, x[off + j + 1]);
            a2 = op(fn, a2, x[off + j + 2]);
            a3 = op(fn, a3, x[off + j + 3]);
        }
        for (; j < m; j++) a0 = op(fn, a0, x[off + j]);
        return op(fn, op(fn, a0, a1), op(fn, a2, a3));
    }

    static double pairwise(ReduceFn fn, double[] parts, int from, int n) {
        if (n == 1) return parts[from];
        int h = Integer.highestOneBit(n - 1);
        return op(fn, pairwise(fn, parts, from, h), pairwise(fn, parts, from + h, n - h));
    }

    private static void columnTile(ReduceFn fn, double[] src, int base, int r, int inner, int w, double[] dst,
                                   int dstOff) {
        double[][] stack = new double[33][];
        int top = 0, count = 0;
        for (int k0 = 0; k0 < r; k0 += ROW_BLOCK) {
            double[] acc = stack[top] != null ? stack[top] : new double[w];
            Arrays.fill(acc, fn.identity());
            for (int k = k0, k1 = Math.min(r, k0 + ROW_BLOCK); k < k1; k++) {
                int row = base + k * inner;
                for (int i = 0; i < w; i++) acc[i] = op(fn, acc[i], src[row + i]);
            }
            stack[top++] = acc;
            for (int c = ++count; (c & 1) == 0; c >>= 1) {
                double[] left = stack[top - 2], right = stack[top - 1];
                for (int i = 0; i < w; i++) left[i] = op(fn, left[i], right[i]);
                top--;
            }
        }
        double[] res = stack[top - 1];
        for (int lvl = top - 2; lvl >= 0; lvl--) {
            double[] left = stack[lvl];
            for (int i = 0; i < w; i++) left[i] = op(fn, left[i], res[i]);
            res = left;
        }
        System.arraycopy(res, 0, dst, dstOff, w);
    }

    // ---- int32, int64 ---------------------------------------------------------------------------------------------

    /**
     * int32 version: SUM and PROD wrap on overflow; r == 0 gives 0, 1, {@code Integer.MIN_VALUE} (MAX) or
     * {@code Integer.MAX_VALUE} (MIN). Integer arithmetic is associative, so the order is simply row by row.
     */
    public static void reduce(ReduceFn fn, int[] src, int srcOff, int outer, int r, int inner, int[] dst,
                              int dstOff) {
        check(src.length, srcOff, outer, r, inner, dst.length, dstOff);
        if (outer == 0 || inner == 0) return;
        int id = switch (fn) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Integer.MIN_VALUE;
            case MIN -> Integer.MAX_VALUE;
        };
        rowsInParallel(outer, r, inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                int d = dstOff + o * inner, base = srcOff + o * r * inner;
                Arrays.fill(dst, d, d + inner, id);
                for (int k = 0; k < r; k++) {
                    int row = base + k * inner;
                    switch (fn) {
                        case SUM -> { for (int i = 0; i < inner; i++) dst[d + i] += src[row + i]; }
                        case PROD -> { for (int i = 0; i < inner; i++) dst[d + i] *= src[row + i]; }
                        case MAX -> { for (int i = 0; i < inner; i++) dst[d + i] = Math.max(dst[d + i], src[row + i]); }
                        case MIN -> { for (int i = 0; i < inner; i++) dst[d + i] = Math.min(dst[d + i], src[row + i]); }
                    }
                }
            }
        });
    }

    /** int64 version of {@link #reduce(ReduceFn, int[], int, int, int, int, int[], int)}. */
    public static void reduce(ReduceFn fn, long[] src, int srcOff, int outer, int r, int inner, long[] dst,
                              int dstOff) {
        check(src.length, srcOff, outer, r, inner, dst.length, dstOff);
        if (outer == 0 || inner == 0) return;
        long id = switch (fn) {
            case SUM -> 0L;
            case PROD -> 1L;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
        };
        rowsInParallel(outer, r, inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                int d = dstOff + o * inner, base = srcOff + o * r * inner;
                Arrays.fill(dst, d, d + inner, id);
                for (int k = 0; k < r; k++) {
                    int row = base + k * inner;
                    switch (fn) {
                        case SUM -> { for (int i = 0; i < inner; i++) dst[d + i] += src[row + i]; }
                        case PROD -> { for (int i = 0; i < inner; i++) dst[d + i] *= src[row + i]; }
                        case MAX -> { for (int i = 0; i < inner; i++) dst[d + i] = Math.max(dst[d + i], src[row + i]); }
                        case MIN -> { for (int i = 0; i < inner; i++) dst[d + i] = Math.min(dst[d + i], src[row + i]); }
                    }
                }
            }
        });
    }

    /** Column tiles per chunk: about CHUNK elements of input. */
    private static int tileGrain(int r, int inner) {
        return (int) Math.max(1, CHUNK / ((long) r * Math.min(inner, TILE)));
    }

    /** Runs body over [0, outer) in parallel when the input is large; outputs of different rows are disjoint. */
    static void rowsInParallel(int outer, int r, int inner, Parallel.RangeBody body) {
        long size = (long) outer * r * inner;
        if (size >= PARALLEL_THRESHOLD && outer > 1) {
            Parallel.forRange(outer, (int) Math.max(1, CHUNK / Math.max(1L, (long) r * inner)), body);
        } else {
            body.run(0, outer);
        }
    }

    // ---- arg max / arg min ----------------------------------------------------------------------------------------

    /**
     * The first index k of the maximum ({@code isMax}) or minimum of {@code src[srcOff + (o * r + k) * inner + i]}
     * over k, into {@code dst[dstOff + o * inner + i]}. NaN counts as the extreme and its first occurrence wins, and
     * -0.0 equals 0.0, as NumPy's argmax/argmin.
     *
     * @throws IllegalArgumentException if r == 0 while there are outputs ("argmax: empty reduction axis")
     */
    public static void argReduce(boolean isMax, float[] src, int srcOff, int outer, int r, int inner, long[] dst,
                                 int dstOff) {
        ReduceArgKernels.argReduce(isMax, src, srcOff, outer, r, inner, dst, dstOff);
    }

    /** float64 version of {@link #argReduce(boolean, float[], int, int, int, int, long[], int)}. */
    public static void argReduce(boolean isMax, double[] src, int srcOff, int outer, int r, int inner, long[] dst,
                                 int dstOff) {
        ReduceArgKernels.argReduce(isMax, src, srcOff, outer, r, inner, dst, dstOff);
    }

    /** int32 version of {@link #argReduce(boolean, float[], int, int, int, int, long[], int)}. */
    public static void argReduce(boolean isMax, int[] src, int srcOff, int outer, int r, int inner, long[] dst,
                                 int dstOff) {
        ReduceArgKernels.argReduce(isMax, src, srcOff, outer, r, inner, dst, dstOff);
    }

    /** int64 version of {@link #argReduce(boolean, float[], int, int, int, int, long[], int)}. */
    public static void argReduce(boolean isMax, long[] src, int srcOff, int outer, int r, int inner, long[] dst,
                                 int dstOff) {
        ReduceArgKernels.argReduce(isMax, src, srcOff, outer, r, inner, dst, dstOff);
    }
}
