package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The register-blocked kernels must keep their vector accumulators in registers once C2 has compiled them. When C2
 * cannot (a helper it declines to inline receives accumulators, a virtual call on a loop phi), it boxes the vectors
 * in every loop iteration: results stay right, but speed falls 5x and the kernel allocates kilobytes per call, which
 * is what this test detects. An 8-row tile on 512-bit vectors did exactly that (the seed model's graph step went
 * from 63 to 154 ms), unseen by every correctness test.
 *
 * <p>No timing: each kernel runs on this thread until its allocation per call drops to the few objects a call
 * legitimately makes, or a deadline passes (compilation happens within seconds; a boxing kernel never gets there).
 * It runs in a JVM of its own (core/pom.xml, execution kernel-allocation), as a training process would: a kernel
 * profiled by thousands of other tests' shapes first is a different compilation problem.
 */
class KernelAllocationTest {
    /** Far below what boxing costs (at least 64 bytes per accumulator per k-step), above a call's own objects. */
    private static final long MAX_BYTES_PER_CALL = 8 * 1024;
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void sgemmDoesNotAllocatePerStepOnceCompiled() {
        int m = 64, n = 64, k = 256;
        float[] a = random(m * k), b = random(k * n), c = new float[m * n];
        // n = 64: A read in place with 512-bit tiles (n <= 2 NR), packed with narrower ones
        settles("sgemm 64x256x64", () -> Sgemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false, 1));
        settles("sgemm 64x256x64, A transposed, accumulating",
                () -> Sgemm.gemm(true, false, m, n, k, a, 0, m, b, 0, n, c, 0, n, true, 1));
        float[] wide = random(k * 300), out = new float[m * 300];
        // n = 300: A packed (as whole rows for 8-row tiles, which the strided kernel reads)
        settles("sgemm 64x256x300 (A packed)",
                () -> Sgemm.gemm(false, false, m, 300, k, a, 0, k, wide, 0, 300, out, 0, 300, false, 1));
        settles("gemv 1x256x64", () -> Sgemm.gemm(false, false, 1, n, k, a, 0, k, b, 0, n, c, 0, n, false, 1));
    }

    @Test
    void convolutionsDoNotAllocatePerStepOnceCompiled() {
        // few channels (direct kernels, offset tables), many channels (Winograd's transforms and products: 4x4 blocks
        // for a 4x4 output, 2x2 blocks for 6x6), and dilated (the shift kernels, the input gradient's gather, the
        // packed filter gradient)
        for (int[] s : new int[][] {{8, 3, 32, 1}, {4, 32, 64, 1}, {6, 32, 64, 1}, {6, 32, 64, 2}}) {
            Conv2dGeometry g = Conv2dKernelsTest.geometry(2, s[0], s[0], s[1], 3, 3, s[2], true, 1, 1, s[3], s[3]);
            float[] x = random(g.n() * g.h() * g.w() * g.c()), w = random(g.patch() * g.o());
            float[] y = new float[g.rows() * g.o()], dx = new float[x.length], dw = new float[w.length];
            String shape = g.h() + "x" + g.w() + "x" + g.c() + " to " + g.o() + ", dilation " + s[3];
            settles("conv2d " + shape, () -> Conv2dKernels.forward(g, x, 0, w, 0, y, 0, 1));
            settles("conv2d_backprop_input " + shape, () -> Conv2dKernels.backpropInput(g, y, 0, w, 0, dx, 0, 1));
            settles("conv2d_backprop_filter " + shape, () -> Conv2dKernels.backpropFilter(g, x, 0, y, 0, dw, 0, 1));
        }
        // both Winograd block sizes ran above
        assertTrue(!Conv2dWinograd4Kernels.ENABLED || Conv2dWinograd4FilterKernels.applies(
                Conv2dKernelsTest.geometry(2, 4, 4, 32, 3, 3, 64, true, 1, 1, 1, 1)));
        assertTrue(Conv2dWinogradFilterKernels.applies(Conv2dKernelsTest.geometry(2, 6, 6, 32, 3, 3, 64, true, 1, 1, 1, 1))
                && !Conv2dWinograd4Kernels.prefers(Conv2dKernelsTest.geometry(2, 6, 6, 32, 3, 3, 64, true, 1, 1, 1, 1)));
    }

    private static void settles(String kernel, Runnable call) {
        long start = System.nanoTime(), perCall = Long.MAX_VALUE;
        while (System.nanoTime() - start < DEADLINE_NANOS) {
            int calls = 200;
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) call.run();
            perCall = (THREADS.getCurrentThreadAllocatedBytes() - before) / calls;
            if (perCall <= MAX_BYTES_PER_CALL) return;
        }
        fail(kernel + " still allocates " + perCall + " bytes per call after " + DEADLINE_NANOS / 1_000_000_000L
                + " s of calls (limit " + MAX_BYTES_PER_CALL + "): C2 is boxing its vectors");
    }

    private static float[] random(int size) {
        Random rnd = new Random(size);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = rnd.nextFloat() - 0.5f;
        return v;
    }
}
