package dev.fluxion.cuda.graph;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.cpu.Layouts;
import dev.fluxion.cuda.codegen.CudaTypes;
import dev.fluxion.cuda.codegen.HostKernelRunner;
import dev.fluxion.cuda.codegen.IndexPlan;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PrimitiveKernels;
import dev.fluxion.cuda.codegen.ReducePlan;
import dev.fluxion.cuda.codegen.ReductionKernels;
import dev.fluxion.graph.Node;
import dev.fluxion.ops.Op;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a whole compiled plan on the host with its generated CUDA C: one C++ program (g++, HostKernelRunner's
 * one-thread shim) holds a byte array standing in for the executable's device block, laid out by
 * {@link BufferLayout}; sources are copied to their buffers, then every step is issued in plan order with the
 * arguments CudaExecutable gives it (pointers into the block at planned offsets, index plans from the planned
 * layouts): generated elementwise kernels, reduction kernels (fused ones in their generic variant), copies for
 * Escape and WriteBack. cuBLAS has no host
 * stand-in, so matmuls run as a naive strided loop (2-D only, which is what the plans tested here have). What comes
 * back are the outputs and the written variables' homes after the call.
 */
final class HostArenaRunner {
    record Result(Tensor[] outputs, Map<Variable, Tensor> variables) {}

    private final LaunchPlan plan;
    private final BufferLayout layout;
    private final Map<String, KernelSource> kernels = new LinkedHashMap<>();
    private final StringBuilder main = new StringBuilder();
    private final StringBuilder data = new StringBuilder();
    private int sources;

    HostArenaRunner(LaunchPlan plan, MemoryPlan memory) {
        this.plan = plan;
        this.layout = BufferLayout.of(plan, memory);
    }

    Result run(Tensor[] inputs) throws Exception {
        for (Node n : plan.graph().nodes())
            switch (n.kind()) {
                case INPUT -> source(layout.roots().get(n), inputs[n.inputIndex()]);
                case CONSTANT -> source(layout.roots().get(n), n.constant());
                case VARIABLE -> {}
                case RANDOM_KEY -> throw new IllegalArgumentException("random keys are not staged by this host runner");
                case OP -> {}
            }
        plan.shapeConstants().forEach((n, v) -> source(layout.roots().get(n), v));
        plan.variables().keySet().forEach(v -> source(layout.homes().get(v), v.value()));
        for (LaunchPlan.Step step : plan.steps()) issue(step);

        List<Node> outputs = plan.graph().outputs();
        List<long[]> reads = new ArrayList<>();
        for (Node o : outputs) reads.add(new long[] {escapedOffset(o), MemoryPlan.bytes(o)});
        List<Variable> written = plan.steps().stream().filter(s -> s instanceof LaunchPlan.WriteBack).map(s -> ((LaunchPlan.WriteBack) s).variable()).toList();
        for (Variable v : written) reads.add(new long[] {layout.homes().get(v), (long) v.type().size() * v.dtype().byteSize()});
        for (long[] r : reads) main.append("  fwrite(fx_block + ").append(r[0]).append(", 1, ").append(r[1]).append(", stdout);\n");

        byte[] out = compileAndRun();
        int pos = 0;
        Tensor[] outTensors = new Tensor[outputs.size()];
        for (int i = 0; i < outTensors.length; i++) {
            int len = (int) MemoryPlan.bytes(outputs.get(i));
            outTensors[i] = HostKernelRunner.tensor(outputs.get(i).type().dtype(), java.util.Arrays.copyOfRange(out, pos, pos + len), outputs.get(i).type().shape());
            pos += len;
        }
        Map<Variable, Tensor> vars = new LinkedHashMap<>();
        for (Variable v : written) {
            int len = v.type().size() * v.dtype().byteSize();
            vars.put(v, HostKernelRunner.tensor(v.dtype(), java.util.Arrays.copyOfRange(out, pos, pos + len), v.shape()));
            pos += len;
        }
        if (pos != out.length) throw new AssertionError("the host program wrote " + out.length + " bytes, expected " + pos);
        return new Result(outTensors, vars);
    }

    private void source(long offset, Tensor value) {
        byte[] b = HostKernelRunner.bytes(value.contiguous());
        String name = "fx_src" + sources++;
        data.append("static const unsigned char ").append(name).append("[] = {");
        for (int i = 0; i < b.length; i++) data.append(i > 0 ? "," : "").append(b[i] & 0xff);
        data.append("};\n");
        main.append("  memcpy(fx_block + ").append(offset).append(", ").append(name).append(", ").append(value.size() * value.dtype().byteSize()).append(");\n");
    }

    private long escapedOffset(Node result) {
        return plan.escapes(result) ? layout.roots().get(result) : layout.escapes().get(result);
    }

    /** A typed pointer expression to a value's first element: its root's buffer plus the view offset. */
    private String pointer(Node n) {
        LaunchPlan.Layout l = plan.layout(n);
        DType t = n.type().dtype();
        long byteOffset = layout.roots().get(l.root()) + (long) l.offset() * t.byteSize();
        return "(" + CudaTypes.c(t) + "*)(fx_block + " + byteOffset + ")";
    }

    private void issue(LaunchPlan.Step step) {
        main.append("  {\n");
        switch (step) {
            case LaunchPlan.Kernel k -> call(k.source(), kernelArguments(k));
            case LaunchPlan.MultiKernel m -> {
                List<String> args = new ArrayList<>();
                for (LaunchPlan.Kernel k : m.parts()) args.addAll(kernelArguments(k));
                call(m.source(), args);
            }
            case LaunchPlan.FusedReduce f -> call(f.kernels().generic(), fusedReduceArguments(f)); // (the column variant has its own host test)
            case LaunchPlan.Sequence q -> { // the real sequence kernel, run by the shim's one thread
                List<String> args = new ArrayList<>();
                for (LaunchPlan.Step p : q.phases())
                    switch (p) {
                        case LaunchPlan.Kernel k -> args.addAll(kernelArguments(k));
                        case LaunchPlan.FusedReduce f -> args.addAll(fusedReduceArguments(f));
                        default -> {}
                    }
                call(q.source(), args);
            }
            case LaunchPlan.Reduce r -> {
                Node x = r.node().inputs()[0];
                KernelSource kernel;
                int[] axes;
                switch (r.node().op()) {
                    case Op.Reduce red -> { kernel = ReductionKernels.reduce(red.fn(), x.type().dtype()); axes = red.axes(); }
                    case Op.ArgReduce a -> { kernel = ReductionKernels.argReduce(a.max(), x.type().dtype()); axes = new int[] {a.axis()}; }
                    default -> throw new IllegalStateException();
                }
                ReducePlan rp = ReducePlan.of(x.type().shape(), plan.layout(x).strides(), axes);
                if (rp.outputs() > 0)
                    call(kernel, List.of(pointer(x), pointer(r.node()), String.valueOf(rp.outputs()), String.valueOf(rp.reducedCount()),
                            shape(rp.kept()), strides(rp.kept(), 0), shape(rp.reduced()), strides(rp.reduced(), 0)));
            }
            case LaunchPlan.MatMul m -> {
                Node a = m.node().inputs()[0], b = m.node().inputs()[1];
                Op.MatMul op = (Op.MatMul) m.node().op();
                if (m.node().type().shape().length != 2) throw new IllegalArgumentException("the host matmul stand-in is 2-D only: " + m.node());
                int[] sa = plan.layout(a).strides(), sb = plan.layout(b).strides(), os = m.node().type().shape();
                int k = a.type().shape()[op.transposeA() ? 0 : 1];
                main.append("    fx_host_matmul(").append(pointer(a)).append(", ").append(op.transposeA() ? sa[1] : sa[0]).append(", ").append(op.transposeA() ? sa[0] : sa[1])
                        .append(", ").append(pointer(b)).append(", ").append(op.transposeB() ? sb[1] : sb[0]).append(", ").append(op.transposeB() ? sb[0] : sb[1])
                        .append(", ").append(pointer(m.node())).append(", ").append(os[0]).append(", ").append(os[1]).append(", ").append(k).append(");\n");
            }
            case LaunchPlan.View v -> {}
            case LaunchPlan.Generic g -> throw new IllegalArgumentException("no host stand-in for the per-op path: " + g.node());
            case LaunchPlan.Escape e -> copy(e.value(), "(fx_block + " + layout.escapes().get(e.value()) + ")");
            case LaunchPlan.WriteBack w -> {
                if (!w.inPlace()) main.append("    memcpy(fx_block + ").append(layout.homes().get(w.variable())).append(", fx_block + ")
                        .append(escapedOffset(w.value())).append(", ").append(MemoryPlan.bytes(w.value())).append(");\n");
            }
        }
        main.append("  }\n");
    }

    /** As PlanLaunches.copy: a plain copy of a contiguous view, else the same-dtype cast kernel. */
    private void copy(Node value, String destination) {
        LaunchPlan.Layout l = plan.layout(value);
        DType t = value.type().dtype();
        int[] shape = value.type().shape();
        if (Layouts.isContiguous(shape, l.strides())) {
            main.append("    memcpy(").append(destination).append(", ").append(pointer(value)).append(", ").append(MemoryPlan.bytes(value)).append(");\n");
            return;
        }
        IndexPlan ip = IndexPlan.elementwise(shape, new int[][] {shape}, new int[][] {l.strides()});
        call(PrimitiveKernels.cast(t, t), List.of(String.valueOf(Shapes.size(shape)), shape(ip), pointer(value), strides(ip, 0),
                "(" + CudaTypes.c(t) + "*)" + destination));
    }

    /** A fused reduction's generic-kernel arguments: the reduce plan's sizes and shapes, each operand's pointer and strides, the result. */
    private List<String> fusedReduceArguments(LaunchPlan.FusedReduce f) {
        int[] shape = f.reduce().inputs()[0].type().shape();
        List<Node> operands = new ArrayList<>(f.inputs());
        operands.addAll(f.sideOutputs());
        int[][] st = new int[operands.size()][];
        for (int j = 0; j < st.length; j++)
            st[j] = j < f.inputs().size() ? Layouts.broadcastStrides(operands.get(j).type().shape(), plan.layout(operands.get(j)).strides(), shape)
                    : Shapes.contiguousStrides(shape);
        ReducePlan rp = ReducePlan.of(shape, st, ((Op.Reduce) f.reduce().op()).axes());
        List<String> args = new ArrayList<>(List.of(String.valueOf(rp.outputs()), String.valueOf(rp.reducedCount()), shape(rp.kept()), shape(rp.reduced())));
        for (int j = 0; j < st.length; j++) {
            args.add(pointer(operands.get(j)));
            args.add(strides(rp.kept(), j));
            args.add(strides(rp.reduced(), j));
        }
        args.add(pointer(f.reduce()));
        return args;
    }

    /** An elementwise kernel's arguments: n, the shape, each input's pointer and strides, each output's pointer. */
    private List<String> kernelArguments(LaunchPlan.Kernel k) {
        int[] shape = k.outputs().getFirst().type().shape();
        List<Node> in = k.inputs();
        IndexPlan ip = IndexPlan.elementwise(shape, in.stream().map(x -> x.type().shape()).toArray(int[][]::new),
                in.stream().map(x -> plan.layout(x).strides()).toArray(int[][]::new));
        List<String> args = new ArrayList<>(List.of(String.valueOf(Shapes.size(shape)), shape(ip)));
        for (int j = 0; j < in.size(); j++) {
            args.add(pointer(in.get(j)));
            args.add(strides(ip, j));
        }
        for (Node o : k.outputs()) args.add(pointer(o));
        return args;
    }

    private void call(KernelSource kernel, List<String> args) {
        kernels.putIfAbsent(kernel.name(), kernel);
        main.append("    ").append(kernel.name()).append("(").append(String.join(", ", args)).append(");\n");
    }

    private static String shape(IndexPlan p) {
        StringBuilder sb = new StringBuilder("FxShape{").append(p.rank()).append(", {");
        for (int d = 0; d < p.rank(); d++) sb.append(d > 0 ? "," : "").append(p.dims()[d]);
        return sb.append("}}").toString();
    }

    private static String strides(IndexPlan p, int operand) {
        StringBuilder sb = new StringBuilder("FxStrides{{");
        for (int d = 0; d < p.rank(); d++) sb.append(d > 0 ? "," : "").append(p.strides()[operand][d]);
        return sb.append("}}").toString();
    }

    private byte[] compileAndRun() throws Exception {
        Path gxx = HostKernelRunner.gxx();
        String source = HostKernelRunner.SHIM + "#define FX_FN inline\n" + KernelSource.translationUnit(kernels.values()) + "\n"
                + """
                template <typename T> static void fx_host_matmul(const T* a, int sar, int sac, const T* b, int sbr, int sbc, T* c, int m, int n, int k) {
                  for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                      T acc = 0;
                      for (int p = 0; p < k; p++) acc += a[i * sar + p * sac] * b[p * sbr + j * sbc];
                      c[i * n + j] = acc;
                    }
                }
                """
                + "alignas(256) static unsigned char fx_block[" + Math.max(1, layout.bytes()) + "];\n" + data
                + "int main() {\n  memset(fx_block, 0x7f, sizeof fx_block); // garbage, as fresh device memory would be\n" + main + "  return 0;\n}\n";
        byte[] out = HostKernelRunner.compileAndRun(gxx, source, "fluxion-host-arena", "the host plan");
        return out;
    }
}
