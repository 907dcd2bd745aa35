package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolKernelsTest {

    static Pool2dGeometry geometry(int n, int h, int w, int c, int kh, int kw, int sh, int sw, boolean same) {
        int oh, ow, pt = 0, pl = 0;
        if (same) {
            oh = (h + sh - 1) / sh;
            ow = (w + sw - 1) / sw;
            pt = Math.max((oh - 1) * sh + kh - h, 0) / 2;
            pl = Math.max((ow - 1) * sw + kw - w, 0) / 2;
        } else {
            oh = Math.max(0, (h - kh) / sh + 1);
            ow = Math.max(0, (w - kw) / sw + 1);
        }
        return new Pool2dGeometry(n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl);
    }

    static List<Pool2dGeometry> geometries() {
        List<Pool2dGeometry> gs = new ArrayList<>();
        gs.add(geometry(2, 4, 4, 1, 2, 2, 2, 2, false));
        gs.add(geometry(2, 7, 5, 3, 3, 3, 2, 2, true));
        gs.add(geometry(1, 9, 9, 8, 3, 3, 1, 1, true));
        gs.add(geometry(3, 13, 7, 9, 2, 2, 2, 2, true));
        gs.add(geometry(2, 11, 11, 17, 3, 3, 2, 2, false));
        gs.add(geometry(1, 6, 5, 32, 2, 3, 1, 2, true));
        gs.add(geometry(2, 28, 28, 33, 2, 2, 2, 2, false));
        gs.add(geometry(1, 5, 5, 4, 5, 5, 1, 1, true));
        gs.add(geometry(0, 4, 4, 2, 2, 2, 2, 2, false));
        // 2x2 stride-2 windows inside the input (PoolMax2x2Kernels): odd sizes leave cells no window covers,
        // channel counts below, at and past the vector length, primes
        gs.add(geometry(2, 11, 9, 8, 2, 2, 2, 2, false));
        gs.add(geometry(3, 7, 13, 17, 2, 2, 2, 2, false));
        gs.add(geometry(2, 26, 26, 32, 2, 2, 2, 2, false));
        gs.add(geometry(1, 5, 3, 3, 2, 2, 2, 2, false));
        gs.add(geometry(2, 11, 11, 64, 2, 2, 2, 2, false));
        gs.add(geometry(1, 2, 2, 1, 2, 2, 2, 2, false));
        // 2x2 stride-2 SAME pooling of an odd height or width: the last window row or column sticks out of the
        // input, so the inside-only 2x2 kernel must not take it
        gs.add(geometry(2, 5, 4, 3, 2, 2, 2, 2, true));
        gs.add(geometry(2, 4, 5, 3, 2, 2, 2, 2, true));
        // windows entirely inside the padding: max gives -inf, average gives 0, no gradient
        gs.add(new Pool2dGeometry(1, 3, 3, 10, 1, 1, 5, 5, 1, 1, 1, 1));
        return gs;
    }

    // --------------------------------------------------------------------------------------- naive references

    private static final int MAX = 0, AVG = 1;

    /** Forward by definition (float64), max or average over the in-bounds cells. */
    static double[] refForward(Pool2dGeometry g, float[] x, int kind) {
        double[] y = new double[(int) g.ySize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int c = 0; c < g.c(); c++) {
                        double m = Double.NEGATIVE_INFINITY, sum = 0;
                        int count = 0;
                        for (int p = 0; p < g.kh(); p++)
                            for (int q = 0; q < g.kw(); q++) {
                                int r = i * g.strideH() + p - g.padTop(), s = j * g.strideW() + q - g.padLeft();
                                if (r < 0 || r >= g.h() || s < 0 || s >= g.w()) continue;
                                double v = x[((n * g.h() + r) * g.w() + s) * g.c() + c];
                                if (Double.isNaN(v) || v > m) m = Double.isNaN(m) ? m : v;
                                sum += v;
                                count++;
                            }
                        y[((n * g.oh() + i) * g.ow() + j) * g.c() + c] = kind == MAX ? m : count == 0 ? 0 : sum / count;
                    }
        return y;
    }

    /** Backward by definition: max routes to the first maximal cell (first NaN if any), average spreads evenly. */
    static double[] refBackward(Pool2dGeometry g, float[] x, float[] dy, int kind) {
        double[] dx = new double[(int) g.xSize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int c = 0; c < g.c(); c++) {
                        List<Integer> cells = new ArrayList<>();
                        for (int p = 0; p < g.kh(); p++)
                            for (int q = 0; q < g.kw(); q++) {
                                int r = i * g.strideH() + p - g.padTop(), s = j * g.strideW() + q - g.padLeft();
                                if (r >= 0 && r < g.h() && s >= 0 && s < g.w()) cells.add(((n * g.h() + r) * g.w() + s) * g.c() + c);
                            }
                        double grad = dy[((n * g.oh() + i) * g.ow() + j) * g.c() + c];
                        if (cells.isEmpty()) continue;
                        if (kind == AVG) {
                            for (int cell : cells) dx[cell] += grad / cells.size();
                            continue;
                        }
                        int best = -1;
                        for (int cell : cells) if (Float.isNaN(x[cell])) { best = cell; break; }
                        if (best < 0) {
                            best = cells.get(0);
                            for (int cell : cells) if (x[cell] > x[best]) best = cell;
                        }
                        dx[best] += grad;
                    }
        return dx;
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** Values from a small set, so that windows often hold ties. */
    static float[] values(Random rnd, long size) {
        float[] a = new float[(int) size];
        for (int i = 0; i < a.length; i++) a[i] = (rnd.nextInt(9) - 4) * 0.25f;
        return a;
    }

    static float[] random(Random rnd, long size) {
        float[] a = new float[(int) size];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    static void assertClose(String what, double[] ref, float[] got, int off) {
        for (int i = 0; i < ref.length; i++) {
            double e = ref[i];
            float v = got[off + i];
            boolean ok = Double.isNaN(e) ? Float.isNaN(v) : e == v || Math.abs(v - e) <= 1e-6 * (1 + Math.abs(e));
            if (!ok) fail(what + ": element " + i + " is " + v + ", expected " + e);
        }
    }

    static void assertClose(String what, double[] ref, double[] got, int off) {
        for (int i = 0; i < ref.length; i++) {
            double e = ref[i], v = got[off + i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(v) : e == v || Math.abs(v - e) <= 1e-12 * (1 + Math.abs(e));
            if (!ok) fail(what + ": element " + i + " is " + v + ", expected " + e);
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private void checkAll(Pool2dGeometry g, float[] x, float[] dy, String label) {
        double[] yMax = refForward(g, x, MAX), yAvg = refForward(g, x, AVG);
        double[] dxMax = refBackward(g, x, dy, MAX), dxAvg = refBackward(g, x, dy, AVG);
        String what = label + " " + g;
        for (int threads : new int[] {1, 2}) {
            float[] out = new float[(int) g.ySize() + 3];
            PoolKernels.maxForward(g, x, 0, out, 2, threads);
            assertClose("max " + what, yMax, out, 2);
            PoolKernels.avgForward(g, x, 0, out, 2, threads);
            assertClose("avg " + what, yAvg, out, 2);
            float[] dx = random(new Random(1), g.xSize() + 3);
            PoolKernels.maxBackward(g, x, 0, dy, 0, dx, 1, threads);
            assertClose("max grad " + what, dxMax, dx, 1);
            PoolKernels.avgBackward(g, dy, 0, dx, 1, threads, true);
            assertClose("avg grad " + what, dxAvg, dx, 1);
        }
        float[] out = new float[(int) g.ySize()];
        PoolKernels.maxPoolForwardScalar(g, x, 0, out, 0);
        assertClose("max scalar " + what, yMax, out, 0);
        PoolKernels.avgPoolForwardScalar(g, x, 0, out, 0);
        assertClose("avg scalar " + what, yAvg, out, 0);
        // the gradients overwrite dx: it starts out holding garbage
        float[] dx = random(new Random(2), g.xSize());
        PoolKernels.maxPoolBackwardScalar(g, x, 0, dy, 0, dx, 0);
        assertClose("max grad scalar " + what, dxMax, dx, 0);
        dx = random(new Random(3), g.xSize());
        PoolKernels.avgPoolBackwardScalar(g, dy, 0, dx, 0);
        assertClose("avg grad scalar " + what, dxAvg, dx, 0);
        PoolKernels.maxPoolForward(g, x, 0, out, 0);
        assertClose("max public " + what, yMax, out, 0);
        PoolKernels.avgPoolForward(g, x, 0, out, 0);
        assertClose("avg public " + what, yAvg, out, 0);
        dx = random(new Random(4), g.xSize());
        PoolKernels.maxPoolBackward(g, x, 0, dy, 0, dx, 0);
        assertClose("max grad public " + what, dxMax, dx, 0);
        dx = random(new Random(5), g.xSize());
        PoolKernels.avgPoolBackward(g, dy, 0, dx, 0);
        assertClose("avg grad public " + what, dxAvg, dx, 0);

        double[] xd = toDouble(x), dyd = toDouble(dy), outd = new double[(int) g.ySize()];
        double[] dxd = toDouble(random(new Random(6), g.xSize()));
        PoolKernels.maxPoolForward(g, xd, 0, outd, 0);
        assertClose("max64 " + what, yMax, outd, 0);
        PoolKernels.avgPoolForward(g, xd, 0, outd, 0);
        assertClose("avg64 " + what, yAvg, outd, 0);
        PoolKernels.maxPoolBackward(g, xd, 0, dyd, 0, dxd, 0);
        assertClose("max grad64 " + what, dxMax, dxd, 0);
        dxd = toDouble(random(new Random(7), g.xSize()));
        PoolKernels.avgPoolBackward(g, dyd, 0, dxd, 0);
        assertClose("avg grad64 " + what, dxAvg, dxd, 0);

        // the adjoint of the max gradient: each window reads g at the cell its gradient goes to
        float[] gx = random(new Random(8), g.xSize());
        double[] selected = refSelect(g, x, gx), selected64 = new double[(int) g.ySize()];
        float[] selected32 = random(new Random(9), g.ySize());
        PoolSelectKernels.select(g, x, gx, selected32);
        assertClose("select " + what, selected, selected32, 0);
        PoolSelectKernels.select(g, xd, toDouble(gx), selected64);
        assertClose("select64 " + what, selected, selected64, 0);
    }

    /** For each window, g at the first maximal cell of x (the first NaN if any), 0 for a window with no cells. */
    static double[] refSelect(Pool2dGeometry g, float[] x, float[] gx) {
        double[] y = new double[(int) g.ySize()];
        for (int n = 0; n < g.n(); n++)
            for (int i = 0; i < g.oh(); i++)
                for (int j = 0; j < g.ow(); j++)
                    for (int c = 0; c < g.c(); c++) {
                        int best = -1;
                        for (int p = 0; p < g.kh(); p++)
                            for (int q = 0; q < g.kw(); q++) {
                                int r = i * g.strideH() + p - g.padTop(), s = j * g.strideW() + q - g.padLeft();
                                if (r < 0 || r >= g.h() || s < 0 || s >= g.w()) continue;
                                int cell = ((n * g.h() + r) * g.w() + s) * g.c() + c;
                                if (best < 0 || (Float.isNaN(x[cell]) && !Float.isNaN(x[best])) || x[cell] > x[best]) best = cell;
                            }
                        y[((n * g.oh() + i) * g.ow() + j) * g.c() + c] = best < 0 ? 0 : gx[best];
                    }
        return y;
    }

    // --------------------------------------------------------------------------------------------------- tests

    @Test
    void matchTheDefinitionWithTiesPaddingAndStrides() {
        Random rnd = new Random(11);
        for (Pool2dGeometry g : geometries()) checkAll(g, values(rnd, g.xSize()), random(rnd, g.ySize()), "ties");
    }

    @Test
    void nanIsMaximalAndGetsTheGradient() {
        Random rnd = new Random(12);
        for (Pool2dGeometry g : geometries()) {
            float[] x = random(rnd, g.xSize());
            for (int i = 0; i < x.length; i += 7) x[i] = Float.NaN;
            for (int i = 3; i < x.length; i += 11) x[i] = Float.POSITIVE_INFINITY;
            checkAll(g, x, random(rnd, g.ySize()), "nan");
        }
    }

    /** The max of -0.0 and 0.0 is 0.0 (as Math.max and the vector lanes have it) in every channel and every path. */
    @Test
    void maxOfSignedZerosIsPositiveZeroInEveryChannel() {
        Pool2dGeometry g = geometry(1, 1, 2, 17, 1, 2, 1, 1, false);
        float[] x = new float[34];
        java.util.Arrays.fill(x, 0, 17, -0f); // the window's first cell holds -0.0, its second 0.0
        float[] y = new float[17], expect = new float[17];
        for (int threads : new int[] {1, 2}) {
            java.util.Arrays.fill(y, 1f);
            PoolKernels.maxForward(g, x, 0, y, 0, threads);
            assertArrayEquals(expect, y, 0f, "threads " + threads);
            for (float v : y) assertEquals(0, Float.floatToRawIntBits(v), "threads " + threads);
        }
        PoolKernels.maxPoolForwardScalar(g, x, 0, y, 0);
        for (float v : y) assertEquals(0, Float.floatToRawIntBits(v), "scalar");
        double[] yd = new double[17];
        PoolKernels.maxPoolForward(g, toDouble(x), 0, yd, 0);
        for (double v : yd) assertEquals(0L, Double.doubleToRawLongBits(v), "float64");
    }

    @Test
    void resultsAreBitwiseIndependentOfThreadCount() {
        independentOfThreadCount(geometry(5, 32, 32, 64, 3, 3, 2, 2, true));
        independentOfThreadCount(geometry(5, 13, 11, 40, 2, 2, 2, 2, false));
    }

    private static void independentOfThreadCount(Pool2dGeometry g) {
        Random rnd = new Random(13);
        float[] x = values(rnd, g.xSize()), dy = random(rnd, g.ySize());
        float[][] one = null;
        for (int threads : new int[] {1, 2, 3}) {
            float[] y = new float[(int) g.ySize()], a = new float[(int) g.ySize()];
            float[] dx = new float[(int) g.xSize()], da = new float[(int) g.xSize()];
            PoolKernels.maxForward(g, x, 0, y, 0, threads);
            PoolKernels.avgForward(g, x, 0, a, 0, threads);
            PoolKernels.maxBackward(g, x, 0, dy, 0, dx, 0, threads);
            PoolKernels.avgBackward(g, dy, 0, da, 0, threads, true);
            if (one == null) {
                one = new float[][] {y, a, dx, da};
            } else {
                assertArrayEquals(one[0], y);
                assertArrayEquals(one[1], a);
                assertArrayEquals(one[2], dx);
                assertArrayEquals(one[3], da);
            }
        }
    }

    /** Row pairs in pieces, the way a fused pass's tiles run them, give the whole-tensor kernels' bits. */
    @Test
    void twoByTwoPoolingByRowPairsMatchesTheWholeKernels() {
        Random rnd = new Random(14);
        for (Pool2dGeometry g : new Pool2dGeometry[] {geometry(3, 6, 7, 5, 2, 2, 2, 2, false), geometry(2, 8, 8, 32, 2, 2, 2, 2, false),
                geometry(2, 4, 9, 11, 2, 2, 2, 2, false)}) {
            assertTrue(PoolKernels.maxPool2x2ByRows(g), g.toString());
            float[] x = values(rnd, g.xSize()), dy = random(rnd, g.ySize());
            for (int i = 0; i < x.length; i += 13) x[i] = Float.NaN;
            float[] y = new float[(int) g.ySize()], dx = new float[(int) g.xSize()];
            PoolKernels.maxPoolForward(g, x, 0, y, 0);
            PoolKernels.maxPoolBackward(g, x, 0, dy, 0, dx, 0);
            int rows = g.n() * g.oh(), pair = 2 * g.w() * g.c();
            float[] yRows = new float[y.length], dxRows = new float[dx.length];
            for (int q0 = 0; q0 < rows; q0 += 3) { // three pooled rows at a time, dx through a buffer of just those rows
                int q1 = Math.min(rows, q0 + 3);
                PoolKernels.maxPool2x2Rows(g, x, 0, yRows, 0, q0, q1);
                float[] piece = new float[(q1 - q0) * pair];
                PoolKernels.maxPool2x2GradRows(g, x, 0, dy, 0, piece, -q0 * pair, q0, q1);
                System.arraycopy(piece, 0, dxRows, q0 * pair, piece.length);
            }
            assertArrayEquals(y, yRows, 0f, g.toString());
            assertArrayEquals(dx, dxRows, 0f, g.toString());

            // the same through the recorded routing cells, into arrays that start out holding garbage
            float[] yRouted = random(rnd, y.length), cells = random(rnd, y.length + 5), dxRouted = random(rnd, dx.length);
            for (int q0 = 0; q0 < rows; q0 += 3) {
                int q1 = Math.min(rows, q0 + 3);
                PoolKernels.maxPool2x2RowsRouted(g, x, 0, yRouted, 0, cells, 5, q0, q1);
                float[] piece = random(rnd, (q1 - q0) * pair);
                PoolKernels.maxPool2x2GradRowsRouted(g, cells, 5, dy, 0, piece, -q0 * pair, q0, q1);
                System.arraycopy(piece, 0, dxRouted, q0 * pair, piece.length);
            }
            assertArrayEquals(y, yRouted, 0f, "routed " + g);
            assertArrayEquals(dx, dxRouted, 0f, "routed " + g);
            PoolKernels.maxPool2x2RowsRouted(g, x, 0, yRouted, 0, cells, 5, 2, 2); // an empty range is no work
            assertArrayEquals(y, yRouted, 0f, "routed " + g);
        }
        assertTrue(!PoolKernels.maxPool2x2ByRows(geometry(1, 7, 6, 2, 2, 2, 2, 2, false)), "odd height");
        assertTrue(!PoolKernels.maxPool2x2ByRows(geometry(1, 6, 6, 2, 3, 3, 2, 2, false)), "3x3 windows");
    }

    @Test
    void twoByTwoPoolingByRowPairsRejectsOtherGeometriesAndRows() {
        Pool2dGeometry odd = geometry(1, 7, 6, 2, 2, 2, 2, 2, false), g = geometry(2, 4, 4, 2, 2, 2, 2, 2, false);
        float[] x = new float[64], y = new float[16];
        var e = assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPool2x2Rows(odd, x, 0, y, 0, 0, 1));
        assertTrue(e.getMessage().startsWith("max_pool2d by row pairs: needs 2x2 windows"), e.getMessage());
        var r = assertThrows(IndexOutOfBoundsException.class, () -> PoolKernels.maxPool2x2GradRows(g, x, 0, y, 0, x, 0, 2, 5));
        assertTrue(r.getMessage().contains("rows [2, 5) of 4"), r.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPool2x2RowsRouted(odd, x, 0, y, 0, y, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPool2x2GradRowsRouted(odd, y, 0, y, 0, x, 0, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> PoolKernels.maxPool2x2RowsRouted(g, x, 0, y, 0, y, 0, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> PoolKernels.maxPool2x2GradRowsRouted(g, y, 0, y, 0, x, 0, 0, 5));
    }

    @Test
    void emptyWindowsAndBadArguments() {
        Pool2dGeometry g = new Pool2dGeometry(1, 3, 3, 10, 1, 1, 5, 5, 1, 1, 1, 1);
        float[] y = new float[(int) g.ySize()];
        PoolKernels.maxPoolForward(g, new float[(int) g.xSize()], 0, y, 0);
        assertEquals(Float.NEGATIVE_INFINITY, y[0]);
        var e = assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPoolForward(g, new float[5], 0, y, 0));
        assertTrue(e.getMessage().startsWith("max_pool2d: x needs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.avgPoolBackward(g, y, 1, new float[90], 0));
        assertThrows(IllegalArgumentException.class,
                () -> PoolKernels.maxPoolBackward(g, new double[90], 0, new double[250], 0, new double[3], 0));
        assertThrows(IllegalArgumentException.class, () -> new Pool2dGeometry(1, 3, 3, 1, 2, 2, 1, 1, 0, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pool2dGeometry(1, 3, 3, 1, 2, 2, 1, 1, 1, 0, 0, 0));
    }

    @Test
    void everyEntryPointRejectsArraysTooShortAndNamesTheGeometry() {
        Pool2dGeometry g = geometry(1, 4, 4, 3, 2, 2, 2, 2, false);
        float[] x = new float[48], y = new float[12], xs = new float[47], ys = new float[11];
        double[] xd = new double[48], yd = new double[12], xds = new double[47], yds = new double[11];
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> PoolKernels.maxPoolForward(g, x, 0, ys, 0),
                () -> PoolKernels.maxPoolForwardScalar(g, xs, 0, y, 0),
                () -> PoolKernels.avgPoolForward(g, x, 1, y, 0),
                () -> PoolKernels.avgPoolForwardScalar(g, x, 0, ys, 0),
                () -> PoolKernels.maxPoolBackward(g, x, 0, y, 0, xs, 0),
                () -> PoolKernels.maxPoolBackward(g, x, 0, ys, 0, x, 0),
                () -> PoolKernels.maxPoolBackwardScalar(g, xs, 0, y, 0, x, 0),
                () -> PoolKernels.avgPoolBackward(g, y, 0, xs, 0),
                () -> PoolKernels.avgPoolBackwardScalar(g, ys, 0, x, 0),
                () -> PoolKernels.maxPoolForward(g, xds, 0, yd, 0),
                () -> PoolKernels.avgPoolForward(g, xd, 0, yds, 0),
                () -> PoolKernels.maxPoolBackward(g, xd, 0, yd, 0, xds, 0),
                () -> PoolKernels.avgPoolBackward(g, yd, 0, xd, 1),
                () -> PoolSelectKernels.select(g, xs, x, y),
                () -> PoolSelectKernels.select(g, x, xs, y),
                () -> PoolSelectKernels.select(g, x, x, ys),
                () -> PoolSelectKernels.select(g, xd, xds, yd));
        for (var call : calls) {
            var e = assertThrows(IllegalArgumentException.class, call);
            assertTrue(e.getMessage().contains("x [1,4,4,3], window 2x2, y [1,2,2,3]"), e.getMessage());
        }
    }

    @Test
    void zeroSizesAreEmptyPoolings() {
        for (Pool2dGeometry g : new Pool2dGeometry[] {geometry(1, 0, 4, 2, 2, 2, 2, 2, false), geometry(1, 4, 0, 2, 2, 2, 2, 2, false),
                geometry(1, 4, 4, 0, 2, 2, 2, 2, false), new Pool2dGeometry(1, 4, 4, 2, 0, 0, 0, 0, 1, 1, 0, 0),
                new Pool2dGeometry(1, 4, 4, 2, 2, 2, 0, 3, 1, 1, 0, 0), new Pool2dGeometry(1, 4, 4, 2, 2, 2, 3, 0, 1, 1, 0, 0)}) {
            float[] x = random(new Random(1), g.xSize()), y = new float[(int) g.ySize()], dx = random(new Random(2), g.xSize());
            PoolKernels.maxPoolForward(g, x, 0, y, 0);
            PoolKernels.avgPoolBackward(g, y, 0, dx, 0);
            assertClose("avg grad " + g, new double[dx.length], dx, 0);
        }
    }
}
