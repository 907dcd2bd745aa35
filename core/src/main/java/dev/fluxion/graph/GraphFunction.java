package dev.fluxion.graph;

import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.backend.Backend;
import dev.fluxion.backend.Backends;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Java function compiled into graphs, one per input signature (TensorFlow's {@code tf.function}). The first call
 * with a new signature — the dtypes, shapes and devices of its tensor arguments and the values of its plain Java
 * arguments — runs the body once with symbolic tensors, recording a graph; later calls with that signature run the
 * optimized graph without running the Java body.
 *
 * <p>Consequences, as in TensorFlow: Java side effects ({@code System.out.println}, counters) happen only while
 * tracing; {@link dev.fluxion.Fx#print} prints on every call. Java {@code if} and {@code for} on plain values unroll
 * at trace time. Variables are captured by reference: reads and assignments are graph operations, so an optimizer
 * update inside the function changes the real variables. New variables may be created only on the first trace.
 *
 * <p>Gradients: no tape can see inside a compiled graph, so when a recording {@link GradientTape} would record the
 * call (a watched tensor argument, or a trainable variable the function reads while the tape watches accessed
 * variables), the call runs the Java body eagerly and the tape records its operations: gradients flow through the
 * function as through eager code, at eager speed. The fast form puts the tape inside the function (a whole training
 * step, as {@code Fx.function("step", ...)} does in the README), so that the gradient itself is compiled.
 *
 * @param <R> what the body returns: a Tensor, Tensor[], List of Tensor, Map of String to Tensor, or null
 */
public final class GraphFunction<R> {
    /** The body, taking the call's arguments. */
    @FunctionalInterface
    public interface Body<R> {
        R apply(Object[] args);
    }

    private final String name;
    private final Body<R> body;
    private final Map<List<Object>, Compiled> cache = new LinkedHashMap<>();
    private int traceCount;
    private TensorSpec[] inputSignature;
    private int traceLimit = Integer.MAX_VALUE;

    /** One trace: its graphs and, per batch size (0 when nothing is unknown), the compiled executable. */
    private record Compiled(Graph traced, Graph optimized, OutputStructure structure, Map<Integer, Executable> byBatch,
                            List<Variable> reads) {}

    public GraphFunction(String name, Body<R> body) {
        this.name = name;
        this.body = body;
    }

    /**
     * Fixes the tensor arguments' dtypes and shapes (tf.function's input_signature): calls must match, and an unknown
     * (-1) batch dimension accepts any size with a single trace. Must be set before the first call.
     */
    public synchronized GraphFunction<R> withInputSignature(TensorSpec... specs) {
        if (traceCount > 0) throw new IllegalStateException(name + ": set the input signature before the first call");
        inputSignature = specs.clone();
        return this;
    }

    /**
     * Caps the signatures traced: a call with a new signature once {@code limit} are cached runs the Java body eagerly
     * instead of tracing again. For functions called with shapes that keep changing (tf.function's
     * {@code reduce_retracing} concern): tracing and compiling each would cost more than the compiled graph saves,
     * and the cache would grow without bound.
     */
    public synchronized GraphFunction<R> withTraceLimit(int limit) {
        if (limit < 0) throw new IllegalArgumentException(name + ": the trace limit must be at least 0, got " + limit);
        traceLimit = limit;
        return this;
    }

    /** Calls the function: traces on a new signature, then runs the graph for it. */
    public synchronized R call(Object... args) {
        Tensor[] inputs = tensorArgs(args);
        Ready ready = ready(args, inputs);
        return ready == null ? body.apply(args) : ready.compiled.structure.rebuild(ready.executable.run(inputs));
    }

    /**
     * Calls the function once per slice of the first axis of its tensor arguments, in order, and returns what each
     * call returned stacked on a new first axis (plain Java arguments go to every call as they are). The results,
     * variable updates and random numbers are those of calling it on each slice in turn; a device backend may run
     * several calls per launch: on a GPU a chunk of calls replays as one CUDA graph, so the host launches once per
     * chunk instead of once per step. Keras calls this {@code steps_per_execution}; JAX writes it as a
     * {@code lax.scan} over the batches. A step that returns nothing returns nothing here.
     *
     * @throws IllegalArgumentException when there is no tensor argument, or their first axes are empty or differ
     */
    public synchronized R callEach(Object... stackedArgs) {
        Tensor[] stacked = tensorArgs(stackedArgs);
        int steps = stepsOf(stacked);
        Object[] first = sliceArgs(stackedArgs, 0);
        Ready ready = ready(first, stacked);
        if (ready != null) return ready.compiled.structure.rebuild(ready.executable.runSteps(stacked, steps));
        Tensor[][] perCall = new Tensor[steps][]; // eagerly (a recording tape, a nested trace, the trace limit)
        OutputStructure structure = null;
        for (int i = 0; i < steps; i++) {
            structure = OutputStructure.of(name, body.apply(sliceArgs(stackedArgs, i)));
            perCall[i] = structure.tensors();
        }
        return structure.rebuild(Executable.stackSteps(perCall));
    }

    private int stepsOf(Tensor[] stacked) {
        if (stacked.length == 0) throw new IllegalArgumentException(name + ".callEach: needs at least one tensor argument to step over");
        int steps = -1;
        for (int j = 0; j < stacked.length; j++) {
            int[] shape = stacked[j].shape();
            if (shape.length == 0) throw new IllegalArgumentException(name + ".callEach: tensor argument " + j + " is a scalar; it needs a first axis to step over");
            if (steps >= 0 && shape[0] != steps)
                throw new IllegalArgumentException(name + ".callEach: tensor argument " + j + " of shape " + dev.fluxion.Shapes.format(shape)
                        + " has " + shape[0] + " steps on its first axis, argument 0 has " + steps);
            steps = shape[0];
        }
        if (steps == 0) throw new IllegalArgumentException(name + ".callEach: the stacked arguments have no steps (first axis of size 0)");
        return steps;
    }

    private static Object[] sliceArgs(Object[] stackedArgs, int i) {
        Object[] slice = stackedArgs.clone();
        for (int j = 0; j < slice.length; j++) if (slice[j] instanceof Tensor t) slice[j] = dev.fluxion.ArrayOps.index(t, 0, i);
        return slice;
    }

    /** A traced signature and the executable that runs it. */
    private record Ready(Compiled compiled, Executable executable) {}

    /**
     * The compiled graph for a call with {@code args} (tracing a new signature first), or null when the call must run
     * the Java body eagerly: nested in another trace (inlined there), seen by a recording tape through
     * {@code watched} or a variable the function reads (see the class comment), or past the trace limit.
     */
    private Ready ready(Object[] args, Tensor[] watched) {
        if (Dispatcher.current() instanceof Tracer) return null;
        if (GradientTape.wouldRecord(List.of(watched))) return null;
        for (int i = 0; i < args.length; i++)
            if (args[i] instanceof Tensor t && t.isSymbolic())
                throw new IllegalArgumentException(name + ": argument " + i + " is a symbolic tensor of another graph function");
        int batch = inputSignature == null ? 0 : batchOf(args);
        List<Object> signature = inputSignature == null ? signature(name, args) : List.of((Object[]) inputSignature);
        Compiled c = cache.get(signature);
        if (c == null) {
            if (cache.size() >= traceLimit) return null;
            c = trace(args);
            cache.put(signature, c);
        }
        if (!c.reads.isEmpty() && GradientTape.anyRecording() && GradientTape.wouldRecord(currentValues(c.reads))) return null;
        Compiled compiled = c;
        Executable executable = c.byBatch.computeIfAbsent(batch, b -> compile(name,
                b == 0 ? compiled.optimized : Passes.optimize(compiled.optimized.specialize(b)), Backends::get));
        return new Ready(c, executable);
    }

    private static List<Tensor> currentValues(List<Variable> variables) {
        List<Tensor> values = new ArrayList<>(variables.size());
        for (Variable v : variables) values.add(v.value());
        return values;
    }

    /**
     * The executable of an optimized graph: the {@link GraphCompiler} of the device its inputs and variables live on
     * when that device's backend is one, else the CPU executable (as for every CPU graph).
     */
    static Executable compile(String name, Graph graph, Function<Device, Backend> backendOf) {
        Device device = deviceOf(graph);
        if (device != null && !device.equals(Device.CPU) && backendOf.apply(device) instanceof GraphCompiler compiler)
            return compiler.compile(name, graph);
        return new CpuExecutable(name, graph);
    }

    /** The one device of the graph's inputs and variable reads; null when there are none or they span devices. */
    static Device deviceOf(Graph graph) {
        Device device = null;
        for (Node n : graph.nodes) {
            if (n.kind != Node.Kind.INPUT && n.kind != Node.Kind.VARIABLE) continue;
            if (device != null && !device.equals(n.type.device())) return null;
            device = n.type.device();
        }
        return device;
    }

    private int batchOf(Object[] args) {
        if (args.length != inputSignature.length)
            throw new IllegalArgumentException(name + ": the input signature has " + inputSignature.length + " tensors, the call passed " + args.length + " arguments");
        int batch = 0;
        for (int i = 0; i < args.length; i++) {
            if (!(args[i] instanceof Tensor t))
                throw new IllegalArgumentException(name + ": with an input signature every argument must be a Tensor; argument " + i + " is "
                        + (args[i] == null ? "null" : args[i].getClass().getSimpleName()));
            int b = inputSignature[i].batchOf(name, i, t);
            if (b != 0 && batch != 0 && b != batch)
                throw new IllegalArgumentException(name + ": the unknown batch dimension is " + batch + " in one argument and " + b + " in argument " + i);
            if (b != 0) batch = b;
        }
        return batch;
    }

    private Compiled trace(Object[] args) {
        Tracer tracer = new Tracer(name, traceCount == 0);
        traceCount++;
        Object[] symbolic = args.clone();
        int k = 0;
        for (int i = 0; i < args.length; i++)
            if (args[i] instanceof Tensor t) {
                dev.fluxion.TensorType type = inputSignature == null ? t.type()
                        : new dev.fluxion.TensorType(inputSignature[k].dtype(), inputSignature[k].shape(), t.device());
                symbolic[i] = tracer.input(k++, type);
            }
        R result;
        try {
            result = Dispatcher.with(tracer, () -> body.apply(symbolic));
        } catch (RuntimeException e) {
            throw GraphError.withContext(name + ": while tracing, at " + GraphError.userFrame(e), e);
        }
        OutputStructure structure = OutputStructure.of(name, result);
        Graph traced = tracer.finish(structure.tensors());
        Graph optimized = Passes.optimize(traced);
        List<Variable> reads = new ArrayList<>();
        for (Node n : traced.nodes) if (n.kind == Node.Kind.VARIABLE) reads.add(n.variable());
        return new Compiled(traced, optimized, structure, new java.util.HashMap<>(), reads);
    }

    private static List<Object> signature(String name, Object[] args) {
        List<Object> key = new ArrayList<>(args.length);
        for (Object a : args) {
            if (a instanceof Tensor t) {
                key.add(t.type());
            } else if (a == null || a instanceof Number || a instanceof Boolean || a instanceof String || a instanceof Character || a instanceof Enum<?>) {
                key.add(a == null ? "null" : a.getClass().getName() + ":" + a);
            } else {
                throw new IllegalArgumentException(name + ": graph function arguments must be tensors or plain Java values (numbers, booleans, "
                        + "strings, enums); got " + a.getClass().getName() + ". Capture other objects in the lambda instead");
            }
        }
        return key;
    }

    private static Tensor[] tensorArgs(Object[] args) {
        List<Tensor> out = new ArrayList<>();
        for (Object a : args) if (a instanceof Tensor t) out.add(t);
        return out.toArray(Tensor[]::new);
    }

    /** How many times the body has been traced. */
    public synchronized int tracingCount() {
        return traceCount;
    }

    /** The signatures traced so far, in order (tensor types and plain values). */
    public synchronized List<List<Object>> signatures() {
        return Collections.unmodifiableList(new ArrayList<>(cache.keySet()));
    }

    /** The graphs for the most recent signature before and after optimization, as text (a debug view). */
    public synchronized String describe() {
        if (cache.isEmpty()) return name + ": not traced yet";
        Compiled c = new ArrayList<>(cache.values()).getLast();
        StringBuilder plans = new StringBuilder();
        c.byBatch.forEach((b, e) -> {
            if (e instanceof CpuExecutable cpu) plans.append("CPU plan").append(b == 0 ? "" : " for batch " + b).append(": ").append(cpu.planSummary()).append('\n');
            else plans.append(e).append('\n'); // another device's compiled plan describes itself
        });
        return name + " traced (" + c.traced.opCount() + " ops):\n" + c.traced + "optimized (" + c.optimized.opCount() + " ops):\n" + c.optimized + plans;
    }

    /**
     * Forgets the time profiled so far (all signatures), so that a profile taken after a warm-up leaves out the
     * calls the JIT compiler was still working on.
     */
    public synchronized void resetProfile() {
        for (Compiled c : cache.values())
            for (Executable e : c.byBatch.values()) e.resetProfile();
    }

    /** Where the most recent signature's graph spends its time, per step (run with -Dfluxion.graph.profile=true). */
    public synchronized String profile() {
        if (cache.isEmpty()) return name + ": not traced yet";
        var byBatch = new ArrayList<>(cache.values()).getLast().byBatch;
        StringBuilder sb = new StringBuilder();
        byBatch.forEach((b, e) -> sb.append(b == 0 ? "" : "batch " + b + ":\n").append(e.profile()));
        return sb.toString();
    }

    /**
     * Bytes of arrays allocated new and bytes served from recycled arrays, over every compiled graph of this
     * function: after the first call of a signature, only what escapes a call (outputs, new variable values) is new.
     */
    public synchronized long[] bufferStats() {
        long[] total = new long[2];
        for (Compiled c : cache.values())
            for (Executable e : c.byBatch.values())
                if (e instanceof CpuExecutable cpu) {
                    long[] s = cpu.poolStats();
                    total[0] += s[0];
                    total[1] += s[1];
                }
        return total;
    }

    /** The optimized graph of the most recent signature (for tests and tools). */
    public synchronized Graph lastGraph() {
        return cache.isEmpty() ? null : new ArrayList<>(cache.values()).getLast().optimized;
    }

    public String name() {
        return name;
    }
}
