package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.Node;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reductions with a fused prologue that the planner makes from real traced graphs, run on the host with their
 * generated CUDA C: the generic kernel, and where the kept axis is innermost also the column kernel with the
 * generic one combining its splits, each against the members and the reduction computed op by op on the CPU
 * backend: the side outputs and the result.
 */
class FusedReductionHostTest {
    private record Expected(String label, List<Tensor> outputs) {}

    @Test
    void fusedReductionsComputeTheirSideOutputsAndResultAsTheCpuDoes() throws Exception {
        Random r = new Random(11);
        List<KernelSource> kernels = new ArrayList<>();
        List<HostKernelRunner.Call> calls = new ArrayList<>();
        List<Expected> expected = new ArrayList<>(); // per call: the outputs to compare, in the call's output order
        int columnRuns = 0, fused = 0;
        for (var e : TracedGraphs.all().entrySet()) {
            for (CudaFusionPlanner.Step s : CudaFusionPlanner.plan(e.getValue())) {
                if (!(s instanceof CudaFusionPlanner.FusedReduce f)) continue;
                fused++;
                Map<Node, Tensor> values = new IdentityHashMap<>();
                for (Node x : f.externals()) values.put(x, random(x, r));
                for (Node m : f.members()) values.put(m, Dispatcher.apply(m.op(), Arrays.stream(m.inputs()).map(values::get).toArray(Tensor[]::new)));
                Node x = f.reduce().inputs()[0];
                Tensor result = Dispatcher.apply(f.reduce().op(), values.get(x));
                int[] shape = x.type().shape(), axes = ((Op.Reduce) f.reduce().op()).axes();
                int n = f.externals().size() + f.outputs().size();
                int[][] strides = new int[n][];
                for (int j = 0; j < n; j++)
                    strides[j] = j < f.externals().size()
                            ? dev.fluxion.cpu.Layouts.broadcastStrides(f.externals().get(j).type().shape(), Shapes.contiguousStrides(f.externals().get(j).type().shape()), shape)
                            : Shapes.contiguousStrides(shape);
                ReducePlan plan = ReducePlan.of(shape, strides, axes);
                List<Tensor> sides = f.outputs().stream().map(values::get).toList();
                String label = e.getKey() + ": " + f.reduce();
                // the generic kernel
                List<HostKernelRunner.Arg> args = new ArrayList<>(List.of(new HostKernelRunner.IntArg(plan.outputs()), new HostKernelRunner.IntArg(plan.reducedCount()),
                        new HostKernelRunner.ShapeArg(plan.kept()), new HostKernelRunner.ShapeArg(plan.reduced())));
                for (int j = 0; j < n; j++) {
                    args.add(j < f.externals().size() ? HostKernelRunner.input(values.get(f.externals().get(j))) : HostKernelRunner.output(sides.get(j - f.externals().size()).dtype(), Shapes.size(shape)));
                    args.add(new HostKernelRunner.StridesArg(plan.kept(), j));
                    args.add(new HostKernelRunner.StridesArg(plan.reduced(), j));
                }
                args.add(HostKernelRunner.output(result.dtype(), result.size()));
                kernels.add(f.kernels().generic());
                calls.add(new HostKernelRunner.Call(f.kernels().generic().name(), args));
                List<Tensor> outs = new ArrayList<>(sides);
                outs.add(result);
                expected.add(new Expected(label + " (generic)", outs));
                boolean columns = plan.kept().rank() == 1;
                for (int j = 0; columns && j < n; j++) columns = plan.kept().strides()[j][0] <= 1;
                if (!columns) continue;
                // the column kernel over 3 splits, then the plain reduction of the splits
                columnRuns++;
                int splits = 3, rowsPerSplit = (plan.reducedCount() + splits - 1) / splits;
                HostKernelRunner.Buffer partial = HostKernelRunner.output(result.dtype(), splits * plan.outputs());
                List<HostKernelRunner.Arg> first = new ArrayList<>(List.of(new HostKernelRunner.IntArg(plan.outputs()), new HostKernelRunner.IntArg(plan.reducedCount()),
                        new HostKernelRunner.IntArg(rowsPerSplit), new HostKernelRunner.IntArg(splits), new HostKernelRunner.ShapeArg(plan.reduced())));
                for (int j = 0; j < n; j++) {
                    first.add(j < f.externals().size() ? HostKernelRunner.input(values.get(f.externals().get(j))) : HostKernelRunner.output(sides.get(j - f.externals().size()).dtype(), Shapes.size(shape)));
                    first.add(new HostKernelRunner.IntArg(plan.kept().strides()[j][0]));
                    first.add(new HostKernelRunner.StridesArg(plan.reduced(), j));
                }
                first.add(partial);
                kernels.add(f.kernels().columns());
                calls.add(new HostKernelRunner.Call(f.kernels().columns().name(), first));
                List<Tensor> firstOuts = new ArrayList<>(sides);
                firstOuts.add(null); // the partial sums: checked through the combined result
                expected.add(new Expected(label + " (columns)", firstOuts));
                KernelSource combine = ReductionKernels.reduce(f.kernels().fn(), result.dtype());
                ReducePlan splitsPlan = ReducePlan.of(new int[] {splits, plan.outputs()}, new int[] {plan.outputs(), 1}, new int[] {0});
                kernels.add(combine);
                calls.add(new HostKernelRunner.Call(combine.name(), List.of(new HostKernelRunner.Reads(partial), HostKernelRunner.output(result.dtype(), result.size()),
                        new HostKernelRunner.IntArg(plan.outputs()), new HostKernelRunner.IntArg(splits),
                        new HostKernelRunner.ShapeArg(splitsPlan.kept()), new HostKernelRunner.StridesArg(splitsPlan.kept(), 0),
                        new HostKernelRunner.ShapeArg(splitsPlan.reduced()), new HostKernelRunner.StridesArg(splitsPlan.reduced(), 0))));
                expected.add(new Expected(label + " (columns, combined)", List.of(result)));
            }
        }
        assertTrue(fused >= 8, "reductions with a fused prologue in the traced graphs: " + fused);
        assertTrue(columnRuns >= 4, "column-kernel cases (batch norm statistics): " + columnRuns);
        List<KernelSource> distinct = new ArrayList<>(kernels.stream().collect(java.util.stream.Collectors.toMap(KernelSource::name, k -> k, (a, b) -> a,
                java.util.LinkedHashMap::new)).values());
        List<List<byte[]>> got = HostKernelRunner.run(distinct, calls);
        for (int c = 0; c < calls.size(); c++) {
            Expected ex = expected.get(c);
            for (int o = 0; o < ex.outputs().size(); o++) {
                Tensor want = ex.outputs().get(o);
                if (want == null) continue;
                Tensor have = HostKernelRunner.tensor(want.dtype(), got.get(c).get(o), want.shape());
                assertClose(ex.label() + " output " + o, want, have);
            }
        }
    }

    /** Sums in another order: tolerance relative to the largest magnitude of the expected tensor. */
    private static void assertClose(String label, Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double scale = 1;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        double tol = (expected.dtype() == DType.FLOAT32 ? 1e-5 : 1e-12) * scale;
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol, label + " at " + i);
    }

    private static Tensor random(Node x, Random r) {
        int[] shape = x.type().shape();
        double[] v = new double[Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = x.type().dtype().isFloating() ? r.nextGaussian() + 1 : 1 + r.nextInt(5);
        return dev.fluxion.Ops.cast(Tensor.of(v, shape), x.type().dtype());
    }
}
