package dev.fluxion.cuda;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
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
import dev.fluxion.ops.Window2d;
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
 * driver; passes on an H200 (see the module README for the command that runs it).
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
        // per-channel statistics of an NHWC activation: the two-pass column kernel (outputs side by side)
        Tensor activation = new Rng(6).normal(new int[] {64, 16, 16, 40}, 0, 1);
        for (ReduceFn fn : new ReduceFn[] {ReduceFn.SUM, ReduceFn.MAX, ReduceFn.MIN})
            assertSameAsCpu(fn + " over N, H, W", new Op.Reduce(fn, new int[] {0, 1, 2}, false), new Tensor[] {activation}, 1e-4, 0);
        Tensor rows = ArrayOps.slice(new Rng(7).normal(new int[] {9000, 33}, 0, 1, DType.FLOAT64), 0, 1, 9000, 2);
        assertSameAsCpu("sum of every other row", new Op.Reduce(ReduceFn.SUM, new int[] {0}, false), new Tensor[] {rows}, 0, 1e-12);
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
    void sixteenBitMatmulsRoundTheOperandsAndAccumulateInFloat32() {
        var ctx = backend().context();
        Rng rng = new Rng(9);
        Tensor a = rng.normal(new int[] {3, 48, 96}, 0, 1), b = rng.normal(new int[] {96, 40}, 0, 1);
        Tensor exact = a.matmul(b);
        for (MatmulPrecision precision : new MatmulPrecision[] {MatmulPrecision.BFLOAT16, MatmulPrecision.FLOAT16}) {
            // the expected product: operands rounded on the host, multiplied in float64; products of two 16-bit
            // values are exact in float32, so the GPU differs only by float32 accumulation
            Tensor expected = round16(a, precision).cast(DType.FLOAT64).matmul(round16(b, precision).cast(DType.FLOAT64));
            MatmulPrecision before = ctx.matmulPrecision();
            ctx.setMatmulPrecision(precision);
            Tensor got, gotTransposed;
            try {
                got = a.to(GPU).matmul(b.to(GPU)).to(Device.CPU);
                gotTransposed = Dispatcher.apply(new Op.MatMul(false, true), a.to(GPU), b.transpose().contiguous().to(GPU)).to(Device.CPU);
            } finally {
                ctx.setMatmulPrecision(before);
            }
            assertClose(precision + " matmul", expected, got, 1e-5);
            assertClose(precision + " matmul, b transposed", expected, gotTransposed, 1e-5);
            double[] g = got.toDoubleArray(), e = exact.toDoubleArray();
            double worst = 0;
            for (int i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - e[i]));
            assertTrue(worst > 1e-4, precision + ": the operands must really have been rounded (largest difference " + worst + ")");
        }
        assertSameAsCpu("float32 matmul after switching back", new Op.MatMul(false, false), new Tensor[] {a, b}, 1e-5, 1e-12);
    }

    /** x rounded to bfloat16 (nearest even) or float16 (Java's own conversion), as float32. */
    private static Tensor round16(Tensor x, MatmulPrecision precision) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            int u = Float.floatToRawIntBits(v[i]);
            v[i] = precision == MatmulPrecision.BFLOAT16 ? Float.intBitsToFloat(((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16)
                    : Float.float16ToFloat(Float.floatToFloat16(v[i]));
        }
        return Tensor.of(v, x.shape());
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
    void hostScalarsFollowTheOtherInputsToTheDeviceExactly() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).to(GPU);
        assertArrayEquals(new float[] {2, 4, 6}, x.mul(Tensor.scalar(2f)).to(Device.CPU).toFloatArray());
        long big = Long.MAX_VALUE - 1; // not representable as a double: must not round-trip through one
        Tensor l = Tensor.of(new long[] {0, 1}, 2).to(GPU).add(Tensor.of(new long[] {big}));
        assertArrayEquals(new long[] {big, Long.MAX_VALUE}, l.to(Device.CPU).toLongArray());
        assertEquals(GPU, x.onesLike().device());
        assertEquals(GPU, x.sum().onesLike().device());
    }

    @Test
    void mixedDevicesFailClearly() {
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).add(Tensor.ones(3).to(GPU)));
        assertTrue(m.getMessage().contains("cpu") && m.getMessage().contains("cuda:0"), m.getMessage());
    }

    @Test
    void convolutionAndBothGradientsMatchTheCpu() {
        Random r = new Random(8);
        // n, h, w, c, kh, kw, o, window: padding on every side, strides, dilations, one channel, a many-block case
        Object[][] cases = {
                {1, 7, 5, 1, 3, 3, 2, Window2d.valid(1, 1, 1, 1)},
                {3, 7, 6, 3, 3, 2, 5, new Window2d(2, 1, 1, 2, 2, 1, 1, 3)},
                {3, 3, 3, 2, 2, 2, 3, new Window2d(2, 2, 1, 1, 3, 3, 3, 3)},
                {4, 32, 29, 16, 3, 3, 32, Window2d.same(32, 29, 3, 3, 1, 1, 1, 1)},
                {2, 31, 17, 8, 5, 3, 7, new Window2d(2, 3, 2, 1, 4, 0, 1, 2)}};
        for (Object[] k : cases)
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                int n = (int) k[0], h = (int) k[1], w = (int) k[2], c = (int) k[3], kh = (int) k[4], kw = (int) k[5], o = (int) k[6];
                Window2d win = (Window2d) k[7];
                Tensor x = HostCheck.base(t, new int[] {n, w, h, c}, r, false, true).transpose(0, 2, 1, 3); // a strided NHWC view
                Tensor f = gaussian(t, r, kh, kw, c, o);
                Tensor y = Dispatcher.apply(new Op.Conv2D(win), x, f), dy = gaussian(t, r, y.shape());
                String label = t + " " + java.util.Arrays.toString(k);
                assertSameAsCpu("conv2d " + label, new Op.Conv2D(win), new Tensor[] {x, f}, 1e-4, 1e-12);
                assertSameAsCpu("backprop_input " + label, new Op.Conv2DBackpropInput(x.shape(), win), new Tensor[] {dy, f}, 1e-4, 1e-12);
                assertSameAsCpu("backprop_filter " + label, new Op.Conv2DBackpropFilter(f.shape(), win), new Tensor[] {x, dy}, 1e-3, 1e-11);
            }
    }

    @Test
    void tf32ConvolutionsOfCompiledPlansRunOnCudnnAndAgreeWithTheCpuToTf32Precision() {
        var ctx = backend().context();
        Random r = new Random(10);
        // n, h, w, c, kh, kw, o, window (padding alike on both sides, which cuDNN can express)
        Object[][] cases = {
                {1, 7, 5, 1, 3, 3, 2, Window2d.valid(1, 1, 1, 1)},
                {3, 7, 6, 3, 3, 2, 5, new Window2d(2, 1, 1, 2, 1, 1, 1, 1)},
                {4, 32, 29, 16, 3, 3, 32, Window2d.same(32, 29, 3, 3, 1, 1, 1, 1)}};
        MatmulPrecision before = ctx.matmulPrecision();
        ctx.setMatmulPrecision(MatmulPrecision.TF32);
        try {
            for (Object[] k : cases) {
                int n = (int) k[0], h = (int) k[1], w = (int) k[2], c = (int) k[3], kh = (int) k[4], kw = (int) k[5], o = (int) k[6];
                Window2d win = (Window2d) k[7];
                Tensor x = gaussian(DType.FLOAT32, r, n, h, w, c), f = gaussian(DType.FLOAT32, r, kh, kw, c, o);
                Tensor y = Dispatcher.apply(new Op.Conv2D(win), x, f), dy = gaussian(DType.FLOAT32, r, y.shape());
                String label = "tf32 " + java.util.Arrays.toString(k);
                Op[] ops = {new Op.Conv2D(win), new Op.Conv2DBackpropInput(x.shape(), win), new Op.Conv2DBackpropFilter(f.shape(), win)};
                Tensor[][] inputs = {{x, f}, {dy, f}, {x, dy}};
                for (int i = 0; i < ops.length; i++) {
                    Tensor cpu = Dispatcher.apply(ops[i], inputs[i]);
                    Tensor eager = Dispatcher.apply(ops[i], inputs[i][0].to(GPU), inputs[i][1].to(GPU)).to(Device.CPU);
                    // as a compiled plan runs it: into a buffer, on cuDNN where it is installed
                    Tensor planned = CudaKernels.allocate(ctx, new dev.fluxion.TensorType(DType.FLOAT32, cpu.shape(), GPU));
                    assertTrue(PlanLaunches.into(ctx, ops[i], new Tensor[] {inputs[i][0].to(GPU), inputs[i][1].to(GPU)}, planned));
                    assertCloseToScale(ops[i].name() + " " + label, cpu, eager, 1e-2);
                    assertCloseToScale(ops[i].name() + " " + label + " as planned", cpu, planned.to(Device.CPU), 1e-2);
                }
            }
        } finally {
            ctx.setMatmulPrecision(before);
        }
        System.out.println("TF32 convolutions: " + ctx.convolutions());
        Cudnn cudnn = ctx.cudnn(); // where cuDNN is installed it must have taken every planned product of every case
        if (cudnn != null) assertTrue(cudnn.plans() >= 3 * cases.length && cudnn.declined() == 0, "cuDNN did not take them all: " + cudnn);
    }

    /** Every element within {@code tol} times the root mean square of {@code expected}: the error scale of TF32 sums. */
    private static void assertCloseToScale(String label, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), label);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double squares = 0, worst = 0;
        for (int i = 0; i < e.length; i++) {
            squares += e[i] * e[i];
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        double rms = Math.sqrt(squares / e.length);
        assertTrue(worst <= tol * rms, label + ": largest difference " + worst + " against a root mean square of " + rms);
    }

    @Test
    void poolingItsGradientsAndMaxSelectMatchTheCpuExactly() {
        Random r = new Random(9);
        Object[][] cases = {
                {1, 7, 5, 1, 3, 3, new Window2d(2, 2, 1, 1, 1, 1, 1, 1)},
                {3, 6, 7, 3, 2, 3, new Window2d(1, 2, 1, 1, 0, 1, 2, 0)},
                {2, 3, 3, 2, 2, 2, new Window2d(2, 2, 1, 1, 3, 0, 3, 0)}, // windows wholly in the padding
                {8, 32, 30, 24, 2, 2, Window2d.valid(2, 2, 1, 1)},
                {4, 27, 19, 9, 3, 3, Window2d.same(27, 19, 3, 3, 2, 2, 1, 1)}};
        for (Object[] k : cases)
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                int[] shape = {(int) k[0], (int) k[1], (int) k[2], (int) k[3]};
                // small integers: ties in most windows, so the gradient's tie rule is compared, not only values
                Tensor x = HostCheck.base(t, shape, r, false, true);
                for (boolean max : new boolean[] {true, false}) {
                    Op.Pool2D p = new Op.Pool2D(max, (int) k[4], (int) k[5], (Window2d) k[6]);
                    Tensor dy = gaussian(t, r, Dispatcher.apply(p, x).shape());
                    String label = p.name() + " " + t + " " + java.util.Arrays.toString(k);
                    assertSameAsCpu(label, p, new Tensor[] {x}, 0, 0);
                    assertSameAsCpu(label + " grad", new Op.Pool2DGrad(p, shape), max ? new Tensor[] {x, dy} : new Tensor[] {dy}, 0, 0);
                    if (max) assertSameAsCpu(label + " select", new Op.MaxPoolSelect(p), new Tensor[] {x, gaussian(t, r, shape)}, 0, 0);
                }
            }
    }

    @Test
    void padConcatGatherAndScatterAddMatchTheCpuInEveryDType() {
        Random r = new Random(10);
        for (DType t : DType.values()) {
            Tensor a = HostCheck.base(t, new int[] {5, 4, 3}, r, false, false).transpose(1, 2, 0); // [4,3,5] view
            Tensor b = ArrayOps.slice(HostCheck.base(t, new int[] {4, 9, 5}, r, false, false), 1, 2, 8, 3); // [4,2,5] at an offset
            assertSameAsCpu("pad " + t, new Op.Pad(new int[] {1, 0, 3}, new int[] {2, 1, 0}, 2.5), new Tensor[] {a}, 0, 0);
            assertSameAsCpu("pad 0 " + t, new Op.Pad(new int[] {0, 2, 1}, new int[] {1, 0, 1}, 0), new Tensor[] {b}, 0, 0);
            assertSameAsCpu("concat " + t, new Op.Concat(1), new Tensor[] {a, b, a}, 0, 0);
            Tensor params = HostCheck.base(t, new int[] {3, 700, 2}, r, false, false);
            for (DType index : new DType[] {DType.INT32, DType.INT64}) {
                long[] v = new long[1000];
                for (int i = 0; i < v.length; i++) v[i] = r.nextInt(700);
                Tensor idx = Tensor.of(v, 10, 100), idxT = index == DType.INT64 ? idx : dev.fluxion.Ops.cast(idx, DType.INT32);
                assertSameAsCpu("gather " + t + " " + index, new Op.Gather(1), new Tensor[] {params, idxT}, 0, 0);
                Tensor updates = HostCheck.base(t, new int[] {3, 10, 100, 2}, r, false, true);
                // atomics add in any order: float32 sums may differ in the last bits
                assertSameAsCpu("scatter_add " + t + " " + index, new Op.ScatterAdd(1, 700), new Tensor[] {updates, idxT}, 1e-6, 1e-15);
            }
        }
    }

    @Test
    void outOfRangeIndicesGatherZeroOnTheGpu() {
        Tensor params = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).to(GPU), idx = Tensor.of(new long[] {2, -1, 3, 0}, 4).to(GPU);
        assertArrayEquals(new float[] {5, 6, 0, 0, 0, 0, 1, 2}, Dispatcher.apply(new Op.Gather(0), params, idx).to(Device.CPU).toFloatArray());
    }

    @Test
    void aConvolutionalTrainingStepMatchesTheCpu() {
        float[] lossCpu = trainConvNet(Device.CPU), lossGpu = trainConvNet(GPU);
        for (int i = 0; i < lossCpu.length; i++) assertEquals(lossCpu[i], lossGpu[i], 1e-4 * Math.max(1, Math.abs(lossCpu[i])), "step " + i);
    }

    /** conv, max pool, conv, average pool, a dense layer: every gradient of the conv and pool ops is used. */
    private static float[] trainConvNet(Device device) {
        Rng rng = new Rng(11);
        Tensor x = rng.normal(new int[] {8, 12, 12, 2}, 0, 1).to(device), target = rng.normal(new int[] {8, 1}, 0, 1).to(device);
        Variable f1 = new Variable(rng.normal(new int[] {3, 3, 2, 4}, 0, 0.3).to(device), "f1");
        Variable f2 = new Variable(rng.normal(new int[] {3, 3, 4, 6}, 0, 0.3).to(device), "f2");
        Variable dense = new Variable(rng.normal(new int[] {6 * 3 * 3, 1}, 0, 0.1).to(device), "dense");
        float[] losses = new float[10];
        for (int step = 0; step < losses.length; step++) {
            try (var tape = new GradientTape()) {
                Tensor h = NnOps.relu(NnOps.conv2d(x, f1.value(), NnOps.Padding.SAME));
                h = NnOps.maxPool2d(h, 2, 2, 2, 2, NnOps.Padding.VALID);
                h = NnOps.relu(NnOps.conv2d(h, f2.value(), NnOps.Padding.SAME));
                h = NnOps.avgPool2d(h, 3, 3, 2, 2, NnOps.Padding.SAME).reshape(8, 6 * 3 * 3);
                Tensor loss = h.matmul(dense.value()).sub(target).square().mean();
                List<Tensor> grads = tape.gradient(loss, List.of(f1, f2, dense));
                f1.assignSub(grads.get(0).mul(0.02));
                f2.assignSub(grads.get(1).mul(0.02));
                dense.assignSub(grads.get(2).mul(0.02));
                losses[step] = (float) loss.item();
            }
        }
        return losses;
    }

    private static Tensor gaussian(DType t, Random r, int... shape) {
        double[] v = new double[dev.fluxion.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        Tensor d = Tensor.of(v, shape);
        return t == DType.FLOAT64 ? d : dev.fluxion.Ops.cast(d, t);
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
