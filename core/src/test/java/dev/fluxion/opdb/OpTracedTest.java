package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.UnconnectedGradients;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every op of the database run as a graph function gives what it gives eagerly: bitwise for the kernels both paths
 * share, and within a few float32 ulps where elementwise fusion evaluates a chain tile by tile. The second call of
 * each function runs the cached graph, which is the path under test.
 */
class OpTracedTest {
    static {
        // arrays that a kernel promises to overwrite whole come filled with garbage, so a broken promise fails here
        System.setProperty("fluxion.graph.poisonBuffers", "true");
        // and every array, however small, is recycled between calls, so the samples' small tensors exercise reuse too
        System.setProperty("fluxion.graph.minPooledElements", "1");
    }

    @TestFactory
    Stream<DynamicNode> tracedEqualsEager() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Sample s : op.samples()) {
                DType t = s.hasFloating() ? DType.FLOAT32 : null;
                if (t != null && !op.dtypes().contains(t)) continue;
                tests.add(DynamicTest.dynamicTest(s.toString(), () -> check(op, s, t)));
            }
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    /**
     * The tape inside a graph function: every differentiable op's gradient graph, called three times, matches the
     * eager gradient each time. From the second call on, the graph's intermediate values live in arrays recycled
     * from the call before ({@link dev.fluxion.cpu.BufferPool}), so a kernel that wrongly assumes a zeroed output,
     * or a value recycled while still in use, shows up here.
     */
    @TestFactory
    Stream<DynamicNode> tracedGradientsEqualEagerOnEveryCall() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.differentiable() || !op.dtypes().contains(DType.FLOAT32)) continue;
            List<DynamicNode> tests = new ArrayList<>();
            for (Sample s : op.samples())
                if (s.grad() && s.hasFloating()) tests.add(DynamicTest.dynamicTest(s.toString(), () -> checkGradient(op, s)));
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    private static void checkGradient(OpInfo op, Sample s) {
        String ctx = op.name() + " / " + s + " / traced gradient";
        Nd[] x = Harness.refInputs(s, DType.FLOAT32);
        Nd[] v = GradCheck.cotangents(ctx, GradCheck.outputShapes(op, s, x));
        Tensor[] eager = GradCheck.gradient(op, s, x, v, DType.FLOAT32);
        int[] floating = GradCheck.floatingInputs(s);
        // the inputs are the function's arguments, so the graph computes on them rather than folding constants
        GraphFunction<Tensor[]> f = Fx.functionOf(op.name() + "_grad", args -> {
            Tensor[] in = new Tensor[args.length];
            for (int i = 0; i < args.length; i++) in[i] = (Tensor) args[i];
            Tensor[] sources = new Tensor[floating.length];
            for (int i = 0; i < floating.length; i++) sources[i] = in[floating[i]];
            try (GradientTape tape = new GradientTape()) {
                tape.watch(sources);
                Tensor loss = GradCheck.weightedSum(op.fn().apply(in, s.args()), v);
                return tape.gradient(loss, sources, null, UnconnectedGradients.ZERO);
            }
        });
        Object[] args = GradCheck.tensors(s, x, DType.FLOAT32);
        for (int call = 1; call <= 3; call++) {
            Tensor[] traced = f.call(args);
            for (int k = 0; k < eager.length; k++) {
                double[] e = eager[k].toDoubleArray(), g = traced[k].toDoubleArray();
                for (int i = 0; i < e.length; i++)
                    if (!Harness.close(g[i], e[i], 1e-4, 1e-5))
                        fail(ctx + ": call " + call + ", gradient " + k + " differs at " + i + ": eager " + e[i] + ", traced " + g[i]);
            }
        }
        assertEquals(1, f.tracingCount(), ctx);
    }

    private static void check(OpInfo op, Sample s, DType t) {
        String ctx = op.name() + " / " + s;
        Tensor[] in = Harness.tensors(s, t);
        Tensor[] eager = op.fn().apply(in, s.args());
        GraphFunction<Tensor[]> f = Fx.functionOf(op.name(), args -> {
            Tensor[] ts = new Tensor[args.length];
            for (int i = 0; i < args.length; i++) ts[i] = (Tensor) args[i];
            return op.fn().apply(ts, s.args());
        });
        Object[] args = in.clone();
        f.call(args); // traces
        Tensor[] traced = f.call(args); // runs the compiled graph
        assertEquals(1, f.tracingCount(), ctx);
        assertEquals(eager.length, traced.length, ctx + ": number of outputs");
        for (int k = 0; k < eager.length; k++) {
            assertEquals(eager[k].type(), traced[k].type(), ctx + ": output " + k + " type");
            double[] e = eager[k].toDoubleArray(), g = traced[k].toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                boolean same = Double.compare(e[i], g[i]) == 0
                        || Math.abs(e[i] - g[i]) <= 4 * Math.ulp((float) Math.max(Math.abs(e[i]), Float.MIN_NORMAL));
                if (!same) fail(ctx + ": output " + k + " differs at " + i + ": eager " + e[i] + ", traced " + g[i]);
            }
        }
    }
}
