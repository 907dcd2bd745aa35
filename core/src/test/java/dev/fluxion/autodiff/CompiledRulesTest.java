package dev.fluxion.autodiff;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Eager gradient rules compiled into one pass (large CPU tensors) give the ops' own results, to any order. */
class CompiledRulesTest {
    private static final int[] SHAPE = {256, 160}; // 40,960 elements: above the compiled rules' threshold

    private static Tensor gradient(UnaryFn fn, Tensor x) {
        try (var tape = new GradientTape()) {
            tape.watch(x);
            return tape.gradient(Ops.unary(fn, x).mul(x).sum(), x)[0];
        }
    }

    @Test
    void everyCompiledRuleMatchesTheOpsRule() {
        Tensor x = new Rng(3).uniform(SHAPE, DType.FLOAT64).mul(1.8).add(0.1); // in every rule's domain
        for (UnaryFn fn : new UnaryFn[] {UnaryFn.ABS, UnaryFn.EXPM1, UnaryFn.LOG1P, UnaryFn.SQRT, UnaryFn.RSQRT,
                UnaryFn.RECIPROCAL, UnaryFn.SQUARE, UnaryFn.SIN, UnaryFn.COS, UnaryFn.TANH, UnaryFn.SIGMOID,
                UnaryFn.RELU, UnaryFn.ELU, UnaryFn.ERF}) {
            Tensor compiled = gradient(fn, x);
            System.setProperty("fluxion.eager.compileRules", "false");
            Tensor ops;
            try {
                ops = gradient(fn, x);
            } finally {
                System.clearProperty("fluxion.eager.compileRules");
            }
            assertArrayEquals(ops.toDoubleArray(), compiled.toDoubleArray(), 1e-12, fn.toString());
            assertTrue(CompiledRules.isCompiled(fn), fn + ": the compiled rule ran");
        }
    }

    @Test
    void secondOrderThroughACompiledRuleStaysExact() {
        // d/dx tanh = 1 - tanh^2, d2/dx2 = -2 tanh (1 - tanh^2): the outer tape must see the inner rule's ops
        Tensor x = new Rng(4).uniform(SHAPE, DType.FLOAT64).mul(4).sub(2);
        Tensor d2;
        try (var outer = new GradientTape()) {
            outer.watch(x);
            Tensor d1;
            try (var inner = new GradientTape()) {
                inner.watch(x);
                d1 = inner.gradient(x.tanh().sum(), x)[0];
            }
            d2 = outer.gradient(d1.sum(), x)[0];
        }
        double[] xs = x.toDoubleArray(), got = d2.toDoubleArray();
        for (int i = 0; i < xs.length; i += 97) {
            double t = Math.tanh(xs[i]);
            assertEquals(-2 * t * (1 - t * t), got[i], 1e-12, "element " + i);
        }
    }
}
