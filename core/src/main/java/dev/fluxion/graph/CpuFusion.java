package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.TensorType;
import dev.fluxion.cpu.kernels.Pool2dGeometry;
import dev.fluxion.cpu.kernels.PoolKernels;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups chains of float32/bool elementwise nodes of one shape into fused steps. A group runs as one pass over
 * cache-sized tiles: each member computes its tile from its inputs' tiles, so intermediate values never make a
 * round trip through memory, and only members used outside the group are written out in full.
 *
 * <p>Greedy and order-preserving: a group is sealed as soon as a node outside it reads one of its members, so it
 * can run at that point with every external input already computed.
 *
 * <p>A 2-D float32 matmul or an NHWC float32 convolution whose only use is a bias addition (and that sum's only use
 * a relu) becomes one {@link BiasEpilogue} step: the kernel adds the bias and applies the relu to each tile of the
 * product while it is in cache, a Dense or Conv2D layer's whole forward pass in one sweep over its output.
 *
 * <p>2x2 max pooling joins the passes around it: a pooling of a group's member is computed by that group's pass,
 * and a pooling gradient read only by elementwise ops is computed per tile by each pass that reads it, instead of
 * being written out (three quarters zeros) and read back; see {@link #rowPooling}.
 */
final class CpuFusion {
    private CpuFusion() {}

    /** A step of the CPU plan: one node, or a fused group. */
    sealed interface Step permits Single, Fused, BiasEpilogue {}

    record Single(Node node) implements Step {}

    /**
     * Members in execution order; {@code materialized[i]} says whether member i is needed outside the group.
     * {@code reductions} are reductions of members over the group's leading axes, all with the same trailing size,
     * folded tile by tile in the same pass, so the reduced member need not be written out. {@code pool} (or null) is
     * a 2x2 max pooling of a member, computed from each tile right after it; {@code tileInputs} are max-pooling
     * gradients that members read, computed per tile from the pooling's input and the pooled gradient instead of
     * being written out in full (three quarters zeros) and read back. See {@link #rowPooling}. When {@code routed},
     * the pool records which cell of each window took the maximum, and the member it pools, which only the pooling's
     * gradients read, is not stored: they route from those cells, a quarter of its size.
     */
    record Fused(Node[] members, boolean[] materialized, int[] shape, Node[] reductions, Node pool, boolean routed,
                 Node[] tileInputs) implements Step {
        /** The size of the axes the reductions keep (0 without reductions). */
        int reducedInner() {
            return reductions.length == 0 ? 0 : reductions[0].type.size();
        }
    }

    /**
     * The range of elements in a tile of a pass with fused reductions ({@code ROWS_PER_BLOCK} rows): larger tiles
     * would leave the L2 cache, smaller ones cost more in per-tile calls than the saved memory pass.
     */
    static final int MIN_REDUCTION_TILE = 1_024, MAX_REDUCTION_TILE = 16_384;

    /**
     * relu?(product + bias), the product a matmul or conv2d: {@code relu} is null when the sum is used as it is; the
     * step's value is the last node's.
     */
    record BiasEpilogue(Node product, Node add, Node bias, Node relu) implements Step {
        Node last() {
            return relu != null ? relu : add;
        }

        Node[] members() {
            return relu != null ? new Node[] {product, add, relu} : new Node[] {product, add};
        }
    }

    static boolean fusable(Node n) {
        if (n.kind != Node.Kind.OP || n.type.size() == 0) return false;
        boolean opOk = switch (n.op) {
            case Op.Unary u -> n.type.dtype() == DType.FLOAT32 || n.type.dtype() == DType.BOOL;
            case Op.Binary b -> true;
            case Op.Where w -> true;
            case Op.Cast c -> true;
            default -> false;
        };
        if (!opOk || !okType(n.type.dtype())) return false;
        for (Node in : n.inputs) if (!okType(in.type.dtype())) return false;
        return true;
    }

    private static boolean okType(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL;
    }

    /** Plans the steps for nodes in order; {@code pinned} nodes (outputs, variable writes) are always materialized. */
    static List<Step> plan(Node[] nodes, boolean[] pinned) {
        int count = nodes.length;
        int[] group = new int[count]; // group id per node, -1 if none
        Arrays.fill(group, -1);
        List<List<Node>> groups = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<List<Node>> reductions = new ArrayList<>(); // per group
        boolean[] isReduction = new boolean[count];
        boolean[] sealed = new boolean[count];
        List<Step> steps = new ArrayList<>();
        int[] parent = new int[count];
        for (int i = 0; i < count; i++) parent[i] = i;

        java.util.Set<Node> deferred = tileComputedPoolGradients(nodes, pinned);
        Map<Node, BiasEpilogue> epilogueAt = new IdentityHashMap<>();
        java.util.Set<Node> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        if (!"false".equals(System.getProperty("fluxion.graph.fuseEpilogues"))) // read per plan: PlanAbBench
            findEpilogues(nodes, pinned, epilogueAt, absorbed);

        for (Node n : nodes) {
            if (absorbed.contains(n)) continue; // computed by the BiasEpilogue step of a later node
            if (deferred.contains(n)) continue; // computed per tile by the passes that read it
            BiasEpilogue epilogue = epilogueAt.get(n);
            if (epilogue != null) {
                for (Node m : epilogue.members())
                    for (Node in : m.inputs) {
                        int g = find(parent, group[in.id]);
                        if (g >= 0 && !sealed[g]) {
                            sealed[g] = true;
                            addStep(steps, fused(groups.get(g), reductions.get(g), null, nodes, group, parent, g, pinned, deferred), deferred);
                        }
                    }
                addStep(steps, epilogue, deferred);
                continue;
            }
            int pooled = poolingGroup(n, group, parent, sealed, shapes, reductions);
            if (pooled >= 0) { // the group pools each tile as it goes
                sealed[pooled] = true;
                group[n.id] = pooled;
                addStep(steps, fused(groups.get(pooled), reductions.get(pooled), n, nodes, group, parent, pooled, pinned, deferred), deferred);
                continue;
            }
            int into = reductionGroup(n, group, parent, sealed, shapes, reductions, isReduction);
            if (into >= 0) { // folded by the group's pass
                reductions.get(into).add(n);
                group[n.id] = into;
                isReduction[n.id] = true;
                continue;
            }
            boolean candidate = fusable(n);
            int target = -1;
            // the values n reads, with those of the pool gradients its pass computes per tile
            List<Node> reads = new ArrayList<>(Arrays.asList(n.inputs));
            for (Node in : n.inputs) if (deferred.contains(in)) reads.addAll(Arrays.asList(in.inputs));
            if (candidate) {
                java.util.Set<Integer> waitFor = new java.util.HashSet<>(); // groups that must run before n's pass
                for (Node in : n.inputs) if (isReduction[in.id]) waitFor.add(find(parent, group[in.id]));
                for (Node in : reads.subList(n.inputs.length, reads.size())) waitFor.add(find(parent, group[in.id]));
                for (Node in : n.inputs) {
                    int g = find(parent, group[in.id]);
                    if (g < 0 || sealed[g] || waitFor.contains(g) || !Arrays.equals(shapes.get(g), n.type.shape())) continue;
                    if (target < 0) target = g;
                    else if (g != target && compatibleReductions(reductions.get(target), reductions.get(g))) { // merge g into target
                        groups.get(target).addAll(groups.get(g));
                        groups.get(g).clear();
                        reductions.get(target).addAll(reductions.get(g));
                        reductions.get(g).clear();
                        parent[g] = target;
                    }
                }
            }
            // any group this node reads from but does not join is sealed now, and runs before this node
            for (Node in : reads) {
                int g = find(parent, group[in.id]);
                if (g >= 0 && g != target && !sealed[g]) {
                    sealed[g] = true;
                    addStep(steps, fused(groups.get(g), reductions.get(g), null, nodes, group, parent, g, pinned, deferred), deferred);
                }
            }
            if (candidate) {
                if (target < 0) {
                    target = groups.size();
                    groups.add(new ArrayList<>());
                    shapes.add(n.type.shape());
                    reductions.add(new ArrayList<>());
                }
                groups.get(target).add(n);
                group[n.id] = target;
            } else {
                addStep(steps, new Single(n), deferred);
            }
        }
        for (int g = 0; g < groups.size(); g++)
            if (find(parent, g) == g && !sealed[g] && !groups.get(g).isEmpty())
                addStep(steps, fused(groups.get(g), reductions.get(g), null, nodes, group, parent, g, pinned, deferred), deferred);
        return steps;
    }

    /**
     * Appends a step; a pool gradient left for the passes to compute that this step reads but cannot compute per
     * tile (it is not a fused pass) is computed whole just before it, and from then on read like any value.
     */
    private static void addStep(List<Step> steps, Step step, java.util.Set<Node> deferred) {
        if (!deferred.isEmpty() && !(step instanceof Fused)) {
            for (Node in : CpuSchedule.inputs(step))
                if (deferred.remove(in)) {
                    if (steps.stream().anyMatch(s -> s instanceof Fused f && f.routed() && f.pool().inputs[0] == in.inputs[0]))
                        throw new IllegalStateException("plan: " + in + " is read whole after its input was pooled unstored");
                    steps.add(new Single(in));
                }
        }
        steps.add(step);
    }

    /**
     * The geometry of a 2x2 max pooling (n a max_pool2d or its gradient) that a fused pass can run by row pairs of its
     * tiles ({@link PoolKernels#maxPool2x2ByRows}), or null.
     */
    static Pool2dGeometry rowPooling(Node n) {
        if (n.kind != Node.Kind.OP || n.type.dtype() != DType.FLOAT32 || !dev.fluxion.cpu.kernels.KernelConfig.SIMD) return null;
        Op.Pool2D p;
        int[] x, y;
        switch (n.op) {
            case Op.Pool2D f -> { p = f; x = n.inputs[0].type.shape(); y = n.type.shape(); }
            case Op.Pool2DGrad gr -> { p = gr.forward(); x = n.type.shape(); y = n.inputs[n.inputs.length - 1].type.shape(); }
            default -> { return null; }
        }
        if (!p.max() || x.length != 4 || n.type.size() == 0) return null;
        Pool2dGeometry g = new Pool2dGeometry(x[0], x[1], x[2], x[3], p.kh(), p.kw(), y[1], y[2],
                p.window().strideH(), p.window().strideW(), p.window().padTop(), p.window().padLeft());
        return PoolKernels.maxPool2x2ByRows(g) && 2L * g.w() * g.c() <= MAX_POOL_TILE ? g : null;
    }

    /** Most elements of a tile that pools by row pairs (a pair of rows is the least it can hold). */
    static final int MAX_POOL_TILE = 1 << 15;

    /**
     * The max-pooling gradients that the fused passes reading them compute per tile: those whose every reader is an
     * elementwise op of their shape (and which are no output).
     */
    private static java.util.Set<Node> tileComputedPoolGradients(Node[] nodes, boolean[] pinned) {
        java.util.Set<Node> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        if ("false".equals(System.getProperty("fluxion.graph.fusePoolGradients"))) return out; // read per plan: PlanAbBench
        Map<Node, List<Node>> users = new IdentityHashMap<>();
        for (Node n : nodes) for (Node in : n.inputs) users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        for (Node n : nodes) {
            if (!(n.op instanceof Op.Pool2DGrad) || pinned[n.id] || rowPooling(n) == null) continue;
            List<Node> readers = users.getOrDefault(n, List.of());
            if (!readers.isEmpty() && readers.stream().allMatch(r -> fusable(r) && Arrays.equals(r.type.shape(), n.type.shape())))
                out.add(n);
        }
        return out;
    }

    /** The open group that can pool each of its tiles for max_pool2d {@code n} of one of its members, or -1. */
    private static int poolingGroup(Node n, int[] group, int[] parent, boolean[] sealed, List<int[]> shapes,
                                    List<List<Node>> reductions) {
        if (!(n.op instanceof Op.Pool2D) || rowPooling(n) == null) return -1;
        if ("false".equals(System.getProperty("fluxion.graph.fusePooling"))) return -1; // read per plan: PlanAbBench
        Node y = n.inputs[0];
        int g = find(parent, group[y.id]);
        if (g < 0 || sealed[g] || !reductions.get(g).isEmpty() || !Arrays.equals(shapes.get(g), y.type.shape())) return -1;
        return g;
    }

    /**
     * The open group whose pass can fold reduction {@code n}, or -1: a float32 reduction of one of its members over
     * leading axes [0, k), keeping a trailing block small enough for a tile of {@code ROWS_PER_BLOCK} rows, which
     * is exactly how the reduction kernel blocks it (so the fused pass gives the same bits).
     */
    private static int reductionGroup(Node n, int[] group, int[] parent, boolean[] sealed, List<int[]> shapes,
                                      List<List<Node>> reductions, boolean[] isReduction) {
        if (n.kind != Node.Kind.OP || !(n.op instanceof Op.Reduce r) || n.type.dtype() != DType.FLOAT32) return -1;
        if ("false".equals(System.getProperty("fluxion.graph.fuseReductions"))) return -1; // read per plan: PlanAbBench
        Node in = n.inputs[0];
        int g = find(parent, group[in.id]);
        if (g < 0 || sealed[g] || isReduction[in.id] || !Arrays.equals(shapes.get(g), in.type.shape())) return -1;
        int rank = in.type.rank();
        int[] axes = Arrays.stream(r.axes()).map(a -> a < 0 ? a + rank : a).sorted().distinct().toArray();
        for (int i = 0; i < axes.length; i++) if (axes[i] != i) return -1;
        int k = axes.length;
        long rows = 1, inner = 1;
        for (int i = 0; i < rank; i++) if (i < k) rows *= in.type.shape()[i]; else inner *= in.type.shape()[i];
        long tile = inner * dev.fluxion.cpu.kernels.ReduceKernels.ROWS_PER_BLOCK;
        if (k == 0 || rows < 2 || tile < MIN_REDUCTION_TILE || tile > MAX_REDUCTION_TILE) return -1;
        List<Node> existing = reductions.get(g);
        if (!existing.isEmpty() && existing.get(0).type.size() != inner) return -1;
        return g;
    }

    private static boolean compatibleReductions(List<Node> a, List<Node> b) {
        return a.isEmpty() || b.isEmpty() || a.get(0).type.size() == b.get(0).type.size();
    }

    private static void findEpilogues(Node[] nodes, boolean[] pinned, Map<Node, BiasEpilogue> at, java.util.Set<Node> absorbed) {
        Map<Node, List<Node>> users = new IdentityHashMap<>();
        for (Node n : nodes) for (Node in : n.inputs) users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        for (Node add : nodes) {
            if (add.kind != Node.Kind.OP || !(add.op instanceof Op.Binary b) || b.fn() != BinaryFn.ADD) continue;
            for (int side = 0; side < 2; side++) {
                Node mm = add.inputs[side], bias = add.inputs[1 - side];
                if (!(isPlainMatMul(mm) || isConv(mm)) || pinned[mm.id] || users.getOrDefault(mm, List.of()).size() != 1) continue;
                int channels = mm.type.shape()[mm.type.rank() - 1];
                if (bias.type.dtype() != DType.FLOAT32 || bias.type.rank() != 1 || bias.type.shape()[0] != channels) continue;
                if (!Arrays.equals(add.type.shape(), mm.type.shape())) continue;
                List<Node> addUsers = users.getOrDefault(add, List.of());
                Node relu = null;
                if (!pinned[add.id] && addUsers.size() == 1 && addUsers.get(0).kind == Node.Kind.OP
                        && addUsers.get(0).op instanceof Op.Unary u && u.fn() == UnaryFn.RELU)
                    relu = addUsers.get(0);
                BiasEpilogue e = new BiasEpilogue(mm, add, bias, relu);
                at.put(e.last(), e);
                absorbed.add(mm);
                if (relu != null) absorbed.add(add);
                break;
            }
        }
    }

    /**
     * For a CPU plan: gives each reader of a broadcast shift or scale its own copy of it. A node such as batch
     * normalization's {@code x - mean}, a binary op of a tensor that is stored anyway (a convolution's output, an
     * input) and a smaller broadcast operand, is otherwise written out in full because several fused passes read it
     * (the normalization and two gradient passes); recomputed inside each of those passes it costs one operation per
     * element and no memory traffic, and it gives the same bits. Only where every reader is an elementwise op or a
     * reduction of the node's shape, so that each copy joins its reader's pass, and never a bias addition, which the
     * product's kernel adds in its epilogue.
     */
    static Graph recomputeBroadcastOperands(Graph g) {
        Map<Node, List<Node>> readers = new IdentityHashMap<>();
        for (Node n : g.nodes) for (Node in : n.inputs) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        java.util.Set<Node> pinned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        pinned.addAll(Arrays.asList(g.outputs));
        pinned.addAll(g.variableWrites.values());
        Map<Node, Node> firstReader = new IdentityHashMap<>();
        for (Node n : g.nodes) {
            List<Node> rs = readers.getOrDefault(n, List.of());
            if (rs.size() > 1 && !pinned.contains(n) && isBroadcastOperand(n) && rs.stream().allMatch(r -> joinsPass(r, n)))
                firstReader.put(n, rs.getFirst());
        }
        if (firstReader.isEmpty()) return g;
        Map<Node, Node> replaced = new IdentityHashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes) {
            Node[] in = Passes.mappedInputs(n, replaced);
            for (int i = 0; i < in.length; i++) {
                Node original = n.inputs[i];
                if (!firstReader.containsKey(original) || firstReader.get(original) == n) continue;
                Node copy = null;
                for (int j = 0; j < i; j++) if (n.inputs[j] == original) copy = in[j]; // read twice: one copy
                in[i] = copy != null ? copy : Passes.append(out, original.op, original.site, Passes.mappedInputs(original, replaced));
            }
            Node fresh = Passes.withInputs(n, in);
            if (fresh != n) replaced.put(n, fresh);
            out.add(fresh);
        }
        return Passes.rebuilt(g, out, replaced);
    }

    /** A float32 binary op of a same-shaped stored operand (not fusable itself) and a smaller broadcast one. */
    private static boolean isBroadcastOperand(Node n) {
        if (n.kind != Node.Kind.OP || !(n.op instanceof Op.Binary) || n.type.dtype() != dev.fluxion.DType.FLOAT32) return false;
        for (int side = 0; side < 2; side++) {
            Node full = n.inputs[side], small = n.inputs[1 - side];
            if (full.type.equals(n.type) && !fusable(full) && small.type.size() * 8L <= n.type.size()
                    && !isBiasAddition(n, full, small)) return true;
        }
        return false;
    }

    /** Whether reader r would take a copy of n into its own fused pass: an elementwise op or a reduction of n's shape. */
    private static boolean joinsPass(Node r, Node n) {
        if (r.kind != Node.Kind.OP) return false;
        if (r.op instanceof Op.Reduce) return r.inputs[0] == n;
        return fusable(r) && r.type.shape().length == n.type.shape().length
                && Arrays.equals(r.type.shape(), n.type.shape());
    }

    /** Whether {@code add} adds a per-channel bias to a product, the form a {@link BiasEpilogue} takes. */
    static boolean isBiasAddition(Node add, Node product, Node bias) {
        return add.op instanceof Op.Binary b && b.fn() == BinaryFn.ADD && (isPlainMatMul(product) || isConv(product))
                && bias.type.rank() == 1;
    }

    /** A float32 product of two matrices with a non-empty inner dimension. */
    private static boolean isPlainMatMul(Node n) {
        if (n.kind != Node.Kind.OP || !(n.op instanceof Op.MatMul m) || n.type.dtype() != DType.FLOAT32 || n.type.rank() != 2) return false;
        TensorType a = n.inputs[0].type, b = n.inputs[1].type;
        return a.rank() == 2 && b.rank() == 2 && a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32
                && a.shape()[m.transposeA() ? 0 : 1] > 0;
    }

    /** A float32 conv2d with a non-empty output (NHWC: the filters are the last, fastest axis). */
    private static boolean isConv(Node n) {
        return n.kind == Node.Kind.OP && n.op instanceof Op.Conv2D && n.type.dtype() == DType.FLOAT32 && n.type.size() > 0;
    }

    private static int find(int[] parent, int g) {
        if (g < 0) return -1;
        while (parent[g] != g) g = parent[g];
        return g;
    }

    private static Step fused(List<Node> members, List<Node> reductions, Node pool, Node[] nodes, int[] group,
                              int[] parent, int g, boolean[] pinned, java.util.Set<Node> deferred) {
        Node[] ms = members.stream().sorted((a, b) -> Integer.compare(a.id, b.id)).toArray(Node[]::new);
        Node[] rs = reductions.stream().sorted((a, b) -> Integer.compare(a.id, b.id)).toArray(Node[]::new);
        java.util.Set<Node> tiled = new java.util.LinkedHashSet<>();
        for (Node m : ms) for (Node in : m.inputs) if (deferred.contains(in)) tiled.add(in);
        if (ms.length == 1 && rs.length == 0 && pool == null && tiled.isEmpty()) return new Single(ms[0]);
        boolean[] materialized = new boolean[ms.length];
        boolean routed = false;
        for (int i = 0; i < ms.length; i++) {
            Node m = ms[i];
            boolean outside = pinned[m.id];
            for (Node n : nodes) {
                if (outside) break;
                for (Node in : n.inputs) {
                    if (in != m || find(parent, group[n.id]) == g) continue;
                    if (pool != null && routesFrom(n, pool, deferred)) routed = true;
                    else { outside = true; break; }
                }
            }
            materialized[i] = outside;
        }
        return new Fused(ms, materialized, ms[0].type.shape(), rs, pool, routed, tiled.toArray(Node[]::new));
    }

    /** Whether {@code n} is a gradient of {@code pool} that the passes reading it route per tile. */
    private static boolean routesFrom(Node n, Node pool, java.util.Set<Node> deferred) {
        return deferred.contains(n) && n.op instanceof Op.Pool2DGrad gr && gr.forward().equals(pool.op)
                && n.inputs[0] == pool.inputs[0];
    }
}
