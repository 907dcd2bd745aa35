package dev.fluxion.graph;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Rng;

/**
 * One value of a traced graph: a function input, a captured constant, a variable read, a random key, or the
 * result of a primitive on earlier nodes. Nodes are immutable and interned by the tracer (identical pure
 * operations on identical inputs are one node), which gives common-subexpression elimination for free.
 */
public final class Node {
    /** What produces the node's value. */
    public enum Kind { INPUT, CONSTANT, VARIABLE, RANDOM_KEY, OP }

    final int id;
    final Kind kind;
    final Op op;
    final Node[] inputs;
    final TensorType type;
    /** The line of user code that created the node, for error messages. */
    final String site;
    final Tensor constant;
    final Variable variable;
    final int inputIndex;
    final Rng rng;
    /** For a random key: which of its generator's requests in this graph it is (0, 1, ...). */
    final int rngRequest;

    private Node(int id, Kind kind, Op op, Node[] inputs, TensorType type, String site,
                 Tensor constant, Variable variable, int inputIndex, Rng rng, int rngRequest) {
        this.id = id;
        this.kind = kind;
        this.op = op;
        this.inputs = inputs;
        this.type = type;
        this.site = site;
        this.constant = constant;
        this.variable = variable;
        this.inputIndex = inputIndex;
        this.rng = rng;
        this.rngRequest = rngRequest;
    }

    static Node input(int id, int index, TensorType type) {
        return new Node(id, Kind.INPUT, null, new Node[0], type, null, null, null, index, null, 0);
    }

    static Node constant(int id, Tensor value) {
        return new Node(id, Kind.CONSTANT, null, new Node[0], value.type(), null, value, null, -1, null, 0);
    }

    static Node variable(int id, Variable v, TensorType type) {
        return new Node(id, Kind.VARIABLE, null, new Node[0], type, null, null, v, -1, null, 0);
    }

    static Node randomKey(int id, Rng rng, int request, TensorType type) {
        return new Node(id, Kind.RANDOM_KEY, null, new Node[0], type, null, null, null, -1, rng, request);
    }

    static Node op(int id, Op op, Node[] inputs, TensorType type, String site) {
        return new Node(id, Kind.OP, op, inputs, type, site, null, null, -1, null, 0);
    }

    public int id() { return id; }
    public Kind kind() { return kind; }
    public Op op() { return op; }
    public TensorType type() { return type; }
    public String site() { return site; }
    /** The value of a {@link Kind#CONSTANT} node (null for other kinds). */
    public Tensor constant() { return constant; }
    /** The variable a {@link Kind#VARIABLE} node reads (null for other kinds). */
    public Variable variable() { return variable; }
    /** Which tensor argument of the call an {@link Kind#INPUT} node is (-1 for other kinds). */
    public int inputIndex() { return inputIndex; }
    /** The operands of an op node, in order (a copy; empty for other kinds). */
    public Node[] inputs() { return inputs.clone(); }

    /** A one-line description, e.g. {@code %7 = matmul(%3, %5) : float32[128,10]}. */
    @Override
    public String toString() {
        String rhs = switch (kind) {
            case INPUT -> "input " + inputIndex;
            case CONSTANT -> constant.size() <= 4 ? "constant " + java.util.Arrays.toString(constant.toDoubleArray()) : "constant";
            case VARIABLE -> "read " + variable.name();
            case RANDOM_KEY -> "random_key #" + rngRequest;
            case OP -> {
                StringBuilder sb = new StringBuilder(op.toString().startsWith(op.name()) ? op.toString() : op.name());
                sb.append('(');
                for (int i = 0; i < inputs.length; i++) sb.append(i > 0 ? ", %" : "%").append(inputs[i].id);
                yield sb.append(')').toString();
            }
        };
        return "%" + id + " = " + rhs + " : " + type;
    }
}
