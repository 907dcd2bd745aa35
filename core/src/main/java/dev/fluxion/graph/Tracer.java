package dev.fluxion.graph;

import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backends;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The interpreter in force while a graph function traces its Java body: every primitive becomes a node instead of
 * running. Pure operations on constants are folded on the spot, identical pure operations are interned (CSE),
 * variable reads and writes become graph inputs and final writes, and random keys become per-call offsets.
 */
final class Tracer implements Dispatcher.Interpreter {
    private static final int FOLD_LIMIT = 1 << 16; // fold constant subexpressions up to this many elements

    private record Key(Op op, List<Integer> inputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<Key, Node> interned = new HashMap<>();
    private static final int SMALL_CONSTANT = 16;

    private final Map<Tensor, Node> constants = new IdentityHashMap<>();
    private final Map<String, Node> smallConstants = new HashMap<>();
    private final Map<Variable, Tensor> variableValues = new LinkedHashMap<>();
    private final Map<Variable, Node> writes = new LinkedHashMap<>();
    private final Map<Rng, List<int[]>> randomUse = new LinkedHashMap<>();
    private final boolean variablesMayBeCreated;
    private final String functionName;

    Tracer(String functionName, boolean variablesMayBeCreated) {
        this.functionName = functionName;
        this.variablesMayBeCreated = variablesMayBeCreated;
    }

    Tensor input(int index, TensorType type) {
        Node n = add(Node.input(nodes.size(), index, type));
        return Tensor.symbolic(type, n);
    }

    Node nodeOf(Tensor t) {
        if (t.isSymbolic()) {
            if (!(t.symbol() instanceof Node n) || !owns(n))
                throw new IllegalStateException(functionName + ": a symbolic tensor from another graph function was used here; "
                        + "pass tensors between graph functions as return values and arguments");
            return n;
        }
        Node known = constants.get(t);
        if (known != null) return known;
        t.storage().holdBeyondScopes(); // the graph keeps its constants: a step's allocation scope must not take them
        Node n = t.size() <= SMALL_CONSTANT ? smallConstants.computeIfAbsent(valueKey(t), k -> add(Node.constant(nodes.size(), t)))
                : add(Node.constant(nodes.size(), t));
        constants.put(t, n);
        return n;
    }

    /** Small constants (scalars above all) are merged by value, so x+1 and x+1 written twice become one node. */
    private static String valueKey(Tensor t) {
        String values = t.dtype().isFloating() ? Arrays.toString(t.toDoubleArray()) : Arrays.toString(t.toLongArray());
        return t.type() + values;
    }

    private boolean owns(Node n) {
        return n.id < nodes.size() && nodes.get(n.id) == n;
    }

    @Override
    public Tensor execute(Op op, Tensor[] inputs, TensorType out) {
        boolean allConstant = true;
        for (Tensor t : inputs) allConstant &= !t.isSymbolic();
        if (allConstant && !op.hasSideEffects() && !(op instanceof Op.Random) && out.size() <= FOLD_LIMIT)
            return Backends.get(out.device()).execute(op, inputs, out); // constant folding at trace time
        Node[] in = new Node[inputs.length];
        Integer[] ids = new Integer[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = nodeOf(inputs[i]);
            ids[i] = in[i].id;
        }
        if (op.hasSideEffects()) return Tensor.symbolic(out, add(Node.op(nodes.size(), op, in, out, userSite())));
        Key key = new Key(op, Arrays.asList(ids));
        Node node = interned.get(key);
        if (node == null) {
            node = add(Node.op(nodes.size(), op, in, out, userSite()));
            interned.put(key, node);
        }
        return Tensor.symbolic(out, node);
    }

    @Override
    public Tensor readVariable(Variable variable, Tensor current) {
        return variableValues.computeIfAbsent(variable,
                v -> v.adopt(Tensor.symbolic(current.type(), add(Node.variable(nodes.size(), v, current.type())))));
    }

    @Override
    public boolean assignVariable(Variable variable, Tensor value) {
        variableValues.put(variable, value);
        writes.put(variable, nodeOf(value));
        return true;
    }

    @Override
    public void variableCreated(Variable variable) {
        if (!variablesMayBeCreated)
            throw new IllegalStateException(functionName + ": variable '" + variable.name() + "' was created on a call after the first. "
                    + "A graph function may create variables only on its first trace; create them outside the function "
                    + "or build the model before compiling the step");
    }

    @Override
    public Tensor randomKey(Rng rng, int[] shape, dev.fluxion.Device device) {
        List<int[]> requests = randomUse.computeIfAbsent(rng, r -> new ArrayList<>());
        requests.add(shape.clone());
        TensorType type = new TensorType(dev.fluxion.DType.INT64, new int[] {2}, device);
        return Tensor.symbolic(type, add(Node.randomKey(nodes.size(), rng, requests.size() - 1, type)));
    }

    Graph finish(Tensor[] outputs) {
        Node[] outs = new Node[outputs.length];
        for (int i = 0; i < outputs.length; i++) outs[i] = nodeOf(Objects.requireNonNull(outputs[i], "output " + i));
        return new Graph(nodes, outs, writes, randomUse);
    }

    private Node add(Node n) {
        nodes.add(n);
        return n;
    }

    /** The first stack frame outside Fluxion's own packages: the user's line that created the op. */
    private static String userSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.fluxion.") || f.getClassName().startsWith("dev.fluxion.examples")
                        || f.getClassName().endsWith("Test") || f.getClassName().contains("Test$"))
                .findFirst().map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("unknown"));
    }
}
