package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Fused groups of real traced graphs: a valid schedule, and kernels that compute what the members compute. */
class CudaFusionPlannerTest {
    @Test
    void planCoversEveryNodeOnceInDependencyOrder() {
        for (var e : TracedGraphs.all().entrySet()) {
            Graph g = e.getValue();
            List<CudaFusionPlanner.Step> steps = CudaFusionPlanner.plan(g);
            Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Node> results = Collections.newSetFromMap(new IdentityHashMap<>());
            results.addAll(g.results());
            for (CudaFusionPlanner.Step s : steps) {
                List<Node> members = new ArrayList<>(), outputs = null; // outputs: what a fused step writes
                switch (s) {
                    case CudaFusionPlanner.Single single -> members.add(single.node());
                    case CudaFusionPlanner.Fused f -> {
                        members.addAll(f.members());
                        outputs = f.outputs();
                    }
                    case CudaFusionPlanner.FusedReduce f -> {
                        members.addAll(f.members());
                        members.add(f.reduce());
                        outputs = new ArrayList<>(f.outputs());
                        outputs.add(f.reduce());
                    }
                }
                Set<Node> inStep = Collections.newSetFromMap(new IdentityHashMap<>());
                inStep.addAll(members);
                for (Node m : members) {
                    for (Node in : m.inputs())
                        assertTrue(done.contains(in) || inStep.contains(in), e.getKey() + ": " + m + " runs before its input " + in);
                    assertTrue(done.add(m), e.getKey() + ": " + m + " planned twice");
                }
                if (outputs != null) {
                    List<Node> group = s instanceof CudaFusionPlanner.FusedReduce f ? f.members() : members;
                    for (Node m : group) assertArrayEquals(group.getFirst().type().shape(), m.type().shape(), e.getKey() + ": mixed shapes in a group");
                    for (Node m : members)
                        if (results.contains(m)) assertTrue(outputs.contains(m), e.getKey() + ": result " + m + " not written out");
                    for (Node other : g.nodes())
                        if (!inStep.contains(other))
                            for (Node in : other.inputs())
                                if (inStep.contains(in)) assertTrue(outputs.contains(in), e.getKey() + ": " + in + " is read by " + other + " but not written out");
                }
            }
            assertEquals(g.nodes().size(), done.size(), e.getKey() + ": not every node is planned");
        }
    }

    @Test
    void aChainEndingInAReductionIsOneKernelAndASecondChainJoinsTheFirst() {
        // sum(exp(x) + 1): the first group of the graph takes its reduction; the plan is that one kernel
        var f = dev.fluxion.Fx.function("chain_sum", (Tensor x) -> x.exp().add(1.0).sum(new int[] {1}, false));
        f.call(new dev.fluxion.random.Rng(1).normal(new int[] {4, 8}, 0, 1));
        List<CudaFusionPlanner.Step> steps = CudaFusionPlanner.plan(f.lastGraph()).stream()
                .filter(st -> !(st instanceof CudaFusionPlanner.Single one) || one.node().kind() == Node.Kind.OP).toList();
        assertEquals(1, steps.size(), steps.toString());
        CudaFusionPlanner.FusedReduce reduce = assertInstanceOf(CudaFusionPlanner.FusedReduce.class, steps.getFirst());
        assertEquals(List.of("exp", "add"), reduce.members().stream().map(m -> m.op().name()).toList());

        // exp(x) * tanh(x) + 1, no reduction: every op joins the first group, one kernel of three members
        var g = dev.fluxion.Fx.function("chain", (Tensor x) -> x.exp().mul(x.tanh()).add(1.0));
        g.call(new dev.fluxion.random.Rng(1).normal(new int[] {4, 8}, 0, 1));
        List<CudaFusionPlanner.Step> ops = CudaFusionPlanner.plan(g.lastGraph()).stream()
                .filter(st -> !(st instanceof CudaFusionPlanner.Single one) || one.node().kind() == Node.Kind.OP).toList();
        assertEquals(1, ops.size(), ops.toString());
        CudaFusionPlanner.Fused fused = assertInstanceOf(CudaFusionPlanner.Fused.class, ops.getFirst());
        assertEquals(List.of("exp", "tanh", "mul", "add"), fused.members().stream().map(m -> m.op().name()).toList());
    }

    @Test
    void aReductionTakesAChainOfAtMostTheKernelsOperandCount() {
        // x + v1 + ... + vk summed: k + 1 external operands; the fused reduction kernel takes at most 24
        for (int k : new int[] {CudaFusionPlanner.MAX_FUSED_REDUCTION_OPERANDS - 1, CudaFusionPlanner.MAX_FUSED_REDUCTION_OPERANDS}) {
            List<dev.fluxion.Variable> vs = new ArrayList<>();
            for (int i = 0; i < k; i++) vs.add(new dev.fluxion.Variable(Tensor.full(i, DType.FLOAT32, 4, 8), "v" + i));
            var f = dev.fluxion.Fx.function("sum_of_" + k, (Tensor x) -> {
                Tensor acc = x;
                for (dev.fluxion.Variable v : vs) acc = acc.add(v.value());
                return acc.sum(new int[] {1}, false);
            });
            f.call(Tensor.full(1, DType.FLOAT32, 4, 8));
            List<CudaFusionPlanner.Step> steps = CudaFusionPlanner.plan(f.lastGraph());
            long fusedReductions = steps.stream().filter(st -> st instanceof CudaFusionPlanner.FusedReduce).count();
            assertEquals(k + 1 <= CudaFusionPlanner.MAX_FUSED_REDUCTION_OPERANDS ? 1 : 0, fusedReductions, k + " variables: " + steps);
        }
    }

    @Test
    void trainingStepFusesItsOptimizerUpdates() {
        List<CudaFusionPlanner.Step> steps = CudaFusionPlanner.plan(TracedGraphs.all().get("mlp_train_step"));
        List<CudaFusionPlanner.Fused> fused = steps.stream().filter(s -> s instanceof CudaFusionPlanner.Fused).map(s -> (CudaFusionPlanner.Fused) s).toList();
        assertTrue(fused.size() >= 5, "expected several fused groups, got " + fused.size());
        // the Adam update of each variable (moments, sqrt, divide, step) is one kernel of at least 8 ops
        assertTrue(fused.stream().filter(f -> f.members().size() >= 8).count() >= 4, fused.stream().map(f -> f.members().size()).toList().toString());
    }

    @Test
    void fusedKernelsComputeWhatTheirMembersComputeOnTheCpu() throws Exception {
        Random r = new Random(9);
        List<KernelSource> kernels = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        List<HostKernelRunner.Call> calls = new ArrayList<>();
        List<List<Tensor>> expected = new ArrayList<>();
        for (Graph g : TracedGraphs.all().values()) {
            for (CudaFusionPlanner.Step s : CudaFusionPlanner.plan(g)) {
                if (!(s instanceof CudaFusionPlanner.Fused f)) continue;
                // random values for the group's external inputs, then every member on the CPU backend, in order
                Map<Node, Tensor> values = new IdentityHashMap<>();
                for (Node x : f.externals()) values.put(x, random(x, r));
                for (Node m : f.members()) values.put(m, Dispatcher.apply(m.op(), Arrays.stream(m.inputs()).map(values::get).toArray(Tensor[]::new)));
                KernelSource k = ElementwiseKernels.fused(f.group());
                if (names.add(k.name())) kernels.add(k);
                int[] shape = f.members().getFirst().type().shape();
                int[][] shapes = f.externals().stream().map(x -> x.type().shape()).toArray(int[][]::new);
                int[][] strides = Arrays.stream(shapes).map(dev.fluxion.Shapes::contiguousStrides).toArray(int[][]::new);
                IndexPlan plan = IndexPlan.elementwise(shape, shapes, strides);
                int n = dev.fluxion.Shapes.size(shape);
                List<HostKernelRunner.Arg> args = new ArrayList<>(List.of(new HostKernelRunner.IntArg(n), new HostKernelRunner.ShapeArg(plan)));
                for (int j = 0; j < f.externals().size(); j++) {
                    args.add(HostKernelRunner.input(values.get(f.externals().get(j))));
                    args.add(new HostKernelRunner.StridesArg(plan, j));
                }
                List<Tensor> outs = new ArrayList<>();
                for (Node o : f.outputs()) {
                    args.add(HostKernelRunner.output(o.type().dtype(), n));
                    outs.add(values.get(o));
                }
                calls.add(new HostKernelRunner.Call(k.name(), args));
                expected.add(outs);
            }
        }
        assertTrue(calls.size() >= 6, "too few fused groups: " + calls.size());
        List<List<byte[]>> got = HostKernelRunner.run(kernels, calls);
        for (int c = 0; c < calls.size(); c++)
            for (int o = 0; o < expected.get(c).size(); o++) {
                Tensor e = expected.get(c).get(o);
                Tensor g = HostKernelRunner.tensor(e.dtype(), got.get(c).get(o), e.shape());
                if (e.dtype().isFloating()) {
                    double[] ev = e.toDoubleArray(), gv = g.toDoubleArray();
                    double tol = e.dtype() == DType.FLOAT32 ? 1e-5 : 1e-12;
                    for (int i = 0; i < ev.length; i++) {
                        String where = calls.get(c).kernel() + " output " + o + " at " + i;
                        if (Double.isNaN(ev[i]) || Double.isInfinite(ev[i])) assertEquals(ev[i], gv[i], where);
                        else assertEquals(ev[i], gv[i], tol * Math.max(1, Math.abs(ev[i])), where);
                    }
                } else {
                    assertArrayEquals(e.toLongArray(), g.toLongArray(), calls.get(c).kernel() + " output " + o);
                }
            }
    }

    private static Tensor random(Node x, Random r) {
        int[] shape = x.type().shape();
        int n = dev.fluxion.Shapes.size(shape);
        DType t = x.type().dtype();
        if (t == DType.BOOL) {
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) b[i] = r.nextBoolean();
            return Tensor.of(b, shape);
        }
        double[] v = new double[n];
        // mostly positive floats, so square roots and divisions stay finite most of the time; positive integers
        for (int i = 0; i < n; i++) v[i] = t.isFloating() ? r.nextGaussian() + 1 : 1 + r.nextInt(5);
        return dev.fluxion.Ops.cast(Tensor.of(v, shape), t);
    }
}
