package dev.fluxion.nn.layers;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.*;

/** An activation layer runs eagerly with a compiled gradient; outputs and gradients equal those of the ops. */
class FusedActivationTest {
    /** Output and input gradient with one tape (the fused form), and under a second one (the ops). */
    private static void assertFusedEqualsOps(Activation layer, Tensor x, Tensor r) {
        Variable xv = new Variable(x, "x");
        Tensor fusedOut, opsOut, fused, ops;
        try (var tape = new GradientTape()) {
            fusedOut = layer.call(xv.value(), true);
            fused = tape.gradient(fusedOut.mul(r).square().sum(), java.util.List.of(xv)).get(0);
        }
        try (var outer = new GradientTape(); var tape = new GradientTape()) {
            opsOut = layer.call(xv.value(), true);
            ops = tape.gradient(opsOut.mul(r).square().sum(), java.util.List.of(xv)).get(0);
        }
        assertClose(opsOut.toDoubleArray(), fusedOut.toDoubleArray(), 1e-12);
        assertClose(ops.toDoubleArray(), fused.toDoubleArray(), 1e-12);
    }

    @Test
    void reluEluAndTanhLayersGiveTheOpsOutputsAndGradients() {
        for (String f : new String[] {"relu", "elu", "tanh"}) {
            Activation layer = TestData.dbl(new Activation(f));
            assertFusedEqualsOps(layer, TestData.f64(3, 2, 5, 5, 4), TestData.f64(4, 2, 5, 5, 4));
            assertNotNull(layer.fusedForm(), f + " takes the fused form");
            assertEquals(1, layer.fusedForm().compiledInputCount(), f);
        }
    }

    @Test
    void aFunctionThatNeedsItsInputAndAFloat32InputFollowTheirRules() {
        Activation gelu = TestData.dbl(new Activation("gelu"));
        assertFusedEqualsOps(gelu, TestData.f64(5, 3, 7), TestData.f64(6, 3, 7));
        assertNull(gelu.fusedForm(), "gelu's gradient needs its input: the ops' path");
        Activation elu = new Activation("elu");
        Tensor x = TestData.f64(8, 4, 6).cast(dev.fluxion.DType.FLOAT32);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = elu.call(x, true);
            Tensor dx = tape.gradient(y.sum(), x)[0];
            double[] xs = x.toDoubleArray(), g = dx.toDoubleArray();
            for (int i = 0; i < xs.length; i++) assertEquals(xs[i] > 0 ? 1 : Math.exp(xs[i]), g[i], 1e-6, "elu'(" + xs[i] + ")");
        }
    }
}
