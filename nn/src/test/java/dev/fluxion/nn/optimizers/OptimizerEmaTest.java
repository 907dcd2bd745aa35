package dev.fluxion.nn.optimizers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.assertClose;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.g;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.var;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Moving averages of the variables (Keras' use_ema), worked out by hand here for SGD on a constant gradient. */
class OptimizerEmaTest {
    /** Runs {@code steps} updates with gradient 1 on w = 1 (SGD, rate 0.1), eagerly, compiled or traced. */
    private static Variable run(Optimizer opt, int steps, String mode, Variable w) {
        var traced = Fx.function("step", (Tensor grad) -> {
            opt.applyGradients(List.of(grad), List.of(w));
            return null;
        });
        if (mode.equals("eager")) opt.compileUpdates(false);
        for (int i = 0; i < steps; i++) {
            if (mode.equals("traced")) traced.call(g(1));
            else opt.applyGradients(List.of(g(1)), List.of(w));
        }
        return w;
    }

    @Test
    void averagesFollowKerasFormula() {
        for (String mode : List.of("eager", "compiled", "traced")) {
            Optimizer opt = new SGD(0.1).useEma(0.9);
            Variable w = run(opt, 3, mode, var("w", 1));
            // w: 0.9, 0.8, 0.7; average: 0.9 (copied), 0.9·0.9 + 0.1·0.8 = 0.89, 0.9·0.89 + 0.1·0.7 = 0.871
            assertClose(new double[] {0.7}, w, 1e-6);
            assertClose(new double[] {0.871}, opt.average(w), 1e-6);
            assertEquals("w/average", opt.average(w).name(), mode);
            assertEquals(List.of(opt.iterations(), opt.learningRateVariable(), opt.average(w)), opt.variables(), mode);
            opt.finalizeVariableValues();
            assertClose(new double[] {0.871}, w, 1e-6);
        }
    }

    @Test
    void overwriteFrequencyCopiesTheAveragesIntoTheVariables() {
        for (String mode : List.of("eager", "traced")) {
            Optimizer opt = new SGD(0.1).useEma(0.9, 2);
            Variable w = run(opt, 3, mode, var("w", 1));
            // step 2 sets w to its average 0.89; step 3: w = 0.79, average = 0.9·0.89 + 0.1·0.79 = 0.88
            assertClose(new double[] {0.79}, w, 1e-6);
            assertClose(new double[] {0.88}, opt.average(w), 1e-6);
        }
    }

    @Test
    void onlyRealUpdatesMoveTheAverages() {
        for (String mode : List.of("eager", "traced")) {
            // gradient accumulation over 2 calls: updates on calls 2 and 4 (w 0.9, 0.8), averages 0.9 then 0.89
            Optimizer accumulating = new SGD(0.1).gradientAccumulationSteps(2).useEma(0.9);
            Variable w = run(accumulating, 3, mode, var("w", 1));
            assertClose(new double[] {0.9}, accumulating.average(w), 1e-6);
            run(accumulating, 1, mode, w);
            assertClose(new double[] {0.89}, accumulating.average(w), 1e-6);
        }
        for (String mode : List.of("eager", "traced")) {
            // loss scaling skips a step with a non-finite gradient: the average does not move either
            Optimizer scaled = new SGD(0.1).lossScaling(1, 1000).useEma(0.5);
            Variable w = var("w", 1);
            var step = Fx.function("step", (Tensor grad) -> {
                scaled.applyGradients(List.of(grad), List.of(w));
                return null;
            });
            for (double grad : new double[] {1, Double.NaN, 1}) {
                if (mode.equals("traced")) step.call(g(grad));
                else scaled.applyGradients(List.of(g(grad)), List.of(w));
            }
            assertClose(new double[] {0.8}, w, 1e-6);
            assertClose(new double[] {0.85}, scaled.average(w), 1e-6); // 0.9, then 0.5·0.9 + 0.5·0.8
        }
    }

    @Test
    void fitEndsWithTheAverages() {
        for (boolean eager : new boolean[] {true, false}) {
            var model = dev.fluxion.nn.Sequential.of(dev.fluxion.nn.Input.shape(4), new dev.fluxion.nn.layers.Dense(3));
            model.compile(new SGD(0.1).useEma(0.5), new dev.fluxion.nn.losses.MeanSquaredError(), List.of(), eager);
            Variable kernel = model.trainableVariables().getFirst();
            double[][] average = {null};
            // the average written out here from the weights after each batch: a copy first, then halfway each step
            var watch = dev.fluxion.nn.callbacks.LambdaCallback.builder().onBatchEnd((batch, logs) -> {
                double[] now = kernel.value().toDoubleArray();
                if (average[0] == null) average[0] = now;
                else for (int i = 0; i < now.length; i++) average[0][i] = 0.5 * average[0][i] + 0.5 * now[i];
            }).build();
            Tensor x = new dev.fluxion.random.Rng(3).normal(new int[] {40, 4}, 0, 1);
            Tensor y = new dev.fluxion.random.Rng(4).normal(new int[] {40, 3}, 0, 1);
            model.fit(x, y, dev.fluxion.nn.training.Fit.epochs(2).batchSize(8).verbose(0).callbacks(watch));
            assertClose(average[0], kernel, 1e-6);
        }
    }

    @Test
    void withoutEmaNothingChanges() {
        Optimizer opt = new SGD(0.1);
        Variable w = run(opt, 2, "eager", var("w", 1));
        assertNull(opt.average(w));
        opt.finalizeVariableValues();
        assertClose(new double[] {0.8}, w, 1e-6);
        assertEquals(2, opt.variables().size());
    }

    @Test
    void badSettingsAreRefused() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(0.1).useEma(1)), "SGD", "EMA momentum must be in [0, 1), got 1.0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(0.1).useEma(-0.1)), "got -0.1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new SGD(0.1).useEma(0.9, -1)),
                "EMA overwrite frequency must be >= 0 (0: never), got -1");
        Optimizer started = new SGD(0.1);
        run(started, 1, "eager", var("w", 1));
        assertMentions(assertThrows(IllegalStateException.class, () -> started.useEma(0.9)), "before the first step");
    }
}
