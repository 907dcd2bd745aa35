package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
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
