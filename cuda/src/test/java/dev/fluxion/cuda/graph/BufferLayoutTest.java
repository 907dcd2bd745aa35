package dev.fluxion.cuda.graph;

import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one device block of a compiled graph: the arena, then fixed buffers that never overlap anything, except a new
 * variable value computed in place, which is at its variable's home.
 */
class BufferLayoutTest {
    private record Region(String what, long offset, long bytes) {}

    @Test
    void fixedBuffersFollowTheArenaAlignedAndApart() {
        for (var e : LaunchPlanTest.graphs().entrySet()) {
            Graph g = e.getValue();
            LaunchPlan plan = new LaunchPlan(g);
            MemoryPlan memory = MemoryPlan.of(plan);
            BufferLayout layout = BufferLayout.of(plan, memory);
            List<Region> regions = new ArrayList<>(List.of(new Region("arena", 0, memory.arenaBytes())));
            layout.homes().forEach((v, o) -> regions.add(new Region("home of " + v.name(), o, (long) v.type().size() * v.dtype().byteSize())));
            layout.escapes().forEach((n, o) -> regions.add(new Region("escape of " + n, o, MemoryPlan.bytes(n))));
            for (Node n : g.nodes()) {
                if (!plan.hasMemory(n) || plan.layout(n).root() != n) continue;
                assertTrue(layout.roots().containsKey(n), e.getKey() + ": " + n + " has no buffer");
                long o = layout.roots().get(n);
                if (n.kind() == Node.Kind.VARIABLE) assertEquals(layout.homes().get(n.variable()), o, e.getKey() + ": " + n + " is not read from its home");
                else if (plan.writesInPlace(n) != null) assertEquals(layout.homes().get(plan.writesInPlace(n)), o, e.getKey() + ": " + n + " is not in its variable's home");
                else if (memory.inArena(n)) assertEquals(memory.offset(n), o);
                else regions.add(new Region(n.toString(), o, MemoryPlan.bytes(n)));
            }
            for (Region a : regions) {
                assertEquals(0, a.offset() % MemoryPlan.ALIGNMENT, e.getKey() + ": " + a);
                assertTrue(a.offset() + a.bytes() <= layout.bytes(), e.getKey() + ": " + a + " beyond the block");
                for (Region b : regions)
                    if (a != b) assertTrue(a.offset() + a.bytes() <= b.offset() || b.offset() + b.bytes() <= a.offset(),
                            e.getKey() + ": " + a + " overlaps " + b);
            }
            for (Node r : g.results()) // every result ends the plan in a buffer of its own
                assertTrue(plan.escapes(r) ? !memory.inArena(r) && layout.roots().containsKey(r) : layout.escapes().containsKey(r), e.getKey() + ": " + r);
        }
    }
}
