package dev.fluxion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CustomGradientTest {
    /** round(x) forward, the identity's gradient backward: the straight-through estimator. */
    private static Tensor straightThrough(Tensor x) {
        return Fx.customGradient(in -> new CustomGradient(Ops.unary(dev.fluxion.ops.UnaryFn.ROUND, in[0]), dy -> new Tensor[] {dy}), x);
    }

    @Test
    void theRuleReplacesTheOpsGradientAndTheBodyIsOneRecordedOperation() {
        Tensor x = Tensor.of(new double[] {0.2, 1.7, -2.6}, 3);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = straightThrough(x).mul(x);
            assertArrayEquals(new double[] {0, 1.7 * 2, 2.6 * 3}, y.toDoubleArray(), 1e-12);
            assertEquals(2, tape.recordedCount(), "the custom operation and the product");
            // d/dx [st(x) * x] = 1 * x + round(x)
            assertArrayEquals(new double[] {0.2, 1.7 + 2, -2.6 - 3}, tape.gradient(y, x)[0].toDoubleArray(), 1e-12);
        }
    }

    @Test
    void secondOrderFlowsThroughWhatTheRuleComputesFromTheInputs() {
        Tensor x = Tensor.of(new double[] {-1, 0.5, 2}, 3);
        Tensor dy, d2y;
        try (var outer = new GradientTape()) {
            outer.watch(x);
            try (var inner = new GradientTape()) {
                inner.watch(x);
                Tensor y = Fx.customGradient(in -> new CustomGradient(in[0].mul(in[0]).mul(in[0]),
                        g -> new Tensor[] {g.mul(in[0].square()).mul(3)}), x).sum();
                dy = inner.gradient(y, x)[0];
            }
            d2y = outer.gradient(dy, x)[0];
        }
        assertArrayEquals(new double[] {3, 0.75, 12}, dy.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-6, 3, 12}, d2y.toDoubleArray(), 1e-12);
    }

    @Test
    void aGraphFunctionTracesTheBodyAndTheRule() {
        var step = Fx.function("st_step", (Tensor x) -> {
            try (var tape = new GradientTape()) {
                tape.watch(x);
                Tensor y = straightThrough(x).mul(x).sum();
                return tape.gradient(y, x)[0];
            }
        });
        Tensor x = Tensor.of(new float[] {0.2f, 1.7f, -2.6f}, 3);
        assertArrayEquals(new float[] {0.2f, 3.7f, -5.6f}, step.call(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.2f, 3.7f, -5.6f}, step.call(x).toFloatArray(), 1e-6f, "the compiled graph");
        assertEquals(1, step.tracingCount());
    }

    @Test
    void inputsNoTapeWatchesRecordNothing() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2), other = Tensor.of(new double[] {3}, 1);
        try (var tape = new GradientTape()) {
            tape.watch(other);
            assertArrayEquals(new double[] {1, 2}, straightThrough(x).toDoubleArray());
            assertEquals(0, tape.recordedCount());
        }
    }

    @Test
    void aRuleWithTheWrongNumberOfGradientsIsNamed() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Fx.customGradient(in -> new CustomGradient(in[0].mul(2), g -> new Tensor[] {g, g}), x);
            var e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
            assertTrue(e.getMessage().contains("customGradient") && e.getMessage().contains("2 gradients for 1 inputs"),
                    e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Fx.customGradient(in -> null, x));
        assertTrue(e.getMessage().contains("customGradient"), e.getMessage());
    }
}
