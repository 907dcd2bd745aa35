package dev.fluxion.cuda.graph;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The static memory plan on real traced graphs: live values never share bytes, the arena is smaller than the
 * values' sum, and running the plan through the arena (on the host) gives the CPU graph function's results.
 */
class MemoryPlanTest {
    @Test
    void valuesLiveAtTheSameTimeNeverOverlapAndEveryOffsetIsAligned() {
        for (var e : LaunchPlanTest.graphs().entrySet()) {
            MemoryPlan m = MemoryPlan.of(new LaunchPlan(e.getValue()));
            List<MemoryPlan.Lifetime> all = new ArrayList<>(m.lifetimes().values());
            assertFalse(all.isEmpty(), e.getKey());
            for (MemoryPlan.Lifetime a : all) {
                long oa = m.offset(a.value());
                assertEquals(0, oa % MemoryPlan.ALIGNMENT, e.getKey() + ": " + a.value());
                assertTrue(a.bytes() >= MemoryPlan.bytes(a.value()) && oa + a.bytes() <= m.arenaBytes(), e.getKey() + ": " + a.value());
                for (MemoryPlan.Lifetime b : all) {
                    if (a == b || !a.overlaps(b)) continue;
                    long ob = m.offset(b.value());
                    assertTrue(oa + a.bytes() <= ob || ob + b.bytes() <= oa,
                            e.getKey() + ": " + a + " at " + oa + " and " + b + " at " + ob + " are live together and overlap");
                }
            }
        }
    }

    @Test
    void lifetimesSpanFromTheWritingStepToTheLastReadThroughViews() {
        for (boolean sequences : new boolean[] {false, true})
        for (var e : LaunchPlanTest.graphs().entrySet()) {
            LaunchPlan plan = new LaunchPlan(e.getValue(), sequences);
            MemoryPlan m = MemoryPlan.of(plan);
            List<LaunchPlan.Step> steps = MemoryPlan.timeline(plan);
            for (int s = 0; s < steps.size(); s++) {
                for (Node r : LaunchPlan.reads(steps.get(s))) {
                    Node root = plan.layout(r).root();
                    if (!m.inArena(root)) continue;
                    MemoryPlan.Lifetime l = m.lifetimes().get(root);
                    assertTrue(l.first() < s && s <= l.last(), e.getKey() + ": step " + s + " reads " + r + " outside " + l);
                }
            }
        }
    }

    @Test
    void alignmentRoundsUpToWholeSlotsAndKeepsExactMultiples() {
        assertEquals(256, MemoryPlan.align(0), "an empty value still takes a slot");
        assertEquals(256, MemoryPlan.align(1));
        assertEquals(256, MemoryPlan.align(256));
        assertEquals(512, MemoryPlan.align(257));
        assertEquals(1024, MemoryPlan.align(1024));
    }

    @Test
    void placementTakesAnExactFitAtTheArenasStartAndTheSmallestGapThatFits() {
        List<Node> n = LaunchPlanTest.graphs().values().iterator().next().nodes();
        for (int k = 1; k < 8; k++) assertTrue(n.get(k - 1).id() < n.get(k).id(), "ties are placed by node id");
        // x (steps 0-1) at 0, y (0-5) above it; z (2-5) is live with y only and fits exactly in x's place
        Node x = n.get(0), y = n.get(1), z = n.get(2);
        MemoryPlan exact = MemoryPlan.place(List.of(new MemoryPlan.Lifetime(x, 1024, 0, 1),
                new MemoryPlan.Lifetime(y, 1024, 0, 5), new MemoryPlan.Lifetime(z, 1024, 2, 5)));
        assertEquals(List.of(0L, 1024L, 0L), List.of(exact.offset(x), exact.offset(y), exact.offset(z)));
        assertEquals(2048, exact.arenaBytes());
        assertEquals(3072, exact.unsharedBytes());
        assertTrue(exact.inArena(z));
        assertFalse(exact.inArena(n.get(3)));
        assertThrows(IllegalArgumentException.class, () -> exact.offset(n.get(3)));

        // largest first, all live at step 0: l1 0-2048, d1 2048-3584, l2 3584-4864, d2 4864-5888, l3 5888-6912;
        // at step 10 only l1, l2 and l3 live, leaving gaps of 1536 and 1024 bytes: f (1024) takes the smaller one
        Node l1 = n.get(3), d1 = n.get(4), l2 = n.get(5), d2 = n.get(6), l3 = n.get(7), f = n.get(8);
        MemoryPlan best = MemoryPlan.place(List.of(new MemoryPlan.Lifetime(f, 1024, 10, 10),
                new MemoryPlan.Lifetime(l1, 2048, 0, 10), new MemoryPlan.Lifetime(d1, 1536, 0, 5),
                new MemoryPlan.Lifetime(l2, 1280, 0, 10), new MemoryPlan.Lifetime(d2, 1024, 0, 5),
                new MemoryPlan.Lifetime(l3, 1024, 0, 10)));
        assertEquals(List.of(0L, 2048L, 3584L, 4864L, 5888L),
                List.of(best.offset(l1), best.offset(d1), best.offset(l2), best.offset(d2), best.offset(l3)));
        assertEquals(4864, best.offset(f), "best fit: the exact 1024-byte gap, not the first gap that fits");
        assertEquals(6912, best.arenaBytes());
    }

    @Test
    void theArenaOfATrainingStepIsMuchSmallerThanItsValues() {
        for (var e : LaunchPlanTest.graphs().entrySet()) {
            MemoryPlan m = MemoryPlan.of(new LaunchPlan(e.getValue()));
            assertTrue(m.arenaBytes() <= m.unsharedBytes(), e.getKey());
            System.out.printf("%s: arena %d bytes for %d values of %d bytes together%n", e.getKey(), m.arenaBytes(), m.lifetimes().size(), m.unsharedBytes());
        }
        // the small step's values are of similar sizes: they share a lot
        MemoryPlan adam = MemoryPlan.of(new LaunchPlan(LaunchPlanTest.graphs().get("mlp_adam")));
        assertTrue(adam.arenaBytes() * 2 <= adam.unsharedBytes(), "arena " + adam.arenaBytes() + " of " + adam.unsharedBytes());
        // the 784x128 step is dominated by the gradient of its first weight, which no other value can share with;
        // everything else fits beside it in much less than its own sum
        MemoryPlan big = MemoryPlan.of(new LaunchPlan(LaunchPlanTest.graphs().get("mlp_train_step")));
        long largest = big.lifetimes().values().stream().mapToLong(MemoryPlan.Lifetime::bytes).max().orElseThrow();
        assertTrue(big.arenaBytes() - largest <= (big.unsharedBytes() - largest) * 3 / 4,
                "arena " + big.arenaBytes() + ", largest value " + largest + ", all values " + big.unsharedBytes());
    }

    @Test
    void runningThePlanThroughTheArenaGivesTheCpuGraphFunctionsResults() {
        for (boolean sequences : new boolean[] {false, true})
        for (TrainingSteps.Traced t : TrainingSteps.all()) {
            LaunchPlan plan = new LaunchPlan(t.graph(), sequences);
            PlanSimulator.Result simulated = runFromTheSameState(t, new PlanSimulator(plan, MemoryPlan.of(plan)));
            Tensor[] expected = t.call(); // the CPU executable, from the same variables and generator states
            assertEquals(expected.length, simulated.outputs().length);
            for (int i = 0; i < expected.length; i++) assertClose(t.name() + " output " + i, expected[i], simulated.outputs()[i]);
            Map<Variable, Node> writes = t.graph().variableWrites();
            assertFalse(writes.isEmpty());
            for (Variable v : writes.keySet()) {
                assertTrue(simulated.variables().containsKey(v), t.name() + ": " + v + " not written back");
                assertClose(t.name() + " " + v.name(), v.value(), simulated.variables().get(v));
            }
        }
    }

    @Test
    void theArenaCheckFailsWhenLiveValuesShareMemory() {
        // the same run with every value at offset 0 must differ from the CPU: proof that the check above can fail
        TrainingSteps.Traced t = TrainingSteps.mlpAdam(false);
        LaunchPlan plan = new LaunchPlan(t.graph());
        List<MemoryPlan.Lifetime> real = MemoryPlan.lifetimes(plan), collapsed = new ArrayList<>();
        for (int i = 0; i < real.size(); i++) // pretend no two values are ever live together
            collapsed.add(new MemoryPlan.Lifetime(real.get(i).value(), real.get(i).bytes(), i, i));
        MemoryPlan shared = MemoryPlan.place(collapsed);
        assertEquals(real.stream().mapToLong(MemoryPlan.Lifetime::bytes).max().orElseThrow(), shared.arenaBytes());
        PlanSimulator.Result wrong = runFromTheSameState(t, new PlanSimulator(plan, shared));
        Tensor[] expected = t.call();
        assertThrows(AssertionError.class, () -> {
            assertClose("loss", expected[0], wrong.outputs()[0]);
            for (Variable v : t.graph().variableWrites().keySet()) assertClose(v.name(), v.value(), wrong.variables().get(v));
        });
    }

    /** Runs the simulation, then restores the variables and generators so the CPU call starts from the same state. */
    private static PlanSimulator.Result runFromTheSameState(TrainingSteps.Traced t, PlanSimulator sim) {
        List<Tensor> values = t.variables().stream().map(Variable::value).toList();
        List<long[]> rngStates = t.rngs().stream().map(dev.fluxion.random.Rng::state).toList();
        PlanSimulator.Result r = sim.run(t.tensorArgs());
        for (int i = 0; i < values.size(); i++) t.variables().get(i).assign(values.get(i));
        for (int i = 0; i < rngStates.size(); i++) t.rngs().get(i).setState(rngStates.get(i));
        return r;
    }

    private static void assertClose(String label, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), label);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double tol = expected.dtype() == dev.fluxion.DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), label + " at " + i);
    }
}
