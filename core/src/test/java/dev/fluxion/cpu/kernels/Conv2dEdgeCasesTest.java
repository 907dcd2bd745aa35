package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.assertClose;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.geometry;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.padded;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.random;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.refBackpropFilter;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.refBackpropInput;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.refForward;
import static dev.fluxion.cpu.kernels.Conv2dKernelsTest.winogradScale;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Convolution kernels at the edges of their set-up: per-thread buffers, first calls. */
class Conv2dEdgeCasesTest {

    /** Runs {@code body} on a new thread (whose per-thread buffers start empty) and rethrows what it threw. */
    private static void onFreshThread(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        t.start();
        t.join();
        Throwable e = error.get();
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error r) throw r;
        if (e != null) throw new AssertionError(e);
    }

    /**
     * The first call of each pass on a thread sizes its per-thread buffers (scratch copies, packed filters, Winograd
     * blocks, partial sums) from the geometry alone: one per kernel path, each pass on a thread of its own.
     */
    @Test
    void firstCallsOnAThreadSizeTheirBuffers() throws InterruptedException {
        Conv2dGeometry[] gs = {
            geometry(2, 6, 6, 32, 3, 3, 32, true, 1, 1, 1, 1), // Winograd 2x2
            geometry(3, 8, 8, 32, 3, 3, 48, true, 1, 1, 1, 1), // Winograd 4x4
            geometry(2, 10, 9, 32, 3, 3, 32, true, 1, 1, 2, 2), // shift kernels, gathered input gradient
            geometry(2, 9, 8, 36, 3, 3, 64, true, 2, 2, 1, 1), // stride 2: filter kernels, col2im
            geometry(2, 7, 9, 3, 3, 3, 32, true, 1, 1, 1, 1), // first-layer kernels
            geometry(2, 7, 9, 1, 3, 3, 16, false, 1, 1, 1, 1),
            geometry(2, 8, 8, 40, 3, 3, 160, true, 1, 1, 1, 1), // packed im2col
            geometry(2, 6, 7, 33, 3, 3, 67, true, 1, 1, 1, 1), // GEMM paths, odd sizes
            geometry(5, 41, 41, 32, 3, 3, 8, true, 2, 2, 1, 1), // col2im over groups of images
            geometry(1, 65, 65, 40, 5, 5, 5, true, 2, 2, 1, 1)}; // col2im in bands of rows
        Random rnd = new Random(21);
        for (Conv2dGeometry g : gs) {
            float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), dy = random(rnd, (int) g.ySize());
            float[] y = padded(rnd, g.ySize()), dx = padded(rnd, g.xSize()), dw = padded(rnd, g.wSize());
            onFreshThread(() -> Conv2dKernels.forward(g, x, 0, w, 0, y, 3, 1));
            onFreshThread(() -> Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 3, 1));
            onFreshThread(() -> Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 3, 1));
            assertClose("forward " + g, refForward(g, x, w, false), winogradScale(g, refForward(g, x, w, true)), y, 3);
            double[] dxMag = refBackpropInput(g, dy, w, true);
            if (Conv2dWinogradKernels.inputGradientApplies(g)) {
                dxMag = winogradScale(Conv2dWinogradKernels.inputGradientGeometry(g), dxMag);
            }
            assertClose("backpropInput " + g, refBackpropInput(g, dy, w, false), dxMag, dx, 3);
            assertClose("backpropFilter " + g, refBackpropFilter(g, x, dy, false), refBackpropFilter(g, x, dy, true),
                    dw, 3);
        }
    }

    /**
     * A negative padding crops the input (the output reads from row -padTop, column -padLeft on). The Winograd and
     * first-layer kernels leave it to the others; every path matches the definition, top and left apart.
     */
    @Test
    void negativePaddingCropsTheInput() {
        Random rnd = new Random(5);
        // n, h, w, c, o, stride: first-layer kernels, Winograd, first-layer input gradient and filter kernels, stride 2
        // (shift kernels, col2im), packed im2col, odd sizes on GEMM
        int[][] shapes = {{2, 9, 10, 3, 32, 1}, {2, 16, 15, 32, 32, 1}, {2, 9, 10, 8, 64, 1}, {2, 12, 11, 32, 64, 2},
            {1, 9, 10, 40, 160, 1}, {2, 9, 10, 5, 7, 1}};
        for (int[] s : shapes) {
            for (int[] pad : new int[][] {{-1, 0}, {1, -1}}) {
                int oh = (s[1] - 3 - 2 * pad[0]) / s[5] + 1, ow = (s[2] - 3 - 2 * pad[1]) / s[5] + 1;
                Conv2dGeometry g = new Conv2dGeometry(s[0], s[1], s[2], s[3], 3, 3, s[4], oh, ow, s[5], s[5], 1, 1,
                        pad[0], pad[1]);
                float[] x = random(rnd, (int) g.xSize()), w = random(rnd, (int) g.wSize()), dy = random(rnd, (int) g.ySize());
                float[] y = padded(rnd, g.ySize()), dx = padded(rnd, g.xSize()), dw = padded(rnd, g.wSize());
                Conv2dKernels.forward(g, x, 0, w, 0, y, 3, 2);
                Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 3, 2);
                Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 3, 2);
                assertClose("forward " + g, refForward(g, x, w, false), refForward(g, x, w, true), y, 3);
                assertClose("backpropInput " + g, refBackpropInput(g, dy, w, false), refBackpropInput(g, dy, w, true),
                        dx, 3);
                assertClose("backpropFilter " + g, refBackpropFilter(g, x, dy, false), refBackpropFilter(g, x, dy, true),
                        dw, 3);
            }
        }
    }
}
