package dev.fluxion.cuda;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backends;
import dev.fluxion.cuda.codegen.HostCheck;
import dev.fluxion.cuda.codegen.ScalarExpressions;
import dev.fluxion.cuda.memory.AllocationScope;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA backend against the CPU backend, op by op, on a real GPU. Skipped (not failed) where there is no CUDA
 * driver. NOT YET RUN: written on a machine without a GPU; see the module README for the command that runs it.
 */
@Tag("gpu")
class CudaBackendGpuTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeEach // per test, not @BeforeAll, so each skipped test is reported as skipped with the reason
    void requireGpu() {
        assumeTrue(CudaRuntime.isAvailable(), "no CUDA driver or device on this machine: the gpu suite is skipped");
    }

    private static CudaBackend backend() {
        return (CudaBackend) Backends.get(GPU);
    }

    /** The op on the GPU (inputs copied there) and on the CPU; results compared. */
    private static void assertSameAsCpu(String label, Op op, Tensor[] cpuInputs, double tol32, double tol64) {
        Tensor cpu = Dispatcher.apply(op, cpuInputs);
        Tensor[] onGpu = new Tensor[cpuInputs.length];
        for (int i = 0; i < onGpu.length; i++) onGpu[i] = cpuInputs[i].to(GPU);
        Tensor gpu = Dispatcher.apply(op, onGpu);
        assertEquals(GPU, gpu.device(), label);
        assertArrayEquals(cpu.shape(), gpu.shape(), label);
        assertClose(label, cpu, gpu.to(Device.CPU), cpu.dtype() == DType.FLOAT32 ? tol32 : tol64);
    }

    private static void assertClose(String label, Tensor expected, Tensor actual, double relTol) {
        if (!expected.dtype().isFloating()) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), label);
            return;
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) || Double.isInfinite(e[i])) assertEquals(e[i], a[i], label + " at " + i);
            else assertEquals(e[i], a[i], relTol * Math.max(1, Math.abs(e[i])), label + " at " + i);
        }
    }

    @Test
    void deviceOpensAndTransfersRoundTripExactly() {
        System.out.println("gpu suite on " + backend());
        Random r = new Random(1);
        for (DType t : DType.values()) {
            Tensor x = HostCheck.base(t, new int[] {7, 13}, r, false, false);
            Tensor back = x.to(GPU).to(Device.CPU);
            assertEquals(Device.CPU, back.device());
            assertArrayEquals(x.toLongArray(), back.toLongArray(), t.toString());
            if (t.isFloating()) assertArrayEquals(x.toDoubleArray(), back.toDoubleArray(), 0.0, t.toString());
        }
        assertEquals(0, Tensor.zeros(0, 3).to(GPU).to(Device.CPU).size());
    }

    @Test
    void everyElementwisePrimitiveMatchesTheCpu() {
        Random r = new Random(2);
        for (DType t : DType.values()) {
            Tensor a = HostCheck.base(t, new int[] {5, 33}, r, false, false).transpose(); // a strided view
            for (UnaryFn fn : UnaryFn.values())
                if (ScalarExpressions.supports(fn, t)) assertSameAsCpu(fn + " " + t, new Op.Unary(fn), new Tensor[] {a}, 2e-6, 1e-14);
            for (BinaryFn fn : BinaryFn.values()) {
                if (!ScalarExpressions.supports(fn, t)) continue;
                boolean div = t.isInteger() && (fn == BinaryFn.DIV || fn == BinaryFn.MOD), pow = t.isInteger() && fn == BinaryFn.POW;
                Tensor b = HostCheck.base(t, new int[] {5}, r, div, pow);
                assertSameAsCpu(fn + " " + t, new Op.Binary(fn), new Tensor[] {a, b}, 2e-6, 1e-14);
            }
            Tensor cond = HostCheck.base(DType.BOOL, new int[] {33, 5}, r, false, false);
            assertSameAsCpu("where " + t, new Op.Where(), new Tensor[] {cond, a, HostCheck.base(t, new int[0], r, false, false)}, 0, 0);
            for (DType to : DType.values()) assertSameAsCpu("cast " + t + "->" + to, new Op.Cast(to), new Tensor[] {a}, 0, 0);
        }
    }

    @Test
    void reductionsMatchTheCpuOverAnyAxes() {
        Random r = new Random(3);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
            Tensor x = HostCheck.base(t, new int[] {6, 70, 9}, r, false, false).transpose(2, 0, 1);
            for (ReduceFn fn : ReduceFn.values())
                for (int[] axes : new int[][] {{0}, {1}, {2}, {0, 2}, {0, 1, 2}})
                    assertSameAsCpu(fn + " " + t + " axes " + java.util.Arrays.toString(axes), new Op.Reduce(fn, axes, false), new Tensor[] {x},
                            fn == ReduceFn.PROD ? 1e-4 : 1e-5, 1e-12);
            for (int axis = 0; axis < 3; axis++)
                for (boolean max : new boolean[] {true, false})
                    assertSameAsCpu("arg" + (max ? "max " : "min ") + t, new Op.ArgReduce(max, axis, false), new Tensor[] {x}, 0, 0);
        }
        // a large sum: every block of the tree reduction
        Tensor big = new Rng(4).normal(new int[] {1 << 20}, 0, 1);
        assertSameAsCpu("sum of 2^20", new Op.Reduce(ReduceFn.SUM, new int[] {0}, false), new Tensor[] {big}, 1e-3, 0);
    }

    @Test
    void matmulMatchesTheCpuWithTransposesAndBatches() {
        Rng rng = new Rng(5);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = rng.normal(ta ? new int[] {37, 64} : new int[] {64, 37}, 0, 1).cast(t);
                    Tensor b = rng.normal(tb ? new int[] {19, 37} : new int[] {37, 19}, 0, 1).cast(t);
                    assertSameAsCpu("matmul " + t + " " + ta + tb, new Op.MatMul(ta, tb), new Tensor[] {a, b}, 1e-5, 1e-12);
                }
            Tensor batched = rng.normal(new int[] {3, 8, 5}, 0, 1).cast(t), shared = rng.normal(new int[] {5, 4}, 0, 1).cast(t);
            assertSameAsCpu("batched matmul " + t, new Op.MatMul(false, false), new Tensor[] {batched, shared}, 1e-5, 1e-12);
            Tensor left = rng.normal(new int[] {2, 1, 4, 3}, 0, 1).cast(t), right = rng.normal(new int[] {1, 3, 3, 2}, 0, 1).cast(t);
            assertSameAsCpu("broadcast batch matmul " + t, new Op.MatMul(false, false), new Tensor[] {left, right}, 1e-5, 1e-12);
            assertSameAsCpu("empty inner dimension " + t, new Op.MatMul(false, false),
                    new Tensor[] {Tensor.zeros(t, 3, 0), Tensor.zeros(t, 0, 4)}, 0, 0);
        }
    }

    @Test
    void randomNumbersAreTheCpusForTheSameKey() {
        Tensor key = Tensor.of(new long[] {1234, 77}, 2);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (Op.RandomKind kind : Op.RandomKind.values())
                assertSameAsCpu(kind + " " + t, new Op.Random(kind, new int[] {1001}, t), new Tensor[] {key},
                        kind == Op.RandomKind.UNIFORM ? 0 : 1.2e-7, kind == Op.RandomKind.UNIFORM ? 0 : 1e-15);
    }

    @Test
    void viewsAndLayoutOpsMatchTheCpu() {
        Tensor x = new Rng(6).normal(new int[] {4, 6, 5}, 0, 1);
        Tensor g = x.to(GPU);
        assertClose("transpose+add", x.transpose(2, 0, 1).add(x.transpose(2, 0, 1).exp()), g.transpose(2, 0, 1).add(g.transpose(2, 0, 1).exp()).to(Device.CPU), 2e-6);
        assertClose("reshape of a view", x.transpose(1, 0, 2).reshape(24, 5), g.transpose(1, 0, 2).reshape(24, 5).to(Device.CPU), 0);
        assertClose("slice", ArrayOps.slice(x, 1, 5, 0, -2), ArrayOps.slice(g, 1, 5, 0, -2).to(Device.CPU), 0);
        assertClose("broadcast", ArrayOps.broadcastTo(x.slice(0, 1), 3, 6, 5), ArrayOps.broadcastTo(g.slice(0, 1), 3, 6, 5).to(Device.CPU), 0);
    }

    @Test
    void aGradientTapeTrainingStepMatchesTheCpu() {
        float[] lossCpu = train(Device.CPU), lossGpu = train(GPU);
        for (int i = 0; i < lossCpu.length; i++) assertEquals(lossCpu[i], lossGpu[i], 1e-4 * Math.max(1, Math.abs(lossCpu[i])), "step " + i);
    }

    private static float[] train(Device device) {
        Rng rng = new Rng(7);
        Tensor x = rng.normal(new int[] {64, 10}, 0, 1).to(device), trueW = rng.normal(new int[] {10, 1}, 0, 1).to(device);
        Tensor y = x.matmul(trueW).tanh();
        Variable w = new Variable(Tensor.zeros(10, 1).to(device), "w"), b = new Variable(Tensor.zeros(1).to(device), "b");
        float[] losses = new float[20];
        for (int step = 0; step < losses.length; step++) {
            try (var tape = new GradientTape()) {
                Tensor loss = x.matmul(w.value()).add(b.value()).tanh().sub(y).square().mean();
                List<Tensor> grads = tape.gradient(loss, List.of(w, b));
                w.assignSub(grads.get(0).mul(0.5));
                b.assignSub(grads.get(1).mul(0.5));
                losses[step] = (float) loss.item();
            }
        }
        return losses;
    }

    @Test
    void scopesReturnEveryTemporaryAndReachASteadyState() {
        var ctx = backend().context();
        Tensor x = Tensor.ones(256, 256).to(GPU);
        long before = ctx.allocator().stats().inUse();
        long rawAfterFirst = -1;
        for (int i = 0; i < 5; i++) {
            try (AllocationScope s = ctx.allocator().openScope()) {
                Tensor y = x.mul(x).add(x).exp().sum();
                assertTrue(y.item() > 0);
            }
            assertEquals(before, ctx.allocator().stats().inUse(), "scope " + i + " leaked device memory");
            if (i == 0) rawAfterFirst = ctx.allocator().stats().rawAllocations();
        }
        assertEquals(rawAfterFirst, ctx.allocator().stats().rawAllocations(), "later iterations must reuse cached blocks");
    }

    @Test
    void unsupportedOpsAndMixedDevicesFailClearly() {
        Tensor g = Tensor.ones(1, 4, 4, 1).to(GPU);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> dev.fluxion.NnOps.maxPool2d(g, 2, 2, 2, 2, dev.fluxion.NnOps.Padding.VALID));
        assertTrue(e.getMessage().contains("max_pool2d") && e.getMessage().contains("cuda:0"), e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).add(Tensor.ones(3).to(GPU)));
        assertTrue(m.getMessage().contains("cpu") && m.getMessage().contains("cuda:0"), m.getMessage());
    }

    @Test
    void aCapturedCudaGraphReplaysAKernel() {
        var ctx = backend().context();
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3).to(GPU), b = Tensor.of(new float[] {10, 20, 30}, 3).to(GPU);
        Tensor warm = a.add(b); // compiles the kernel and leaves a cached block of the output's size class
        ctx.allocator().release(((CudaStorage) warm.storage()).block());
        ctx.synchronize();
        CudaDriver d = ctx.driver();
        d.beginCapture(ctx.stream(), CudaDriver.CAPTURE_MODE_THREAD_LOCAL);
        Tensor out;
        try {
            out = a.add(b); // served from the cache: no cuMemAlloc inside the capture
        } finally {
            var graph = d.endCapture(ctx.stream());
            var exec = d.instantiateGraph(graph);
            d.launchGraph(exec, ctx.stream());
            d.launchGraph(exec, ctx.stream());
            ctx.synchronize();
            d.destroyGraphExec(exec);
            d.destroyGraph(graph);
        }
        assertArrayEquals(new float[] {11, 22, 33}, out.toFloatArray(), 0f);
    }
}
