package dev.fluxion.cuda.graph;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.cpu.Layouts;
import dev.fluxion.cuda.codegen.CudaFusionPlanner;
import dev.fluxion.cuda.codegen.ElementwiseGroup;
import dev.fluxion.cuda.codegen.ElementwiseKernels;
import dev.fluxion.cuda.codegen.FusedReduction;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.SequenceKernels;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import dev.fluxion.ops.Op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a compiled graph does on the device, in order, independent of any device: the steps (generated kernels,
 * reductions with or without a fused elementwise prologue, cuBLAS matmuls, the backend's per-op path, views that
 * move no data), then the copies that make every result escape, then the write-back of new variable values into
 * the variables' own buffers (nothing to copy for those computed there in place).
 *
 * <p>Every value has a static layout: a root value that owns memory (contiguous, offset 0) and the strides and
 * offset of the view into it, computed the way the backend computes views. Roots are the graph's sources (inputs,
 * variable reads, constants, random keys) and the values the steps write; a view never owns memory, so reading a
 * view keeps its root alive. {@link MemoryPlan} places the roots that neither are sources nor escape.
 */
public final class LaunchPlan {
    /** One launch (or none, for a view) of the plan. */
    public sealed interface Step permits Kernel, MultiKernel, Sequence, FusedReduce, MatMul, Reduce, View, Generic, Escape, WriteBack {}

    /** An elementwise group (fused chain or single primitive): one generated kernel writing {@code outputs}. */
    public record Kernel(List<Node> members, List<Node> inputs, List<Node> outputs, ElementwiseGroup group, KernelSource source) implements Step {}

    /**
     * Consecutive elementwise kernels that touch none of each other's memory, launched as one kernel (see
     * {@link #mergeIndependentKernels}): an optimizer's update of every variable in one launch.
     */
    public record MultiKernel(List<Kernel> parts, KernelSource source) implements Step {}

    /**
     * Consecutive small steps (elementwise kernels, fused reductions, and the views between them) run one after the
     * other by one thread block of one kernel (see {@link #sequenceSmallSteps}): a softmax cross-entropy and its
     * gradient in one launch. {@code phases} are Kernel, FusedReduce and View steps, in order.
     */
    public record Sequence(List<Step> phases, KernelSource source) implements Step {}

    /**
     * A reduction whose input is computed by a fused elementwise group inside the reduction's kernel, writing the
     * group's {@code sideOutputs} (members read elsewhere) and the reduction's result.
     */
    public record FusedReduce(List<Node> members, List<Node> inputs, List<Node> sideOutputs, Node reduce, FusedReduction kernels) implements Step {}

    /** A matmul through cuBLAS, written straight into its buffer. */
    public record MatMul(Node node) implements Step {}

    /** A reduction or arg-reduction kernel, written straight into its buffer. */
    public record Reduce(Node node) implements Step {}

    /** A layout op (reshape of a contiguous value, permute, expand, slice) or an op that returns its operand. */
    public record View(Node node) implements Step {}

    /**
     * Any other op: written straight into the node's buffer where the backend has such a form (convolutions,
     * pooling, random numbers), else the backend's per-op path, its result then copied into the buffer.
     */
    public record Generic(Node node) implements Step {}

    /** Copies a result without a buffer of its own (a source or a view) into a buffer that escapes the call. */
    public record Escape(Node value) implements Step {}

    /**
     * Makes {@code value} the variable's new value: a copy of the escaped value into the variable's own buffer (after
     * every Escape), or nothing when {@code inPlace}, because the step that computes the value writes it straight
     * into that buffer (see {@link #writesInPlace}).
     */
    public record WriteBack(Variable variable, Node value, boolean inPlace) implements Step {}

    /** Where a value lives: in the buffer of {@code root}, with these strides and element offset. */
    public record Layout(Node root, int[] strides, int offset) {}

    private final Graph graph;
    private final List<Step> steps = new ArrayList<>();
    private final Map<Node, Layout> layouts = new IdentityHashMap<>();
    /** Op nodes whose value is known from shapes alone (size): uploaded once like constants. */
    private final Map<Node, Tensor> shapeConstants = new LinkedHashMap<>();
    /** Computed roots that are results: they get their own buffer instead of an arena slot. */
    private final Set<Node> escapingRoots = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Computed roots that live in a variable's home: their step updates the variable in place. */
    private final Map<Node, Variable> inPlace = new IdentityHashMap<>();
    /** Every variable the graph reads or writes, with its read node (null when only written). */
    private final Map<Variable, Node> variables = new LinkedHashMap<>();
    private boolean hostEffects;

    /**
     * Whether plans run chains of small steps as one {@link Sequence} ({@code -Dfluxion.cuda.sequences=true}). Off by
     * default: on the H200 it saved 8 of the mlp step's 19 launches but no time (the mlp epoch measured 38 ms against
     * 34 ms without, on a machine that ran PyTorch 7% slower than the run before; BENCHMARKS.md), when its one block
     * reduced short rows a warp per row, 128 rows in 8 rounds of dependent loads. Rows of up to 32 elements now take a
     * thread each, which has not run on a GPU yet.
     */
    public static final boolean SEQUENCES = Boolean.getBoolean("fluxion.cuda.sequences");

    public LaunchPlan(Graph graph) {
        this(graph, SEQUENCES);
    }

    /** The plan of {@code graph}; with {@code sequences}, chains of small steps run as one block (see {@link #SEQUENCES}). */
    public LaunchPlan(Graph graph, boolean sequences) {
        this.graph = graph;
        for (Node n : graph.nodes())
            if (n.kind() != Node.Kind.OP) {
                layouts.put(n, root(n));
                if (n.kind() == Node.Kind.VARIABLE) variables.put(n.variable(), n);
            }
        for (CudaFusionPlanner.Step s : CudaFusionPlanner.plan(graph)) {
            switch (s) {
                case CudaFusionPlanner.Fused f -> {
                    steps.add(new Kernel(f.members(), f.externals(), f.outputs(), f.group(), ElementwiseKernels.fused(f.group())));
                    for (Node o : f.outputs()) layouts.put(o, root(o));
                }
                case CudaFusionPlanner.FusedReduce f -> {
                    steps.add(new FusedReduce(f.members(), f.externals(), f.outputs(), f.reduce(), f.kernels()));
                    for (Node o : f.outputs()) layouts.put(o, root(o));
                    layouts.put(f.reduce(), root(f.reduce()));
                }
                case CudaFusionPlanner.Single single -> addSingle(single.node());
            }
        }
        Set<Node> results = new LinkedHashSet<>(graph.outputs());
        results.addAll(graph.variableWrites().values());
        for (Node r : results) {
            if (isComputedRoot(r)) escapingRoots.add(r);
            else steps.add(new Escape(r));
        }
        List<WriteBack> writeBacks = new ArrayList<>();
        graph.variableWrites().forEach((v, value) -> {
            variables.putIfAbsent(v, null);
            if (variables.get(v) == value) return; // a write of the value read changes nothing
            boolean direct = !inPlace.containsKey(value) && canWriteInPlace(value, variables.get(v));
            if (direct) inPlace.put(value, v);
            writeBacks.add(new WriteBack(v, value, direct));
        });
        mergeIndependentKernels();
        if (sequences && !hostEffects) sequenceSmallSteps();
        steps.addAll(writeBacks);
    }

    /** Kernel parameter bytes a multi-group kernel may take (the driver's classic limit is 4 KB). */
    private static final int MULTI_KERNEL_PARAMETER_BYTES = 4000;

    /**
     * Replaces each run of consecutive elementwise kernels that read nothing the run writes and write nothing it
     * reads or writes (memory compared by root buffer, a variable read and its in-place update being the same
     * memory) by one {@link MultiKernel}: the same work in one launch, and their threads may run in any order.
     * Runs after the in-place decisions, and before memory planning, which sees the merged launch as one step so
     * no value one part reads shares memory with another part's output.
     */
    private void mergeIndependentKernels() {
        List<Step> merged = new ArrayList<>();
        List<Kernel> run = new ArrayList<>();
        Set<Object> runReads = new java.util.HashSet<>(), runWrites = new java.util.HashSet<>();
        int runBytes = 0;
        for (Step s : steps) {
            if (s instanceof Kernel k) {
                Set<Object> reads = memoryOf(k.inputs()), writes = memoryOf(k.outputs());
                int bytes = parameterBytes(k);
                boolean independent = java.util.Collections.disjoint(reads, runWrites) && java.util.Collections.disjoint(writes, runWrites)
                        && java.util.Collections.disjoint(writes, runReads);
                if (!run.isEmpty() && (!independent || runBytes + bytes > MULTI_KERNEL_PARAMETER_BYTES)) {
                    flush(run, merged);
                    runReads.clear();
                    runWrites.clear();
                    runBytes = 0;
                }
                run.add(k);
                runReads.addAll(reads);
                runWrites.addAll(writes);
                runBytes += bytes;
                continue;
            }
            flush(run, merged);
            runReads.clear();
            runWrites.clear();
            runBytes = 0;
            merged.add(s);
        }
        flush(run, merged);
        steps.clear();
        steps.addAll(merged);
    }

    private static void flush(List<Kernel> run, List<Step> into) {
        if (run.size() == 1) into.add(run.getFirst());
        if (run.size() > 1) into.add(new MultiKernel(List.copyOf(run), ElementwiseKernels.multi(run.stream().map(Kernel::group).toList())));
        run.clear();
    }

    /** Elements a step may cover to join a sequence: a few per thread of the sequence kernel's one block. */
    static final int SEQUENCE_ELEMENTS = 16 * SequenceKernels.THREADS;

    /**
     * Replaces each run of at least two consecutive small launches (elementwise kernels, multi-group kernels taken
     * apart, fused reductions, each over at most {@link #SEQUENCE_ELEMENTS} elements; views between them come along)
     * by one {@link Sequence}: one launch of one block instead of a launch per step, for chains of tiny steps whose
     * cost is their launches. Before memory planning, which sees the sequence as one step.
     */
    private void sequenceSmallSteps() {
        List<Step> out = new ArrayList<>(), run = new ArrayList<>(), phases = new ArrayList<>();
        int launches = 0, bytes = 0;
        for (Step s : steps) {
            List<Step> own = sequencePhases(s);
            int ownBytes = own == null ? 0 : own.stream().mapToInt(LaunchPlan::sequenceParameterBytes).sum();
            if (own == null || bytes + ownBytes > MULTI_KERNEL_PARAMETER_BYTES) {
                flushSequence(run, phases, launches, out);
                launches = bytes = 0;
                if (own == null) {
                    out.add(s);
                    continue;
                }
            }
            run.add(s);
            phases.addAll(own);
            launches += s instanceof View ? 0 : 1;
            bytes += ownBytes;
        }
        flushSequence(run, phases, launches, out);
        steps.clear();
        steps.addAll(out);
    }

    /** The phases {@code s} contributes to a sequence, or null when it cannot join one. */
    private static List<Step> sequencePhases(Step s) {
        return switch (s) {
            case View v -> List.of(v);
            case Kernel k -> Shapes.size(k.outputs().getFirst().type().shape()) <= SEQUENCE_ELEMENTS ? List.of(k) : null;
            case MultiKernel m -> m.parts().stream().mapToLong(k -> k.outputs().getFirst().type().size()).sum() <= SEQUENCE_ELEMENTS
                    ? List.copyOf(m.parts()) : null;
            case FusedReduce f -> f.reduce().inputs()[0].type().size() <= SEQUENCE_ELEMENTS ? List.of(f) : null;
            default -> null;
        };
    }

    /** Adds the run's steps as they are, or as one Sequence of their phases when that saves launches; empties both lists. */
    private static void flushSequence(List<Step> run, List<Step> phases, int launches, List<Step> into) {
        if (launches < 2) {
            into.addAll(run);
        } else {
            List<SequenceKernels.Phase> code = new ArrayList<>();
            for (Step s : phases)
                if (s instanceof Kernel k) code.add(SequenceKernels.elementwise(k.group()));
                else if (s instanceof FusedReduce f) code.add(f.kernels().blockPhase());
            into.add(new Sequence(List.copyOf(phases), SequenceKernels.sequence(code)));
        }
        run.clear();
        phases.clear();
    }

    private static int sequenceParameterBytes(Step s) {
        int rankInts = dev.fluxion.cuda.codegen.KernelPrelude.MAX_RANK;
        return switch (s) {
            case Kernel k -> parameterBytes(k);
            case FusedReduce f -> 16 + 8 * (1 + rankInts) + (f.inputs().size() + f.sideOutputs().size()) * (16 + 8 * rankInts) + 8;
            default -> 0;
        };
    }

    /** The memory the values live in: their root buffers, a variable's home standing for both its read and update. */
    private Set<Object> memoryOf(List<Node> values) {
        Set<Object> memory = new java.util.HashSet<>();
        for (Node n : values) {
            Node root = layouts.get(n).root();
            Variable home = root.kind() == Node.Kind.VARIABLE ? root.variable() : inPlace.get(root);
            memory.add(home != null ? home : root);
        }
        return memory;
    }

    /** An upper bound of a kernel's parameter bytes in a multi-group kernel: n, shape, a pointer and strides per input, a pointer per output. */
    private static int parameterBytes(Kernel k) {
        int rankInts = dev.fluxion.cuda.codegen.KernelPrelude.MAX_RANK;
        return 8 + 4 * (1 + rankInts) + k.inputs().size() * (16 + 4 * rankInts) + k.outputs().size() * 8;
    }

    /**
     * Whether the step computing {@code value} may write it straight into the home of the variable read as
     * {@code old} (null: never read), saving the WriteBack copy (an optimizer's update of every weight and moment).
     * Safe when no later step (Escape copies included) reads the old value, and the writing step itself reads it
     * only as an elementwise kernel reading element i at element i: contiguous, at offset 0, in the output's shape.
     */
    private boolean canWriteInPlace(Node value, Node old) {
        if (!isComputedRoot(value)) return false;
        int writer = -1;
        for (int s = 0; s < steps.size() && writer < 0; s++) if (writes(steps.get(s)).contains(value)) writer = s;
        if (writer < 0 || old == null) return writer >= 0;
        for (int s = writer; s < steps.size(); s++)
            for (Node r : reads(steps.get(s))) {
                Layout l = layouts.get(r);
                if (l.root() != old) continue;
                boolean sameElement = s == writer && steps.get(s) instanceof Kernel && l.offset() == 0
                        && java.util.Arrays.equals(r.type().shape(), value.type().shape())
                        && java.util.Arrays.equals(l.strides(), Shapes.contiguousStrides(value.type().shape()));
                if (!sameElement) return false;
            }
        return true;
    }

    private void addSingle(Node n) {
        if (n.kind() != Node.Kind.OP) return; // sources are not steps: their buffers are filled before the plan runs
        Op op = n.op();
        if (op instanceof Op.Size) {
            shapeConstants.put(n, sizeValue(n));
            layouts.put(n, root(n));
            return;
        }
        Layout view = viewLayout(n);
        if (view != null) {
            hostEffects |= op instanceof Op.Print || op instanceof Op.CheckNumerics;
            layouts.put(n, view);
            steps.add(new View(n));
            return;
        }
        layouts.put(n, root(n));
        if (CudaFusionPlanner.fusable(n)) {
            Node[] in = n.inputs();
            int[] refs = new int[in.length];
            for (int j = 0; j < in.length; j++) refs[j] = ElementwiseGroup.Member.input(j);
            ElementwiseGroup g = new ElementwiseGroup(java.util.Arrays.stream(in).map(x -> x.type().dtype()).toList(),
                    List.of(new ElementwiseGroup.Member(op, n.type().dtype(), refs, true)));
            steps.add(new Kernel(List.of(n), List.of(in), List.of(n), g, ElementwiseKernels.fused(g)));
        } else if (op instanceof Op.MatMul) {
            steps.add(new MatMul(n));
        } else if (op instanceof Op.Reduce || op instanceof Op.ArgReduce) {
            steps.add(new Reduce(n));
        } else {
            steps.add(new Generic(n));
        }
    }

    private static Layout root(Node n) {
        return new Layout(n, Shapes.contiguousStrides(n.type().shape()), 0);
    }

    /** The layout of n when the backend makes it a view of its operand (the same arithmetic), else null. */
    private Layout viewLayout(Node n) {
        Node[] in = n.inputs();
        if (in.length == 0) return null;
        Layout x = layouts.get(in[0]);
        int[] shape = in[0].type().shape(), st = x.strides();
        return switch (n.op()) {
            case Op.StopGradient s -> x;
            case Op.Print p -> x;
            case Op.CheckNumerics c -> x;
            case Op.Reshape r -> x.offset() == 0 && Layouts.isContiguous(shape, st)
                    ? new Layout(x.root(), Shapes.contiguousStrides(n.type().shape()), 0) : null;
            case Op.Permute p -> {
                int[] ps = new int[p.perm().length];
                for (int i = 0; i < ps.length; i++) ps[i] = st[p.perm()[i]];
                yield new Layout(x.root(), ps, x.offset());
            }
            case Op.Expand e -> new Layout(x.root(), Layouts.broadcastStrides(shape, st, n.type().shape()), x.offset());
            case Op.Slice s -> {
                int[] ns = new int[st.length];
                int off = x.offset();
                for (int i = 0; i < st.length; i++) {
                    ns[i] = st[i] * s.step()[i];
                    if (n.type().dim(i) > 0) off += st[i] * s.begin()[i];
                }
                yield new Layout(x.root(), ns, n.type().size() == 0 ? 0 : off);
            }
            default -> null;
        };
    }

    private static Tensor sizeValue(Node n) {
        long size = 1;
        for (int a : ((Op.Size) n.op()).axes()) size *= n.inputs()[0].type().shape()[a];
        return Tensor.full(size, n.type().dtype());
    }

    /** An op node that owns a buffer the plan writes (not a view, not a shape constant). */
    private boolean isComputedRoot(Node n) {
        return n.kind() == Node.Kind.OP && !shapeConstants.containsKey(n) && layouts.get(n).root() == n;
    }

    // ---- queries --------------------------------------------------------------------------------------------------

    public Graph graph() {
        return graph;
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** Whether a value is in memory at all (every value but the internal members of fused kernels). */
    public boolean hasMemory(Node n) {
        return layouts.containsKey(n);
    }

    /** The layout of any value a step reads or a result. */
    public Layout layout(Node n) {
        Layout l = layouts.get(n);
        if (l == null) throw new IllegalArgumentException(n + " has no memory: it is an internal member of a fused kernel");
        return l;
    }

    public Map<Node, Tensor> shapeConstants() {
        return Collections.unmodifiableMap(shapeConstants);
    }

    /** Every variable read or written, with its read node (null when only written), in graph order. */
    public Map<Variable, Node> variables() {
        return Collections.unmodifiableMap(variables);
    }

    /** Whether a step needs the host during the plan (print, check_numerics): such a plan cannot be captured. */
    public boolean hasHostEffects() {
        return hostEffects;
    }

    public boolean escapes(Node root) {
        return escapingRoots.contains(root);
    }

    /** The variable whose home buffer {@code root} is computed in, or null when it has a buffer of its own. */
    public Variable writesInPlace(Node root) {
        return inPlace.get(root);
    }

    /** The computed roots that get arena slots: written by a step, not results. */
    public List<Node> arenaValues() {
        List<Node> out = new ArrayList<>();
        for (Node n : graph.nodes()) if (layouts.containsKey(n) && isComputedRoot(n) && !escapingRoots.contains(n)) out.add(n);
        return out;
    }

    /** The values a step reads from memory (its operands; for a fused kernel, its external inputs). */
    public static List<Node> reads(Step s) {
        return switch (s) {
            case Kernel k -> k.inputs();
            case MultiKernel m -> m.parts().stream().flatMap(k -> k.inputs().stream()).toList();
            case Sequence q -> q.phases().stream().flatMap(p -> reads(p).stream()).toList();
            case FusedReduce f -> f.inputs();
            case MatMul m -> List.of(m.node().inputs());
            case Reduce r -> List.of(r.node().inputs());
            case View v -> List.of(v.node().inputs());
            case Generic g -> List.of(g.node().inputs());
            case Escape e -> List.of(e.value());
            case WriteBack w -> List.of(); // reads the escaped copy, never an arena slot
        };
    }

    /** The values a step defines. */
    public static List<Node> writes(Step s) {
        return switch (s) {
            case Kernel k -> k.outputs();
            case MultiKernel m -> m.parts().stream().flatMap(k -> k.outputs().stream()).toList();
            case Sequence q -> q.phases().stream().flatMap(p -> writes(p).stream()).toList();
            case FusedReduce f -> {
                List<Node> w = new ArrayList<>(f.sideOutputs());
                w.add(f.reduce());
                yield w;
            }
            case MatMul m -> List.of(m.node());
            case Reduce r -> List.of(r.node());
            case View v -> List.of(v.node());
            case Generic g -> List.of(g.node());
            case Escape e -> List.of();
            case WriteBack w -> List.of();
        };
    }

    /** Every generated kernel of the plan, each once. */
    public List<KernelSource> kernels() {
        Map<String, KernelSource> byName = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s instanceof Kernel k) byName.putIfAbsent(k.source().name(), k.source());
            if (s instanceof MultiKernel m) byName.putIfAbsent(m.source().name(), m.source());
            if (s instanceof Sequence q) byName.putIfAbsent(q.source().name(), q.source());
            if (s instanceof FusedReduce f) {
                byName.putIfAbsent(f.kernels().generic().name(), f.kernels().generic());
                byName.putIfAbsent(f.kernels().columns().name(), f.kernels().columns());
            }
        }
        return List.copyOf(byName.values());
    }
}
