package dev.fluxion.cuda.graph;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.Node;
import dev.fluxion.graph.RandomKeys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link LaunchPlan} with its {@link MemoryPlan} on the host, the way {@link CudaExecutable} issues it on a
 * device: every intermediate value is stored as bytes in one array standing in for the arena, at its planned
 * offset, and read back from there each time a step uses it (views through their planned strides and offset), so a
 * value overwritten while still live gives wrong results. Each step's arithmetic is the CPU backend's; the
 * generated kernels' arithmetic is checked separately (CudaFusionPlannerTest runs them on the host).
 */
final class PlanSimulator {
    /** What one call produced: the outputs and every written variable's new value. */
    record Result(Tensor[] outputs, Map<Variable, Tensor> variables) {}

    private final LaunchPlan plan;
    private final MemoryPlan memory;
    private final byte[] arena;
    private final Map<Node, Tensor> sources = new IdentityHashMap<>();
    /** Results' own buffers: computed roots that escape and the copies made by Escape steps. */
    private final Map<Node, Tensor> escaped = new IdentityHashMap<>();

    PlanSimulator(LaunchPlan plan, MemoryPlan memory) {
        this.plan = plan;
        this.memory = memory;
        this.arena = new byte[Math.toIntExact(memory.arenaBytes())];
        Arrays.fill(arena, (byte) 0x7f); // garbage, as fresh device memory would be
    }

    Result run(Tensor[] inputs) {
        RandomKeys keys = RandomKeys.draw(plan.graph());
        for (Node n : plan.graph().nodes())
            switch (n.kind()) {
                case INPUT -> sources.put(n, inputs[n.inputIndex()]);
                case CONSTANT -> sources.put(n, n.constant());
                case VARIABLE -> sources.put(n, n.variable().value());
                case RANDOM_KEY -> sources.put(n, Tensor.of(keys.of(n), 2));
                case OP -> {}
            }
        sources.putAll(plan.shapeConstants());
        Map<Variable, Tensor> written = new LinkedHashMap<>();
        for (LaunchPlan.Step step : plan.steps()) simulate(step, written);
        Tensor[] outputs = plan.graph().outputs().stream().map(this::escaped).toArray(Tensor[]::new);
        return new Result(outputs, written);
    }

    private void simulate(LaunchPlan.Step step, Map<Variable, Tensor> written) {
        switch (step) {
            case LaunchPlan.Kernel k -> {
                Map<Node, Tensor> local = evaluate(k.members());
                for (Node o : k.outputs()) store(o, local.get(o));
            }
            case LaunchPlan.Sequence q -> {
                for (LaunchPlan.Step p : q.phases()) simulate(p, written);
            }
            case LaunchPlan.MultiKernel m -> { // its parts in reverse: independent parts give the same in any order
                for (LaunchPlan.Kernel k : m.parts().reversed()) {
                    Map<Node, Tensor> local = evaluate(k.members());
                    for (Node o : k.outputs()) store(o, local.get(o));
                }
            }
            case LaunchPlan.FusedReduce f -> {
                Map<Node, Tensor> local = evaluate(f.members());
                for (Node o : f.sideOutputs()) store(o, local.get(o));
                store(f.reduce(), Dispatcher.apply(f.reduce().op(), local.get(f.reduce().inputs()[0])));
            }
            case LaunchPlan.MatMul m -> store(m.node(), apply(m.node()));
            case LaunchPlan.Reduce r -> store(r.node(), apply(r.node()));
            case LaunchPlan.Generic g -> store(g.node(), apply(g.node()));
            case LaunchPlan.View v -> { // the planned layout must give what the op gives
                Tensor planned = value(v.node()), computed = apply(v.node());
                if (!Arrays.equals(planned.toDoubleArray(), computed.toDoubleArray()))
                    throw new AssertionError("planned layout of " + v.node() + " reads other values than the op computes");
            }
            case LaunchPlan.Escape e -> escaped.put(e.value(), value(e.value()).contiguous());
            case LaunchPlan.WriteBack w -> written.put(w.variable(), escaped(w.value()));
        }
    }

    /** A fused group's members, each from the others and from memory. */
    private Map<Node, Tensor> evaluate(List<Node> members) {
        Map<Node, Tensor> local = new IdentityHashMap<>();
        for (Node m : members) {
            Node[] in = m.inputs();
            Tensor[] args = new Tensor[in.length];
            for (int j = 0; j < in.length; j++) args[j] = local.containsKey(in[j]) ? local.get(in[j]) : value(in[j]);
            local.put(m, Dispatcher.apply(m.op(), args));
        }
        return local;
    }

    private Tensor apply(Node n) {
        return Dispatcher.apply(n.op(), Arrays.stream(n.inputs()).map(this::value).toArray(Tensor[]::new));
    }

    private Tensor escaped(Node result) {
        Tensor t = escaped.get(result);
        if (t == null) throw new AssertionError("result " + result + " was not made to escape");
        return t;
    }

    /** A value as the device would read it: its root's current contents through the planned layout. */
    private Tensor value(Node n) {
        LaunchPlan.Layout l = plan.layout(n);
        Node root = l.root();
        Tensor r;
        if (sources.containsKey(root)) r = sources.get(root).contiguous();
        else if (plan.escapes(root)) r = escaped(root);
        else r = read(root);
        return Tensor.wrap(r.storage(), n.type().shape(), l.strides(), l.offset());
    }

    private void store(Node n, Tensor t) {
        if (!Arrays.equals(n.type().shape(), t.shape()) || n.type().dtype() != t.dtype()) throw new AssertionError(n + " computed as " + t.type());
        if (plan.escapes(n)) {
            escaped.put(n, t);
            return;
        }
        System.arraycopy(dev.fluxion.cuda.codegen.HostKernelRunner.bytes(t), 0, arena, Math.toIntExact(memory.offset(n)),
                Math.toIntExact(MemoryPlan.bytes(n)));
    }

    private Tensor read(Node n) {
        ByteBuffer b = ByteBuffer.wrap(arena, Math.toIntExact(memory.offset(n)), Math.toIntExact(MemoryPlan.bytes(n))).order(ByteOrder.LITTLE_ENDIAN);
        int size = Shapes.size(n.type().shape());
        int[] shape = n.type().shape();
        DType t = n.type().dtype();
        return switch (t) {
            case FLOAT32 -> { float[] a = new float[size]; for (int i = 0; i < size; i++) a[i] = b.getFloat(); yield Tensor.of(a, shape); }
            case FLOAT64 -> { double[] a = new double[size]; for (int i = 0; i < size; i++) a[i] = b.getDouble(); yield Tensor.of(a, shape); }
            case INT32 -> { int[] a = new int[size]; for (int i = 0; i < size; i++) a[i] = b.getInt(); yield Tensor.of(a, shape); }
            case INT64 -> { long[] a = new long[size]; for (int i = 0; i < size; i++) a[i] = b.getLong(); yield Tensor.of(a, shape); }
            case BOOL -> { boolean[] a = new boolean[size]; for (int i = 0; i < size; i++) a[i] = b.get() != 0; yield Tensor.of(a, shape); }
        };
    }
}
