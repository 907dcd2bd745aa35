package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * First-order gradients of every differentiable op in the {@link OpDatabase}: the tape's vector-Jacobian product
 * against central finite differences in float64 (eps 1e-6, rtol 1e-4, atol 1e-6 unless the op says otherwise),
 * gradient shapes equal to the inputs' (so broadcast samples check un-broadcasting), reentrancy, and float32
 * gradients against float64 ones. Samples with inputs over {@link Sample#GRAD_LIMIT} elements are forward-only.
 */
class OpGradientTest {

    @TestFactory
    Stream<DynamicNode> firstOrder() {
        return perSample(GradCheck::firstOrder);
    }

    @TestFactory
    Stream<DynamicNode> float32GradientsMatchFloat64() {
        return perSample(GradCheck::float32MatchesFloat64);
    }

    /**
     * Binary ops with the same tensor as both operands (x * x, x / x, pow(x, x), ...): the tape must add the two
     * contributions; first and second order against finite differences.
     */
    @TestFactory
    Stream<DynamicNode> aliasedOperands() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.family().equals("binary") || !op.differentiable()) continue;
            Sample first = op.samples().get(0);
            OpInfo aliased = aliased(op, first);
            Sample s = aliased.samples().get(0);
            nodes.add(DynamicContainer.dynamicContainer(aliased.name(), List.of(
                    DynamicTest.dynamicTest("first order " + s, () -> GradCheck.firstOrder(aliased, s)),
                    DynamicTest.dynamicTest("second order " + s, () -> GradCheck.secondOrder(aliased, s)))));
        }
        return nodes.stream();
    }

    /** f(x) = op(x, x) on the first input of {@code s} (whose domain suits both operands of these ops). */
    static OpInfo aliased(OpInfo op, Sample s) {
        return OpInfo.op(op.name() + "(x, x)", "aliased")
                .fn((in, a) -> op.fn().apply(new Tensor[] {in[0], in[0]}, a))
                .ref((in, a) -> op.ref().apply(new Nd[] {in[0], in[0]}, a))
                .sample(Sample.of(s.label(), s.args(), s.inputs().get(0)))
                .gradTol(op.gradRtol(), op.gradAtol()).cannotFail().build();
    }

    interface Check {
        void run(OpInfo op, Sample s);
    }

    private static Stream<DynamicNode> perSample(Check check) {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.differentiable()) continue;
            List<DynamicNode> tests = new ArrayList<>();
            for (Sample s : op.samples())
                if (s.grad() && s.hasFloating()) tests.add(DynamicTest.dynamicTest(s.toString(), () -> check.run(op, s)));
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    /** Casting float32 to float64 passes the gradient back as float32; casting from an integer gives none. */
    @Test
    void castGradients() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 3f}, 3);
        Tensor i = Tensor.of(new int[] {1, 2, 3}, 3);
        Tensor[] g;
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Ops.cast(x, DType.FLOAT64).mul(Tensor.of(new double[] {1, 2, 3}, 3)).sum()
                    .add(Ops.cast(i, DType.FLOAT64).sum());
            g = tape.gradient(y, x);
        }
        assertEquals(DType.FLOAT32, g[0].dtype());
        assertArrayEquals(new float[] {1, 2, 3}, g[0].toFloatArray());
    }

    /** stop_gradient is an identity whose output the tape treats as a constant. */
    @Test
    void stopGradientBlocksTheGradient() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor[] g;
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Ops.stopGradient(x).mul(x).sum(); // d/dx = stop(x) = x, not 2x
            g = tape.gradient(y, x);
        }
        assertArrayEquals(new double[] {1, 2, 3}, g[0].toDoubleArray(), 0);
    }

    /** Ties in max reductions share the gradient equally (TensorFlow's rule, documented in Gradients). */
    @Test
    void maxReductionTiesShareTheGradient() {
        Tensor x = Tensor.of(new double[] {1, 3, 3, 2, 0, 0}, 2, 3);
        Tensor[] g;
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            g = tape.gradient(Ops.max(x, 1).sum(), x);
        }
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 0, 0}, g[0].toDoubleArray(), 0);
    }
}
