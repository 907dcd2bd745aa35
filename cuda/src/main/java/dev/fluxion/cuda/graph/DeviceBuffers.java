package dev.fluxion.cuda.graph;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.cuda.CudaContext;
import dev.fluxion.cuda.PlanLaunches;
import dev.fluxion.cuda.memory.DeviceBlock;
import dev.fluxion.graph.Node;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device memory of one compiled graph, in one pinned block at a fixed address for the executable's life: the
 * arena of intermediates (offsets from {@link MemoryPlan}) and after it, each aligned, a buffer per input, variable
 * (its "home", which the variable's value points into between calls), constant, random key and result. Because
 * nothing moves, a captured CUDA graph can replay every launch with the addresses it recorded. Every value of the
 * plan is a tensor over this block: a root is contiguous at its buffer, a view uses its planned layout.
 */
final class DeviceBuffers {
    private final DeviceBlock block;
    private final Map<Node, Tensor> values = new IdentityHashMap<>();
    private final Map<Variable, Tensor> homes = new LinkedHashMap<>();
    /** For each result, the buffer its value escapes in (its own buffer, or the copy made by an Escape step). */
    private final Map<Node, Tensor> escaped = new IdentityHashMap<>();

    DeviceBuffers(CudaContext ctx, LaunchPlan plan, MemoryPlan memory) {
        Map<Object, Long> fixed = new LinkedHashMap<>(); // node or variable -> offset after the arena
        long top = MemoryPlan.align(memory.arenaBytes());
        for (Node n : plan.graph().nodes()) {
            if (n.kind() == Node.Kind.VARIABLE || memory.inArena(n) || !isRoot(plan, n)) continue;
            fixed.put(n, top);
            top += MemoryPlan.align(MemoryPlan.bytes(n));
        }
        for (var v : plan.variables().keySet()) {
            fixed.put(v, top);
            top += MemoryPlan.align((long) v.type().size() * v.dtype().byteSize());
        }
        for (LaunchPlan.Step s : plan.steps())
            if (s instanceof LaunchPlan.Escape e) {
                fixed.put(new EscapeKey(e.value()), top);
                top += MemoryPlan.align(MemoryPlan.bytes(e.value()));
            }
        this.block = ctx.allocator().allocate(top);
        ctx.allocator().pin(block); // never in a scope, never collected: released by close()
        long base = block.pointer();
        for (Node n : plan.graph().nodes()) {
            if (!isRoot(plan, n)) continue;
            long offset = n.kind() == Node.Kind.VARIABLE ? fixed.get(n.variable()) : memory.inArena(n) ? memory.offset(n) : fixed.get(n);
            values.put(n, PlanLaunches.at(ctx, n.type(), base + offset));
        }
        plan.variables().forEach((v, read) -> homes.put(v, read != null ? values.get(read)
                : PlanLaunches.at(ctx, new TensorType(v.dtype(), v.shape(), ctx.device()), base + fixed.get(v))));
        for (Node n : plan.graph().nodes()) { // views, in graph order so a view's root is bound before it
            if (values.containsKey(n) || !plan.hasMemory(n)) continue;
            LaunchPlan.Layout l = plan.layout(n);
            values.put(n, Tensor.wrap(values.get(l.root()).storage(), n.type().shape(), l.strides(), l.offset()));
        }
        for (LaunchPlan.Step s : plan.steps())
            if (s instanceof LaunchPlan.Escape e)
                escaped.put(e.value(), PlanLaunches.at(ctx, e.value().type(), base + fixed.get(new EscapeKey(e.value()))));
        for (Node r : plan.graph().results()) if (plan.escapes(r)) escaped.put(r, values.get(r));
    }

    private record EscapeKey(Node value) {}

    private static boolean isRoot(LaunchPlan plan, Node n) {
        return plan.hasMemory(n) && plan.layout(n).root() == n;
    }

    /** The tensor of any value with memory (not an internal member of a fused kernel). */
    Tensor value(Node n) {
        Tensor t = values.get(n);
        if (t == null) throw new IllegalStateException(n + " has no buffer in the plan");
        return t;
    }

    Tensor home(Variable v) {
        return homes.get(v);
    }

    Map<Variable, Tensor> homes() {
        return homes;
    }

    /** The buffer a result is in once the plan has run. */
    Tensor escaped(Node result) {
        return escaped.get(result);
    }

    /** Bytes held on the device (arena and fixed buffers together). */
    long bytes() {
        return block.size();
    }

    void release(CudaContext ctx) {
        ctx.allocator().unpin(block);
        ctx.allocator().releaseIfLive(block);
    }
}
