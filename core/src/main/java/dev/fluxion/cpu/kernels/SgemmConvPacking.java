package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.MR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.NR;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.S;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.V;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Convolution operands for {@link GemmEngine} (implicit GEMM): the im2col matrix is never built; its blocks are
 * gathered from the NHWC tensor straight into the micro-kernel's panel layout while packing.
 */
final class SgemmConvPacking {
    private SgemmConvPacking() {}

    /**
     * An NHWC source {@code [images, h, w, c]} read through sliding windows. Pixel q of a {@code gridH x gridW} grid
     * per image, tap t = ty * kw + tx and channel ch map to source cell
     * {@code (py * strideH + ty * stepH + offH, px * strideW + tx * stepW + offW)} of the same image; cells outside
     * the source read as zero. The im2col column index is {@code t * c + ch}.
     */
    record Window(float[] src, int off, int images, int h, int w, int c, int gridH, int gridW, int kh, int kw,
                  int strideH, int strideW, int stepH, int stepW, int offH, int offW) {

        /** The forward convolution's view of x: output pixels, filter taps. */
        static Window forward(Conv2dGeometry g, float[] x, int xOff) {
            return new Window(x, xOff, g.n(), g.h(), g.w(), g.c(), g.oh(), g.ow(), g.kh(), g.kw(), g.strideH(),
                    g.strideW(), g.dilationH(), g.dilationW(), -g.padTop(), -g.padLeft());
        }

        /** For stride 1 only: dy seen from each input pixel, taps mirrored (the input gradient as a gather). */
        static Window transposed(Conv2dGeometry g, float[] dy, int dyOff) {
            return new Window(dy, dyOff, g.n(), g.oh(), g.ow(), g.o(), g.h(), g.w(), g.kh(), g.kw(), 1, 1,
                    -g.dilationH(), -g.dilationW(), g.padTop(), g.padLeft());
        }

        /** Source offset of channel 0 of the cell under tap (ty, tx) of pixel (base, py, px), or -1 if outside. */
        int cell(int base, int py, int px, int ty, int tx) {
            int sy = py * strideH + ty * stepH + offH, sx = px * strideW + tx * stepW + offW;
            return sy < 0 || sy >= h || sx < 0 || sx >= w ? -1 : base + (sy * w + sx) * c;
        }

        /**
         * The window as offset tables: {@code padded[pixels[q] + taps[t * c + ch]]} is the value for pixel q, tap t
         * and channel ch. When every tap of every pixel lands inside the source (VALID convolutions), the tables
         * point into the source itself (no copy: 123 against 49 microseconds for MNIST's 13x13x32 batch); otherwise
         * into a copy padded just enough with zeros. The copy and the tables live in this thread's scratch buffers.
         */
        Tables tables() {
            int minRow = offH + Math.min(0, (kh - 1) * stepH);
            int maxRow = (gridH - 1) * strideH + offH + Math.max(0, (kh - 1) * stepH);
            int minCol = offW + Math.min(0, (kw - 1) * stepW);
            int maxCol = (gridW - 1) * strideW + offW + Math.max(0, (kw - 1) * stepW);
            Scratch s = SCRATCH.get();
            boolean inside = minRow >= 0 && maxRow < h && minCol >= 0 && maxCol < w;
            // the grid's frame in the array read: the source itself, or the padded copy
            int hp = inside ? h : maxRow - minRow + 1, wp = inside ? w : maxCol - minCol + 1;
            int base = inside ? off : 0, top = inside ? 0 : minRow, left = inside ? 0 : minCol;
            float[] data = inside ? src : padded(s, minRow, minCol, hp, wp);
            int pixels = gridH * gridW;
            int[] pix = s.pixels(images * pixels), taps = s.taps(kh * kw * c);
            for (int img = 0, q = 0; img < images; img++) {
                for (int py = 0; py < gridH; py++) {
                    for (int px = 0; px < gridW; px++) {
                        pix[q++] = base
                                + ((img * hp + py * strideH + offH - top) * wp + px * strideW + offW - left) * c;
                    }
                }
            }
            for (int ty = 0, t = 0; ty < kh; ty++) {
                for (int tx = 0; tx < kw; tx++) {
                    for (int ch = 0; ch < c; ch++) taps[t++] = (ty * stepH * wp + tx * stepW) * c + ch;
                }
            }
            return new Tables(data, pix, taps);
        }

        /** The source as {@code [images, hp, wp, c]} with row minRow, column minCol at its origin, zeros outside. */
        private float[] padded(Scratch s, int minRow, int minCol, int hp, int wp) {
            float[] padded = s.floats(images * hp * wp * c);
            int c0 = Math.max(0, minCol), c1 = Math.min(w - 1, minCol + wp - 1), run = Math.max(0, c1 - c0 + 1) * c;
            int lead = (c0 - minCol) * c;
            // copy the overlap of each source row, zero the rest
            for (int img = 0; img < images; img++) {
                for (int r = 0; r < hp; r++) {
                    int dst = (img * hp + r) * wp * c, sr = r + minRow;
                    if (sr < 0 || sr >= h || run == 0) {
                        Arrays.fill(padded, dst, dst + wp * c, 0f);
                        continue;
                    }
                    Arrays.fill(padded, dst, dst + lead, 0f);
                    System.arraycopy(src, off + ((img * h + sr) * w + c0) * c, padded, dst + lead, run);
                    Arrays.fill(padded, dst + lead + run, dst + wp * c, 0f);
                }
            }
            return padded;
        }
    }

    /**
     * The array read (the source, or a zero-padded copy of it) and the offsets of its pixels and (tap, channel)
     * columns: see {@link Window#tables}.
     */
    record Tables(float[] data, int[] pixels, int[] taps) {}

    /** Per-thread buffers of {@link Window#tables}, grown on demand and reused. */
    private static final class Scratch {
        float[] floats = new float[0];
        int[] pixels = new int[0], taps = new int[0];

        float[] floats(int size) {
            if (floats.length < size) floats = new float[size];
            return floats;
        }

        int[] pixels(int size) {
            if (pixels.length < size) pixels = new int[size];
            return pixels;
        }

        int[] taps(int size) {
            if (taps.length < size) taps = new int[size];
            return taps;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A left operand read in place, never packed: element (i, p) is {@code src[rows[i] + steps[p]]}. With pixel rows
     * and tap steps it is the im2col matrix; with tap rows and pixel steps, its transpose.
     */
    static final class TableLeft extends SgemmPacking.Left {
        private final float[] src;
        private final int[] rows, steps;

        TableLeft(float[] src, int[] rows, int[] steps) {
            super(null, 0, 0, 0);
            this.src = src;
            this.rows = rows;
            this.steps = steps;
        }

        @Override
        boolean packs(int n) {
            return false;
        }

        @Override
        void tile(int kc, int i, int mr, int p0, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
            GemmMicroKernels.tabled(kc, src, rows, i, mr, steps, p0, bp, bi, c, ci, ldc, add);
        }
    }

    /** The im2col matrix as the left operand: rows are pixels, columns (tap, channel). */
    static final class WindowLeft extends SgemmPacking.Left {
        private final Window win;

        WindowLeft(Window win) {
            super(null, 0, 0, 0);
            this.win = win;
        }

        @Override
        void pack(int i0, int rows, int p0, int kc, float[] dst) {
            Window v = win;
            int c = v.c(), pixels = v.gridH() * v.gridW(), tFirst = p0 / c, tLast = (p0 + kc - 1) / c;
            int[] base = new int[MR], py = new int[MR], px = new int[MR], s = new int[MR];
            for (int ir = 0, d = 0; ir < rows; ir += MR, d += kc * MR) {
                int mr = Math.min(MR, rows - ir);
                for (int r = 0; r < mr; r++) {
                    int q = i0 + ir + r, img = q / pixels, rem = q - img * pixels;
                    base[r] = v.off() + img * v.h() * v.w() * c;
                    py[r] = rem / v.gridW();
                    px[r] = rem - py[r] * v.gridW();
                }
                for (int t = tFirst; t <= tLast; t++) {
                    int ty = t / v.kw(), tx = t - ty * v.kw();
                    int cs = Math.max(p0 - t * c, 0), len = Math.min(p0 + kc - t * c, c) - cs;
                    int o = d + (t * c + cs - p0) * MR;
                    for (int r = 0; r < MR; r++) {
                        int cell = r < mr ? v.cell(base[r], py[r], px[r], ty, tx) : -1;
                        s[r] = cell < 0 ? -1 : cell + cs;
                    }
                    for (int g = 0; g < MR; g += 4) {
                        if (g + 4 <= MR && len >= 4 && s[g] >= 0 && s[g + 1] >= 0 && s[g + 2] >= 0 && s[g + 3] >= 0) {
                            SgemmPacking.transpose(v.src(), s[g], s[g + 1], s[g + 2], s[g + 3], len, dst, o + g, MR);
                            continue;
                        }
                        for (int r = g; r < Math.min(g + 4, MR); r++) {
                            if (s[r] < 0) {
                                for (int ch = 0; ch < len; ch++) dst[o + ch * MR + r] = 0f;
                            } else {
                                for (int ch = 0; ch < len; ch++) dst[o + ch * MR + r] = v.src()[s[r] + ch];
                            }
                        }
                    }
                }
            }
        }
    }

    /** The im2col matrix as the right operand: rows (the reduction) are pixels, columns (tap, channel). */
    static final class WindowRight extends SgemmPacking.Right {
        private final Window win;

        WindowRight(Window win) {
            super(null, 0, 0, 0);
            this.win = win;
        }

        @Override
        void pack(int p0, int kc, int j0, int cols, float[] dst, int d) {
            Window v = win;
            int c = v.c(), pixels = v.gridH() * v.gridW(), imgSize = v.h() * v.w() * c;
            int img = p0 / pixels, rem = p0 - img * pixels, py = rem / v.gridW(), px = rem - py * v.gridW();
            int t0 = j0 / c, ch0 = j0 - t0 * c;
            float[] src = v.src();
            for (int p = 0; p < kc; p++) {
                int o = d + p * NR, base = v.off() + img * imgSize;
                for (int j = 0, t = t0, ch = ch0; j < cols; t++, ch = 0) {
                    int ty = t / v.kw(), tx = t - ty * v.kw(), len = Math.min(c - ch, cols - j);
                    int cell = v.cell(base, py, px, ty, tx);
                    if (cell < 0) {
                        for (int e = 0; e < len; e++) dst[o + j + e] = 0f;
                    } else if (len == NR) {
                        FloatVector.fromArray(S, src, cell + ch).intoArray(dst, o);
                        FloatVector.fromArray(S, src, cell + ch + V).intoArray(dst, o + V);
                    } else {
                        for (int e = 0; e < len; e++) dst[o + j + e] = src[cell + ch + e];
                    }
                    j += len;
                }
                for (int j = cols; j < NR; j++) dst[o + j] = 0f;
                if (++px == v.gridW()) {
                    px = 0;
                    if (++py == v.gridH()) {
                        py = 0;
                        img++;
                    }
                }
            }
        }
    }

    /**
     * The filter [kh, kw, c, o] as the right operand of the input gradient's gather: row t * o + oc (tap, output
     * channel), column ch (input channel) holds {@code w[t, ch, oc]}, a per-tap transpose.
     */
    static final class FilterByTapRight extends SgemmPacking.Right {
        private final int c, o;

        FilterByTapRight(float[] w, int wOff, int c, int o) {
            super(w, wOff, 0, 0);
            this.c = c;
            this.o = o;
        }

        @Override
        void pack(int p0, int kc, int j0, int cols, float[] dst, int d) {
            for (int t = p0 / o, tLast = (p0 + kc - 1) / o; t <= tLast; t++) {
                int os = Math.max(p0 - t * o, 0), len = Math.min(p0 + kc - t * o, o) - os;
                int row = d + (t * o + os - p0) * NR, j = 0;
                for (; j + 4 <= cols; j += 4) {
                    int s0 = off + (t * c + j0 + j) * o + os;
                    SgemmPacking.transpose(b, s0, s0 + o, s0 + 2 * o, s0 + 3 * o, len, dst, row + j, NR);
                }
                for (; j < cols; j++) {
                    int s0 = off + (t * c + j0 + j) * o + os;
                    for (int e = 0; e < len; e++) dst[row + e * NR + j] = b[s0 + e];
                }
                if (cols < NR) {
                    for (int e = 0; e < len; e++) Arrays.fill(dst, row + e * NR + cols, row + e * NR + NR, 0f);
                }
            }
        }
    }
}
