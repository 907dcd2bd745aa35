package dev.fluxion.cuda.graph;

import dev.fluxion.ArrayOps;
import dev.fluxion.Device;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backends;
import dev.fluxion.cuda.CudaBackend;
import dev.fluxion.cuda.CudaRuntime;
import dev.fluxion.cuda.memory.AllocationScope;
import dev.fluxion.cuda.memory.MemoryStats;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Graph functions on a GPU: the compiled plan against eager execution, the CUDA-graph replay against the same plan
 * run launch by launch, and device memory over many steps. Skipped where there is no CUDA driver; passes on an H200.
 */
@Tag("gpu")
class CudaGraphFunctionGpuTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeEach
    void requireGpu() {
        assumeTrue(CudaRuntime.isAvailable(), "no CUDA driver or device on this machine: the gpu suite is skipped");
    }

    private static CudaBackend backend() {
        return (CudaBackend) Backends.get(GPU);
    }

    /** A 32-64-10 MLP with Adam, its variables on the GPU, initialized from one seed (so two copies start equal). */
    private static final class Mlp {
        final List<Variable> params = new ArrayList<>(), m = new ArrayList<>(), s = new ArrayList<>();

        Mlp() {
            Rng init = new Rng(5);
            int[][] shapes = {{32, 64}, {64}, {64, 10}, {10}};
            for (int[] shape : shapes) {
                Variable p = new Variable(init.normal(shape, 0, 0.2).to(GPU), "p" + params.size());
                params.add(p);
                m.add(new Variable(p.value().zerosLike(), p.name() + "_m"));
                s.add(new Variable(p.value().zerosLike(), p.name() + "_v"));
            }
        }

        Tensor step(Tensor x, Tensor oneHot) {
            try (var tape = new GradientTape()) {
                Tensor h = x.matmul(params.get(0).value()).add(params.get(1).value()).relu();
                Tensor logits = h.matmul(params.get(2).value()).add(params.get(3).value());
                Tensor loss = oneHot.mul(NnOps.logSoftmax(logits, -1)).sum(new int[] {1}, false).neg().mean();
                TrainingSteps.adamUpdate(params, tape.gradient(loss, params), m, s);
                return loss;
            }
        }

        final Rng dropout = new Rng(12);

        /** The step with dropout, returning the loss, the logits and a view of its input (a result copied out). */
        Tensor[] noisyStep(Tensor x, Tensor oneHot) {
            try (var tape = new GradientTape()) {
                Tensor h = NnOps.dropout(x.matmul(params.get(0).value()).add(params.get(1).value()).relu(), 0.25, dropout);
                Tensor logits = h.matmul(params.get(2).value()).add(params.get(3).value());
                Tensor loss = oneHot.mul(NnOps.logSoftmax(logits, -1)).sum(new int[] {1}, false).neg().mean();
                TrainingSteps.adamUpdate(params, tape.gradient(loss, params), m, s);
                return new Tensor[] {loss, logits, x.transpose()};
            }
        }

        List<Variable> all() {
            List<Variable> all = new ArrayList<>(params);
            all.addAll(m);
            all.addAll(s);
            return all;
        }
    }

    /** Batch {@code i}: inputs and one-hot labels on the GPU. */
    private static Tensor[] batch(int i) {
        Rng r = new Rng(100 + i);
        Tensor x = r.normal(new int[] {16, 32}, 0, 1);
        float[] oneHot = new float[16 * 10];
        for (int row = 0; row < 16; row++) oneHot[row * 10 + (row + i) % 10] = 1;
        return new Tensor[] {x.to(GPU), Tensor.of(oneHot, 16, 10).to(GPU)};
    }

    /** Every variable of {@code actual} (weights and Adam moments) close to the same one of {@code expected}. */
    private static void assertSameVariables(Mlp expected, Mlp actual, String when, double tol) {
        for (int v = 0; v < expected.all().size(); v++)
            assertClose(expected.all().get(v).name() + when, expected.all().get(v).value(), actual.all().get(v).value(), tol);
    }

    private static void assertClose(String label, Tensor expected, Tensor actual, double tol) {
        double[] e = expected.to(Device.CPU).toDoubleArray(), a = actual.to(Device.CPU).toDoubleArray();
        assertEquals(e.length, a.length, label);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), label + " at " + i);
    }

    @Test
    void aGraphTrainingStepMatchesEagerExecutionStepByStep() {
        Mlp eager = new Mlp(), compiled = new Mlp();
        var f = Fx.function("mlp_step", compiled::step);
        for (int i = 0; i < 6; i++) { // call 1 runs the plan, call 2 captures it, the rest replay the CUDA graph
            Tensor[] b = batch(i);
            Tensor expected = eager.step(b[0], b[1]);
            Tensor got = f.call(b[0], b[1]);
            assertEquals(GPU, got.device());
            assertClose("loss at step " + i, expected, got, 1e-4);
            assertSameVariables(eager, compiled, " after step " + i, 1e-4);
        }
        assertEquals(1, f.tracingCount());
    }

    @Test
    void callsReplayedInChunksGiveWhatCallsInTurnGive() {
        Mlp single = new Mlp(), chunked = new Mlp();
        var one = Fx.function("mlp_noisy_step", single::noisyStep);
        var each = Fx.function("mlp_noisy_step", chunked::noisyStep);
        int steps = 70; // first call: the first step alone, then a chunk of 64 and one of 5; second call: 64 and 6
        for (int call = 0; call < 2; call++) {
            Tensor[] xs = new Tensor[steps], ys = new Tensor[steps];
            for (int i = 0; i < steps; i++) {
                Tensor[] b = batch(call * steps + i);
                xs[i] = b[0];
                ys[i] = b[1];
            }
            Tensor[] stacked = each.callEach(ArrayOps.stack(0, xs), ArrayOps.stack(0, ys));
            assertEquals(3, stacked.length);
            assertArrayEquals(new int[] {steps, 16, 10}, stacked[1].shape());
            for (int i = 0; i < steps; i++) {
                Tensor[] expected = one.call(xs[i], ys[i]);
                for (int r = 0; r < 3; r++) assertClose("result " + r + " of step " + i + " in call " + call, expected[r], stacked[r].get(i), 1e-6);
            }
            assertSameVariables(single, chunked, " after call " + call, 1e-6);
        }
        assertEquals(1, each.tracingCount());
    }

    @Test
    void callsInTurnStackTheirResultsWhenNothingIsCaptured() {
        Mlp inTurn = new Mlp(), stepped = new Mlp();
        var traceInTurn = Fx.function("mlp_noisy_step", inTurn::noisyStep);
        var traceStepped = Fx.function("mlp_noisy_step", stepped::noisyStep);
        Tensor[] b0 = batch(0);
        traceInTurn.call(b0[0], b0[1]); // traces (and runs step 0 on both, so the states stay equal)
        traceStepped.call(b0[0], b0[1]);
        Tensor[][] batches = new Tensor[5][];
        for (int i = 0; i < 5; i++) batches[i] = batch(i + 1);
        Tensor xs = ArrayOps.stack(0, java.util.Arrays.stream(batches).map(b -> b[0]).toArray(Tensor[]::new));
        Tensor ys = ArrayOps.stack(0, java.util.Arrays.stream(batches).map(b -> b[1]).toArray(Tensor[]::new));
        try (CudaExecutable single = new CudaExecutable(backend(), "in_turn", traceInTurn.lastGraph(), false);
             CudaExecutable chunked = new CudaExecutable(backend(), "stepped", traceStepped.lastGraph(), false)) {
            Tensor[] stacked = chunked.runSteps(new Tensor[] {xs, ys}, 5);
            for (int i = 0; i < 5; i++) {
                Tensor[] expected = single.run(batches[i]);
                for (int r = 0; r < 3; r++) assertClose("result " + r + " of step " + i, expected[r], stacked[r].get(i), 0);
            }
            assertFalse(chunked.isCaptured());
        }
    }

    @Test
    void theReplayedCudaGraphGivesWhatThePlanGivesLaunchByLaunch() {
        Mlp replayed = new Mlp(), launched = new Mlp();
        var traceReplayed = Fx.function("mlp_step", replayed::step);
        var traceLaunched = Fx.function("mlp_step", launched::step);
        Tensor[] b0 = batch(0);
        traceReplayed.call(b0[0], b0[1]); // traces (and runs step 0 on both, below, so the states stay equal)
        traceLaunched.call(b0[0], b0[1]);
        CudaExecutable withGraph = new CudaExecutable(backend(), "replayed", traceReplayed.lastGraph(), true);
        CudaExecutable withoutGraph = new CudaExecutable(backend(), "launched", traceLaunched.lastGraph(), false);
        try (withGraph; withoutGraph) {
            for (int i = 1; i < 8; i++) {
                Tensor[] b = batch(i);
                Tensor a = withGraph.run(b)[0], c = withoutGraph.run(b)[0];
                assertClose("loss at step " + i, c, a, 0); // the same kernels in the same order: bit for bit
                assertSameVariables(launched, replayed, " after step " + i, 0);
            }
            assertTrue(withGraph.isCaptured(), "the second call must capture the plan");
            assertFalse(withoutGraph.isCaptured());
            long launches = withGraph.plan().steps().stream()
                    .filter(s -> s instanceof LaunchPlan.Kernel || s instanceof LaunchPlan.MatMul || s instanceof LaunchPlan.Reduce).count();
            assertTrue(withGraph.capturedNodeCount() >= launches, withGraph.capturedNodeCount() + " graph nodes for " + launches + " launches");
            System.out.println(withGraph);
        }
    }

    @Test
    void deviceMemoryIsSteadyOverTenThousandReplayedSteps() {
        Mlp mlp = new Mlp();
        var f = Fx.function("mlp_step", mlp::step);
        var allocator = backend().context().allocator();
        Tensor[] b = batch(0);
        for (int i = 0; i < 5; i++)
            try (AllocationScope step = allocator.openScope()) {
                f.call(b[0], b[1]);
            }
        backend().context().synchronize();
        MemoryStats before = allocator.stats();
        float last = 0;
        for (int i = 0; i < 10_000; i++)
            try (AllocationScope step = allocator.openScope()) {
                Tensor loss = f.call(b[0], b[1]);
                if (i == 9_999) last = loss.to(Device.CPU).toFloatArray()[0];
            }
        backend().context().synchronize();
        MemoryStats after = allocator.stats();
        assertEquals(before.rawAllocations(), after.rawAllocations(), "no device allocation after warm-up: " + before + " -> " + after);
        // earlier tests' tensors that only the garbage collector returns may go back meanwhile: in use can only fall
        assertTrue(after.inUse() <= before.inUse(), "memory in use must not grow: " + before + " -> " + after);
        assertTrue(Float.isFinite(last) && last < 0.5, "10,000 Adam steps on one batch should fit it, loss " + last);
    }

    @Test
    void eagerTrainingInScopesKeepsTheWeightsAndHoldsSteadyMemory() {
        Mlp mlp = new Mlp();
        var allocator = backend().context().allocator();
        Tensor[] b = batch(0);
        float first = 0, last = 0;
        MemoryStats warm = null;
        for (int i = 0; i < 300; i++) {
            try (AllocationScope step = allocator.openScope()) {
                float loss = (float) mlp.step(b[0], b[1]).item(); // assigns new weights and Adam slots inside the scope
                if (i == 0) first = loss;
                last = loss;
            }
            if (i == 10) warm = allocator.stats();
        }
        MemoryStats end = allocator.stats();
        assertEquals(warm.inUse(), end.inUse(), "the replaced weights must go back with each step's scope: " + warm + " -> " + end);
        assertEquals(warm.rawAllocations(), end.rawAllocations(), "no device allocation after warm-up: " + warm + " -> " + end);
        assertTrue(last < first * 0.5, "eager Adam on one batch must fit it: loss " + first + " -> " + last);
    }
}
