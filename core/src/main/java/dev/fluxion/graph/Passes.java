package dev.fluxion.graph;

import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;
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
 * x/1, cast to the same type, transpose of transpose, stop_gradient once gradients exist), activation derivatives
 * are moved through max pooling to the smaller side, then dead code is removed. Fusion of elementwise chains happens
 * when a backend compiles the graph.
 */
public final class Passes {
    private Passes() {}

    /** Simplify, move activation derivatives through max pooling, then eliminate dead code. */
    public static Graph optimize(Graph g) {
        // the pooling pass reuses the forward's interned pooling and makes no duplicates: no second simplify
        return deadCodeElimination(maskBeforeMaxPoolGradient(simplify(g)));
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
            Node[] in = mappedInputs(n, replaced);
            Node rewritten = n.kind == Node.Kind.OP ? identity(n.op, in, n.type) : null;
            if (rewritten != null) {
                replaced.put(n, rewritten);
                continue;
            }
            Node fresh = withInputs(n, in);
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
        return rebuilt(g, out, replaced);
    }

    /**
     * Applies an activation's derivative on the pooled side of max pooling, where the tensors are a window's size
     * smaller: {@code max_pool2d_grad(y, g) * f(y)} becomes {@code max_pool2d_grad(y, g * f(max_pool2d(y)))}, since
     * the gradient is zero off each window's maximal cell and y there is the pooled value (f is a ReLU's step, or with
     * windows that do not overlap any elementwise function of y, such as ELU's derivative); and a sum of a max-pooling
     * gradient over batch, rows and columns becomes the same sum of its pooled-side input (pooling routes each value
     * to exactly one cell). The first is bitwise the same where f(y) is finite, except that a zero may change sign and
     * a cell that is not its window's first maximum gives 0 where f(y) is NaN or infinite instead of NaN. The second
     * sums in another order. A gradient that anything else also reads is left alone.
     */
    static Graph maskBeforeMaxPoolGradient(Graph g) {
        Map<Node, Integer> readers = new IdentityHashMap<>();
        for (Node n : g.nodes) for (Node in : n.inputs) readers.merge(in, 1, Integer::sum);
        for (Node n : g.outputs) readers.merge(n, 1, Integer::sum);
        for (Node n : g.variableWrites.values()) readers.merge(n, 1, Integer::sum);
        Map<Node, Node> replaced = new IdentityHashMap<>();
        Map<Key, Node> pools = new HashMap<>();
        Map<Node, Map<Node, Node>> clones = new IdentityHashMap<>(); // per pooled node: derivative nodes rebuilt on it
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes) {
            Node[] in = mappedInputs(n, replaced);
            Node fresh = withInputs(n, in);
            Node rewritten = fresh.kind != Node.Kind.OP ? null : switch (fresh.op) {
                case Op.Binary b when b.fn() == BinaryFn.MUL -> maskedPoolGradient(fresh, n, readers, pools, clones, out);
                case Op.Reduce r when r.fn() == ReduceFn.SUM -> pooledSum(fresh, r, out);
                default -> null;
            };
            if (rewritten != null) {
                replaced.put(n, rewritten);
                continue;
            }
            if (fresh != n) replaced.put(n, fresh);
            out.add(fresh);
            if (fresh.kind == Node.Kind.OP && fresh.op instanceof Op.Pool2D p && p.max())
                pools.putIfAbsent(new Key(p, List.of(fresh.inputs), fresh.type), fresh);
        }
        if (replaced.isEmpty()) return g;
        return rebuilt(g, out, replaced);
    }

    /**
     * {@code max_pool2d_grad(y, g) * f(y)} (either order) as the pooled-side product, or null: f a ReLU's step, or,
     * where windows do not overlap (so that each cell takes at most one window's gradient and the product rounds as
     * before), any elementwise function of y and 0-d constants, such as ELU's derivative {@code min(y, 0) + 1}.
     */
    private static Node maskedPoolGradient(Node mul, Node original, Map<Node, Integer> readers, Map<Key, Node> pools,
                                           Map<Node, Map<Node, Node>> clones, List<Node> out) {
        for (int side = 0; side < 2; side++) {
            Node grad = mul.inputs[side], mask = mul.inputs[1 - side];
            if (!(grad.kind == Node.Kind.OP && grad.op instanceof Op.Pool2DGrad pg && pg.forward().max())) continue;
            Node y = grad.inputs[0];
            Op.Pool2D pool = pg.forward();
            boolean reluMask = mask.kind == Node.Kind.OP && mask.op instanceof Op.Unary u && u.fn() == UnaryFn.STEP
                    && mask.inputs[0] == y;
            boolean disjoint = pool.window().strideH() >= pool.kh() && pool.window().strideW() >= pool.kw();
            boolean ofY = reluMask || disjoint && mask != y && elementwiseOf(mask, y, 0);
            boolean sameShapes = grad.type.equals(mul.type) && mask.type.equals(mul.type);
            if (!ofY || !sameShapes || readers.getOrDefault(original.inputs[side], 0) != 1) continue;
            Node pooled = pools.get(new Key(pool, List.of(y), pool.infer(y.type)));
            if (pooled == null) pooled = append(out, pool, mul.site, y);
            Map<Node, Node> rebuiltOnPooled = clones.computeIfAbsent(pooled, k -> new IdentityHashMap<>());
            Node pooledMask = onPooledSide(mask, y, pooled, rebuiltOnPooled, out);
            Node masked = append(out, mul.op, mul.site, grad.inputs[1], pooledMask);
            return append(out, pg, grad.site, y, masked);
        }
        return null;
    }

    /** Whether n is y, a 0-d constant, or an elementwise op of y's shape on such nodes (at most 8 deep). */
    private static boolean elementwiseOf(Node n, Node y, int depth) {
        if (n == y) return true;
        if (n.kind == Node.Kind.CONSTANT) return n.constant.size() == 1;
        if (n.kind != Node.Kind.OP || depth >= 8 || !Arrays.equals(n.type.shape(), y.type.shape())) return false;
        if (!(n.op instanceof Op.Unary || n.op instanceof Op.Binary || n.op instanceof Op.Where || n.op instanceof Op.Cast))
            return false;
        for (Node in : n.inputs) if (!elementwiseOf(in, y, depth + 1)) return false;
        return true;
    }

    /** The expression {@code n} of y (see {@link #elementwiseOf}) rebuilt on {@code pooled} in y's place. */
    private static Node onPooledSide(Node n, Node y, Node pooled, Map<Node, Node> done, List<Node> out) {
        if (n == y) return pooled;
        if (n.kind == Node.Kind.CONSTANT) return n;
        Node copy = done.get(n);
        if (copy != null) return copy;
        Node[] in = new Node[n.inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = onPooledSide(n.inputs[i], y, pooled, done, out);
        copy = append(out, n.op, n.site, in);
        done.put(n, copy);
        return copy;
    }

    /** A sum of a max-pooling gradient over (at least) batch, rows and columns, as its pooled side's sum, or null. */
    private static Node pooledSum(Node sum, Op.Reduce r, List<Node> out) {
        Node grad = sum.inputs[0];
        if (!(grad.kind == Node.Kind.OP && grad.op instanceof Op.Pool2DGrad pg && pg.forward().max())) return null;
        boolean[] reduced = new boolean[4];
        for (int a : r.axes()) if (a >= 0 && a < 4) reduced[a] = true;
        if (!reduced[0] || !reduced[1] || !reduced[2] || !r.infer(grad.inputs[1].type).equals(sum.type)) return null;
        return append(out, r, sum.site, grad.inputs[1]);
    }

    static Node append(List<Node> out, Op op, String site, Node... inputs) {
        TensorType[] types = new TensorType[inputs.length];
        for (int i = 0; i < inputs.length; i++) types[i] = inputs[i].type;
        Node n = Node.op(-1, op, inputs, op.infer(types), site);
        out.add(n);
        return n;
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

    /** n's inputs, each replaced by what an earlier rewrite made of it. */
    static Node[] mappedInputs(Node n, Map<Node, Node> replaced) {
        Node[] in = new Node[n.inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = replaced.getOrDefault(n.inputs[i], n.inputs[i]);
        return in;
    }

    /** n itself, or an op node like n on other inputs. */
    static Node withInputs(Node n, Node[] in) {
        return n.kind == Node.Kind.OP && !Arrays.equals(in, n.inputs) ? Node.op(n.id, n.op, in, n.type, n.site) : n;
    }

    /** The graph of {@code nodes} with g's outputs and variable writes mapped through {@code replaced}. */
    static Graph rebuilt(Graph g, List<Node> nodes, Map<Node, Node> replaced) {
        Node[] outputs = new Node[g.outputs.length];
        for (int i = 0; i < outputs.length; i++) outputs[i] = replaced.getOrDefault(g.outputs[i], g.outputs[i]);
        Map<Variable, Node> writes = new LinkedHashMap<>();
        g.variableWrites.forEach((v, n) -> writes.put(v, replaced.getOrDefault(n, n)));
        return renumber(nodes, new Graph(nodes, outputs, writes, g.randomUse));
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
