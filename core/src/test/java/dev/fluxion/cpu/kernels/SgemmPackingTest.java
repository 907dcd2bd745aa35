package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SgemmPacking}'s operands packed into the micro-kernel's panel layouts, checked element by element against
 * the documented layout, for every way of reading a matrix (row-major, transposed, general strides), at offsets, with
 * partial panels and with operands that end where their arrays end; and multiplied through {@link GemmEngine}
 * against a float64 product.
 */
class SgemmPackingTest {
    /** Marks packing-buffer cells that must not be written. */
    private static final float UNTOUCHED = -777f;

    /** Values 1, 2, 3, ...: each element distinct and nonzero, so a misplaced or missing copy shows. */
    static float[] distinct(int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = i + 1;
        return x;
    }

    /** A strided view: element (i, p) at {@code x[off + i * rs + p * cs]}, sized to end at its last element. */
    private record View(int rows, int cols, int off, int rs, int cs) {
        int index(int i, int p) {
            return off + i * rs + p * cs;
        }

        float[] array() {
            return distinct(index(rows - 1, cols - 1) + 1);
        }

        /** Row-major with leading dimension ld, or its transpose (as Left.of / Right.of read them). */
        static View of(boolean trans, int rows, int cols, int off, int pad) {
            return trans ? new View(rows, cols, off, 1, rows + pad) : new View(rows, cols, off, cols + pad, 1);
        }

        /** Every layout the packers tell apart: row-major, transposed, and strided both ways. */
        static View[] all(int rows, int cols, int off) {
            return new View[] {of(false, rows, cols, off, 0), of(false, rows, cols, off, 3), of(true, rows, cols, off, 0),
                of(true, rows, cols, off, 2), new View(rows, cols, off, 2, 2 * rows + 1),
                new View(rows, cols, off, 3 * cols + 1, 3)};
        }
    }

    /**
     * Step-major panels hold MR rows per step with zeros past the last row; row panels ({@link
     * SgemmPacking.Left#rowPanels}, row-major A on 8-row tiles) hold each row's kc steps in turn and nothing more.
     */
    @Test
    void leftPanelsHoldEveryRowAndStepInTheirLayout() {
        int[] rowCounts = {1, MR - 1, MR, MR + 1, 3 * MR, 3 * MR + 2};
        int[] depths = {1, 3, 4, 5, 9, 17};
        for (int rows : rowCounts) {
            for (int kc : depths) {
                for (int[] at : new int[][] {{0, 0}, {3, 2}}) {
                    int i0 = at[0], p0 = at[1];
                    for (View v : View.all(i0 + rows, p0 + kc, 5)) {
                        float[] a = v.array();
                        var left = new SgemmPacking.Left(a, v.off(), v.rs(), v.cs());
                        assertEquals(SgemmPacking.ROW_PANELS && v.cs() == 1, left.rowPanels(), v.toString());
                        int panels = (rows + MR - 1) / MR;
                        int size = left.rowPanels() ? rows * kc : panels * kc * MR;
                        float[] dst = new float[size + SgemmPacking.PACK_SLACK + 3];
                        java.util.Arrays.fill(dst, UNTOUCHED);
                        left.pack(i0, rows, p0, kc, dst);
                        String what = "rows " + rows + " kc " + kc + " at " + i0 + "," + p0 + " " + v;
                        for (int i = 0; i < panels * MR; i++) {
                            for (int p = 0; p < kc; p++) {
                                if (left.rowPanels() && i >= rows) continue;
                                float expect = i < rows ? a[v.index(i0 + i, p0 + p)] : 0f;
                                int d = left.rowPanels() ? i * kc + p : i / MR * kc * MR + p * MR + i % MR;
                                assertEquals(expect, dst[d], what + ": row " + i + " step " + p);
                            }
                        }
                        // the documented slack may hold spill; nothing after it is written
                        int end = left.rowPanels() ? size : size + SgemmPacking.PACK_SLACK;
                        for (int d = end; d < dst.length; d++) {
                            assertEquals(UNTOUCHED, dst[d], what + ": wrote past the slack at " + d);
                        }
                    }
                }
            }
        }
    }

    /** Transposed A copies whole vectors per step until the last ones would read past the array's end. */
    @Test
    void stepCopiesNearTheArraysEndStayInBounds() {
        for (int cs : new int[] {MR, MR + 1, 2 * MR + 3}) {
            for (int kc = 1; kc <= 6; kc++) {
                for (int tail = 0; tail <= GemmMicroKernels.V; tail++) {
                    int src = 2;
                    float[] a = distinct(src + (kc - 1) * cs + MR + tail);
                    float[] dst = new float[kc * MR + SgemmPacking.PACK_SLACK];
                    SgemmPacking.copySteps(a, src, cs, kc, dst, 0);
                    for (int p = 0; p < kc; p++) {
                        for (int r = 0; r < MR; r++) {
                            assertEquals(a[src + p * cs + r], dst[p * MR + r], "cs " + cs + " kc " + kc + " tail " + tail);
                        }
                    }
                }
            }
        }
    }

    @Test
    void fiveRowInterleaveWritesFiveValuesPerStep() {
        float[] x = distinct(200);
        for (int len = 0; len <= 6; len++) {
            float[] dst = new float[5 * len + 4];
            java.util.Arrays.fill(dst, UNTOUCHED);
            SgemmPacking.interleaveFive(x, 3, 17, len, dst, 2);
            for (int p = 0; p < len; p++) {
                for (int r = 0; r < 5; r++) assertEquals(x[3 + r * 17 + p], dst[2 + 5 * p + r], "len " + len);
            }
            assertEquals(UNTOUCHED, dst[0]);
            assertEquals(UNTOUCHED, dst[1]);
            assertEquals(UNTOUCHED, dst[2 + 5 * len]);
        }
    }

    @Test
    void rightPanelsHoldNrColumnsPerStepAndZerosPastTheEnd() {
        int[] colCounts = {1, 3, 4, 5, 8, NR - 4, NR - 1, NR};
        int[] depths = {1, 2, 5, 9};
        for (int cols : colCounts) {
            for (int kc : depths) {
                for (int[] at : new int[][] {{0, 0}, {2, 5}}) {
                    int p0 = at[0], j0 = at[1];
                    for (View v : View.all(p0 + kc, j0 + cols, 4)) {
                        float[] b = v.array();
                        var right = new SgemmPacking.Right(b, v.off(), v.rs(), v.cs());
                        int d = 3;
                        float[] dst = new float[d + kc * NR + 3];
                        java.util.Arrays.fill(dst, UNTOUCHED);
                        right.pack(p0, kc, j0, cols, dst, d);
                        String what = "cols " + cols + " kc " + kc + " at " + p0 + "," + j0 + " " + v;
                        for (int idx = 0; idx < dst.length; idx++) {
                            int rel = idx - d, p = Math.floorDiv(rel, NR), j = rel - p * NR;
                            float expect = rel < 0 || p >= kc ? UNTOUCHED : j < cols ? b[v.index(p0 + p, j0 + j)] : 0f;
                            assertEquals(expect, dst[idx], what + ": step " + p + " column " + j);
                        }
                    }
                }
            }
        }
    }

    /** Reading A in place only pays for narrow products, and only a row-major A (contiguous steps) can be read so. */
    @Test
    void leftIsReadInPlaceOnlyForNarrowRowMajorProducts() {
        float[] a = new float[100];
        var rowMajor = SgemmPacking.Left.of(false, a, 0, 10);
        assertFalse(rowMajor.packs(1));
        assertFalse(rowMajor.packs(GemmEngine.PACK_A_MIN_N));
        assertTrue(rowMajor.packs(GemmEngine.PACK_A_MIN_N + 1));
        assertTrue(SgemmPacking.Left.of(true, a, 0, 10).packs(1));
        assertTrue(new SgemmPacking.Left(null, 0, 0, 0).packs(1));
    }

    /** Products of general-stride operands through the engine, packed and read in place, against float64. */
    @Test
    void stridedOperandsMultiplyToTheFloat64Product() {
        Random rnd = new Random(21);
        int[][] sizes = {{1, 1, 1}, {MR + 2, 3, 7}, {2 * MR + 1, NR + 3, 9}, {11, 2 * NR, 20}, {3, 2 * NR + 1, 5},
            {4 * MR - 1, 3 * NR - 2, 33}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (View va : View.all(m, k, 3)) {
                for (View vb : View.all(k, n, 2)) {
                    float[] a = random(rnd, va.index(m - 1, k - 1) + 1), b = random(rnd, vb.index(k - 1, n - 1) + 1);
                    int ldc = n + 2, cOff = 1;
                    float[] c0 = random(rnd, cOff + m * ldc + 1);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] c = c0.clone();
                        GemmEngine.gemm(m, n, k, new SgemmPacking.Left(a, va.off(), va.rs(), va.cs()),
                                new SgemmPacking.Right(b, vb.off(), vb.rs(), vb.cs()), c, cOff, ldc, acc, 1);
                        for (int idx = 0; idx < c.length; idx++) {
                            int rel = idx - cOff, i = Math.floorDiv(rel, ldc), j = rel - i * ldc;
                            if (rel < 0 || i >= m || j >= n) {
                                assertEquals(c0[idx], c[idx], "wrote outside C at " + idx);
                                continue;
                            }
                            double sum = acc ? c0[idx] : 0, mag = Math.abs(sum);
                            for (int p = 0; p < k; p++) {
                                double x = (double) a[va.index(i, p)] * b[vb.index(p, j)];
                                sum += x;
                                mag += Math.abs(x);
                            }
                            if (!(Math.abs(c[idx] - sum) <= 1e-6 * (k + 2) * mag)) {
                                fail(m + "x" + n + "x" + k + " " + va + " " + vb + " acc " + acc + ": C[" + i + "," + j
                                        + "] = " + c[idx] + ", expected " + sum);
                            }
                        }
                    }
                }
            }
        }
    }

    static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
