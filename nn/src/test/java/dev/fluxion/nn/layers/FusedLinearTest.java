package dev.fluxion.nn.layers;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.Node;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.TestData;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/** Dense and Conv2D run eagerly as one compiled operation; outputs and gradients equal those of the ops. */
class FusedLinearTest {
    /** Output and gradients (input, then the layer's variables) with one tape, and under a second one (the ops). */
    private static void assertFusedEqualsOps(Layer layer, Tensor x, Tensor r) {
        layer.call(x, true);
        Variable xv = new Variable(x, "x");
        List<Variable> vars = new ArrayList<>(layer.trainableVariables());
        vars.add(xv);
        Tensor fusedOut, opsOut;
        List<Tensor> fused, ops;
        try (var tape = new GradientTape()) {
            fusedOut = layer.call(xv.value(), true);
            fused = tape.gradient(fusedOut.mul(r).square().sum(), vars);
        }
        try (var outer = new GradientTape(); var tape = new GradientTape()) {
            opsOut = layer.call(xv.value(), true);
            ops = tape.gradient(opsOut.mul(r).square().sum(), vars);
        }
        assertClose(opsOut.toDoubleArray(), fusedOut.toDoubleArray(), 1e-12);
        for (int k = 0; k < vars.size(); k++) assertClose(ops.get(k).toDoubleArray(), fused.get(k).toDoubleArray(), 1e-10);
    }

    @Test
    void denseGivesTheOpsOutputsAndGradients() {
        for (String activation : new String[] {"relu", "elu", "tanh", "linear"})
            for (boolean bias : new boolean[] {true, false}) {
                Dense dense = dbl(new Dense(5, activation).useBias(bias));
                assertFusedEqualsOps(dense, TestData.f64(3, 7, 4), TestData.f64(4, 7, 5));
                assertNotNull(dense.fused(), activation + ": the fused form ran");
            }
    }

    @Test
    void conv2dGivesTheOpsOutputsAndGradients() {
        for (String activation : new String[] {"relu", "elu", "linear"})
            for (String padding : new String[] {"valid", "same"}) {
                Conv2D conv = dbl(new Conv2D(4, 3).padding(padding).activation(activation));
                int out = padding.equals("same") ? 6 : 4;
                assertFusedEqualsOps(conv, TestData.f64(5, 2, 6, 6, 3), TestData.f64(6, 2, out, out, 4));
                assertNotNull(conv.fused(), activation + ": the fused form ran");
            }
    }

    @Test
    void anOutputGradientThatIsABroadcastViewGivesTheOpsGradients() {
        // sum()'s gradient reaches the layer as a stride-0 view of one value
        Conv2D conv = dbl(new Conv2D(4, 3).activation("elu"));
        Tensor x = TestData.f64(8, 2, 6, 6, 3);
        conv.call(x, true);
        List<Tensor> fused, ops;
        try (var tape = new GradientTape()) {
            fused = tape.gradient(conv.call(x, true).sum(), conv.trainableVariables());
        }
        try (var outer = new GradientTape(); var tape = new GradientTape()) {
            ops = tape.gradient(conv.call(x, true).sum(), conv.trainableVariables());
        }
        for (int k = 0; k < ops.size(); k++) assertClose(ops.get(k).toDoubleArray(), fused.get(k).toDoubleArray(), 1e-10);
        assertNotNull(conv.fused());
    }

    @Test
    void aLayerFedShapesThatKeepChangingCompilesAtMostTheLimit() {
        Dense dense = dbl(new Dense(3, "relu"));
        for (int batch = 1; batch <= FusedLinear.TRACE_LIMIT + 4; batch++) {
            Tensor x = TestData.f64(batch, batch, 4), r = TestData.f64(100 + batch, batch, 3);
            assertFusedEqualsOps(dense, x, r);
        }
        assertEquals(FusedLinear.TRACE_LIMIT, dense.fused().compiledInputCount());
    }

    @Test
    void anActivationThatNeedsItsInputUsesTheOps() {
        Dense dense = dbl(new Dense(3, "gelu"));
        try (var tape = new GradientTape()) {
            tape.gradient(dense.call(TestData.f64(1, 2, 4), true).sum(), dense.trainableVariables());
        }
        assertNull(dense.fused());
    }

    @Test
    void theBackwardGraphHoldsNoForwardProductAndSkipsUnwantedGradients() {
        Conv2D conv = dbl(new Conv2D(4, 3).activation("relu"));
        Tensor x = TestData.f64(7, 2, 6, 6, 3);
        try (var tape = new GradientTape()) { // x is data: only the kernel and bias get gradients
            tape.gradient(conv.call(x, true).sum(), conv.trainableVariables());
        }
        List<Op> ops = conv.fused().backwardGraph().nodes().stream().filter(n -> n.kind() == Node.Kind.OP)
                .map(Node::op).toList();
        assertEquals(0, ops.stream().filter(o -> o instanceof Op.Conv2D).count(), ops.toString());
        assertEquals(0, ops.stream().filter(o -> o instanceof Op.Conv2DBackpropInput).count(), ops.toString());
        assertEquals(1, ops.stream().filter(o -> o instanceof Op.Conv2DBackpropFilter).count(), ops.toString());
    }

    @Test
    void aFrozenLayerPassesTheInputGradientAlone() {
        // a frozen discriminator in a GAN step: only the input is wanted, the kernel and bias are not watched
        Dense dense = dbl(new Dense(3, "relu").biasInitializer(dev.fluxion.nn.initializers.Initializers.constant(0.1)));
        Tensor x = TestData.f64(9, 5, 4), r = TestData.f64(10, 5, 3);
        dense.call(x);
        dense.setTrainable(false);
        Variable xv = new Variable(x, "x");
        Tensor dx;
        try (var tape = new GradientTape()) {
            tape.watch(xv);
            dx = tape.gradient(dense.call(xv.value(), true).mul(r).sum(), List.of(xv)).get(0);
        }
        assertNotNull(dense.fused(), "the fused form ran");
        // d/dx sum(r * relu(x W + b)) = (r * [z > 0]) W^T
        double[] w = dense.kernel().value().toDoubleArray(), xs = x.toDoubleArray(), rs = r.toDoubleArray(), expected = new double[20];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 3; j++) {
                double z = 0.1;
                for (int k = 0; k < 4; k++) z += xs[i * 4 + k] * w[k * 3 + j];
                if (z > 0) for (int k = 0; k < 4; k++) expected[i * 4 + k] += rs[i * 3 + j] * w[k * 3 + j];
            }
        assertClose(expected, dx.toDoubleArray(), 1e-12);
    }
}
