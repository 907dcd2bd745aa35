package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.IN_PLACE_MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Each micro-kernel against its documented arithmetic, bit for bit: per element of the tile, fused multiply-adds in
 * increasing k order from zero, then one addition to C (or none when overwriting), and nothing written outside the
 * tile. The operands sit at offsets in larger arrays that end where the kernel's last read is, so a read of the
 * wrong element either changes a result or leaves the array.
 */
class GemmMicroKernelsTest {
    private static final int[] DEPTHS = {0, 1, 2, 7, 33};
    private static final int C_OFF = 3, LDC = NR + 5;

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /**
     * Checks C after a kernel wrote {@code rows} rows: element (r, j) is the fma chain over steps p of
     * {@code a.applyAsInt(r, p)} (an index into {@code a}) times {@code b[bi + p * NR + j]}, added to the old C when
     * {@code add}; everything else in {@code c} is as before.
     */
    private static void check(String what, int rows, int kc, float[] a, IntBinaryOperator aIndex, float[] b, int bi,
                              float[] c0, float[] c, boolean add) {
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - C_OFF, r = Math.floorDiv(rel, LDC), j = rel - r * LDC;
            float expect = c0[idx];
            if (rel >= 0 && r < rows && j < NR) {
                float sum = 0f;
                for (int p = 0; p < kc; p++) sum = Math.fma(a[aIndex.applyAsInt(r, p)], b[bi + p * NR + j], sum);
                expect = add ? c0[idx] + sum : sum;
            }
            assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(c[idx]),
                    what + ": C[" + r + "," + j + "] = " + c[idx] + ", expected " + expect);
        }
    }

    private static float[] c0(Random rnd, int rows) {
        return random(rnd, C_OFF + rows * LDC + 2);
    }

    @Test
    void packedTileIsTheFmaChainPlusC() {
        Random rnd = new Random(11);
        for (int kc : DEPTHS) {
            for (boolean add : new boolean[] {false, true}) {
                int ai = 4, bi = 6;
                float[] a = random(rnd, ai + kc * MR), b = random(rnd, bi + kc * NR), c0 = c0(rnd, MR), c = c0.clone();
                GemmMicroKernels.packed(kc, a, ai, b, bi, c, C_OFF, LDC, add);
                check("packed kc=" + kc + " add=" + add, MR, kc, a, (r, p) -> ai + p * MR + r, b, bi, c0, c, add);
            }
        }
    }

    @Test
    void steppedTileReadsRowsAdjacentAndStepsApart() {
        Random rnd = new Random(12);
        for (int kc : DEPTHS) {
            for (int as : new int[] {MR, MR + 3, 40}) {
                for (boolean add : new boolean[] {false, true}) {
                    int ai = 2, bi = 5;
                    float[] a = random(rnd, ai + Math.max(0, kc - 1) * as + MR);
                    float[] b = random(rnd, bi + kc * NR), c0 = c0(rnd, MR), c = c0.clone();
                    GemmMicroKernels.stepped(kc, a, ai, as, b, bi, c, C_OFF, LDC, add);
                    check("stepped kc=" + kc + " as=" + as + " add=" + add, MR, kc, a, (r, p) -> ai + p * as + r,
                            b, bi, c0, c, add);
                }
            }
        }
    }

    /** Rows past mr repeat row mr - 1 (computed, for the caller to discard) and never read past it. */
    @Test
    void stridedTileRepeatsItsLastRealRow() {
        Random rnd = new Random(13);
        for (int kc : DEPTHS) {
            for (int mr = 1; mr <= IN_PLACE_MR; mr++) {
                for (boolean add : new boolean[] {false, true}) {
                    int ai = 3, rs = kc + 2, bi = 1, rows = mr;
                    // the array ends right after the last real row's last step
                    float[] a = random(rnd, ai + (mr - 1) * rs + kc);
                    float[] b = random(rnd, bi + kc * NR), c0 = c0(rnd, IN_PLACE_MR), c = c0.clone();
                    GemmMicroKernels.strided(kc, a, ai, rs, mr, b, bi, c, C_OFF, LDC, add);
                    check("strided kc=" + kc + " mr=" + mr + " add=" + add, IN_PLACE_MR, kc, a,
                            (r, p) -> ai + Math.min(r, rows - 1) * rs + p, b, bi, c0, c, add);
                }
            }
        }
    }

    @Test
    void tabledTileReadsThroughBothTables() {
        Random rnd = new Random(14);
        for (int kc : DEPTHS) {
            for (int mr = 1; mr <= IN_PLACE_MR; mr++) {
                for (boolean add : new boolean[] {false, true}) {
                    int ri = 2, s0 = 3, bi = 2, rows = mr;
                    float[] a = random(rnd, 500);
                    // tables as long as the kernel may read: mr row entries from ri, kc step entries from s0
                    int[] rowTable = new int[ri + mr], stepTable = new int[s0 + kc];
                    for (int r = 0; r < rowTable.length; r++) rowTable[r] = r < ri ? -1000 : 7 + 61 * (r - ri);
                    for (int p = 0; p < stepTable.length; p++) stepTable[p] = p < s0 ? -1000 : (5 * (p - s0)) % 53;
                    float[] b = random(rnd, bi + kc * NR), c0 = c0(rnd, IN_PLACE_MR), c = c0.clone();
                    GemmMicroKernels.tabled(kc, a, rowTable, ri, mr, stepTable, s0, b, bi, c, C_OFF, LDC, add);
                    check("tabled kc=" + kc + " mr=" + mr + " add=" + add, IN_PLACE_MR, kc, a,
                            (r, p) -> rowTable[ri + Math.min(r, rows - 1)] + stepTable[s0 + p], b, bi, c0, c, add);
                }
            }
        }
    }
}
