package dev.fluxion.cuda.graph;

import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.Nvcc;
import dev.fluxion.cuda.codegen.TracedGraphs;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The launch plans of real traced graphs: complete, ordered, every result escaping, every kernel compiling. */
class LaunchPlanTest {
    static Map<String, Graph> graphs() {
        Map<String, Graph> all = new LinkedHashMap<>(TracedGraphs.all());
        for (TrainingSteps.Traced t : TrainingSteps.all()) all.put(t.name(), t.graph());
        return all;
    }

    @Test
    void everyNodeIsComputedOnceAfterItsInputs() {
        for (boolean sequences : new boolean[] {false, true})
        for (var e : graphs().entrySet()) {
            Graph g = e.getValue();
            LaunchPlan plan = new LaunchPlan(g, sequences);
            Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Node n : g.nodes()) if (n.kind() != Node.Kind.OP) assertTrue(done.add(n));
            done.addAll(plan.shapeConstants().keySet());
            boolean finishing = false;
            for (LaunchPlan.Step s : plan.steps()) {
                boolean tail = s instanceof LaunchPlan.Escape || s instanceof LaunchPlan.WriteBack;
                assertFalse(finishing && !tail, e.getKey() + ": " + s + " runs after the results were copied out");
                finishing |= tail;
                if (tail) {
                    if (s instanceof LaunchPlan.Escape x) assertTrue(done.contains(x.value()), e.getKey() + ": escape of an uncomputed value");
                    continue;
                }
                List<Node> members = switch (s) {
                    case LaunchPlan.Kernel k -> k.members();
                    case LaunchPlan.Sequence q -> q.phases().stream().flatMap(p -> switch (p) {
                        case LaunchPlan.Kernel k -> k.members().stream();
                        case LaunchPlan.FusedReduce f -> java.util.stream.Stream.concat(f.members().stream(), java.util.stream.Stream.of(f.reduce()));
                        default -> LaunchPlan.writes(p).stream();
                    }).toList();
                    case LaunchPlan.MultiKernel m -> {
                        Set<Node> written = Collections.newSetFromMap(new IdentityHashMap<>());
                        for (LaunchPlan.Kernel k : m.parts()) written.addAll(k.outputs());
                        for (LaunchPlan.Kernel k : m.parts())
                            for (Node in : k.inputs())
                                assertFalse(written.contains(plan.layout(in).root()), e.getKey() + ": a part of " + m.source().name() + " reads " + in + ", written in the same launch");
                        yield m.parts().stream().flatMap(k -> k.members().stream()).toList();
                    }
                    case LaunchPlan.FusedReduce f -> {
                        List<Node> all = new java.util.ArrayList<>(f.members());
                        all.add(f.reduce());
                        yield all;
                    }
                    default -> LaunchPlan.writes(s);
                };
                Set<Node> inStep = Collections.newSetFromMap(new IdentityHashMap<>());
                inStep.addAll(members);
                for (Node m : members) {
                    for (Node in : m.inputs()) assertTrue(done.contains(in) || inStep.contains(in), e.getKey() + ": " + m + " runs before its input " + in);
                    assertTrue(done.add(m), e.getKey() + ": " + m + " computed twice");
                }
            }
            assertEquals(g.nodes().size(), done.size(), e.getKey() + ": not every node is in the plan");
        }
    }

    @Test
    void everyResultEscapesAndEveryWrittenVariableIsWrittenBack() {
        for (var e : graphs().entrySet()) {
            Graph g = e.getValue();
            LaunchPlan plan = new LaunchPlan(g);
            MemoryPlan memory = MemoryPlan.of(plan);
            Set<Node> escapedByCopy = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<dev.fluxion.Variable> writtenBack = new java.util.HashSet<>();
            for (LaunchPlan.Step s : plan.steps()) {
                if (s instanceof LaunchPlan.Escape x) escapedByCopy.add(x.value());
                if (s instanceof LaunchPlan.WriteBack w) {
                    assertTrue(writtenBack.add(w.variable()), e.getKey() + ": " + w.variable() + " written back twice");
                    assertSame(g.variableWrites().get(w.variable()), w.value());
                }
            }
            for (Node r : g.results()) {
                assertTrue(plan.escapes(r) ^ escapedByCopy.contains(r), e.getKey() + ": result " + r + " must escape exactly one way");
                assertFalse(memory.inArena(r),
                        e.getKey() + ": result " + r + " is in the arena");
            }
            for (var w : g.variableWrites().entrySet())
                if (w.getValue().kind() != Node.Kind.VARIABLE || w.getValue().variable() != w.getKey())
                    assertTrue(writtenBack.contains(w.getKey()), e.getKey() + ": " + w.getKey() + " is not written back");
            for (Node n : memory.lifetimes().keySet()) assertEquals(Node.Kind.OP, n.kind(), "a source in the arena: " + n);
        }
    }

    @Test
    void variablesAreUpdatedInPlaceUnlessTheirOldValueIsStillNeeded() {
        TrainingSteps.Traced mlp = TrainingSteps.mlpAdam(false);
        Map<String, Set<String>> expected = Map.of(
                "mlp_adam", new java.util.HashSet<>(mlp.variables().stream().map(dev.fluxion.Variable::name).toList()),
                "regression_momentum", Set.of("velocity"), // w's old value is returned transposed
                "swap", Set.of(), // a takes b's old value, which must survive b's update
                "old_values_read_late", Set.of("d"));
        for (TrainingSteps.Traced t : List.of(mlp, TrainingSteps.regressionMomentum(), TrainingSteps.swap(), TrainingSteps.oldValuesReadLate())) {
            LaunchPlan plan = new LaunchPlan(t.graph());
            Set<String> inPlace = new java.util.HashSet<>();
            for (LaunchPlan.Step s : plan.steps())
                if (s instanceof LaunchPlan.WriteBack w && w.inPlace()) {
                    inPlace.add(w.variable().name());
                    assertSame(w.variable(), plan.writesInPlace(w.value()));
                }
            assertEquals(expected.get(t.name()), inPlace, t.name());
        }
    }

    @Test
    void trainingStepsRunTheirMatmulsOnCublasAndFuseTheirUpdates() {
        LaunchPlan plan = new LaunchPlan(TracedGraphs.all().get("mlp_train_step"));
        long matmuls = plan.steps().stream().filter(s -> s instanceof LaunchPlan.MatMul).count();
        List<LaunchPlan.MultiKernel> multi = plan.steps().stream().filter(s -> s instanceof LaunchPlan.MultiKernel).map(s -> (LaunchPlan.MultiKernel) s).toList();
        assertTrue(matmuls >= 5, "forward and backward matmuls: " + matmuls);
        assertEquals(1, multi.size(), "the updates of every variable in one launch");
        assertEquals(4, multi.getFirst().parts().stream().filter(k -> k.members().size() >= 8).count(), "one fused Adam update per variable");
        assertTrue(plan.steps().stream().noneMatch(s -> s instanceof LaunchPlan.Sequence), "sequences are off by default");
        List<LaunchPlan.Sequence> sequences = new LaunchPlan(TracedGraphs.all().get("mlp_train_step"), true).steps().stream()
                .filter(s -> s instanceof LaunchPlan.Sequence).map(s -> (LaunchPlan.Sequence) s).toList();
        assertFalse(sequences.isEmpty(), "the softmax cross-entropy's small steps run as one block");
        for (LaunchPlan.Sequence q : sequences) {
            assertTrue(q.phases().stream().filter(p -> !(p instanceof LaunchPlan.View)).count() >= 2, q.phases().toString());
            assertFalse(q.source().code().contains("__restrict__"), "phases read what earlier phases wrote: no read-only loads");
        }
        assertFalse(plan.hasHostEffects());
        assertEquals(12, plan.variables().size(), "4 weights and 8 moments");
    }

    @Test
    void independentKernelsShareALaunchButAnInPlaceUpdateNeverJoinsAReaderOfTheOldValue() {
        int n = LaunchPlan.SEQUENCE_ELEMENTS + 1; // too large to run as a sequence in one block
        dev.fluxion.Variable a = new dev.fluxion.Variable(dev.fluxion.Tensor.zeros(n), "a");
        dev.fluxion.Variable c = new dev.fluxion.Variable(dev.fluxion.Tensor.zeros(n), "c");
        var f = dev.fluxion.Fx.function("old_and_new", (dev.fluxion.Tensor x) -> {
            dev.fluxion.Tensor doubled = a.value().mul(2); // reads a's old value...
            a.assign(x.add(1)); // ...which this update, written in place, replaces
            c.assign(x.mul(3)); // touches neither
            return doubled;
        });
        f.call(dev.fluxion.Tensor.zeros(n));
        LaunchPlan plan = new LaunchPlan(f.lastGraph());
        List<LaunchPlan.Step> launches = plan.steps().stream()
                .filter(s -> s instanceof LaunchPlan.Kernel || s instanceof LaunchPlan.MultiKernel).toList();
        assertEquals(2, launches.size(), launches.toString());
        LaunchPlan.Kernel reader = assertInstanceOf(LaunchPlan.Kernel.class, launches.get(0));
        assertEquals("mul", reader.members().getLast().op().name());
        LaunchPlan.MultiKernel updates = assertInstanceOf(LaunchPlan.MultiKernel.class, launches.get(1));
        assertEquals(List.of(a, c), updates.parts().stream().map(k -> plan.writesInPlace(k.outputs().getFirst())).toList());
    }

    @Test
    void everyGeneratedKernelOfEveryPlanCompilesWithNvcc() throws Exception {
        Map<String, KernelSource> kernels = new LinkedHashMap<>();
        for (Graph g : graphs().values())
            for (boolean sequences : new boolean[] {false, true})
                for (KernelSource k : new LaunchPlan(g, sequences).kernels()) kernels.putIfAbsent(k.name(), k);
        assertTrue(kernels.size() >= 20, "kernels: " + kernels.size());
        Nvcc.Result r = Nvcc.ptx(KernelSource.translationUnit(kernels.values()), "launch_plans");
        assertEquals(0, r.exitCode(), r.log());
        for (String name : kernels.keySet()) assertTrue(r.ptx().contains(".entry " + name), name + " missing from the PTX");
    }
}
