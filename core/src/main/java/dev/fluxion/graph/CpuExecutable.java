package dev.fluxion.graph;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backend;
import dev.fluxion.backend.Backends;
import dev.fluxion.cpu.ArrayStorage;
import dev.fluxion.cpu.BufferPool;
import dev.fluxion.cpu.CpuBackend;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs an optimized graph on the CPU as a flat list of steps: single primitives straight on the backend (no shape
 * inference, no tape, no interpreter dispatch) and fused elementwise groups ({@link CpuFusion}). Each value is
 * dropped after the step that uses it last, so memory stays at the working set, and its array goes back to a
 * {@link BufferPool} once no live value shares it: from the second call on, intermediate values reuse the arrays
 * of the first, and a call allocates only what escapes it (outputs, and new variable values until the arrays of the
 * values they replace come back: see {@link #reclaimReplacedValues}). Independent
 * mid-sized steps run at once ({@link CpuSchedule}).
 */
final class CpuExecutable implements Executable {
    private final String name;
    private final Graph graph;
    private final Backend backend = Backends.cpu();
    private final CpuBackend cpu = (CpuBackend) backend;
    private final List<CpuFusion.Step> steps;
    private final CpuFusedRunner[] runners;
    /** Steps grouped into stages; the steps of one stage run at once. */
    private final int[][] stages;
    /** For each stage, the node values whose last use it is. */
    private final int[][] releaseAfter;
    private final int[] outputIds;
    private final int valueCount;
    /** Null when buffer reuse is switched off ({@code -Dfluxion.graph.reuseBuffers=false}, for measuring it). */
    private final BufferPool pool = REUSE_BUFFERS ? new BufferPool() : null;
    private static final boolean REUSE_BUFFERS = !"false".equals(System.getProperty("fluxion.graph.reuseBuffers"));
    /**
     * Whether the arrays of variable values this executable made are reused once a later call replaces those values
     * and nothing else can hold them ({@code -Dfluxion.graph.recycleVariables=false} when it is built turns it off,
     * for measuring it): a training step then allocates nothing new for its weights and optimizer slots.
     */
    private final boolean recycleVariables = pool != null && !"false".equals(System.getProperty("fluxion.graph.recycleVariables"));
    /** The variables the graph reads, once each. */
    private final Variable[] readVariables;
    /** For each written variable, the array of the value this executable's previous call gave it, if it made one. */
    private final Map<Variable, Object> madeValues = new java.util.IdentityHashMap<>();
    /** Per-step nanoseconds, accumulated when profiling is on ({@code -Dfluxion.graph.profile=true}). */
    private final long[] stepNanos;
    private static final boolean PROFILE = Boolean.getBoolean("fluxion.graph.profile");

    CpuExecutable(String name, Graph graph) {
        this.name = name;
        // read per plan (PlanAbBench): -Dfluxion.graph.recompute=false stores shared broadcast operands, to measure
        this.graph = "false".equals(System.getProperty("fluxion.graph.recompute")) ? graph : CpuFusion.recomputeBroadcastOperands(graph);
        graph = this.graph;
        Node[] nodes = graph.nodes.toArray(Node[]::new);
        this.valueCount = nodes.length;
        this.outputIds = Arrays.stream(graph.outputs).mapToInt(n -> n.id).toArray();
        this.readVariables = Arrays.stream(nodes).filter(n -> n.kind == Node.Kind.VARIABLE).map(n -> n.variable).distinct().toArray(Variable[]::new);
        boolean[] pinned = new boolean[nodes.length];
        for (int id : outputIds) pinned[id] = true;
        for (Node w : graph.variableWrites.values()) pinned[w.id] = true;
        this.steps = CpuFusion.plan(nodes, pinned);
        this.runners = new CpuFusedRunner[steps.size()];
        this.stepNanos = new long[steps.size()];
        for (int s = 0; s < steps.size(); s++)
            if (steps.get(s) instanceof CpuFusion.Fused fused) runners[s] = new CpuFusedRunner(fused);
        this.stages = CpuSchedule.stages(steps);
        int[] lastUse = new int[nodes.length];
        Arrays.fill(lastUse, -1);
        for (int st = 0; st < stages.length; st++)
            for (int s : stages[st])
                for (Node in : CpuSchedule.inputs(steps.get(s))) lastUse[in.id] = st;
        List<List<Integer>> release = new ArrayList<>();
        for (int st = 0; st < stages.length; st++) release.add(new ArrayList<>());
        for (int i = 0; i < nodes.length; i++) if (lastUse[i] >= 0 && !pinned[i]) release.get(lastUse[i]).add(i);
        releaseAfter = release.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    @Override
    public Tensor[] run(Tensor[] inputs) {
        Tensor[] values = new Tensor[valueCount];
        RandomKeys randomKeys = RandomKeys.draw(graph);
        BufferPool previousPool = BufferPool.install(pool);
        Map<Variable, Object> made = new java.util.IdentityHashMap<>();
        try {
            runSteps(inputs, values, new float[valueCount][], randomKeys);
            if (recycleVariables)
                for (Map.Entry<Variable, Node> w : graph.variableWrites.entrySet()) {
                    Object array = array(values[w.getValue().id]);
                    if (pool.lentThisCall(array)) made.put(w.getKey(), array);
                }
        } finally {
            if (pool != null) pool.endCall();
            BufferPool.install(previousPool);
        }
        Tensor[] out = new Tensor[outputIds.length];
        for (int i = 0; i < out.length; i++) out[i] = values[outputIds[i]];
        // variables whose memory an output shares now count as handed out, whether or not this executable recycles:
        // another one that does must not reuse that memory
        java.util.Set<Object> outputArrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Tensor t : out) outputArrays.add(array(t));
        for (Variable v : readVariables) if (outputArrays.contains(array(v.peekValue()))) v.markHandedOut();
        if (recycleVariables) reclaimReplacedValues(values, outputArrays);
        for (Map.Entry<Variable, Node> w : graph.variableWrites.entrySet()) w.getKey().assign(values[w.getValue().id]);
        for (Variable v : graph.variableWrites.keySet()) // a new value an output shares is the caller's too
            if (outputArrays.contains(array(v.peekValue()))) v.markHandedOut();
        if (recycleVariables) {
            madeValues.clear();
            madeValues.putAll(made);
        }
        return out;
    }

    /**
     * Before the new values are assigned: gives the pool back the arrays of the values they replace that this
     * executable made in its previous call, when nothing outside can hold them (never handed out, by
     * {@link Variable#value()} or as an output, and shared with no output or new value of this call).
     */
    private void reclaimReplacedValues(Tensor[] values, java.util.Set<Object> outputArrays) {
        java.util.Set<Object> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        kept.addAll(outputArrays);
        for (Node w : graph.variableWrites.values()) kept.add(array(values[w.id]));
        for (Variable v : graph.variableWrites.keySet()) {
            Object old = array(v.peekValue());
            if (madeValues.get(v) == old && !v.valueHandedOut() && !kept.contains(old)) pool.reclaim(old);
        }
    }

    /**
     * Runs the stages; {@code routes[i]}, for a pooled activation i that a fused pass pooled without storing it, holds
     * where each window's maximum was (see {@link CpuFusion.Fused#routed()}), until i's last reader has run.
     */
    private void runSteps(Tensor[] inputs, Tensor[] values, float[][] routes, RandomKeys randomKeys) {
        // values that share an array (views) count against the value that made it: an array goes back to the pool
        // when the last value sharing it is released
        int[] root = new int[valueCount], sharers = new int[valueCount];
        for (int st = 0; st < stages.length; st++) {
            int[] stage = stages[st];
            if (stage.length == 1) {
                runStep(stage[0], inputs, values, routes, randomKeys);
            } else {
                dev.fluxion.cpu.kernels.Parallel.forRange(stage.length, 1, (from, to) -> {
                    BufferPool previous = BufferPool.install(pool); // kernels on a helper thread allocate from it too
                    try {
                        for (int i = from; i < to; i++) runStep(stage[i], inputs, values, routes, randomKeys);
                    } finally {
                        BufferPool.install(previous);
                    }
                });
            }
            for (int s : stage)
                switch (steps.get(s)) {
                    case CpuFusion.Single single -> share(single.node(), values, root, sharers);
                    case CpuFusion.BiasEpilogue e -> share(e.last(), values, root, sharers);
                    case CpuFusion.Fused fused -> {
                        for (int i = 0; i < fused.members().length; i++)
                            if (fused.materialized()[i]) share(fused.members()[i], values, root, sharers);
                        for (Node r : fused.reductions()) share(r, values, root, sharers);
                        if (fused.pool() != null) share(fused.pool(), values, root, sharers);
                    }
                }
            for (int dead : releaseAfter[st]) {
                Tensor t = values[dead];
                values[dead] = null;
                if (routes[dead] != null && pool != null) pool.recycle(routes[dead]);
                routes[dead] = null;
                if (t != null && --sharers[root[dead]] == 0 && pool != null) pool.recycle(array(t));
            }
        }
    }

    /** Records a new value: its own array, or a view of an operand's array (then it shares that operand's root). */
    private static void share(Node n, Tensor[] values, int[] root, int[] sharers) {
        int r = n.id;
        if (n.kind == Node.Kind.OP) {
            Object array = array(values[n.id]);
            for (Node in : n.inputs)
                if (values[in.id] != null && array(values[in.id]) == array) {
                    r = root[in.id];
                    break;
                }
        }
        root[n.id] = r;
        sharers[r]++;
    }

    private static Object array(Tensor t) {
        return ((ArrayStorage) t.storage()).array();
    }

    private void runStep(int s, Tensor[] inputs, Tensor[] values, float[][] routes, RandomKeys randomKeys) {
        long t0 = PROFILE ? System.nanoTime() : 0;
        switch (steps.get(s)) {
            case CpuFusion.Single single -> {
                Node n = single.node();
                values[n.id] = switch (n.kind) {
                    case INPUT -> inputs[n.inputIndex];
                    case CONSTANT -> n.constant;
                    case VARIABLE -> n.variable.peekValue(); // used during this call only (see reclaimReplacedValues)
                    case RANDOM_KEY -> Tensor.of(randomKeys.of(n), 2);
                    case OP -> execute(n, values);
                };
            }
            case CpuFusion.BiasEpilogue e -> {
                Node last = e.last(), product = e.product();
                Tensor a = values[product.inputs[0].id], b = values[product.inputs[1].id], bias = values[e.bias().id];
                boolean relu = e.relu() != null;
                try {
                    values[last.id] = switch (product.op) {
                        case Op.MatMul m -> cpu.matmulBiasActivation(a, b, m.transposeA(), m.transposeB(), bias, relu, last.type);
                        case Op.Conv2D c -> cpu.conv2dBiasActivation(a, b, c, bias, relu, last.type);
                        default -> throw new IllegalStateException("no bias epilogue for " + product.op.name());
                    };
                } catch (RuntimeException ex) {
                    throw GraphError.withContext(name + ": " + product.op.name() + " with its bias" + (relu ? " and relu" : "") + " created at " + product.site, ex);
                }
            }
            case CpuFusion.Fused fused -> {
                try {
                    runners[s].run(values, routes, pool);
                } catch (RuntimeException e) {
                    Node last = fused.members()[fused.members().length - 1];
                    throw GraphError.withContext(name + ": fused elementwise group ending in " + last.op.name() + " created at " + last.site, e);
                }
            }
        }
        if (PROFILE) stepNanos[s] += System.nanoTime() - t0;
    }

    /** Bytes allocated new and bytes served from recycled arrays by this graph's buffer pool so far. */
    long[] poolStats() {
        return pool == null ? new long[2] : pool.stats();
    }

    private Tensor execute(Node n, Tensor[] values) {
        Tensor[] in = new Tensor[n.inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = values[n.inputs[i].id];
        try {
            return backend.execute(n.op, in, n.type);
        } catch (RuntimeException e) {
            throw GraphError.withContext(name + ": " + n.op.name() + " created at " + n.site, e);
        }
    }

    @Override
    public void resetProfile() {
        Arrays.fill(stepNanos, 0);
    }

    /** Accumulated time per step, slowest first (needs {@code -Dfluxion.graph.profile=true}). */
    @Override
    public String profile() {
        if (!PROFILE) return "profiling is off: run with -Dfluxion.graph.profile=true";
        StringBuilder sb = new StringBuilder();
        Integer[] order = new Integer[steps.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Long.compare(stepNanos[b], stepNanos[a]));
        long total = java.util.Arrays.stream(stepNanos).sum();
        for (int i : order) {
            if (stepNanos[i] * 100 < total) break;
            String what = switch (steps.get(i)) {
                case CpuFusion.Single single -> single.node().toString();
                case CpuFusion.Fused fused -> (runners[i].compiled() ? "loop of " : "fused ") + fused.members().length + " ops ending " + fused.members()[fused.members().length - 1]
                        + (fused.reductions().length > 0 ? " and " + fused.reductions().length + " reductions" : "")
                        + (fused.pool() != null ? ", pooled" : "") + (fused.tileInputs().length > 0 ? ", pooling gradient per tile" : "");
                case CpuFusion.BiasEpilogue e -> e.product() + " with epilogue " + e.last();
            };
            sb.append(String.format("%5.1f%%  %s%n", 100.0 * stepNanos[i] / total, what));
        }
        return sb.toString();
    }

    /** Number of fused groups and of single steps, for the debug view. */
    String planSummary() {
        long fusedGroups = steps.stream().filter(s -> s instanceof CpuFusion.Fused).count();
        long loops = Arrays.stream(runners).filter(r -> r != null && r.compiled()).count();
        long fusedOps = steps.stream().mapToLong(s -> s instanceof CpuFusion.Fused f ? f.members().length : 0).sum();
        long epilogues = steps.stream().filter(s -> s instanceof CpuFusion.BiasEpilogue).count();
        long reductions = steps.stream().mapToLong(s -> s instanceof CpuFusion.Fused f ? f.reductions().length : 0).sum();
        long parallel = Arrays.stream(stages).filter(st -> st.length > 1).count();
        long parallelSteps = Arrays.stream(stages).filter(st -> st.length > 1).mapToLong(st -> st.length).sum();
        return steps.size() + " steps, " + fusedGroups + " fused groups (" + loops + " as generated loops) covering " + fusedOps + " elementwise ops and "
                + reductions + " reductions, " + epilogues + " matmuls or convolutions with fused bias/relu, " + parallel + " parallel stages running " + parallelSteps + " steps";
    }
}
