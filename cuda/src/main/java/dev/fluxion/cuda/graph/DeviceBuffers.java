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
 * The device memory of one compiled graph: one pinned block at a fixed address for the executable's life, laid out
 * by {@link BufferLayout}. Because nothing moves, a captured CUDA graph can replay every launch with the addresses
 * it recorded. Every value of the plan is a tensor over this block: a root is contiguous at its buffer, a view uses
 * its planned layout; a variable's home is what the variable's value points into between calls.
 */
final class DeviceBuffers {
    private final DeviceBlock block;
    private final LaunchPlan plan;
    private final Map<Node, Tensor> values = new IdentityHashMap<>();
    private final Map<Variable, Tensor> homes = new LinkedHashMap<>();
    /** For each result, the buffer its value escapes in (its own buffer, or the copy made by an Escape step). */
    private final Map<Node, Tensor> escaped = new IdentityHashMap<>();

    DeviceBuffers(CudaContext ctx, LaunchPlan plan, MemoryPlan memory) {
        this.plan = plan;
        BufferLayout layout = BufferLayout.of(plan, memory);
        this.block = ctx.allocator().allocate(layout.bytes());
        ctx.allocator().pin(block); // never in a scope, never collected: released by release()
        long base = block.pointer();
        layout.roots().forEach((n, offset) -> values.put(n, PlanLaunches.at(ctx, n.type(), base + offset)));
        layout.homes().forEach((v, offset) -> homes.put(v, PlanLaunches.at(ctx, new TensorType(v.dtype(), v.shape(), ctx.device()), base + offset)));
        for (Node n : plan.graph().nodes()) { // views, in graph order so a view's root is bound before it
            if (values.containsKey(n) || !plan.hasMemory(n)) continue;
            LaunchPlan.Layout l = plan.layout(n);
            values.put(n, Tensor.wrap(values.get(l.root()).storage(), n.type().shape(), l.strides(), l.offset()));
        }
        layout.escapes().forEach((n, offset) -> escaped.put(n, PlanLaunches.at(ctx, n.type(), base + offset)));
        for (Node r : plan.graph().results()) if (plan.escapes(r)) escaped.put(r, values.get(r));
    }

    /** The tensor of any value with memory (not an internal member of a fused kernel). */
    Tensor value(Node n) {
        Tensor t = values.get(n);
        if (t == null) throw new IllegalStateException(n + " has no buffer in the plan");
        return t;
    }

    /**
     * The values whose root buffer is moved to the address {@code roots} gives it, each as a tensor there (a root
     * contiguous at the address, a view with its planned layout over it): the bindings of one call replayed among
     * several, whose inputs, random keys and results sit in per-call slots.
     */
    Map<Node, Tensor> rebased(CudaContext ctx, Map<Node, Long> roots) {
        Map<Node, Tensor> moved = new IdentityHashMap<>();
        roots.forEach((root, address) -> moved.put(root, PlanLaunches.at(ctx, root.type(), address)));
        for (Node n : plan.graph().nodes()) { // graph order: a view's root is bound before it
            if (moved.containsKey(n) || !values.containsKey(n)) continue;
            LaunchPlan.Layout l = plan.layout(n);
            Tensor root = moved.get(l.root());
            if (root != null) moved.put(n, Tensor.wrap(root.storage(), n.type().shape(), l.strides(), l.offset()));
        }
        return moved;
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
