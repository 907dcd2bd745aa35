package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** Clipping, schedules, gradient accumulation, checkpoint round trips and traced steps. */
class OptimizerFeaturesTest {
    static Variable var(String name, double... w) {
        return new Variable(Tensor.of(w.clone(), w.length), name);
    }

    static Tensor g(double... xs) {
        return Tensor.of(xs.clone(), xs.length);
    }

    static void assertClose(double[] expected, Variable v, double tol) {
        double[] a = v.value().toDoubleArray();
        assertEquals(expected.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(expected[i], a[i], tol, v.name() + "[" + i + "]");
    }

    // ------------------------------------------------------------------ clipping

    @Test
    void clipnormClipsEachGradientToItsNorm() {
        Optimizer opt = new SGD(1.0).clipnorm(1.0);
        Variable a = var("a", 0, 0), b = var("b", 0, 0);
        opt.applyGradients(List.of(g(3, 4), g(0.3, 0.4)), List.of(a, b)); // norms 5 (clipped) and 0.5 (kept)
        assertClose(new double[] {-0.6, -0.8}, a, 1e-7);
        assertClose(new double[] {-0.3, -0.4}, b, 1e-12);
    }

    @Test
    void globalClipnormScalesAllGradientsTogether() {
        Optimizer opt = new SGD(1.0).globalClipnorm(2.5);
        Variable a = var("a", 0, 0), b = var("b", 0);
        // global norm sqrt(9 + 16 + 0) = 5 -> scale 0.5
        opt.applyGradients(List.of(g(3, 4), g(0)), List.of(a, b));
        assertClose(new double[] {-1.5, -2}, a, 1e-7);
        Optimizer small = new SGD(1.0).globalClipnorm(10);
        Variable c = var("c", 0, 0);
        small.applyGradients(List.of(g(3, 4)), List.of(c));
        assertClose(new double[] {-3, -4}, c, 1e-7);
    }

    @Test
    void clipvalueAndExclusiveOptions() {
        Optimizer opt = new SGD(1.0).clipvalue(0.5);
        Variable a = var("a", 0, 0, 0);
        opt.applyGradients(List.of(g(3, -4, 0.25)), List.of(a));
        assertClose(new double[] {-0.5, 0.5, -0.25}, a, 1e-12);
        // Keras 3: at most one of the three clipping options
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).clipnorm(1).globalClipnorm(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).globalClipnorm(1).clipnorm(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).clipvalue(1).clipnorm(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).clipnorm(1).clipvalue(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).globalClipnorm(1).clipvalue(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(1.0).clipvalue(0));
    }

    // ------------------------------------------------------------------ schedules

    @Test
    void scheduleValues() {
        ExponentialDecay exp = new ExponentialDecay(0.1, 10, 0.5);
        assertEquals(0.1, exp.valueAt(0), 1e-7);
        assertEquals(0.1 * Math.pow(0.5, 0.5), exp.valueAt(5), 1e-7);
        assertEquals(0.025, exp.valueAt(20), 1e-7);
        ExponentialDecay stairs = new ExponentialDecay(0.1, 10, 0.5, true);
        assertEquals(0.1, stairs.valueAt(9), 1e-7);
        assertEquals(0.05, stairs.valueAt(10), 1e-7);
        assertEquals(0.05, stairs.valueAt(19), 1e-7);

        CosineDecay cos = new CosineDecay(1.0, 100, 0.1);
        assertEquals(1.0, cos.valueAt(0), 1e-6);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cos.valueAt(25), 1e-6);
        assertEquals(0.55, cos.valueAt(50), 1e-6);
        assertEquals(0.1, cos.valueAt(100), 1e-6);
        assertEquals(0.1, cos.valueAt(1000), 1e-6);

        PiecewiseConstantDecay pw = new PiecewiseConstantDecay(new long[] {100, 110}, new double[] {1.0, 0.5, 0.1});
        assertEquals(1.0, pw.valueAt(0), 1e-7);
        assertEquals(1.0, pw.valueAt(100), 1e-7);
        assertEquals(0.5, pw.valueAt(101), 1e-7);
        assertEquals(0.5, pw.valueAt(110), 1e-7);
        assertEquals(0.1, pw.valueAt(111), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {1}, new double[] {1}));

        LinearWarmup warm = new LinearWarmup(new CosineDecay(1.0, 100), 10, 0.0);
        assertEquals(0.0, warm.valueAt(0), 1e-7);
        assertEquals(0.5, warm.valueAt(5), 1e-7);
        assertEquals(1.0, warm.valueAt(10), 1e-6);
        assertEquals(0.5, warm.valueAt(60), 1e-6);
        assertEquals(0.0, warm.valueAt(110), 1e-6);
    }

    @Test
    void scheduleIsEvaluatedOnIterationsEagerAndTraced() {
        for (boolean traced : new boolean[] {false, true}) {
            LearningRateSchedule pw = new PiecewiseConstantDecay(new long[] {0, 1}, new double[] {1.0, 0.5, 0.25});
            Optimizer opt = new SGD(pw, 0, false);
            Variable w = var("w", 0);
            var step = Fx.function("sgd_step", (Tensor grad) -> {
                opt.applyGradients(List.of(grad), List.of(w));
                return null;
            });
            double expected = 0;
            double[] rates = {1.0, 0.5, 0.25, 0.25};
            for (double rate : rates) {
                if (traced) step.call(g(1)); else opt.applyGradients(List.of(g(1)), List.of(w));
                expected -= rate;
                assertClose(new double[] {expected}, w, 1e-7);
            }
            assertEquals(4, opt.iterations().value().item());
            assertThrows(IllegalStateException.class, () -> opt.setLearningRate(1));
            assertEquals(1, opt.variables().size(), "no learning-rate variable with a schedule");
        }
    }

    // ------------------------------------------------------------------ gradient accumulation

    static final double[][] MICRO = {{0.1, -0.2}, {0.4, 0.05}, {-0.3, 0.25}, {0.2, 0.1}, {1, -1}, {0.5, 0.5}, {-0.2, 0.3}, {0.1, 0.1}};

    static double[] mean(int from, int to) {
        double[] m = new double[2];
        for (int i = from; i < to; i++) for (int j = 0; j < 2; j++) m[j] += MICRO[i][j] / (to - from);
        return m;
    }

    @Test
    void accumulationOverFourStepsEqualsOneStepOnTheMeanGradient() {
        for (boolean traced : new boolean[] {false, true}) {
            Optimizer acc = new Adam(0.125).gradientAccumulationSteps(4);
            Optimizer ref = new Adam(0.125);
            Variable w = var("w", 1, -1), r = var("r", 1, -1);
            var step = Fx.function("acc_step", (Tensor grad) -> {
                acc.applyGradients(List.of(grad), List.of(w));
                return null;
            });
            for (int i = 0; i < 8; i++) {
                if (traced) step.call(g(MICRO[i])); else acc.applyGradients(List.of(g(MICRO[i])), List.of(w));
                if (i % 4 == 3) ref.applyGradients(List.of(g(mean(i - 3, i + 1))), List.of(r));
                assertClose(r.value().toDoubleArray(), w, 1e-12);
                if (i == 0) assertClose(new double[] {1, -1}, w, 0);
            }
            assertEquals(8, acc.iterations().value().item());
            List<String> names = acc.variables().stream().map(Variable::name).toList();
            assertEquals(List.of("Adam/iterations", "Adam/learning_rate", "w/m", "w/v", "w/grad_accumulator"), names);
            assertClose(new double[] {0, 0}, acc.variables().get(4), 0);
            if (traced) assertEquals(1, step.tracingCount());
        }
    }

    @Test
    void accumulationWithSgdMomentumAndClipping() {
        Optimizer acc = new SGD(0.5, 0.9, false).clipnorm(0.1).gradientAccumulationSteps(2);
        Optimizer ref = new SGD(0.5, 0.9, false).clipnorm(0.1);
        Variable w = var("w", 0, 0), r = var("r", 0, 0);
        var step = Fx.function("acc_sgd", (Tensor grad) -> {
            acc.applyGradients(List.of(grad), List.of(w));
            return null;
        });
        for (int i = 0; i < 6; i++) {
            step.call(g(MICRO[i]));
            if (i % 2 == 1) ref.applyGradients(List.of(g(mean(i - 1, i + 1))), List.of(r));
            assertClose(r.value().toDoubleArray(), w, 1e-12);
        }
        assertThrows(IllegalStateException.class, () -> acc.gradientAccumulationSteps(3));
    }

    // ------------------------------------------------------------------ checkpoints and traced steps

    /** A small least-squares problem: loss = mean((x·w + b - y)²). */
    static final Tensor X = Tensor.matrix(new float[][] {{1, 2}, {3, -1}, {0.5f, 0.5f}, {-2, 1}});
    static final Tensor Y = Tensor.of(new float[] {1, 2, 0, -1}, 4, 1);

    static Tensor loss(Variable w, Variable b, Tensor x, Tensor y) {
        return x.matmul(w.value()).add(b.value()).sub(y).square().mean();
    }

    static void trainStep(Optimizer opt, Variable w, Variable b, Tensor x, Tensor y) {
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            Tensor l = loss(w, b, x, y);
            grads = tape.gradient(l, List.of(w, b));
        }
        opt.applyGradients(grads, List.of(w, b));
    }

    static List<Supplier<Optimizer>> allOptimizers() {
        return List.of(() -> new SGD(0.05, 0.9, true), () -> new Adam(0.05, 0.9, 0.999, 1e-7, true), () -> new AdamW(0.05, 0.1),
                () -> new RMSprop(0.01, 0.9, 0.5, 1e-7, true), () -> new Adagrad(0.1),
                () -> new Adam(0.05).globalClipnorm(0.5).gradientAccumulationSteps(2),
                () -> new SGD(new LinearWarmup(new CosineDecay(0.1, 10, 0.1), 2), 0.5, false));
    }

    static Variable[] model() {
        return new Variable[] {new Variable(Tensor.of(new float[] {0.1f, -0.2f}, 2, 1), "dense/kernel"), new Variable(Tensor.zeros(1), "dense/bias")};
    }

    @Test
    void tracedStepMatchesEagerOverFiveSteps() {
        for (Supplier<Optimizer> make : allOptimizers()) {
            Variable[] eager = model(), traced = model();
            Optimizer eagerOpt = make.get(), tracedOpt = make.get();
            var step = Fx.function("train_step", (Tensor x, Tensor y) -> {
                trainStep(tracedOpt, traced[0], traced[1], x, y);
                return null;
            });
            for (int i = 0; i < 5; i++) {
                trainStep(eagerOpt, eager[0], eager[1], X, Y);
                step.call(X, Y);
            }
            assertEquals(1, step.tracingCount());
            assertEquals(5, tracedOpt.iterations().value().item());
            for (int k = 0; k < 2; k++)
                assertArrayEquals(eager[k].value().toFloatArray(), traced[k].value().toFloatArray(), 1e-6f, eagerOpt + " variable " + k);
            assertNotEquals(0.1f, traced[0].value().toFloatArray()[0], "the weights moved");
        }
    }

    @Test
    void variablesRoundTripContinuesIdentically() {
        for (Supplier<Optimizer> make : allOptimizers()) {
            Variable[] a = model();
            Optimizer optA = make.get();
            for (int i = 0; i < 3; i++) trainStep(optA, a[0], a[1], X, Y);
            // checkpoint: weights and optimizer variables
            List<Tensor> savedOpt = new ArrayList<>();
            for (Variable v : optA.variables()) savedOpt.add(v.value());
            List<String> names = optA.variables().stream().map(Variable::name).toList();
            Tensor w = a[0].value(), bias = a[1].value();
            for (int i = 0; i < 3; i++) trainStep(optA, a[0], a[1], X, Y);

            Variable[] b = model();
            Optimizer optB = make.get();
            optB.build(List.of(b[0], b[1]));
            assertEquals(names, optB.variables().stream().map(Variable::name).toList());
            for (int i = 0; i < savedOpt.size(); i++) optB.variables().get(i).assign(savedOpt.get(i));
            b[0].assign(w);
            b[1].assign(bias);
            for (int i = 0; i < 3; i++) trainStep(optB, b[0], b[1], X, Y);
            for (int k = 0; k < 2; k++)
                assertArrayEquals(a[k].value().toFloatArray(), b[k].value().toFloatArray(), 0f, optA + " variable " + k);
            assertEquals("dense/kernel", names.get(optA.learningRateVariable() == null ? 1 : 2).substring(0, 12));
        }
    }

    @Test
    void setLearningRateReachesACompiledStepWithoutRetracing() {
        Optimizer opt = new SGD(1.0);
        Variable w = var("w", 0);
        var step = Fx.function("sgd", (Tensor grad) -> {
            opt.applyGradients(List.of(grad), List.of(w));
            return null;
        });
        step.call(g(1));
        opt.setLearningRate(0.5);
        step.call(g(1));
        assertClose(new double[] {-1.5}, w, 1e-7);
        assertEquals(1, step.tracingCount());
        assertEquals(DType.INT64, opt.iterations().dtype());
        assertEquals(2L, opt.iterations().value().toLongArray()[0]);
    }

    @Test
    void minimize() {
        Optimizer opt = new SGD(0.5);
        Variable w = var("w", 3);
        Tensor l = opt.minimize(() -> w.value().square().sum(), List.of(w));
        assertEquals(9, l.item(), 1e-12);
        assertClose(new double[] {0}, w, 1e-12); // w - 0.5 * 2w
    }

    @Test
    void constraintsAreAppliedAfterEachUpdateEagerAndTraced() {
        Variable eager = var("critic/kernel", 0.005, -0.005), traced = var("critic/kernel_t", 0.005, -0.005);
        dev.fluxion.nn.Constraints.register(eager, dev.fluxion.nn.constraints.Constraint.clip(0.01));
        dev.fluxion.nn.Constraints.register(traced, dev.fluxion.nn.constraints.Constraint.clip(0.01));
        Optimizer a = new RMSprop(0.125).named("critic_optimizer"), b = new RMSprop(0.125);
        var step = Fx.function("critic_step", (Tensor grad) -> {
            b.applyGradients(List.of(grad), List.of(traced));
            return null;
        });
        for (int i = 0; i < 3; i++) {
            a.applyGradients(List.of(g(-1, 1)), List.of(eager));
            step.call(g(-1, 1));
            assertClose(new double[] {0.01, -0.01}, eager, 1e-12);
            assertClose(new double[] {0.01, -0.01}, traced, 1e-12);
        }
        assertEquals("critic_optimizer/iterations", a.variables().get(0).name());
        assertThrows(IllegalStateException.class, () -> a.named("other"));
        dev.fluxion.nn.Constraints.register(eager, null);
        dev.fluxion.nn.Constraints.register(traced, null);
    }

    @Test
    void twoOptimizersKeepSeparateState() {
        Optimizer gen = new Adam(0.125).named("generator_optimizer"), disc = new Adam(0.125).named("discriminator_optimizer");
        Variable gw = var("generator/w", 1), dw = var("discriminator/w", 1);
        gen.applyGradients(List.of(g(1)), List.of(gw));
        disc.applyGradients(List.of(g(1)), List.of(dw));
        disc.applyGradients(List.of(g(1)), List.of(dw));
        assertEquals(1, gen.iterations().value().item());
        assertEquals(2, disc.iterations().value().item());
        assertEquals(List.of("generator_optimizer/iterations", "generator_optimizer/learning_rate", "generator/w/m", "generator/w/v"),
                gen.variables().stream().map(Variable::name).toList());
        assertClose(new double[] {1 - 0.125}, gw, 1e-6); // epsilon hat: 0.125 · (1 - ~3e-6)
    }

    @Test
    void eagerUpdatesRunCompiledWithTheEagerResultsBitForBit() {
        List<Supplier<Optimizer>> kinds = List.of(() -> new Adam(0.01, 0.9, 0.999, 1e-7, true), () -> new SGD(0.1, 0.9, true),
                () -> new RMSprop(0.01).globalClipnorm(0.5), () -> new AdamW(0.01, 0.1).gradientAccumulationSteps(2));
        for (Supplier<Optimizer> kind : kinds) {
            Optimizer compiled = kind.get(), eager = kind.get().compileUpdates(false);
            Variable a = var("a", 0.5, -1.25, 2), b = var("b", 0.5, -1.25, 2);
            for (int step = 0; step < 5; step++) {
                Tensor grad = g(0.3 * step - 0.2, 1.5, -0.75 / (step + 1));
                compiled.applyGradients(List.of(grad), List.of(a));
                eager.applyGradients(List.of(grad), List.of(b));
                assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), compiled + " after step " + step);
            }
            assertEquals(5, compiled.iterations().value().item());
            assertEquals(1, compiled.compiledUpdateCount(), "the update must have run as a graph function: " + compiled);
            assertEquals(0, eager.compiledUpdateCount());
        }
    }

    @Test
    void anUpdateThatCannotBeTracedFallsBackToEagerExecution() {
        Optimizer opt = new SGD(0.5);
        Variable w = var("w", 1, 2);
        // a constraint that reads a value on the host: fine eagerly, impossible inside a graph function
        dev.fluxion.nn.Constraints.register(w, x -> x.max().item() > 1 ? x.mul(0.5) : x);
        opt.applyGradients(List.of(g(1, 1)), List.of(w));
        assertClose(new double[] {0.25, 0.75}, w, 1e-12); // (1, 2) - 0.5 = (0.5, 1.5), whose max is over 1: halved
        assertEquals(0, opt.compiledUpdateCount(), "compilation is off for this optimizer from now on");
        opt.applyGradients(List.of(g(1, 1)), List.of(w));
        assertClose(new double[] {-0.25, 0.25}, w, 1e-12);
    }

    @Test
    void lossScalingWithFiniteGradientsGivesTheUnscaledUpdatesAndGrowsTheScale() {
        for (boolean compiled : new boolean[] {true, false}) {
            Optimizer scaled = new Adam(0.01).lossScaling(1024, 3).compileUpdates(compiled), plain = new Adam(0.01);
            Variable a = var("a", 0.5, -1.25, 2), b = var("b", 0.5, -1.25, 2);
            double[] expectedScale = {1024, 1024, 2048, 2048, 2048, 4096};
            for (int step = 0; step < 6; step++) {
                Tensor grad = g(0.3 * step - 0.2, 1.5, -0.75 / (step + 1));
                double s = scaled.lossScale().value().item();
                scaled.applyGradients(List.of(grad.mul(s)), List.of(a)); // as if the scaled loss had been differentiated
                plain.applyGradients(List.of(grad), List.of(b));
                assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), "step " + step + (compiled ? " compiled" : " eager"));
                assertEquals(expectedScale[step], scaled.lossScale().value().item(), "scale after step " + step);
            }
            assertEquals(6, scaled.iterations().value().item());
            assertEquals(2048.0, scaled.scaleLoss(Tensor.scalar(0.5f)).item()); // 0.5 * 4096
        }
    }

    @Test
    void aNonFiniteGradientSkipsTheStepAndHalvesTheScale() {
        for (boolean compiled : new boolean[] {true, false}) {
            Optimizer opt = new SGD(0.5).lossScaling(8, 100).compileUpdates(compiled);
            Variable w = var("w", 1, 2);
            opt.applyGradients(List.of(g(8, 8)), List.of(w)); // unscaled (1, 1): w = (0.5, 1.5)
            assertClose(new double[] {0.5, 1.5}, w, 1e-12);
            for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN}) {
                opt.applyGradients(List.of(g(bad, 1)), List.of(w));
                assertClose(new double[] {0.5, 1.5}, w, 0); // skipped
            }
            assertEquals(2, opt.lossScale().value().item(), "halved twice");
            assertEquals(1, opt.iterations().value().item(), "skipped steps do not count");
            opt.applyGradients(List.of(g(2, 2)), List.of(w)); // unscaled (1, 1) again
            assertClose(new double[] {0, 1}, w, 1e-12);
            assertEquals(List.of("SGD/iterations", "SGD/learning_rate", "SGD/loss_scale", "SGD/loss_scale_good_steps"),
                    opt.variables().stream().map(Variable::name).toList(), "what a checkpoint saves");
        }
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> new SGD(0.1).gradientAccumulationSteps(2).lossScaling());
        assertTrue(both.getMessage().contains("accumulation"), both.getMessage());
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> new SGD(0.1).lossScaling(1000, 10));
        assertTrue(odd.getMessage().contains("power of two"), odd.getMessage());
    }

    @Test
    void fitDifferentiatesTheScaledLossAndTrainsExactlyAsWithout() {
        Tensor x = new dev.fluxion.random.Rng(3).normal(new int[] {32, 5}, 0, 1), y = new dev.fluxion.random.Rng(4).normal(new int[] {32, 1}, 0, 1);
        List<List<Double>> losses = new ArrayList<>();
        for (boolean scaling : new boolean[] {false, true}) {
            dev.fluxion.random.Rng.setGlobalSeed(9);
            var model = dev.fluxion.nn.Sequential.of(dev.fluxion.nn.Input.shape(5), new dev.fluxion.nn.layers.Dense(4, "relu"), new dev.fluxion.nn.layers.Dense(1));
            Optimizer opt = new Adam(0.01);
            if (scaling) opt.lossScaling(4096, 2);
            model.compile(opt, new dev.fluxion.nn.losses.MeanSquaredError());
            losses.add(model.fit(x, y, dev.fluxion.nn.training.Fit.epochs(3).batchSize(8).shuffle(false).verbose(0)).history().get("loss"));
            if (scaling) assertTrue(opt.lossScale().value().item() > 4096, "the scale grew over 12 finite steps: " + opt.lossScale().value().item());
        }
        assertEquals(losses.get(0), losses.get(1));
    }
}
