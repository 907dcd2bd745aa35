package dev.fluxion.cuda.graph;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.CudaContext;
import dev.fluxion.cuda.PlanLaunches;
import dev.fluxion.cuda.memory.DeviceBlock;
import dev.fluxion.graph.Node;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed device memory for a chunk of calls replayed as one CUDA graph ({@link CudaExecutable#runSteps}): for each
 * of up to {@code capacity} calls, a slot per input, per random key and per distinct result, each kind's slots
 * stacked so that a chunk's inputs arrive in one copy per input and its results leave in one copy per result.
 * Call {@code s} of a captured chunk reads and writes slot {@code s} where a single call would use the plan's own
 * buffers of those values.
 */
final class StepSlots {
    final int capacity;
    private final CudaContext ctx;
    private final DeviceBlock block;
    /** Slot 0's address of each input and random key, and of each result. */
    private final Map<Node, Long> reads = new IdentityHashMap<>(), results = new LinkedHashMap<>();

    StepSlots(CudaContext ctx, LaunchPlan plan, int capacity) {
        this.ctx = ctx;
        this.capacity = capacity;
        List<Node> read = new ArrayList<>();
        for (Node n : plan.graph().nodes()) if (n.kind() == Node.Kind.INPUT || n.kind() == Node.Kind.RANDOM_KEY) read.add(n);
        Map<Node, Long> readOffsets = new IdentityHashMap<>(), resultOffsets = new LinkedHashMap<>();
        long top = 0;
        for (Node n : read) top = place(readOffsets, n, top);
        for (Node r : plan.graph().outputs()) if (!resultOffsets.containsKey(r)) top = place(resultOffsets, r, top);
        this.block = ctx.allocator().allocate(Math.max(top, 1));
        ctx.allocator().pin(block); // a captured chunk holds these addresses: released by release()
        readOffsets.forEach((n, offset) -> reads.put(n, block.pointer() + offset));
        resultOffsets.forEach((n, offset) -> results.put(n, block.pointer() + offset));
    }

    private long place(Map<Node, Long> offsets, Node n, long top) {
        offsets.put(n, top);
        return top + MemoryPlan.align(MemoryPlan.bytes(n) * capacity);
    }

    /** Where call {@code step} of a chunk finds each input and random key. */
    Map<Node, Long> readAddresses(int step) {
        Map<Node, Long> at = new IdentityHashMap<>();
        reads.forEach((n, base) -> at.put(n, base + MemoryPlan.bytes(n) * step));
        return at;
    }

    /** Where call {@code step} of a chunk leaves {@code result}. */
    long resultAddress(Node result, int step) {
        return results.get(result) + MemoryPlan.bytes(result) * step;
    }

    Tensor result(Node result, int step) {
        return PlanLaunches.at(ctx, result.type(), resultAddress(result, step));
    }

    /** The input or random key {@code n} of calls {@code 0..count-1}, stacked. */
    Tensor reads(Node n, int count) {
        return PlanLaunches.at(ctx, stacked(n, count), reads.get(n));
    }

    /** The result {@code n} of calls {@code 0..count-1}, stacked. */
    Tensor results(Node n, int count) {
        return PlanLaunches.at(ctx, stacked(n, count), results.get(n));
    }

    private TensorType stacked(Node n, int count) {
        int[] shape = new int[n.type().rank() + 1];
        shape[0] = count;
        System.arraycopy(n.type().shape(), 0, shape, 1, n.type().rank());
        return new TensorType(n.type().dtype(), shape, ctx.device());
    }

    long bytes() {
        return block.size();
    }

    void release() {
        ctx.allocator().unpin(block);
        ctx.allocator().releaseIfLive(block);
    }
}
