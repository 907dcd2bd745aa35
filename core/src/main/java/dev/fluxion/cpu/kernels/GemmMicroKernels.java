package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked sgemm micro-kernels: an MR x NR tile of C (NR = two vectors) is kept in 2*MR vector accumulators
 * while one k-block of packed A (MR values per step) and packed B (NR values per step) streams through.
 *
 * <p>MR is sized so that the tile fits the register file even after C2 hoists every broadcast of a step to its top
 * (which it does): 2*MR accumulators + 2 B vectors + MR broadcasts. With 16 registers (AVX2) that allows MR = 4
 * (14 registers); a 6-row tile needs 17 and C2 then spills an accumulator, halving the speed. With 32 registers
 * (AVX-512) an 8-row tile would fit (26 registers) but is not needed: on Zen 5 the 4x32 tile reaches the FMA peak
 * (a one-off harness calling this kernel with both panels in L1: 189-194 GFLOP/s, against PeakBench's 184-204),
 * and C2 would not inline the eight stores after an 8-row loop (its node-count cutoff), boxing the accumulators
 * (29 GFLOP/s). Measured on Zen 3 (AVX2) against a 94 GFLOP/s FMA peak: 4x16 reached 73-86 GFLOP/s, 6x16 42 (the
 * spill), 3x24 (15 registers) 64-77, no better than 4x16 within the machine's noise, so 4 rows at every width.
 *
 * <p>Loops step each operand's offset directly (one induction variable per panel) rather than computing it from
 * the step index: C2 then emits a tighter loop (PeakBench: 0.67-0.83 of the FMA peak before, 0.79-0.97 after).
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
    /** Rows of a micro-tile (see the class comment for why 4 at every vector width). */
    static final int MR = 4;

    /**
     * C tile (MR x NR at {@code c[ci]}, row stride ldc) = (C +) A panel x B panel, with A packed as kc groups of MR
     * values at {@code a[ai]} and B packed as kc groups of NR values at {@code b[bi]}.
     */
    static void packed(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int pa = ai, pb = bi, end = ai + kc * 4; pa < end; pa += 4, pb += NR) {
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
     * As {@link #packed} but A read in place from rows of contiguous steps: row r, step p at
     * {@code a[ai + min(r, mr - 1) * rs + p]} (rows past {@code mr} repeat the last real row; their results are
     * computed and discarded, never read out of bounds).
     */
    static void strided(int kc, float[] a, int ai, int rs, int mr, float[] b, int bi,
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
