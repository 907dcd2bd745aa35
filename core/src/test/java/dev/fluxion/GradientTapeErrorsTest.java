package dev.fluxion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.ErrorMessages.assertMentions;

/** GradientTape.gradient with a wrong target, output gradient or custom gradient rule names what is wrong. */
class GradientTapeErrorsTest {
    @Test
    void integerTargetIsRejected() {
        Tensor x = Tensor.vector(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.cast(DType.INT32).sum();
            var e = assertThrows(IllegalArgumentException.class, () -> tape.gradient(y, x));
            assertMentions(e, "gradient", "target", "int32");
        }
    }

    @Test
    void nullTargetIsRejected() {
        Tensor x = Tensor.vector(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            var e = assertThrows(IllegalArgumentException.class, () -> tape.gradient(null, x));
            assertMentions(e, "gradient", "target is null");
        }
    }

    @Test
    void outputGradientOfAnotherShapeIsRejected() {
        Tensor x = Tensor.vector(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.mul(x);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> tape.gradient(y, new Tensor[] {x}, Tensor.ones(3), UnconnectedGradients.NONE));
            assertMentions(e, "gradient", "output gradient float32[3]", "target float32[2]");
        }
    }

    @Test
    void outputGradientOfAnotherDtypeIsRejectedBeforeTheReversePass() {
        // without the check the reverse pass failed inside "mul" with a message that did not mention the seed
        Tensor x = Tensor.vector(1, 2);
        for (DType wrong : new DType[] {DType.FLOAT64, DType.INT32})
            try (var tape = new GradientTape()) {
                tape.watch(x);
                Tensor y = x.mul(x);
                var e = assertThrows(IllegalArgumentException.class,
                        () -> tape.gradient(y, new Tensor[] {x}, Tensor.ones(wrong, 2), UnconnectedGradients.NONE));
                assertMentions(e, "gradient", "output gradient " + wrong + "[2]", "target float32[2]");
            }
    }

    private static Tensor gradientThroughRule(Tensor x, Tensor ruleGradient) {
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Fx.customGradient(in -> new CustomGradient(in[0].mul(2), dy -> new Tensor[] {ruleGradient}), x);
            return tape.gradient(y.sum(), x)[0];
        }
    }

    @Test
    void customRuleGradientOfAnotherSizeIsRejected() {
        var e = assertThrows(IllegalStateException.class, () -> gradientThroughRule(Tensor.vector(1, 2, 3), Tensor.ones(4)));
        assertMentions(e, "customGradient", "float32[4]", "input 0", "float32[3]");
    }

    @Test
    void customRuleGradientWithTheRightSizeButWrongShapeIsRejected() {
        // a transposed gradient has as many elements as the input: it used to be reshaped silently into a wrong one
        var e = assertThrows(IllegalStateException.class, () -> gradientThroughRule(Tensor.zeros(2, 3), Tensor.ones(3, 2)));
        assertMentions(e, "customGradient", "float32[3,2]", "input 0", "float32[2,3]");
    }

    @Test
    void customRuleGradientOfAnotherDtypeIsRejected() {
        for (DType wrong : new DType[] {DType.FLOAT64, DType.INT32}) {
            var e = assertThrows(IllegalStateException.class,
                    () -> gradientThroughRule(Tensor.vector(1, 2, 3), Tensor.ones(wrong, 3)));
            assertMentions(e, "customGradient", wrong + "[3]", "input 0", "float32[3]");
        }
    }

    @Test
    void customRuleGradientShapedLikeABroadcastIsSummedToTheInput() {
        // the accepted counterpart of the shape checks: broadcast axes are summed away as for built-in ops
        Tensor g = gradientThroughRule(Tensor.zeros(1, 3), Tensor.ones(4, 2, 3));
        assertArrayEquals(new int[] {1, 3}, g.shape());
        assertArrayEquals(new float[] {8, 8, 8}, g.toFloatArray());
        Tensor h = gradientThroughRule(Tensor.zeros(1, 3), Tensor.vector(1, 2, 3));
        assertArrayEquals(new int[] {1, 3}, h.shape());
        assertArrayEquals(new float[] {1, 2, 3}, h.toFloatArray());
    }
}
