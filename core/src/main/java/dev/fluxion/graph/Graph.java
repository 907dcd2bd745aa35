package dev.fluxion.graph;

import dev.fluxion.Variable;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A traced computation: nodes in execution order (every node after its inputs), the function's outputs, the
 * final values to write back to variables, and how many random numbers each generator supplies per call.
 * Passes produce new graphs; {@link #verify} checks the invariants in tests.
 */
public final class Graph {
    final List<Node> nodes;
    final Node[] outputs;
    final Map<Variable, Node> variableWrites;
    /** Per generator, the shapes of its random requests in trace order (a request advances its counter by its size). */
    final Map<Rng, List<int[]>> randomUse;

    Graph(List<Node> nodes, Node[] outputs, Map<Variable, Node> variableWrites, Map<Rng, List<int[]>> randomUse) {
        this.nodes = List.copyOf(nodes);
        this.outputs = outputs.clone();
        this.variableWrites = new LinkedHashMap<>(variableWrites);
        this.randomUse = new LinkedHashMap<>(randomUse);
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The function's outputs, in order. */
    public List<Node> outputs() {
        return List.of(outputs);
    }

    /** The final value written to each variable the graph assigns, in order of first assignment. */
    public Map<Variable, Node> variableWrites() {
        return java.util.Collections.unmodifiableMap(variableWrites);
    }

    /** The nodes whose values leave the graph: its outputs, then the values written to variables. */
    public List<Node> results() {
        List<Node> r = new ArrayList<>(List.of(outputs));
        r.addAll(variableWrites.values());
        return r;
    }

    /** Number of primitive operations. */
    public int opCount() {
        int n = 0;
        for (Node node : nodes) if (node.kind == Node.Kind.OP) n++;
        return n;
    }

    /** Whether some type or attribute still holds the unknown batch dimension of an input signature. */
    public boolean hasUnknownDimensions() {
        for (Node n : nodes) if (dev.fluxion.Shapes.hasUnknown(n.type.shape())) return true;
        return false;
    }

    /**
     * This graph with the unknown batch dimension fixed to {@code batch}: every type and shape attribute resolved,
     * and every op's type re-derived by its shape rule (which reports a batch size the graph cannot take).
     */
    public Graph specialize(int batch) {
        java.util.Map<Node, Node> map = new java.util.IdentityHashMap<>();
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            Node[] in = new Node[n.inputs.length];
            dev.fluxion.TensorType[] before = new dev.fluxion.TensorType[in.length], after = new dev.fluxion.TensorType[in.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = map.get(n.inputs[i]);
                before[i] = n.inputs[i].type;
                after[i] = in[i].type;
            }
            dev.fluxion.TensorType type = n.type.withShape(dev.fluxion.Shapes.resolve(n.type.shape(), batch));
            Node copy = switch (n.kind) {
                case INPUT -> Node.input(n.id, n.inputIndex, type);
                case CONSTANT, VARIABLE, RANDOM_KEY -> n;
                case OP -> {
                    dev.fluxion.ops.Op op = n.op.resolve(batch, before);
                    yield Node.op(n.id, op, in, op.infer(after), n.site);
                }
            };
            map.put(n, copy);
            out.add(copy);
        }
        Node[] outs = java.util.Arrays.stream(outputs).map(map::get).toArray(Node[]::new);
        Map<Variable, Node> writes = new LinkedHashMap<>();
        variableWrites.forEach((v, w) -> writes.put(v, map.get(w)));
        Map<Rng, List<int[]>> random = new LinkedHashMap<>();
        randomUse.forEach((rng, shapes) -> random.put(rng, shapes.stream().map(sh -> dev.fluxion.Shapes.resolve(sh, batch)).toList()));
        return new Graph(out, outs, writes, random);
    }

    /** Throws if a node uses a value defined after it or outside the graph, or if a type is inconsistent. */
    public void verify() {
        java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node n : nodes) {
            for (Node in : n.inputs)
                if (!seen.contains(in)) throw new IllegalStateException("graph: %" + n.id + " uses %" + in.id + " before it is defined");
            if (n.kind == Node.Kind.OP) {
                var types = new dev.fluxion.TensorType[n.inputs.length];
                for (int i = 0; i < types.length; i++) types[i] = n.inputs[i].type;
                if (!n.op.infer(types).equals(n.type)) throw new IllegalStateException("graph: %" + n.id + " has type " + n.type + " but its op gives " + n.op.infer(types));
            }
            seen.add(n);
        }
        for (Node o : outputs) if (!seen.contains(o)) throw new IllegalStateException("graph: output %" + o.id + " is not in the graph");
        for (Node w : variableWrites.values()) if (!seen.contains(w)) throw new IllegalStateException("graph: variable write %" + w.id + " is not in the graph");
    }

    /** The graph as text, one node per line, then outputs and variable writes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) sb.append("  ").append(n).append('\n');
        List<String> outs = new ArrayList<>();
        for (Node o : outputs) outs.add("%" + o.id);
        sb.append("  return ").append(outs).append('\n');
        variableWrites.forEach((v, n) -> sb.append("  assign ").append(v.name()).append(" <- %").append(n.id).append('\n'));
        return sb.toString();
    }
}
