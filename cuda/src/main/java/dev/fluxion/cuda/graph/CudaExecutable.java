package dev.fluxion.cuda.graph;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.cuda.CudaBackend;
import dev.fluxion.cuda.CudaContext;
import dev.fluxion.cuda.CudaDriver;
import dev.fluxion.cuda.CudaException;
import dev.fluxion.cuda.PlanLaunches;
import dev.fluxion.cuda.memory.AllocationScope;
import dev.fluxion.cuda.memory.DeviceBlock;
import dev.fluxion.graph.Executable;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.GraphError;
import dev.fluxion.graph.Node;
import dev.fluxion.graph.RandomKeys;
import dev.fluxion.ops.Op;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A graph function compiled for one CUDA device: its {@link LaunchPlan} (generated kernels for elementwise groups,
 * cuBLAS for matmuls, reduction kernels, the backend's per-op path for the rest) over {@link DeviceBuffers} laid out
 * by a static {@link MemoryPlan}.
 *
 * <p>A call copies its inputs, any variable whose value is not already its home buffer, and the random keys into
 * their fixed buffers, then runs the plan; the first call runs it launch by launch (compiling kernels, creating the
 * cuBLAS handle, warming the allocator's cache), the second captures the whole plan once as a CUDA graph
 * (cuStreamBeginCapture/EndCapture, instantiate), and every call from then on replays it with one cuGraphLaunch.
 * Variables written by the step end the call pointing into their home buffers, which the next call updates in
 * place: a tensor read from such a variable between calls changes with the next call (as PyTorch's static graph
 * buffers do). Outputs are copied into new tensors, so they stay as they are.
 *
 * <p>Memory the per-op path allocates while capturing is recorded into the graph, so it is pinned for the graph's
 * life. Everything the executable holds on the device goes back at {@link #close()}, or when it becomes unreachable. Plans with print or check_numerics need the host mid-plan and always run launch by launch, as do all plans
 * with {@code -Dfluxion.cuda.graphs=false}.
 */
public final class CudaExecutable implements Executable, AutoCloseable {
    private static final boolean CAPTURE = !"false".equals(System.getProperty("fluxion.cuda.graphs"));
    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * What the executable holds on the device: its buffers, the captured graph and the allocations pinned for it.
     * Released by {@link #close()} or, as a fallback, once the executable is unreachable (it must not refer to it).
     */
    private static final class Held implements Runnable {
        final CudaContext ctx;
        DeviceBuffers buffers;
        MemorySegment graph, exec;
        /** Chunks of calls captured as one graph each ({@link #runSteps}), by length: {graph, exec}; and their slots. */
        final Map<Integer, MemorySegment[]> chunks = new java.util.HashMap<>();
        StepSlots slots;
        final List<DeviceBlock> pinned = new ArrayList<>();

        Held(CudaContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public synchronized void run() {
            ctx.makeCurrent();
            ctx.synchronize(); // a replay may still be using all of it
            if (exec != null) ctx.driver().destroyGraphExec(exec);
            if (graph != null) ctx.driver().destroyGraph(graph);
            exec = graph = null;
            dropChunks();
            for (DeviceBlock b : pinned) ctx.allocator().unpin(b);
            pinned.clear();
            if (buffers != null) buffers.release(ctx);
            buffers = null;
        }

        /** Destroys the captured chunks and frees their slots (the caller has synchronized). */
        void dropChunks() {
            for (MemorySegment[] c : chunks.values()) {
                ctx.driver().destroyGraphExec(c[1]);
                ctx.driver().destroyGraph(c[0]);
            }
            chunks.clear();
            if (slots != null) slots.release();
            slots = null;
        }
    }

    private final String name;
    private final CudaBackend backend;
    private final CudaContext ctx;
    private final LaunchPlan plan;
    private final MemoryPlan memory;
    private final Held held;
    private final Cleaner.Cleanable cleanable;
    private boolean capturable, closed;
    /** Whether chunks of calls ({@link #runSteps}) can be captured: false once one could not be. */
    private boolean chunkable = true;
    private final Map<Variable, Tensor> lastStaged = new java.util.IdentityHashMap<>();
    private long calls;
    /** Per-step nanoseconds when profiling ({@code -Dfluxion.graph.profile=true}, which also turns capture off). */
    private static final boolean PROFILE = Boolean.getBoolean("fluxion.graph.profile");
    private final long[] stepNanos;
    private MemorySegment[] events; // for profiling; created on the first profiled call
    /** While capturing one call of a chunk: the values and results that live in its slots instead of the plan's buffers. */
    private Map<Node, Tensor> boundValues = Map.of(), boundEscapes = Map.of();
    /** The most calls one captured chunk runs ({@code -Dfluxion.cuda.stepsPerReplay}). */
    private static final int STEPS_PER_REPLAY = Integer.getInteger("fluxion.cuda.stepsPerReplay", 64);

    public CudaExecutable(CudaBackend backend, String name, Graph optimized) {
        this(backend, name, optimized, CAPTURE);
    }

    /** With {@code captureGraphs} false every call runs the plan launch by launch (to compare with the replay). */
    public CudaExecutable(CudaBackend backend, String name, Graph optimized, boolean captureGraphs) {
        this.name = name;
        this.backend = backend;
        this.ctx = backend.context();
        for (Node n : optimized.nodes())
            if (n.kind() != Node.Kind.RANDOM_KEY && !n.type().device().equals(ctx.device()))
                throw new IllegalArgumentException(name + ": " + n + " is not on " + ctx.device() + "; a CUDA graph function runs on one device");
        this.plan = new LaunchPlan(optimized);
        this.memory = MemoryPlan.of(plan);
        this.capturable = captureGraphs && !plan.hasHostEffects() && !PROFILE;
        this.stepNanos = new long[plan.steps().size()];
        this.held = new Held(ctx);
        this.cleanable = CLEANER.register(this, held);
    }

    @Override
    public synchronized Tensor[] run(Tensor[] inputs) {
        if (closed) throw new IllegalStateException(name + ": this compiled graph was closed");
        ctx.makeCurrent();
        if (held.buffers == null) bind();
        stage(inputs);
        if (held.exec != null) {
            ctx.driver().launchGraph(held.exec, ctx.stream());
        } else if (calls > 0 && capturable) {
            captureAndLaunch();
        } else {
            try (AllocationScope temporaries = ctx.allocator().openScope()) {
                issue();
            }
        }
        calls++;
        pointVariablesHome();
        List<Node> outputs = plan.graph().outputs();
        Tensor[] out = new Tensor[outputs.size()];
        for (int i = 0; i < out.length; i++) out[i] = PlanLaunches.copyOf(ctx, held.buffers.escaped(outputs.get(i)));
        return out;
    }

    /**
     * Runs {@code steps} calls, call {@code i} on slice {@code i} of each stacked input, in chunks of up to
     * {@code -Dfluxion.cuda.stepsPerReplay} (64) calls, each chunk length captured once as one CUDA graph and
     * replayed with one launch. Per chunk the host copies each input's slices into their slots at once, uploads every
     * call's random keys (drawn in call order, so the numbers are those of calling in turn), launches, and copies
     * each result's slots out, instead of doing all of that per call. The executable's first call, and every call of
     * a plan that cannot be captured, run one at a time as {@link #run} does.
     */
    @Override
    public synchronized Tensor[] runSteps(Tensor[] stacked, int steps) {
        if (closed) throw new IllegalStateException(name + ": this compiled graph was closed");
        ctx.makeCurrent();
        for (int j = 0; j < stacked.length; j++) onDevice(stacked[j], j);
        List<Node> outputs = plan.graph().outputs();
        Tensor[] results = new Tensor[outputs.size()];
        for (int j = 0; j < results.length; j++) {
            int[] shape = new int[outputs.get(j).type().rank() + 1];
            shape[0] = steps;
            System.arraycopy(outputs.get(j).type().shape(), 0, shape, 1, shape.length - 1);
            results[j] = PlanLaunches.allocate(ctx, new dev.fluxion.TensorType(outputs.get(j).type().dtype(), shape, ctx.device()));
        }
        for (int done = 0; done < steps; ) {
            int n = Math.min(STEPS_PER_REPLAY, steps - done);
            if (calls > 0 && capturable && chunkable && runChunk(stacked, done, n, Math.min(STEPS_PER_REPLAY, steps), results)) {
                done += n;
                continue;
            }
            Tensor[] out = run(dev.fluxion.graph.Executable.slices(stacked, done));
            for (int j = 0; j < out.length; j++) PlanLaunches.copy(ctx, out[j], rows(results[j], done, 1)); // same size, one more axis
            done++;
        }
        return results;
    }

    private static Tensor rows(Tensor stacked, int from, int count) {
        return dev.fluxion.ArrayOps.slice(stacked, 0, from, from + count, 1);
    }

    /** Calls {@code from .. from+n-1} as one replay of a captured chunk; false when the plan cannot be captured. */
    private boolean runChunk(Tensor[] stacked, int from, int n, int capacity, Tensor[] results) {
        if (held.slots == null || held.slots.capacity < capacity) { // chunks captured over smaller slots go
            ctx.synchronize();
            held.dropChunks();
            held.slots = new StepSlots(ctx, plan, capacity);
        }
        StepSlots slots = held.slots;
        MemorySegment[] chunk = held.chunks.get(n);
        if (chunk == null) { // captured before anything is drawn or copied: a plan that cannot be captured runs call by call
            chunk = capture(() -> issueChunk(slots, n), "a chunk of " + n + " calls", "calls replay the plan one at a time");
            if (chunk == null) {
                chunkable = false;
                return false;
            }
            held.chunks.put(n, chunk);
        }
        List<Node> keys = new ArrayList<>();
        for (Node node : plan.graph().nodes()) {
            if (node.kind() == Node.Kind.INPUT) PlanLaunches.copy(ctx, rows(stacked[node.inputIndex()], from, n), slots.reads(node, n));
            if (node.kind() == Node.Kind.RANDOM_KEY) keys.add(node);
        }
        if (!keys.isEmpty()) {
            long[][] drawn = new long[keys.size()][2 * n];
            for (int step = 0; step < n; step++) {
                RandomKeys k = RandomKeys.draw(plan.graph());
                for (int i = 0; i < keys.size(); i++) System.arraycopy(k.of(keys.get(i)), 0, drawn[i], 2 * step, 2);
            }
            for (int i = 0; i < keys.size(); i++) PlanLaunches.upload(ctx, Tensor.of(drawn[i], n, 2), slots.reads(keys.get(i), n));
        }
        stageVariables();
        ctx.driver().launchGraph(chunk[1], ctx.stream());
        calls += n;
        pointVariablesHome();
        List<Node> outputs = plan.graph().outputs();
        for (int j = 0; j < results.length; j++) PlanLaunches.copy(ctx, slots.results(outputs.get(j), n), rows(results[j], from, n));
        return true;
    }

    /** Issues the plan {@code n} times, call {@code s} bound to slot {@code s} of the inputs, keys and results. */
    private void issueChunk(StepSlots slots, int n) {
        List<Node> outputs = plan.graph().outputs().stream().distinct().toList();
        try {
            for (int step = 0; step < n; step++) {
                Map<Node, Long> roots = slots.readAddresses(step);
                for (Node r : outputs)
                    if (plan.escapes(r)) {
                        if (plan.writesInPlace(r) != null) throw new IllegalStateException(r + " is both a result and a variable's new value in place");
                        roots.put(r, slots.resultAddress(r, step)); // computed straight into its slot
                    }
                boundValues = held.buffers.rebased(ctx, roots);
                Map<Node, Tensor> escapes = new java.util.IdentityHashMap<>();
                for (Node r : outputs) escapes.put(r, plan.escapes(r) ? boundValues.get(r) : slots.result(r, step));
                boundEscapes = escapes;
                try (AllocationScope call = ctx.allocator().openScope()) {
                    issue(); // what this call's per-op steps allocate serves the next call too: the graph runs them in order
                }
            }
        } finally {
            boundValues = boundEscapes = Map.of();
        }
    }

    /** Every variable the plan writes now holds its home buffer, where the plan left its new value. */
    private void pointVariablesHome() {
        for (LaunchPlan.Step s : plan.steps())
            if (s instanceof LaunchPlan.WriteBack w) {
                w.variable().assign(held.buffers.home(w.variable()));
                lastStaged.remove(w.variable()); // its home changed: an old value assigned back must be copied again
            }
    }

    /** Allocates the buffers and uploads the constants (once). */
    private void bind() {
        held.buffers = new DeviceBuffers(ctx, plan, memory);
        for (Node n : plan.graph().nodes())
            if (n.kind() == Node.Kind.CONSTANT) upload(n.constant(), held.buffers.value(n));
        plan.shapeConstants().forEach((n, value) -> upload(value, held.buffers.value(n)));
    }

    private void upload(Tensor value, Tensor into) {
        if (value.device().equals(ctx.device())) PlanLaunches.copy(ctx, value, into);
        else PlanLaunches.upload(ctx, value.to(dev.fluxion.Device.CPU), into);
    }

    /** Fills the fixed buffers the plan reads: inputs, variables whose value moved, this call's random keys. */
    private void stage(Tensor[] inputs) {
        RandomKeys keys = RandomKeys.draw(plan.graph());
        for (Node n : plan.graph().nodes())
            switch (n.kind()) {
                case INPUT -> PlanLaunches.copy(ctx, onDevice(inputs[n.inputIndex()], n.inputIndex()), held.buffers.value(n));
                case RANDOM_KEY -> PlanLaunches.upload(ctx, Tensor.of(keys.of(n), 2), held.buffers.value(n)); // in a kernel's parameters
                default -> {}
            }
        stageVariables();
    }

    private Tensor onDevice(Tensor x, int argument) {
        if (!x.device().equals(ctx.device()))
            throw new IllegalArgumentException(name + ": argument " + argument + " is on " + x.device() + ", the graph runs on " + ctx.device());
        return x;
    }

    /** Copies each variable whose value is not in its home buffer there. */
    private void stageVariables() {
        for (Map.Entry<Variable, Tensor> e : held.buffers.homes().entrySet()) {
            Variable v = e.getKey();
            Tensor current = v.value(), home = e.getValue();
            // a written variable points into its home after a call; a read-only one is copied again only when
            // it was given a new value (tensors are immutable, so the same tensor means the same contents)
            if (current.storage() == home.storage() || current == lastStaged.get(v)) continue;
            PlanLaunches.copy(ctx, current, home);
            lastStaged.put(v, current);
        }
    }

    /** Issues every step of the plan on the context's stream. */
    private void issue() {
        List<LaunchPlan.Step> steps = plan.steps();
        if (PROFILE && events == null) { // events[i] marks where step i starts on the stream, the last one the end
            events = new MemorySegment[steps.size() + 1];
            for (int i = 0; i < events.length; i++) events[i] = ctx.driver().createEvent();
        }
        for (int i = 0; i < steps.size(); i++) {
            LaunchPlan.Step step = steps.get(i);
            if (PROFILE) ctx.driver().recordEvent(events[i], ctx.stream());
            try {
                issue(step);
            } catch (RuntimeException e) {
                throw GraphError.withContext(name + ": " + describe(step), e);
            }
        }
        if (PROFILE) {
            ctx.driver().recordEvent(events[steps.size()], ctx.stream());
            ctx.synchronize(); // once per call: the device time between consecutive events is each step's own
            for (int i = 0; i < steps.size(); i++) stepNanos[i] += (long) (ctx.driver().elapsedMillis(events[i], events[i + 1]) * 1e6);
        }
    }

    @Override
    public synchronized void resetProfile() {
        java.util.Arrays.fill(stepNanos, 0);
    }

    /**
     * Device time per step of the plan, slowest first, down to 1% of the total: CUDA events recorded on the stream
     * between the steps, read after each call. Profiling runs the plan launch by launch (never captured), so when the
     * host issues more slowly than the device runs, the device waits between steps and the waits count too.
     */
    @Override
    public synchronized String profile() {
        if (!PROFILE) return "profiling is off: run with -Dfluxion.graph.profile=true";
        List<LaunchPlan.Step> steps = plan.steps();
        Integer[] order = new Integer[steps.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Long.compare(stepNanos[b], stepNanos[a]));
        long total = java.util.Arrays.stream(stepNanos).sum();
        StringBuilder sb = new StringBuilder(String.format("%.1f ms profiled in %d steps%n", total / 1e6, steps.size()));
        for (int i : order) {
            if (stepNanos[i] * 100 < total) break;
            String what = describe(steps.get(i));
            sb.append(String.format("%5.1f%%  %s%n", 100.0 * stepNanos[i] / total, what.length() > 160 ? what.substring(0, 160) + "..." : what));
        }
        return sb.toString();
    }

    private void issue(LaunchPlan.Step step) {
        switch (step) {
            case LaunchPlan.Kernel k -> PlanLaunches.elementwise(ctx, k.source(), tensors(k.inputs()), tensors(k.outputs()));
            case LaunchPlan.MultiKernel m -> PlanLaunches.multiElementwise(ctx, m.source(),
                    m.parts().stream().map(k -> tensors(k.inputs())).toList(), m.parts().stream().map(k -> tensors(k.outputs())).toList());
            case LaunchPlan.Sequence q -> {
                List<PlanLaunches.Phase> phases = new ArrayList<>();
                for (LaunchPlan.Step p : q.phases())
                    switch (p) {
                        case LaunchPlan.Kernel k -> phases.add(new PlanLaunches.ElementwisePhase(tensors(k.inputs()), tensors(k.outputs())));
                        case LaunchPlan.FusedReduce f -> phases.add(new PlanLaunches.ReducePhase((Op.Reduce) f.reduce().op(),
                                f.reduce().inputs()[0].type().shape(), tensors(f.inputs()), tensors(f.sideOutputs()), value(f.reduce())));
                        default -> {} // views move no data
                    }
                PlanLaunches.sequence(ctx, q.source(), phases);
            }
            case LaunchPlan.FusedReduce f -> PlanLaunches.fusedReduce(ctx, f.kernels(), (Op.Reduce) f.reduce().op(), f.reduce().inputs()[0].type().shape(),
                    tensors(f.inputs()), tensors(f.sideOutputs()), value(f.reduce()));
            case LaunchPlan.MatMul m -> PlanLaunches.matmul(ctx, (Op.MatMul) m.node().op(), operand(m.node(), 0), operand(m.node(), 1), value(m.node()));
            case LaunchPlan.Reduce r -> PlanLaunches.reduce(ctx, r.node().op(), operand(r.node(), 0), value(r.node()));
            case LaunchPlan.View v -> {
                // views move no data; print and check_numerics look at the value on the host (never captured)
                if (v.node().op() instanceof Op.Print || v.node().op() instanceof Op.CheckNumerics) execute(v.node());
            }
            case LaunchPlan.Generic g -> {
                Tensor out = value(g.node());
                if (!PlanLaunches.into(ctx, g.node().op(), tensors(Arrays.asList(g.node().inputs())), out)) PlanLaunches.copy(ctx, execute(g.node()), out);
            }
            case LaunchPlan.Escape e -> PlanLaunches.copy(ctx, value(e.value()), escaped(e.value()));
            case LaunchPlan.WriteBack w -> {
                if (!w.inPlace()) PlanLaunches.copy(ctx, escaped(w.value()), held.buffers.home(w.variable()));
            }
        }
    }

    private Tensor execute(Node n) {
        return backend.execute(n.op(), tensors(Arrays.asList(n.inputs())), n.type());
    }

    private Tensor operand(Node n, int i) {
        return value(n.inputs()[i]);
    }

    private Tensor[] tensors(List<Node> nodes) {
        Tensor[] t = new Tensor[nodes.size()];
        for (int i = 0; i < t.length; i++) t[i] = value(nodes.get(i));
        return t;
    }

    /** Where the step being issued finds {@code n}: its slot while a chunk is captured, else the plan's buffer. */
    private Tensor value(Node n) {
        Tensor bound = boundValues.get(n);
        return bound != null ? bound : held.buffers.value(n);
    }

    private Tensor escaped(Node result) {
        Tensor bound = boundEscapes.get(result);
        return bound != null ? bound : held.buffers.escaped(result);
    }

    private static String describe(LaunchPlan.Step step) {
        return switch (step) {
            case LaunchPlan.Kernel k -> "kernel " + k.source().name() + " ending in " + k.members().getLast() + " created at " + k.members().getLast().site();
            case LaunchPlan.MultiKernel m -> "kernel " + m.source().name() + " of " + m.parts().size() + " groups ending in "
                    + m.parts().stream().map(k -> k.members().getLast().toString()).toList();
            case LaunchPlan.Sequence q -> "kernel " + q.source().name() + ": " + q.phases().size() + " small steps in one block, ending in "
                    + LaunchPlan.writes(q.phases().getLast());
            case LaunchPlan.FusedReduce f -> "kernel " + f.kernels().generic().name() + " reducing into " + f.reduce() + " created at " + f.reduce().site();
            case LaunchPlan.MatMul m -> m.node() + " created at " + m.node().site();
            case LaunchPlan.Reduce r -> r.node() + " created at " + r.node().site();
            case LaunchPlan.View v -> v.node() + " created at " + v.node().site();
            case LaunchPlan.Generic g -> g.node() + " created at " + g.node().site();
            case LaunchPlan.Escape e -> "copying out " + e.value();
            case LaunchPlan.WriteBack w -> (w.inPlace() ? "updated in place: " : "writing back ") + w.variable().name();
        };
    }

    /** Captures the plan as a CUDA graph and launches it; a plan that cannot be captured runs launch by launch. */
    private void captureAndLaunch() {
        MemorySegment[] captured = capture(this::issue, "the plan", "it runs launch by launch");
        if (captured == null) { // run it launch by launch: a real error in a step shows up again there
            capturable = false;
            try (AllocationScope temporaries = ctx.allocator().openScope()) {
                issue();
            }
            return;
        }
        held.graph = captured[0];
        held.exec = captured[1];
        ctx.driver().launchGraph(held.exec, ctx.stream());
    }

    /**
     * Captures what {@code issueAll} issues on the stream as a CUDA graph and instantiates it: {graph, exec}. Relaxed
     * capture mode: a cache miss of the allocator may call cuMemAlloc while capturing (allowed there, not recorded).
     * Every pointer the per-op path allocates meanwhile is pinned for the executable's life: the blocks still live,
     * and the memory of temporaries released during the capture (taken back from the cache). If something cannot
     * be captured, says so on stderr ({@code what} could not be captured, so {@code fallback}) and returns null.
     */
    private MemorySegment[] capture(Runnable issueAll, String what, String fallback) {
        CudaDriver d = ctx.driver();
        MemorySegment captured;
        RuntimeException failure = null;
        try (AllocationScope temporaries = ctx.allocator().openScope()) {
            java.util.Set<Long> used = ctx.allocator().startRecording();
            RuntimeException[] issueFailure = {null};
            try {
                captured = ctx.capturing(() -> {
                    d.beginCapture(ctx.stream(), CudaDriver.CAPTURE_MODE_RELAXED);
                    try {
                        issueAll.run();
                    } catch (RuntimeException e) {
                        issueFailure[0] = e;
                    }
                    try {
                        return d.endCapture(ctx.stream());
                    } catch (CudaException invalidated) { // a step did something a capture cannot record
                        if (issueFailure[0] == null) issueFailure[0] = invalidated;
                        return null;
                    }
                });
            } finally {
                ctx.allocator().stopRecording();
            }
            failure = issueFailure[0];
            if (failure != null && captured != null) { // a partial graph must never run
                d.destroyGraph(captured);
                captured = null;
            }
            if (captured != null && !pinAll(temporaries.blocks(), used)) {
                d.destroyGraph(captured);
                captured = null;
                failure = new IllegalStateException("memory a captured launch uses was handed to another thread during the capture");
            }
        }
        if (captured == null) {
            System.err.println("fluxion: " + name + ": " + what + " could not be captured as a CUDA graph, so " + fallback + ": "
                    + (failure == null ? "the capture ended empty" : failure.getMessage()));
            return null;
        }
        return new MemorySegment[] {captured, d.instantiateGraph(captured)};
    }

    /** Pins the live {@code blocks} and takes back the rest of {@code used}; false when some memory is not free. */
    private boolean pinAll(List<DeviceBlock> blocks, java.util.Set<Long> used) {
        for (DeviceBlock b : blocks) { // recorded into the graph: must not serve anything else
            ctx.allocator().pin(b);
            held.pinned.add(b);
            used.remove(b.pointer());
        }
        for (long pointer : used) {
            DeviceBlock b = ctx.allocator().takeBack(pointer);
            if (b == null) return false;
            ctx.allocator().pin(b);
            held.pinned.add(b);
        }
        return true;
    }

    /** Nodes of the captured CUDA graph (kernels, copies, memsets), or 0 before capture. */
    public synchronized long capturedNodeCount() {
        return held.graph == null ? 0 : ctx.driver().graphNodeCount(held.graph);
    }

    /** Whether calls now replay a captured CUDA graph. */
    public synchronized boolean isCaptured() {
        return held.exec != null;
    }

    public LaunchPlan plan() {
        return plan;
    }

    public MemoryPlan memoryPlan() {
        return memory;
    }

    /** Device bytes held by this executable: its buffers and the allocations pinned by its captured graph. */
    public synchronized long deviceBytes() {
        return (held.buffers == null ? 0 : held.buffers.bytes()) + held.pinned.stream().mapToLong(DeviceBlock::size).sum();
    }

    /** Destroys the captured graph and gives every buffer back to the allocator; the executable cannot run again. */
    @Override
    public synchronized void close() {
        closed = true;
        lastStaged.clear();
        if (events != null) for (MemorySegment e : events) ctx.driver().destroyEvent(e);
        events = null;
        cleanable.clean();
    }

    @Override
    public String toString() {
        long kernels = plan.steps().stream().filter(s -> s instanceof LaunchPlan.Kernel || s instanceof LaunchPlan.MultiKernel
                || s instanceof LaunchPlan.Sequence || s instanceof LaunchPlan.FusedReduce).count();
        long inPlace = plan.steps().stream().filter(s -> s instanceof LaunchPlan.WriteBack w && w.inPlace()).count();
        return "CudaExecutable[" + name + ": " + plan.steps().size() + " steps, " + kernels + " kernels, " + inPlace
                + " variables updated in place, arena " + memory.arenaBytes()
                + " bytes for " + memory.unsharedBytes() + " bytes of intermediates" + (isCaptured() ? ", captured" : "") + "]";
    }
}
