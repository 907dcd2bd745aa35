package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fluxion.cpu.kernels.SgemmConvPacking.Window;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The implicit-GEMM operands of {@link SgemmConvPacking} against the im2col matrix written out from the window's
 * definition: packed panels element by element, offset tables entry by entry, and in-place products against float64.
 */
class SgemmConvPackingTest {
    private static final float UNTOUCHED = -777f;

    /**
     * Windows with padding on every side, strides, dilations, mirrored (negative) steps, a VALID window that reads
     * the source in place, and channel counts below, at and above the 4-row transposes and the NR-wide panels.
     */
    private static Window[] windows() {
        return new Window[] {
            window(3, 2, 5, 6, 3, 5, 6, 3, 3, 1, 1, 1, 1, -1, -1),
            window(1, 2, 7, 8, 5, 3, 3, 2, 3, 2, 2, 2, 1, -1, 0),
            window(0, 1, 6, 5, 4, 4, 3, 3, 3, 1, 1, 1, 1, 0, 0),
            window(2, 2, 4, 5, 6, 4, 5, 3, 2, 1, 1, -1, -2, 1, 1),
            window(4, 1, 3, 3, NR + 3, 3, 3, 2, 2, 1, 1, 1, 1, -1, -1),
            window(1, 3, 4, 3, 1, 3, 2, 2, 2, 1, 2, 1, 1, 0, -1),
            window(2, 1, 5, 4, 2, 2, 4, 3, 1, 2, 1, 2, 1, 1, -2),
            // mirrored steps of 2: inside the source, and over padding on every side
            window(1, 2, 6, 6, 4, 2, 3, 3, 2, 1, 1, -2, -2, 4, 2),
            window(0, 1, 5, 5, 2, 4, 4, 3, 2, 1, 1, -2, -2, 1, 1),
            // a dilation of 2 across columns, past the right edge
            window(1, 1, 4, 6, 4, 2, 3, 2, 2, 1, 2, 1, 2, 0, 1),
            // one cell past a single edge of the VALID window above, each edge in turn
            window(0, 1, 6, 5, 4, 4, 3, 3, 3, 1, 1, 1, 1, -1, 0),
            window(0, 1, 6, 5, 4, 5, 3, 3, 3, 1, 1, 1, 1, 0, 0),
            window(0, 1, 6, 5, 4, 4, 3, 3, 3, 1, 1, 1, 1, 0, -1),
            window(0, 1, 6, 5, 4, 4, 4, 3, 3, 1, 1, 1, 1, 0, 0),
            // the frame starts inside the source (row and column 1) and runs past its far edges
            window(3, 2, 5, 5, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1)};
    }

    private static Window window(int off, int images, int h, int w, int c, int gridH, int gridW, int kh, int kw,
                                 int strideH, int strideW, int stepH, int stepW, int offH, int offW) {
        float[] src = SgemmPackingTest.distinct(off + images * h * w * c);
        return new Window(src, off, images, h, w, c, gridH, gridW, kh, kw, strideH, strideW, stepH, stepW, offH, offW);
    }

    private static int pixels(Window v) {
        return v.images() * v.gridH() * v.gridW();
    }

    private static int columns(Window v) {
        return v.kh() * v.kw() * v.c();
    }

    /** The im2col element for pixel q and column t * c + ch, straight from the window's definition. */
    private static float im2col(Window v, int q, int col) {
        int perImage = v.gridH() * v.gridW(), img = q / perImage, py = q % perImage / v.gridW(), px = q % v.gridW();
        int t = col / v.c(), ch = col % v.c(), ty = t / v.kw(), tx = t % v.kw();
        int sy = py * v.strideH() + ty * v.stepH() + v.offH(), sx = px * v.strideW() + tx * v.stepW() + v.offW();
        if (sy < 0 || sy >= v.h() || sx < 0 || sx >= v.w()) return 0f;
        return v.src()[v.off() + ((img * v.h() + sy) * v.w() + sx) * v.c() + ch];
    }

    @Test
    void windowLeftPacksIm2colRowsIntoMrPanels() {
        for (Window v : windows()) {
            int m = pixels(v), k = columns(v);
            for (int i0 : new int[] {0, 1, 3}) {
                for (int rows : new int[] {1, 2, 3, MR - 1, MR, 2 * MR + 1, m - i0}) {
                    if (rows > m - i0) continue;
                    for (int p0 : new int[] {0, 1, v.c(), v.c() + 1}) {
                        for (int kc : new int[] {1, 3, v.c(), k - p0}) {
                            if (p0 + kc > k || kc <= 0) continue;
                            int panels = (rows + MR - 1) / MR, size = panels * kc * MR;
                            float[] dst = new float[size + 3];
                            Arrays.fill(dst, UNTOUCHED);
                            new SgemmConvPacking.WindowLeft(v).pack(i0, rows, p0, kc, dst);
                            String what = v + " rows " + i0 + "+" + rows + " steps " + p0 + "+" + kc;
                            for (int idx = 0; idx < dst.length; idx++) {
                                int q = idx / (kc * MR), rem = idx % (kc * MR), p = rem / MR, r = q * MR + rem % MR;
                                float expect = idx >= size ? UNTOUCHED : r < rows ? im2col(v, i0 + r, p0 + p) : 0f;
                                assertEquals(expect, dst[idx], what + ": row " + r + " step " + p);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void windowRightPacksIm2colStepsIntoNrPanels() {
        for (Window v : windows()) {
            int k = pixels(v), n = columns(v);
            // runs that start mid-row and cross rows and images
            for (int p0 : new int[] {0, v.gridW() - 1, v.gridH() * v.gridW() - 1, v.gridH() * v.gridW() + 1}) {
                for (int kc : new int[] {1, v.gridW() + 1, k - p0}) {
                    if (kc <= 0 || p0 + kc > k) continue;
                    for (int j0 : new int[] {0, 1, v.c() + 2}) {
                        for (int cols : new int[] {1, 2, v.c(), NR - 1, NR}) {
                            if (j0 + cols > n || cols > NR) continue;
                            int d = 2;
                            float[] dst = new float[d + kc * NR + 3];
                            Arrays.fill(dst, UNTOUCHED);
                            new SgemmConvPacking.WindowRight(v).pack(p0, kc, j0, cols, dst, d);
                            String what = v + " steps " + p0 + "+" + kc + " cols " + j0 + "+" + cols;
                            for (int idx = 0; idx < dst.length; idx++) {
                                int rel = idx - d, p = Math.floorDiv(rel, NR), j = rel - p * NR;
                                float expect = rel < 0 || p >= kc ? UNTOUCHED : j < cols ? im2col(v, p0 + p, j0 + j) : 0f;
                                assertEquals(expect, dst[idx], what + ": step " + p + " column " + j);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void filterByTapIsThePerTapTransposeOfTheFilter() {
        for (int[] s : new int[][] {{3, NR + 5, 6}, {2, 9, 1}, {4, 4, 3}}) {
            int taps = s[0], c = s[1], o = s[2], wOff = 3;
            float[] w = SgemmPackingTest.distinct(wOff + taps * c * o);
            var right = new SgemmConvPacking.FilterByTapRight(w, wOff, c, o);
            int k = taps * o;
            for (int p0 : new int[] {0, 1, o, o + 1}) {
                for (int kc : new int[] {1, 2, o + 1, k - p0}) {
                    if (p0 + kc > k) continue;
                    for (int j0 : new int[] {0, 3}) {
                        for (int cols : new int[] {1, 3, 4, 5, NR}) {
                            if (j0 + cols > c) continue;
                            int d = 1;
                            float[] dst = new float[d + kc * NR + 2];
                            Arrays.fill(dst, UNTOUCHED);
                            right.pack(p0, kc, j0, cols, dst, d);
                            String what = Arrays.toString(s) + " steps " + p0 + "+" + kc + " cols " + j0 + "+" + cols;
                            for (int idx = 0; idx < dst.length; idx++) {
                                int rel = idx - d, p = Math.floorDiv(rel, NR), j = rel - p * NR;
                                int t = (p0 + p) / o, oc = (p0 + p) % o, ch = j0 + j;
                                float expect = rel < 0 || p >= kc ? UNTOUCHED
                                        : j < cols ? w[wOff + (t * c + ch) * o + oc] : 0f;
                                assertEquals(expect, dst[idx], what + ": step " + p + " column " + j);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Each window on a thread of its own, whose scratch buffers start empty: each must be sized for its window. */
    @Test
    void offsetTablesAddressEveryIm2colElement() throws InterruptedException {
        for (Window v : windows()) {
            Throwable[] failure = new Throwable[1];
            Thread.ofPlatform().start(() -> {
                try {
                    checkTables(v);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }).join();
            if (failure[0] instanceof AssertionError e) throw e;
            if (failure[0] != null) throw new AssertionError(v.toString(), failure[0]);
        }
    }

    private static void checkTables(Window v) {
        SgemmConvPacking.Tables t = v.tables();
        boolean inside = true;
        for (int q = 0; q < pixels(v); q++) {
            for (int col = 0; col < columns(v); col++) {
                float expect = im2col(v, q, col);
                inside &= expect != 0f; // distinct() has no zeros: a zero is padding
                assertEquals(expect, t.data()[t.pixels()[q] + t.taps()[col]], v + ": pixel " + q + " column " + col);
            }
        }
        // a window that never leaves the source is read in place, any other from a padded copy
        assertEquals(inside, t.data() == v.src(), v + (inside ? " copied" : " read in place"));
    }

    /** The table-driven left operand in both orientations (im2col and its transpose) times B, against float64. */
    @Test
    void tableLeftMultipliesToTheFloat64Product() {
        Random rnd = new Random(31);
        for (Window v : windows()) {
            SgemmConvPacking.Tables t = v.tables();
            int pixels = pixels(v), cols = columns(v);
            int[] pix = Arrays.copyOf(t.pixels(), pixels), taps = Arrays.copyOf(t.taps(), cols);
            for (boolean transposed : new boolean[] {false, true}) {
                int m = transposed ? cols : pixels, k = transposed ? pixels : cols;
                for (int n : new int[] {1, NR + 3}) {
                    float[] b = SgemmPackingTest.random(rnd, k * n), c = new float[m * n];
                    var a = transposed ? new SgemmConvPacking.TableLeft(t.data(), taps, pix)
                            : new SgemmConvPacking.TableLeft(t.data(), pix, taps);
                    GemmEngine.gemm(m, n, k, a, SgemmPacking.Right.of(false, b, 0, n), c, 0, n, false, 1);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0, mag = 0;
                            for (int p = 0; p < k; p++) {
                                double x = (transposed ? im2col(v, p, i) : im2col(v, i, p)) * (double) b[p * n + j];
                                sum += x;
                                mag += Math.abs(x);
                            }
                            if (!(Math.abs(c[i * n + j] - sum) <= 1e-6 * (k + 2) * mag)) {
                                fail(v + " transposed " + transposed + ": C[" + i + "," + j + "] = " + c[i * n + j]
                                        + ", expected " + sum);
                            }
                        }
                    }
                }
            }
        }
    }
}
