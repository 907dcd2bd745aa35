package dev.fluxion.graph;

import dev.fluxion.Shapes;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Orders a CPU plan's steps into stages, where a stage of several steps runs them at once on the kernel threads:
 * independent branches of the graph (the optimizer's per-variable updates, a layer's weight and input gradients)
 * overlap instead of queueing.
 *
 * <p>Only mid-sized steps join a stage: big ones already split their work over every thread inside the kernel (and
 * would lose that inside a stage, where kernels run on one thread each), and tiny ones cost less than the hand-off.
 * A stage collects consecutive steps that do not read each other; steps without inputs (reads of inputs, constants,
 * variables) are hoisted in front of the open stage, and ops with side effects never join one, so prints keep their
 * order. Results do not depend on the schedule: each kernel computes the same bits on any thread.
 */
final class CpuSchedule {
    private CpuSchedule() {}

    /** Below this much work (elements touched, or multiply-adds) a step costs less than waking another thread. */
    static final long MIN_WORK = 4_096;
    /** From this much work on, the kernels split a step over the threads themselves. */
    static final long MAX_WORK = 1 << 16;
    private static final boolean ENABLED = !"false".equals(System.getProperty("fluxion.graph.parallelBranches"));

    /** The stages, each an array of step indices in plan order. */
    static int[][] stages(List<CpuFusion.Step> steps) {
        List<int[]> stages = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        Set<Node> produced = new HashSet<>(); // values computed by the open stage
        for (int s = 0; s < steps.size(); s++) {
            CpuFusion.Step step = steps.get(s);
            if (inputs(step).isEmpty() && step instanceof CpuFusion.Single) {
                stages.add(new int[] {s}); // no inputs: can run before the open stage
                continue;
            }
            boolean joins = ENABLED && parallelizable(step);
            if (!joins || readsAny(step, produced)) {
                flush(open, produced, stages);
            }
            if (joins) {
                open.add(s);
                produced.addAll(members(step));
            } else {
                stages.add(new int[] {s});
            }
        }
        flush(open, produced, stages);
        return stages.toArray(int[][]::new);
    }

    private static void flush(List<Integer> open, Set<Node> produced, List<int[]> stages) {
        if (!open.isEmpty()) stages.add(open.stream().mapToInt(Integer::intValue).toArray());
        open.clear();
        produced.clear();
    }

    static boolean parallelizable(CpuFusion.Step step) {
        if (step instanceof CpuFusion.Single single && (single.node().kind != Node.Kind.OP || single.node().op.hasSideEffects()))
            return false;
        long work = work(step);
        return work >= MIN_WORK && work < MAX_WORK;
    }

    /** A rough measure of a step's work: elements written or read, or multiply-adds for matmul and convolution. */
    static long work(CpuFusion.Step step) {
        return switch (step) {
            case CpuFusion.Fused fused -> Shapes.size(fused.shape()) * (long) fused.members().length;
            case CpuFusion.BiasEpilogue e -> work(new CpuFusion.Single(e.product()));
            case CpuFusion.Single single -> {
                Node n = single.node();
                long out = n.type.size();
                yield switch (n.op) {
                    case Op.MatMul m -> {
                        int[] a = n.inputs[0].type.shape();
                        yield out * a[m.transposeA() ? a.length - 2 : a.length - 1];
                    }
                    case Op.Conv2D c -> out * Shapes.size(n.inputs[1].type.shape()) / Math.max(1, n.inputs[1].type.shape()[3]);
                    case Op.Reduce r -> n.inputs[0].type.size();
                    case Op.ArgReduce r -> n.inputs[0].type.size();
                    default -> Math.max(out, n.inputs.length > 0 ? n.inputs[0].type.size() : 0);
                };
            }
        };
    }

    private static boolean readsAny(CpuFusion.Step step, Set<Node> produced) {
        if (produced.isEmpty()) return false;
        for (Node in : inputs(step)) if (produced.contains(in)) return true;
        return false;
    }

    /** The values a step reads (its members' operands; for a fused step, some are its own members). */
    static List<Node> inputs(CpuFusion.Step step) {
        List<Node> in = new ArrayList<>();
        for (Node m : members(step)) in.addAll(List.of(m.inputs));
        return in;
    }

    static List<Node> members(CpuFusion.Step step) {
        return switch (step) {
            case CpuFusion.Single single -> List.of(single.node());
            case CpuFusion.Fused fused -> {
                List<Node> all = new ArrayList<>(List.of(fused.members()));
                all.addAll(List.of(fused.reductions()));
                if (fused.pool() != null) all.add(fused.pool());
                all.addAll(List.of(fused.tileInputs())); // computed per tile: their operands are the pass's inputs
                yield all;
            }
            case CpuFusion.BiasEpilogue e -> List.of(e.members());
        };
    }
}
