package dev.fluxion.nn.optimizers;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Constraints;
import dev.fluxion.nn.constraints.Constraint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.assertClose;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.g;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.var;
import static org.junit.jupiter.api.Assertions.*;

/** The options' accepted ranges (inclusive ends included), weight-decay exclusion, fresh state, and loss scaling with constraints. */
class OptimizerOptionsTest {
    @Test
    void clippingNormsMustBePositive() {
        for (double bad : new double[] {0, -1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).clipnorm(bad), "clipnorm " + bad);
            assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).globalClipnorm(bad), "globalClipnorm " + bad);
        }
    }

    @Test
    void weightDecayZeroIsAcceptedAndDisablesDecay() {
        Optimizer opt = new SGD(0.5).weightDecay(0.25).weightDecay(0);
        assertEquals(0, opt.weightDecay());
        Variable w = var("w", 2);
        opt.applyGradients(List.of(g(1)), List.of(w));
        assertClose(new double[] {1.5}, w, 0);
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5).weightDecay(-0.125));
    }

    @Test
    void variablesListedForExclusionAreNotDecayed() {
        // w -= w·wd·lr, then w -= lr·g: with lr 0.5, wd 0.5 and g 0, a decayed 2 becomes 1.5
        Variable kept = var("dense/kernel", 2), decayed = var("dense/kernel_2", 2);
        Optimizer opt = new SGD(0.5).weightDecay(0.5).excludeFromWeightDecay(List.of(kept));
        opt.applyGradients(List.of(g(0), g(0)), List.of(kept, decayed));
        assertClose(new double[] {2}, kept, 0);
        assertClose(new double[] {1.5}, decayed, 0);
    }

    @Test
    void sgdMomentumRangeIncludesBothEnds() {
        // momentum 1: m = m - lr·g keeps every past step at full weight
        Optimizer heavy = new SGD(0.5, 1.0, false);
        Variable w = var("w", 0);
        heavy.applyGradients(List.of(g(1)), List.of(w));
        heavy.applyGradients(List.of(g(1)), List.of(w));
        assertClose(new double[] {-1.5}, w, 0); // -0.5, then -0.5 - 1.0
        Optimizer none = new SGD(0.5, 0.0, false);
        Variable v = var("v", 0);
        none.applyGradients(List.of(g(1)), List.of(v));
        assertClose(new double[] {-0.5}, v, 0);
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5, 1.5, false));
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5, -0.5, false));
    }

    @Test
    void schedulesRejectZeroSteps() {
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(new CosineDecay(0.1, 10), 0));
        // one step is the smallest valid length
        assertEquals(0.05f, new CosineDecay(0.1, 1, 0.5).apply(Tensor.scalar(1L)).item(), 1e-7);
        assertEquals(0.05f, new ExponentialDecay(0.1, 1, 0.5).apply(Tensor.scalar(1L)).item(), 1e-7);
        assertEquals(0.1f, new LinearWarmup(new CosineDecay(0.1, 10), 1).apply(Tensor.scalar(1L)).item(), 1e-7);
    }

    @Test
    void piecewiseConstantDecayChecksItsPieces() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {10, 20}, new double[] {1, 0.5}));
        assertTrue(count.getMessage().contains("2 values for 2 boundaries"), count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {10}, new double[] {1, 0.5, 0.25}));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {10, 10}, new double[] {1, 0.5, 0.25}),
                "a repeated boundary");
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {20, 10}, new double[] {1, 0.5, 0.25}));
        PiecewiseConstantDecay ok = new PiecewiseConstantDecay(new long[] {10, 11}, new double[] {1, 0.5, 0.25});
        assertEquals(0.5f, ok.apply(Tensor.scalar(11L)).item());
        assertEquals(0.25f, ok.apply(Tensor.scalar(12L)).item());
    }

    @Test
    void lossScaleOfOneAndGrowthEveryStepAreValid() {
        Optimizer opt = new SGD(0.5).lossScaling(1, 1);
        Variable w = var("w", 1);
        opt.applyGradients(List.of(g(1)), List.of(w));
        assertClose(new double[] {0.5}, w, 0);
        assertEquals(2, opt.lossScale().value().item(), "doubled after one finite step");
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5).lossScaling(0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5).lossScaling(1, 0));
    }

    @Test
    void gradientAccumulationOfOneIsPlainTrainingAndCannotBeRaisedWithLossScaling() {
        Optimizer opt = new SGD(0.5).lossScaling().gradientAccumulationSteps(1);
        assertEquals(1, opt.gradientAccumulationSteps());
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> new SGD(0.5).lossScaling().gradientAccumulationSteps(2));
        assertTrue(both.getMessage().contains("accumulation"), both.getMessage());
        assertEquals(4, new SGD(0.5).gradientAccumulationSteps(4).gradientAccumulationSteps());
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.5).gradientAccumulationSteps(0));
        assertEquals(32768, opt.lossScale().value().item(), "lossScaling() starts at 2^15");
    }

    @Test
    void aFreshOptimizerHasItsStateBeforeAnyStep() {
        Optimizer set = new SGD(0.5);
        set.setLearningRate(0.25); // before any other call
        assertEquals(0.25, set.learningRate().item());
        Optimizer fresh = new Adam(0.125).named("opt");
        assertEquals("opt/learning_rate", fresh.learningRateVariable().name());
        assertEquals(0, new Adam(0.125).iterations().value().item());
        assertEquals(List.of("opt2/iterations", "opt2/learning_rate"),
                new Adam(0.125).named("opt2").variables().stream().map(Variable::name).toList());
        Optimizer built = new SGD(0.5);
        built.build(List.of());
        assertThrows(IllegalStateException.class, () -> built.named("late"), "build created the state");
        assertEquals("opt", fresh.name());
        assertNull(fresh.schedule());
        CosineDecay cos = new CosineDecay(0.1, 10);
        assertSame(cos, new SGD(cos, 0, false).schedule());
    }

    @Test
    void factoriesUseTheGivenRateAndKerasDefaults() {
        assertEquals(0.5, Optimizers.sgd(0.5).learningRate().item());
        SGD momentum = Optimizers.sgd(0.5, 0.5, true);
        Variable w = var("w", 0);
        momentum.applyGradients(List.of(g(1)), List.of(w));
        assertClose(new double[] {-0.75}, w, 0); // m = -0.5; nesterov w += 0.5·m - 0.5
        assertEquals(0.25, Optimizers.adam(0.25).learningRate().item());
        AdamW adamW = Optimizers.adamW(0.25, 0.125);
        assertEquals(0.125, adamW.weightDecay());
        assertEquals(0.25, Optimizers.rmsprop(0.25).learningRate().item());
        assertEquals(0.25, Optimizers.adagrad(0.25).learningRate().item());
        assertTrue(Optimizers.rmsprop(0.25) instanceof RMSprop);
        assertTrue(Optimizers.adagrad(0.25) instanceof Adagrad);
    }

    @Test
    void lossScalingAppliesConstraintsOnFiniteStepsOnlyEagerAndTraced() {
        for (boolean compiled : new boolean[] {true, false}) {
            // a variable outside its constraint: a skipped (non-finite) step leaves it as it was, a finite one clips it
            Variable w = var("w", -1, 0.5);
            Constraints.register(w, Constraint.nonNeg());
            try {
                Optimizer opt = new SGD(0.25).lossScaling(4, 100).compileUpdates(compiled);
                opt.applyGradients(List.of(g(Double.POSITIVE_INFINITY, 4)), List.of(w));
                assertClose(new double[] {-1, 0.5}, w, 0);
                opt.applyGradients(List.of(g(-2, 1)), List.of(w)); // scale 2 now: unscaled (-1, 0.5)
                assertClose(new double[] {0, 0.375}, w, 0); // (-0.75, 0.375) clipped at 0
            } finally {
                Constraints.register(w, null);
            }
        }
        // and inside a compiled train step
        Variable t = var("t", -1, 0.5);
        Constraints.register(t, Constraint.nonNeg());
        try {
            Optimizer opt = new SGD(0.25).lossScaling(4, 100);
            var step = Fx.function("scaled_step", (Tensor grad) -> {
                opt.applyGradients(List.of(grad), List.of(t));
                return null;
            });
            step.call(g(Double.NaN, 4));
            assertClose(new double[] {-1, 0.5}, t, 0);
            step.call(g(-2, 1));
            assertClose(new double[] {0, 0.375}, t, 0);
        } finally {
            Constraints.register(t, null);
        }
    }
}
