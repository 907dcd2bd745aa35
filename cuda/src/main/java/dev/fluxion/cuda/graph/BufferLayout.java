package dev.fluxion.cuda.graph;

import dev.fluxion.Variable;
import dev.fluxion.graph.Node;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where every buffer of a compiled graph sits in its one device block: the arena of intermediates first (offsets
 * from the {@link MemoryPlan}), then, each aligned and never shared, a buffer per input, constant, random key,
 * shape constant and escaping result, a home per variable, and a buffer per result copied out by an Escape step.
 * A new variable value computed in place is at its variable's home.
 *
 * @param roots   the offset of every value that owns memory (a variable read is at its variable's home)
 * @param homes   the offset of each variable's home
 * @param escapes the offset of the buffer each Escape step copies its result into
 * @param bytes   the block's size
 */
record BufferLayout(Map<Node, Long> roots, Map<Variable, Long> homes, Map<Node, Long> escapes, long bytes) {
    static BufferLayout of(LaunchPlan plan, MemoryPlan memory) {
        Map<Node, Long> roots = new IdentityHashMap<>(), escapes = new IdentityHashMap<>();
        Map<Variable, Long> homes = new LinkedHashMap<>();
        long top = MemoryPlan.align(memory.arenaBytes());
        for (var v : plan.variables().keySet()) {
            homes.put(v, top);
            top += MemoryPlan.align((long) v.type().size() * v.dtype().byteSize());
        }
        for (Node n : plan.graph().nodes()) {
            if (!plan.hasMemory(n) || plan.layout(n).root() != n) continue;
            if (n.kind() == Node.Kind.VARIABLE) {
                roots.put(n, homes.get(n.variable()));
            } else if (plan.writesInPlace(n) != null) {
                roots.put(n, homes.get(plan.writesInPlace(n)));
            } else if (memory.inArena(n)) {
                roots.put(n, memory.offset(n));
            } else {
                roots.put(n, top);
                top += MemoryPlan.align(MemoryPlan.bytes(n));
            }
        }
        for (LaunchPlan.Step s : plan.steps())
            if (s instanceof LaunchPlan.Escape e) {
                escapes.put(e.value(), top);
                top += MemoryPlan.align(MemoryPlan.bytes(e.value()));
            }
        return new BufferLayout(Collections.unmodifiableMap(roots), Collections.unmodifiableMap(homes), Collections.unmodifiableMap(escapes), top);
    }
}
