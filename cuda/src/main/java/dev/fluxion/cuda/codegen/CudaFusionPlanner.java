package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups a graph's elementwise nodes into fused CUDA kernels, with the same greedy, order-preserving rule as the
 * CPU's fusion (core's {@code CpuFusion}): a node joins a still-open group of one of its inputs when it has the
 * same shape, groups it bridges are merged, and a group is sealed (becomes a step) as soon as a node outside it
 * reads one of its members, so every external input of a step is computed before it. Unlike the CPU, every dtype
 * the kernels support fuses (float64, integers), not only float32 and bool. A reduction of a member of a still-open
 * group takes the group in as its prologue ({@link FusedReduce}): the group's kernel and the reduced value's round
 * trip through memory disappear, the members read elsewhere are written by the reduction's own pass.
 */
public final class CudaFusionPlanner {
    private CudaFusionPlanner() {}

    /** A step of the plan: one node run by its own kernel, a fused group, or a reduction with a fused prologue. */
    public sealed interface Step permits Single, Fused, FusedReduce {}

    public record Single(Node node) implements Step {}

    /**
     * A fused group: {@code members} in order, {@code externals} the values it reads (the kernel's inputs, in
     * order), {@code group} the kernel description, and {@code outputs} the members it writes out.
     */
    public record Fused(List<Node> members, List<Node> externals, List<Node> outputs, ElementwiseGroup group) implements Step {}

    /**
     * A reduction of a fused group's member, the group evaluated inside the reduction's kernel: {@code members},
     * {@code externals} and {@code outputs} (written as side outputs; the reduced member only when something
     * else reads it) as in {@link Fused}, then {@code reduce}, the reduction node.
     */
    public record FusedReduce(List<Node> members, List<Node> externals, List<Node> outputs, Node reduce, FusedReduction kernels) implements Step {}

    /** Operands (inputs and side outputs) a fused reduction may take: each costs a pointer and two strides of parameters. */
    static final int MAX_FUSED_REDUCTION_OPERANDS = 24;

    public static boolean fusable(Node n) {
        if (n.kind() != Node.Kind.OP || n.type().size() == 0 || Shapes.hasUnknown(n.type().shape())) return false;
        Node[] in = n.inputs();
        return switch (n.op()) {
            case Op.Unary u -> ScalarExpressions.supports(u.fn(), in[0].type().dtype());
            case Op.Binary b -> ScalarExpressions.supports(b.fn(), in[0].type().dtype());
            case Op.Where w -> true;
            case Op.Cast c -> true;
            default -> false;
        };
    }

    /** The steps of {@code graph}'s nodes, in an order that respects dependencies. */
    public static List<Step> plan(Graph graph) {
        List<Node> nodes = graph.nodes();
        Set<Node> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        pinned.addAll(graph.results());
        Map<Node, List<Node>> users = new IdentityHashMap<>();
        for (Node n : nodes) for (Node in : n.inputs()) users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);

        Map<Node, Integer> groupOf = new IdentityHashMap<>();
        List<List<Node>> groups = new ArrayList<>();
        List<Integer> parent = new ArrayList<>();
        List<Boolean> sealed = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (Node n : nodes) {
            if (n.kind() == Node.Kind.OP && n.op() instanceof Op.Reduce) {
                int g = find(parent, groupOf.getOrDefault(n.inputs()[0], -1));
                if (g >= 0 && !sealed.get(g)) {
                    FusedReduce f = fusedReduce(groups.get(g), n, pinned, users);
                    if (f != null) {
                        sealed.set(g, true);
                        steps.add(f);
                        continue;
                    }
                }
            }
            boolean candidate = fusable(n);
            int target = -1;
            if (candidate) {
                for (Node in : n.inputs()) {
                    int g = find(parent, groupOf.getOrDefault(in, -1));
                    if (g < 0 || sealed.get(g) || !Arrays.equals(groups.get(g).getFirst().type().shape(), n.type().shape())) continue;
                    if (target < 0) target = g;
                    else if (g != target) { // n bridges two open groups: merge them
                        groups.get(target).addAll(groups.get(g));
                        groups.get(g).clear();
                        parent.set(g, target);
                    }
                }
            }
            for (Node in : n.inputs()) { // open groups n reads from without joining must run before n
                int g = find(parent, groupOf.getOrDefault(in, -1));
                if (g >= 0 && g != target && !sealed.get(g)) {
                    sealed.set(g, true);
                    steps.add(step(groups.get(g), pinned, users));
                }
            }
            if (!candidate) {
                steps.add(new Single(n));
                continue;
            }
            if (target < 0) {
                target = groups.size();
                groups.add(new ArrayList<>());
                parent.add(target);
                sealed.add(false);
            }
            groups.get(target).add(n);
            groupOf.put(n, target);
        }
        for (int g = 0; g < groups.size(); g++)
            if (find(parent, g) == g && !sealed.get(g) && !groups.get(g).isEmpty()) steps.add(step(groups.get(g), pinned, users));
        return steps;
    }

    private static int find(List<Integer> parent, int g) {
        if (g < 0) return -1;
        while (parent.get(g) != g) g = parent.get(g);
        return g;
    }

    private static Step step(List<Node> unordered, Set<Node> pinned, Map<Node, List<Node>> users) {
        List<Node> members = new ArrayList<>(unordered);
        members.sort((a, b) -> Integer.compare(a.id(), b.id()));
        if (members.size() == 1) return new Single(members.getFirst());
        return toGroup(members, pinned, users);
    }

    /** The group reduced by {@code reduce} as one step, or null where the kernel cannot take it (dtype, too many operands). */
    private static FusedReduce fusedReduce(List<Node> unordered, Node reduce, Set<Node> pinned, Map<Node, List<Node>> users) {
        Node x = reduce.inputs()[0];
        if (!ReductionKernels.supports(x.type().dtype())) return null;
        List<Node> members = new ArrayList<>(unordered);
        members.sort((a, b) -> Integer.compare(a.id(), b.id()));
        Fused f = toGroup(members, pinned, users, reduce);
        if (f.externals().size() + f.outputs().size() > MAX_FUSED_REDUCTION_OPERANDS) return null;
        ReduceFn fn = ((Op.Reduce) reduce.op()).fn();
        return new FusedReduce(f.members(), f.externals(), f.outputs(), reduce, FusedReduction.of(f.group(), f.members().indexOf(x), fn));
    }

    /** Builds the kernel description of members (in dependency order): external inputs in order of first use. */
    static Fused toGroup(List<Node> members, Set<Node> pinned, Map<Node, List<Node>> users) {
        return toGroup(members, pinned, users, null);
    }

    /** The same, where reads by {@code absorbed} (a reduction taking the group in) do not make a member an output. */
    private static Fused toGroup(List<Node> members, Set<Node> pinned, Map<Node, List<Node>> users, Node absorbed) {
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < members.size(); i++) index.put(members.get(i), i);
        Map<Node, Integer> externalIndex = new IdentityHashMap<>();
        List<Node> externals = new ArrayList<>();
        List<DType> inputTypes = new ArrayList<>();
        List<ElementwiseGroup.Member> ms = new ArrayList<>();
        List<Node> outputs = new ArrayList<>();
        for (Node m : members) {
            Node[] in = m.inputs();
            int[] args = new int[in.length];
            for (int j = 0; j < in.length; j++) {
                Integer k = index.get(in[j]);
                if (k != null) {
                    args[j] = k;
                } else {
                    int e = externalIndex.computeIfAbsent(in[j], x -> {
                        externals.add(x);
                        inputTypes.add(x.type().dtype());
                        return externals.size() - 1;
                    });
                    args[j] = ElementwiseGroup.Member.input(e);
                }
            }
            boolean output = pinned.contains(m);
            for (Node u : users.getOrDefault(m, List.of())) output |= !index.containsKey(u) && u != absorbed;
            if (output) outputs.add(m);
            ms.add(new ElementwiseGroup.Member(m.op(), m.type().dtype(), args, output));
        }
        return new Fused(List.copyOf(members), externals, outputs, new ElementwiseGroup(inputTypes, ms));
    }
}
