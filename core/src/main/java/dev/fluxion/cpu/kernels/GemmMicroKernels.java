package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked sgemm micro-kernels: an MR x NR tile of C (NR = two vectors) is kept in 2*MR vector accumulators
 * while one k-block of packed A (MR values per step) and packed B (NR values per step) streams through.
 *
 * <p>MR is sized for the register file and for how C2 schedules a step. With 16 registers (AVX2) a tile over
 * packed A has 5 rows: 10 accumulator chains, enough to cover a 5-cycle FMA latency on two pipes (Zen 2), where 4
 * rows (8 chains) cannot be. It needs 10 + 2 B vectors + the live broadcasts, and fits only because C2 keeps the
 * packed loop's broadcasts next to their FMAs (its range checks on B cut the step into blocks). Reading A in place
 * ({@link #strided}, {@link #tabled}), C2 removes those checks and hoists all 5 broadcasts to the top of the step:
 * 17 registers, one accumulator spilled, half the speed; those kernels keep 4 rows ({@link #IN_PLACE_MR}: 8 + 2 +
 * 4 = 14). (Five in-place rows with a range check kept on B, or with B's offset as the loop variable, compiled
 * clean but ran at 79-83 GFLOP/s against 81 for four: their address arithmetic, not the FMA latency, is the limit.)
 * A 6-row tile spills in both. On Zen 2 (one thread, a harness running 190 rows of packed A against one B
 * panel in L1/L2): 4x16 82-83 GFLOP/s, 5x16 98, 6x16/3x32/4x24 (12 accumulators) 46; on Zen 3 earlier, 4x16
 * 73-86 against a 94 GFLOP/s peak.
 * With 32 registers (AVX-512) MR = 8 (26 registers): eight accumulator chains are just enough to cover the FMA
 * latency on two pipes, with nothing to spare, and sixteen leave slack. On Zen 5, a one-off harness running 192 rows
 * of packed A against one B panel (in L1/L2) on one thread gave 151-164 GFLOP/s with 4 rows, 167-193 with 6 and
 * 184-210 with 8 (FMA peak about 220); PeakBench's 512x512x512 went from 0.75-0.77 to 0.86-0.87 of the peak. An
 * earlier 8-row kernel boxed its accumulators (29 GFLOP/s) because C2 would not inline a store helper after the
 * loop: the stores are written out in each kernel (see NEGATIVE_ZEROS), and KernelAllocationTest guards it.

 * <p>Loops step each operand's offset directly (one induction variable per panel) rather than computing it from
 * the step index: C2 then emits a tighter loop (PeakBench: 0.67-0.83 of the FMA peak before, 0.79-0.97 after).
 * Each kernel is one loop between creating its accumulators and storing them: when a tile's accumulators lived
 * across an outer loop as well (Conv2dFilterKernels' image and run loops), C2 sometimes, depending on what had
 * compiled first, kept one of sixteen on the stack inside the FMA loop and the kernel ran 1.6-2.5x slower.
 *
 * <p>Every variant performs, per element of C, the same sequence of fused multiply-adds in increasing k order, then
 * one addition to C: which variant (packed or strided A, full or edge tile) computes an element never changes its
 * bits. That is what keeps results independent of how the work is split between threads.
 */
final class GemmMicroKernels {
    private GemmMicroKernels() {}

    static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    static final int V = S.length();
    /** Columns of a micro-tile (two vectors). */
    static final int NR = 2 * V;
    /** Rows of a micro-tile over packed A: 8 with 512-bit vectors, else 5 (see the class comment). */
    static final int MR = V >= 16 ? 8 : 5;
    /** Rows of a micro-tile reading A in place ({@link #strided}, {@link #tabled}): 8, else 4. */
    static final int IN_PLACE_MR = V >= 16 ? 8 : 4;

    /**
     * C tile (MR x NR at {@code c[ci]}, row stride ldc) = (C +) A panel x B panel, with A packed as kc groups of MR
     * values at {@code a[ai]} and B packed as kc groups of NR values at {@code b[bi]}.
     */
    static void packed(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc, boolean add) {
        if (MR == 8) packed8(kc, a, ai, b, bi, c, ci, ldc, add);
        else packed5(kc, a, ai, b, bi, c, ci, ldc, add);
    }

    /** {@link #packed} with 5 rows. */
    private static void packed5(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z;
        for (int pa = ai, pb = bi, end = ai + kc * 5; pa < end; pa += 5, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
    }

    /**
     * C tile (MR rows ldc apart, two vectors at {@code c[ci]}) (+)= A · B over kc steps: row r, step s of A at
     * {@code a[ai + s * as + r]} (MR consecutive values, steps {@code as} apart), B packed as kc groups of NR values
     * at {@code b[bi]}. B's offset is the loop counter, so that C2 drops its range checks and keeps one offset for A.
     * For A whose rows are adjacent and steps far apart, read in place (the Winograd filter gradient's channels of
     * consecutive tiles).
     */
    static void stepped(int kc, float[] a, int ai, int as, float[] b, int bi, float[] c, int ci, int ldc,
                        boolean add) {
        if (MR == 8) stepped8(kc, a, ai, as, b, bi, c, ci, ldc, add);
        else stepped5(kc, a, ai, as, b, bi, c, ci, ldc, add);
    }

    /** {@link #stepped} with 5 rows. */
    private static void stepped5(int kc, float[] a, int ai, int as, float[] b, int bi, float[] c, int ci, int ldc,
                                 boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z;
        for (int pa = ai, pb = bi, end = bi + kc * NR; pb < end; pa += as, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb), b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
    }

    /** {@link #stepped} with 8 rows. */
    private static void stepped8(int kc, float[] a, int ai, int as, float[] b, int bi, float[] c, int ci, int ldc,
                                 boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int pa = ai, pb = bi, end = bi + kc * NR; pb < end; pa += as, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb), b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[pa + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[pa + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[pa + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
        FloatVector.fromArray(S, base, at + 5 * step).add(c50).intoArray(c, ci + 5 * ldc);
        FloatVector.fromArray(S, base, at + 5 * step + V).add(c51).intoArray(c, ci + 5 * ldc + V);
        FloatVector.fromArray(S, base, at + 6 * step).add(c60).intoArray(c, ci + 6 * ldc);
        FloatVector.fromArray(S, base, at + 6 * step + V).add(c61).intoArray(c, ci + 6 * ldc + V);
        FloatVector.fromArray(S, base, at + 7 * step).add(c70).intoArray(c, ci + 7 * ldc);
        FloatVector.fromArray(S, base, at + 7 * step + V).add(c71).intoArray(c, ci + 7 * ldc + V);
    }

    /**
     * As {@link #packed} but A read in place from rows of contiguous steps: row r, step p at
     * {@code a[ai + min(r, mr - 1) * rs + p]} (rows past {@code mr} repeat the last real row; their results are
     * computed and discarded, never read out of bounds).
     */
    static void strided(int kc, float[] a, int ai, int rs, int mr, float[] b, int bi,
                        float[] c, int ci, int ldc, boolean add) {
        if (IN_PLACE_MR == 8) strided8(kc, a, ai, rs, mr, b, bi, c, ci, ldc, add);
        else strided4(kc, a, ai, rs, mr, b, bi, c, ci, ldc, add);
    }

    /** {@link #strided} with 4 rows. */
    private static void strided4(int kc, float[] a, int ai, int rs, int mr, float[] b, int bi,
                                 float[] c, int ci, int ldc, boolean add) {
        int o1 = Math.min(1, mr - 1) * rs, o2 = Math.min(2, mr - 1) * rs, o3 = Math.min(3, mr - 1) * rs;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int pa = ai, pb = bi, end = ai + kc; pa < end; pa++, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + o1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + o2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + o3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
    }

    /**
     * As {@link #packed} but A read in place through offset tables: row r, step p at
     * {@code a[rows[ri + min(r, mr - 1)] + steps[s0 + p]]} (convolutions over a zero-padded tensor: a row is a pixel
     * and a step a filter tap and channel, or the other way round).
     */
    static void tabled(int kc, float[] a, int[] rows, int ri, int mr, int[] steps, int s0, float[] b, int bi,
                       float[] c, int ci, int ldc, boolean add) {
        if (IN_PLACE_MR == 8) tabled8(kc, a, rows, ri, mr, steps, s0, b, bi, c, ci, ldc, add);
        else tabled4(kc, a, rows, ri, mr, steps, s0, b, bi, c, ci, ldc, add);
    }

    /** {@link #tabled} with 4 rows. */
    private static void tabled4(int kc, float[] a, int[] rows, int ri, int mr, int[] steps, int s0, float[] b, int bi,
                                float[] c, int ci, int ldc, boolean add) {
        int r0 = rows[ri], r1 = rows[ri + Math.min(1, mr - 1)];
        int r2 = rows[ri + Math.min(2, mr - 1)], r3 = rows[ri + Math.min(3, mr - 1)];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int ps = s0, pb = bi, end = s0 + kc; ps < end; ps++, pb += NR) {
            int o = steps[ps];
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[r0 + o]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + o]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + o]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + o]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
    }

    /** {@link #packed} with 8 rows. */
    private static void packed8(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int pa = ai, pb = bi, end = ai + kc * 8; pa < end; pa += 8, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[pa + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[pa + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[pa + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
        FloatVector.fromArray(S, base, at + 5 * step).add(c50).intoArray(c, ci + 5 * ldc);
        FloatVector.fromArray(S, base, at + 5 * step + V).add(c51).intoArray(c, ci + 5 * ldc + V);
        FloatVector.fromArray(S, base, at + 6 * step).add(c60).intoArray(c, ci + 6 * ldc);
        FloatVector.fromArray(S, base, at + 6 * step + V).add(c61).intoArray(c, ci + 6 * ldc + V);
        FloatVector.fromArray(S, base, at + 7 * step).add(c70).intoArray(c, ci + 7 * ldc);
        FloatVector.fromArray(S, base, at + 7 * step + V).add(c71).intoArray(c, ci + 7 * ldc + V);
    }

    /** {@link #strided} with 8 rows. */
    private static void strided8(int kc, float[] a, int ai, int rs, int mr, float[] b, int bi,
                                 float[] c, int ci, int ldc, boolean add) {
        int o1 = Math.min(1, mr - 1) * rs, o2 = Math.min(2, mr - 1) * rs, o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs, o5 = Math.min(5, mr - 1) * rs, o6 = Math.min(6, mr - 1) * rs;
        int o7 = Math.min(7, mr - 1) * rs;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int pa = ai, pb = bi, end = ai + kc; pa < end; pa++, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + o1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + o2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + o3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + o4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[pa + o5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[pa + o6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[pa + o7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
        FloatVector.fromArray(S, base, at + 5 * step).add(c50).intoArray(c, ci + 5 * ldc);
        FloatVector.fromArray(S, base, at + 5 * step + V).add(c51).intoArray(c, ci + 5 * ldc + V);
        FloatVector.fromArray(S, base, at + 6 * step).add(c60).intoArray(c, ci + 6 * ldc);
        FloatVector.fromArray(S, base, at + 6 * step + V).add(c61).intoArray(c, ci + 6 * ldc + V);
        FloatVector.fromArray(S, base, at + 7 * step).add(c70).intoArray(c, ci + 7 * ldc);
        FloatVector.fromArray(S, base, at + 7 * step + V).add(c71).intoArray(c, ci + 7 * ldc + V);
    }

    /** {@link #tabled} with 8 rows. */
    private static void tabled8(int kc, float[] a, int[] rows, int ri, int mr, int[] steps, int s0, float[] b, int bi,
                                float[] c, int ci, int ldc, boolean add) {
        int r0 = rows[ri], r1 = rows[ri + Math.min(1, mr - 1)];
        int r2 = rows[ri + Math.min(2, mr - 1)], r3 = rows[ri + Math.min(3, mr - 1)];
        int r4 = rows[ri + Math.min(4, mr - 1)], r5 = rows[ri + Math.min(5, mr - 1)];
        int r6 = rows[ri + Math.min(6, mr - 1)], r7 = rows[ri + Math.min(7, mr - 1)];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int ps = s0, pb = bi, end = s0 + kc; ps < end; ps++, pb += NR) {
            int o = steps[ps];
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + V);
            FloatVector x = FloatVector.broadcast(S, a[r0 + o]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + o]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + o]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + o]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[r4 + o]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[r5 + o]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[r6 + o]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[r7 + o]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // written out here, not through a helper: see NEGATIVE_ZEROS
        float[] base = add ? c : NEGATIVE_ZEROS;
        int at = add ? ci : 0, step = add ? ldc : 0;
        FloatVector.fromArray(S, base, at).add(c00).intoArray(c, ci);
        FloatVector.fromArray(S, base, at + V).add(c01).intoArray(c, ci + V);
        FloatVector.fromArray(S, base, at + step).add(c10).intoArray(c, ci + ldc);
        FloatVector.fromArray(S, base, at + step + V).add(c11).intoArray(c, ci + ldc + V);
        FloatVector.fromArray(S, base, at + 2 * step).add(c20).intoArray(c, ci + 2 * ldc);
        FloatVector.fromArray(S, base, at + 2 * step + V).add(c21).intoArray(c, ci + 2 * ldc + V);
        FloatVector.fromArray(S, base, at + 3 * step).add(c30).intoArray(c, ci + 3 * ldc);
        FloatVector.fromArray(S, base, at + 3 * step + V).add(c31).intoArray(c, ci + 3 * ldc + V);
        FloatVector.fromArray(S, base, at + 4 * step).add(c40).intoArray(c, ci + 4 * ldc);
        FloatVector.fromArray(S, base, at + 4 * step + V).add(c41).intoArray(c, ci + 4 * ldc + V);
        FloatVector.fromArray(S, base, at + 5 * step).add(c50).intoArray(c, ci + 5 * ldc);
        FloatVector.fromArray(S, base, at + 5 * step + V).add(c51).intoArray(c, ci + 5 * ldc + V);
        FloatVector.fromArray(S, base, at + 6 * step).add(c60).intoArray(c, ci + 6 * ldc);
        FloatVector.fromArray(S, base, at + 6 * step + V).add(c61).intoArray(c, ci + 6 * ldc + V);
        FloatVector.fromArray(S, base, at + 7 * step).add(c70).intoArray(c, ci + 7 * ldc);
        FloatVector.fromArray(S, base, at + 7 * step + V).add(c71).intoArray(c, ci + 7 * ldc + V);
    }

    /**
     * The base a kernel adds its accumulators to when it overwrites C instead of adding to it: -0.0, an exact
     * identity (signed zeros and NaN included). Every kernel ends by loading its base (C itself, or these) and adding
     * an accumulator to that fresh vector, written out in the kernel: vector methods are never called on the
     * accumulators (loop phis whose exact class C2 may not know, and a virtual call on a vector boxes it), and the
     * accumulators are never passed to a helper method: with a helper doing the stores, C2 sometimes (depending on
     * compilation order, seen on 512-bit vectors) boxed each result, or boxed every iteration when it declined to
     * inline the helper; runs were then 2-5x slower and allocated kilobytes per tile (KernelAllocationTest).
     */
    static final float[] NEGATIVE_ZEROS = new float[NR];

    static {
        java.util.Arrays.fill(NEGATIVE_ZEROS, -0.0f);
    }
}
