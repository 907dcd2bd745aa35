package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Philox;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The generated Philox kernels, executed on the host (see {@link HostKernelRunner}), give the numbers of core's
 * {@link Philox} for the same (seed, counter): uniform bit for bit; normals to the last bit almost always (the C
 * library's log/cos/sin against Java's StrictMath), and within 1e-15 relative for float64.
 */
class RandomKernelsHostTest {
    /** (seed, counter, n): high seed bits, a counter that carries into its high word, lengths off the block size. */
    private static final long[][] REQUESTS = {
            {0, 0, 1}, {42, 0, 4}, {42, 7, 37}, {0x1234_5678_9ABC_DEF0L, 0xFFFF_FFFEL, 29}, {-1, -3, 18}, {2024, 1L << 40, 1001}};

    @Test
    void kernelsReproduceTheCpuGenerator() throws Exception {
        List<KernelSource> kernels = new ArrayList<>();
        List<HostKernelRunner.Call> calls = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (Op.RandomKind kind : Op.RandomKind.values()) {
                kernels.add(RandomKernels.generate(kind, t));
                for (long[] r : REQUESTS) {
                    Tensor key = Tensor.of(new long[] {r[0], r[1]}, 2);
                    calls.add(new HostKernelRunner.Call(RandomKernels.name(kind, t),
                            List.of(HostKernelRunner.input(key), HostKernelRunner.output(t, (int) r[2]), new HostKernelRunner.IntArg((int) r[2]))));
                    labels.add(kind + " " + t + " seed " + r[0] + " counter " + r[1] + " n " + r[2]);
                }
            }
        List<List<byte[]>> out = HostKernelRunner.run(kernels, calls);
        int c = 0, inexact = 0, total = 0;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (Op.RandomKind kind : Op.RandomKind.values())
                for (long[] r : REQUESTS) {
                    int n = (int) r[2];
                    String label = labels.get(c);
                    Tensor got = HostKernelRunner.tensor(t, out.get(c++).getFirst(), new int[] {n});
                    if (t == DType.FLOAT32) {
                        float[] expected = new float[n], g = got.toFloatArray();
                        switch (kind) {
                            case UNIFORM -> Philox.uniform(r[0], r[1], expected, 0, n);
                            case NORMAL -> Philox.normal(r[0], r[1], expected, 0, n);
                            case TRUNCATED_NORMAL -> Philox.truncatedNormal(r[0], r[1], expected, 0, n);
                        }
                        for (int i = 0; i < n; i++) {
                            total++;
                            if (kind == Op.RandomKind.UNIFORM) assertEquals(expected[i], g[i], 0f, label + " at " + i);
                            else if (expected[i] != g[i]) {
                                inexact++;
                                assertEquals(expected[i], g[i], Math.ulp(expected[i]), label + " at " + i);
                            }
                            if (kind == Op.RandomKind.TRUNCATED_NORMAL) assertTrue(Math.abs(g[i]) <= 2f, label);
                        }
                    } else {
                        double[] expected = new double[n], g = got.toDoubleArray();
                        switch (kind) {
                            case UNIFORM -> Philox.uniform(r[0], r[1], expected, 0, n);
                            case NORMAL -> Philox.normal(r[0], r[1], expected, 0, n);
                            case TRUNCATED_NORMAL -> Philox.truncatedNormal(r[0], r[1], expected, 0, n);
                        }
                        for (int i = 0; i < n; i++) {
                            if (kind == Op.RandomKind.UNIFORM) assertEquals(expected[i], g[i], 0.0, label + " at " + i);
                            else assertEquals(expected[i], g[i], 1e-15 * Math.max(1, Math.abs(expected[i])), label + " at " + i);
                        }
                    }
                }
        assertTrue(inexact <= total / 100, inexact + " of " + total + " float normals differ in the last bit");
    }

    @Test
    void preludePhiloxPassesTheKnownAnswerTest() throws Exception {
        // Random123's known-answer vector for Philox4x32-10 with counter and key all ones
        int[] expected = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
        assertArrayEquals(expected, Philox.block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}), "core's Philox");
        KernelSource kat = new KernelSource("fx_test_philox_kat",
                "extern \"C\" __global__ void fx_test_philox_kat(int* out) { fx_philox(~0u, ~0u, ~0u, ~0u, ~0u, ~0u, (unsigned*)out); }\n");
        var out = HostKernelRunner.run(List.of(kat), List.of(new HostKernelRunner.Call(kat.name(), List.of(HostKernelRunner.output(DType.INT32, 4)))));
        assertArrayEquals(expected, HostKernelRunner.tensor(DType.INT32, out.getFirst().getFirst(), new int[] {4}).toIntArray(), "generated fx_philox");
    }
}
