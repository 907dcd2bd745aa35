package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.Window2d;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The convolution and pooling kernels executed on the host ({@link HostKernelRunner}) against the CPU backend, for
 * awkward geometries: padding on every side (and windows wholly in the padding), strides, dilations, one channel,
 * prime and non-square sizes, batches of 1, 2 and 3. Pooling inputs are small integers (many ties) with NaN and
 * signed zeros, so the tie rule of max pooling's gradient and select is checked, not just the values.
 */
class ConvPoolKernelsHostTest {
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

    /** n, h, w, c, kh, kw, o and the window. */
    private record ConvCase(int n, int h, int w, int c, int kh, int kw, int o, Window2d window) {}

    private static final List<ConvCase> CONV_CASES = List.of(
            new ConvCase(1, 7, 5, 1, 3, 3, 2, Window2d.valid(1, 1, 1, 1)),
            new ConvCase(3, 7, 6, 3, 3, 2, 5, new Window2d(2, 1, 1, 2, 2, 1, 1, 3)),
            new ConvCase(2, 5, 5, 2, 1, 1, 1, new Window2d(2, 2, 1, 1, 0, 1, 1, 0)),
            new ConvCase(1, 11, 13, 4, 5, 3, 3, Window2d.same(11, 13, 5, 3, 3, 2, 2, 1)),
            new ConvCase(3, 3, 3, 2, 2, 2, 3, new Window2d(2, 2, 1, 1, 3, 3, 3, 3)), // outputs wholly in the padding
            new ConvCase(2, 13, 7, 3, 3, 3, 4, new Window2d(3, 2, 2, 3, 1, 2, 2, 1)));

    @Test
    void thePatchMatrixAndItsGatherGiveTheCpusConvolutionAndInputGradient() throws Exception {
        Random r = new Random(41);
        HostCheck check = new HostCheck();
        for (ConvCase k : CONV_CASES)
            for (DType t : FLOATS) {
                Tensor x = gaussian(t, r, k.n, k.h, k.w, k.c), f = gaussian(t, r, k.kh, k.kw, k.c, k.o);
                Tensor y = Dispatcher.apply(new Op.Conv2D(k.window), x, f);
                Tensor dy = gaussian(t, r, y.shape());
                int[] g = ConvKernels.geometry(x.shape(), f.shape(), y.shape(), k.window);
                int pixels = k.n * y.shape()[1] * y.shape()[2], taps = k.kh * k.kw * k.c;
                String label = t + " " + k;
                Tensor cols = patches(x, g, pixels, taps);
                // the patch matrix times the filter is the convolution: checks the tap order against HWIO's
                assertClose(y, cols.matmul(f.reshape(taps, k.o)).reshape(y.shape()), "cols·f " + label);
                conv(check, ConvKernels.im2col(t), "im2col " + label, x, cols, g);
                Tensor dcols = dy.reshape(pixels, k.o).matmul(f.reshape(taps, k.o).transpose());
                conv(check, ConvKernels.col2im(t), "col2im " + label, dcols,
                        Dispatcher.apply(new Op.Conv2DBackpropInput(x.shape(), k.window), dy, f), g);
            }
        assertEquals(CONV_CASES.size() * 2 * 2, check.size());
        check.runAndCompare(1e-5, 1e-12); // im2col copies exactly; col2im sums dcols, which the CPU sums in another order
    }

    /** The patch matrix computed directly from its definition: row (img, oy, ox), column (ty, tx, ch). */
    private static Tensor patches(Tensor x, int[] g, int pixels, int taps) {
        double[] xs = x.toDoubleArray(), out = new double[pixels * taps];
        int n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], oh = g[7], ow = g[8];
        for (int img = 0; img < n; img++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ty = 0; ty < kh; ty++)
                        for (int tx = 0; tx < kw; tx++)
                            for (int ch = 0; ch < c; ch++) {
                                int sy = oy * g[9] + ty * g[11] - g[13], sx = ox * g[10] + tx * g[12] - g[14];
                                if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
                                out[((img * oh + oy) * ow + ox) * taps + (ty * kw + tx) * c + ch] = xs[((img * h + sy) * w + sx) * c + ch];
                            }
        return Ops.cast(Tensor.of(out, pixels, taps), x.dtype());
    }

    private static void assertClose(Tensor expected, Tensor actual, String label) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-4 * Math.max(1, Math.abs(e[i])), label + " at " + i);
    }

    private static void conv(HostCheck check, KernelSource kernel, String label, Tensor in, Tensor cpu, int[] geometry) {
        double scale = maxAbs(cpu);
        check.launches(List.of(kernel), label, List.of(new HostKernelRunner.Call(kernel.name(), List.of(HostKernelRunner.input(in),
                HostKernelRunner.output(cpu.dtype(), cpu.size()), new HostKernelRunner.StructArg("FxConv", geometry)))), cpu, scale);
    }

    /** kh, kw and the window, on an input of n, h, w, c. */
    private record PoolCase(int n, int h, int w, int c, int kh, int kw, Window2d window) {}

    private static final List<PoolCase> POOL_CASES = List.of(
            new PoolCase(1, 7, 5, 1, 3, 3, new Window2d(2, 2, 1, 1, 1, 1, 1, 1)),
            new PoolCase(3, 6, 7, 3, 2, 3, new Window2d(1, 2, 1, 1, 0, 1, 2, 0)),
            new PoolCase(2, 4, 4, 2, 2, 2, Window2d.valid(2, 2, 1, 1)),     // the CPU's dedicated 2x2 kernels
            new PoolCase(2, 3, 3, 2, 2, 2, new Window2d(2, 2, 1, 1, 3, 0, 3, 0)), // windows wholly in the padding
            new PoolCase(1, 5, 6, 19, 3, 2, Window2d.same(5, 6, 3, 2, 2, 1, 1, 1)), // the CPU's SIMD lanes and tail
            new PoolCase(3, 11, 2, 1, 4, 1, new Window2d(3, 1, 1, 1, 2, 3, 0, 0)),
            new PoolCase(2, 7, 8, 2, 1, 2, new Window2d(2, 3, 1, 1, 0, 0, 1, 1))); // strides past the window: cells no window covers

    @Test
    void poolingTheirGradientsAndMaxSelectMatchTheCpuWithTiesAndNaN() throws Exception {
        Random r = new Random(43);
        HostCheck check = new HostCheck();
        for (PoolCase k : POOL_CASES)
            for (DType t : FLOATS) {
                Tensor x = tiesAndSpecials(t, r, k.n, k.h, k.w, k.c);
                String label = t + " " + k;
                for (boolean max : new boolean[] {true, false}) {
                    Op.Pool2D p = new Op.Pool2D(max, k.kh, k.kw, k.window);
                    Tensor y = Dispatcher.apply(p, x);
                    int[] g = PoolingKernels.geometry(p, x.shape(), y.shape());
                    Tensor dy = gaussian(t, r, y.shape());
                    Tensor dx = max ? Dispatcher.apply(new Op.Pool2DGrad(p, x.shape()), x, dy) : Dispatcher.apply(new Op.Pool2DGrad(p, x.shape()), dy);
                    pool(check, max ? PoolingKernels.maxPool(t) : PoolingKernels.avgPool(t), p.name() + " " + label, List.of(x), y, g);
                    pool(check, max ? PoolingKernels.maxPoolGrad(t) : PoolingKernels.avgPoolGrad(t), p.name() + "_grad " + label,
                            max ? List.of(x, dy) : List.of(dy), dx, g);
                    if (max) {
                        Tensor gx = gaussian(t, r, x.shape());
                        pool(check, PoolingKernels.maxPoolSelect(t), "select " + label, List.of(x, gx),
                                Dispatcher.apply(new Op.MaxPoolSelect(p), x, gx), g);
                    }
                }
            }
        assertEquals(POOL_CASES.size() * 2 * 5, check.size());
        check.runAndCompare(0, 0); // the same operations in the same order as the CPU: exact
    }

    private static void pool(HostCheck check, KernelSource kernel, String label, List<Tensor> inputs, Tensor cpu, int[] geometry) {
        List<HostKernelRunner.Arg> args = new java.util.ArrayList<>();
        for (Tensor in : inputs) args.add(HostKernelRunner.input(in));
        args.add(HostKernelRunner.output(cpu.dtype(), cpu.size()));
        args.add(new HostKernelRunner.StructArg("FxPool", geometry));
        check.launches(List.of(kernel), label, List.of(new HostKernelRunner.Call(kernel.name(), args)), cpu, 0);
    }

    @Test
    void maxPoolingGivesTiesToTheFirstCellAndNaNWins() throws Exception {
        // one 2x2 window per channel: channel 0 ties 5 at cells 1 and 2, channel 1 has NaN at cell 3 after a 9
        Tensor x = Tensor.of(new float[] {1, 0, 5, 9, 5, 2, -1, Float.NaN}, 1, 2, 2, 2), dy = Tensor.of(new float[] {10, 20}, 1, 1, 1, 2);
        Op.Pool2D p = new Op.Pool2D(true, 2, 2, Window2d.valid(2, 2, 1, 1));
        KernelSource grad = PoolingKernels.maxPoolGrad(DType.FLOAT32);
        var out = HostKernelRunner.run(List.of(grad), List.of(new HostKernelRunner.Call(grad.name(), List.of(HostKernelRunner.input(x),
                HostKernelRunner.input(dy), HostKernelRunner.output(DType.FLOAT32, 8),
                new HostKernelRunner.StructArg("FxPool", PoolingKernels.geometry(p, x.shape(), dy.shape()))))));
        float[] expected = {0, 0, 10, 0, 0, 0, 0, 20};
        assertArrayEquals(expected, Dispatcher.apply(new Op.Pool2DGrad(p, x.shape()), x, dy).toFloatArray(), "the CPU's rule");
        assertArrayEquals(expected, HostKernelRunner.tensor(DType.FLOAT32, out.getFirst().getFirst(), x.shape()).toFloatArray());
    }

    private static Tensor gaussian(DType t, Random r, int... shape) {
        double[] v = new double[dev.fluxion.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        Tensor d = Tensor.of(v, shape);
        return t == DType.FLOAT64 ? d : Ops.cast(d, t);
    }

    /** Values in {-1, 0, 1, 2} (ties everywhere), a few -0, NaN and -inf. */
    private static Tensor tiesAndSpecials(DType t, Random r, int... shape) {
        double[] v = new double[dev.fluxion.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(4) - 1;
            if (v[i] == 0 && r.nextBoolean()) v[i] = -0.0;
            if (i % 23 == 7) v[i] = Double.NaN;
            if (i % 31 == 5) v[i] = Double.NEGATIVE_INFINITY;
        }
        Tensor d = Tensor.of(v, shape);
        return t == DType.FLOAT64 ? d : Ops.cast(d, t);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
