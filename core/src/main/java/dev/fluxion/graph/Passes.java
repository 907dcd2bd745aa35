package dev.fluxion.graph;

import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graph-to-graph optimizations. Common subexpressions and constant subexpressions are already merged and folded
 * by the tracer; here the graph is rebuilt through the same interning with algebraic simplifications (x*1, x+0,
 * x/1, cast to the same type, transpose of transpose, stop_gradient once gradients exist), then dead code is
 * removed. Fusion of elementwise chains happens when a backend compiles the graph.
 */
public final class Passes {
    private Passes() {}

    /** Simplify then eliminate dead code. */
    public static Graph optimize(Graph g) {
        return deadCodeElimination(simplify(g));
    }

    /** Removes nodes that no output, variable write or side-effecting op depends on. */
    public static Graph deadCodeElimination(Graph g) {
        Map<Node, Boolean> live = new IdentityHashMap<>();
        List<Node> roots = new ArrayList<>(Arrays.asList(g.outputs));
        roots.addAll(g.variableWrites.values());
        for (Node n : g.nodes) if (n.kind == Node.Kind.OP && n.op.hasSideEffects()) roots.add(n);
        ArrayList<Node> stack = new ArrayList<>(roots);
        while (!stack.isEmpty()) {
            Node n = stack.removeLast();
            if (live.put(n, Boolean.TRUE) != null) continue;
            stack.addAll(Arrays.asList(n.inputs));
        }
        List<Node> kept = new ArrayList<>();
        for (Node n : g.nodes) if (live.containsKey(n)) kept.add(n);
        return renumber(kept, g);
    }

    /** Rebuilds the graph applying algebraic identities and re-interning (CSE over the simplified nodes). */
    public static Graph simplify(Graph g) {
        Map<Node, Node> replaced = new IdentityHashMap<>();
        Map<Key, Node> interned = new HashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes) {
            Node[] in = new Node[n.inputs.length];
            for (int i = 0; i < in.length; i++) in[i] = replaced.getOrDefault(n.inputs[i], n.inputs[i]);
            Node rewritten = n.kind == Node.Kind.OP ? identity(n.op, in, n.type) : null;
            if (rewritten != null) {
                replaced.put(n, rewritten);
                continue;
            }
            Node fresh = n.kind == Node.Kind.OP && !Arrays.equals(in, n.inputs) ? Node.op(n.id, n.op, in, n.type, n.site) : n;
            if (fresh.kind == Node.Kind.OP && !fresh.op.hasSideEffects()) {
                Key key = new Key(fresh.op, List.of(fresh.inputs), fresh.type);
                Node existing = interned.putIfAbsent(key, fresh);
                if (existing != null) {
                    replaced.put(n, existing);
                    continue;
                }
            }
            if (fresh != n) replaced.put(n, fresh);
            out.add(fresh);
        }
        Node[] outputs = new Node[g.outputs.length];
        for (int i = 0; i < outputs.length; i++) outputs[i] = replaced.getOrDefault(g.outputs[i], g.outputs[i]);
        Map<Variable, Node> writes = new LinkedHashMap<>();
        g.variableWrites.forEach((v, n) -> writes.put(v, replaced.getOrDefault(n, n)));
        return renumber(out, new Graph(out, outputs, writes, g.randomUse));
    }

    /** Interning key: ops compare by value, nodes by identity. */
    private record Key(Op op, List<Node> inputs, TensorType type) {}

    /** The node an op reduces to by an algebraic identity, or null. */
    private static Node identity(Op op, Node[] in, TensorType type) {
        return switch (op) {
            case Op.StopGradient s -> in[0];
            case Op.Cast c -> in[0].type.dtype() == c.to() ? in[0] : null;
            case Op.Binary b -> {
                if ((b.fn() == BinaryFn.MUL || b.fn() == BinaryFn.DIV) && isConstant(in[1], 1) && in[0].type.equals(type)) yield in[0];
                if (b.fn() == BinaryFn.MUL && isConstant(in[0], 1) && in[1].type.equals(type)) yield in[1];
                if ((b.fn() == BinaryFn.ADD || b.fn() == BinaryFn.SUB) && isConstant(in[1], 0) && in[0].type.equals(type)) yield in[0];
                if (b.fn() == BinaryFn.ADD && isConstant(in[0], 0) && in[1].type.equals(type)) yield in[1];
                yield null;
            }
            case Op.Reshape r -> in[0].type.equals(type) ? in[0] : null;
            case Op.Permute p -> {
                boolean id = true;
                for (int i = 0; i < p.perm().length; i++) id &= p.perm()[i] == i;
                yield id ? in[0] : null;
            }
            default -> null;
        };
    }

    private static boolean isConstant(Node n, double value) {
        if (n.kind != Node.Kind.CONSTANT || n.constant.size() != 1) return false;
        return n.constant.item() == value;
    }

    /** Gives nodes consecutive ids in order, remapping inputs, outputs and writes. */
    private static Graph renumber(List<Node> nodes, Graph g) {
        Map<Node, Node> map = new IdentityHashMap<>();
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            Node[] in = new Node[n.inputs.length];
            for (int i = 0; i < in.length; i++) in[i] = map.get(n.inputs[i]);
            int id = out.size();
            Node copy = switch (n.kind) {
                case INPUT -> Node.input(id, n.inputIndex, n.type);
                case CONSTANT -> Node.constant(id, n.constant);
                case VARIABLE -> Node.variable(id, n.variable, n.type);
                case RANDOM_KEY -> Node.randomKey(id, n.rng, n.rngRequest, n.type);
                case OP -> Node.op(id, n.op, in, n.type, n.site);
            };
            map.put(n, copy);
            out.add(copy);
        }
        Node[] outputs = Arrays.stream(g.outputs).map(map::get).toArray(Node[]::new);
        Map<Variable, Node> writes = new LinkedHashMap<>();
        g.variableWrites.forEach((v, n) -> writes.put(v, map.get(n)));
        return new Graph(out, outputs, writes, g.randomUse);
    }
}
