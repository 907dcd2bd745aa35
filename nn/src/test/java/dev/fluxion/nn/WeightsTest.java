package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.regularizers.Regularizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.*;

/** Initializers, regularizers and constraints. */
class WeightsTest {
    private static double[] moments(Tensor t) {
        double[] v = t.toDoubleArray();
        double m = 0, s = 0, maxAbs = 0;
        for (double x : v) m += x / v.length;
        for (double x : v) { s += (x - m) * (x - m) / v.length; maxAbs = Math.max(maxAbs, Math.abs(x)); }
        return new double[] {m, Math.sqrt(s), maxAbs};
    }

    @Test
    void varianceScalingInitializersHaveKerasStatistics() {
        int[] shape = {200, 100};
        double fanAvg = 150, fanIn = 200;
        record Case(Initializer init, double std, double bound) {}
        List<Case> cases = List.of(
                new Case(Initializers.glorotUniform(1L), Math.sqrt(1 / fanAvg), Math.sqrt(3 / fanAvg)),
                new Case(Initializers.glorotNormal(2L), Math.sqrt(1 / fanAvg), 2 * Math.sqrt(1 / fanAvg) / 0.87962566103423978),
                new Case(Initializers.heNormal(3L), Math.sqrt(2 / fanIn), 2 * Math.sqrt(2 / fanIn) / 0.87962566103423978),
                new Case(Initializers.heUniform(4L), Math.sqrt(2 / fanIn), Math.sqrt(6 / fanIn)),
                new Case(Initializers.lecunNormal(5L), Math.sqrt(1 / fanIn), 2 * Math.sqrt(1 / fanIn) / 0.87962566103423978),
                new Case(Initializers.randomUniform(-0.05, 0.05, 6L), 0.05 / Math.sqrt(3), 0.05),
                new Case(Initializers.randomNormal(0, 0.05, 7L), 0.05, 1),
                new Case(Initializers.truncatedNormal(0, 0.05, 8L), 0.05 * 0.87962566103423978, 0.1));
        for (Case c : cases) {
            Tensor t = c.init.apply(shape, DType.FLOAT32);
            assertArrayEquals(shape, t.shape());
            double[] m = moments(t);
            assertEquals(0, m[0], 0.05 * c.std, "mean");
            assertEquals(c.std, m[1], 0.05 * c.std, "std");
            assertTrue(m[2] <= c.bound * (1 + 1e-6), "bound " + m[2] + " > " + c.bound);
        }
        assertArrayEquals(Initializers.glorotUniform(9L).apply(shape, DType.FLOAT32).toFloatArray(),
                Initializers.glorotUniform(9L).apply(shape, DType.FLOAT32).toFloatArray(), "seeded is reproducible");
        assertArrayEquals(new double[] {3 * 3 * 16, 3 * 3 * 32}, Initializers.fans(new int[] {3, 3, 16, 32}));
        assertEquals(2.5, Initializers.constant(2.5).apply(new int[] {2}, DType.FLOAT64).toDoubleArray()[1]);
        assertEquals(1, Initializers.ones().apply(new int[] {1}, DType.FLOAT32).item());
        assertEquals(0, Initializers.get("zeros").apply(new int[] {3}, DType.FLOAT32).sum().item());
    }

    @Test
    void regularizerLossesAreCollected() {
        Dense d = new Dense(2).kernelInitializer(Initializers.constant(0.5)).biasInitializer(Initializers.constant(-1))
                .kernelRegularizer(Regularizer.l2(0.1)).biasRegularizer(Regularizer.l1(0.01));
        Sequential model = Sequential.of(d, new Dense(1).kernelRegularizer(Regularizer.l1l2(0.1, 0.2)).kernelInitializer(Initializers.constant(-2)));
        model.call(Tensor.ones(1, 3));
        List<Tensor> losses = model.losses();
        assertEquals(3, losses.size());
        assertEquals(0.1 * 6 * 0.25, losses.get(0).item(), 1e-6);
        assertEquals(0.01 * 2, losses.get(1).item(), 1e-6);
        assertEquals(0.1 * 2 * 2 + 0.2 * 2 * 4, losses.get(2).item(), 1e-6);
        // differentiable: d/dk of l2 * sum(k^2) = 2 * l2 * k
        try (GradientTape tape = new GradientTape()) {
            Tensor l = d.losses().get(0);
            Tensor g = tape.gradient(l, List.of(d.kernel())).get(0);
            for (double v : g.toDoubleArray()) assertEquals(0.1, v, 1e-6);
        }
    }

    @Test
    void constraintsProjectWeights() {
        Tensor w = Tensor.of(new double[] {-3, 0.5, 4, -0.2, 0, 2}, 3, 2);
        assertClose(new double[] {-1, 0.5, 1, -0.2, 0, 1}, Constraint.clip(1).apply(w).toDoubleArray(), 0);
        assertClose(new double[] {0, 0.5, 4, 0, 0, 2}, Constraint.nonNeg().apply(w).toDoubleArray(), 0);
        // columns: (-3, 4, 0) norm 5; (0.5, -0.2, 2) norm ~2.07
        double n2 = Math.sqrt(0.25 + 0.04 + 4);
        double[] unit = Constraint.unitNorm().apply(w).toDoubleArray();
        assertClose(new double[] {-0.6, 0.5 / n2, 0.8, -0.2 / n2, 0, 2 / n2}, unit, 1e-6);
        double[] max = Constraint.maxNorm(3).apply(w).toDoubleArray();
        assertClose(new double[] {-3 * 0.6, 0.5, 4 * 0.6, -0.2, 0, 2}, max, 1e-6);
    }

    @Test
    void layerConstraintsAreRegisteredAndApplied() {
        Conv2D c = new Conv2D(2, 1).kernelInitializer(Initializers.constant(0.5)).kernelConstraint(Constraint.clip(0.01));
        c.call(Tensor.ones(1, 2, 2, 1));
        Variable k = c.kernel();
        assertNotNull(Constraints.get(k));
        Constraints.apply(k);
        for (double v : k.value().toDoubleArray()) assertEquals(0.01, v, 1e-7);
        Variable b = c.bias();
        double[] before = b.value().toDoubleArray();
        Constraints.apply(b); // no constraint: no-op
        assertArrayEquals(before, b.value().toDoubleArray());
    }

    @Test
    void movingWeightsNeedsABuiltLayerAndAnEagerContext() {
        Dense unbuilt = new Dense(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> unbuilt.moveTo(dev.fluxion.Device.CPU));
        assertTrue(e.getMessage().contains(unbuilt.name()) && e.getMessage().contains("not built"), e.getMessage());
        Dense built = new Dense(3);
        built.call(Tensor.ones(2, 4));
        Tensor kernel = built.trainableVariables().get(0).value();
        built.moveTo(dev.fluxion.Device.CPU); // already there: the same value, untouched
        assertSame(kernel.storage(), built.trainableVariables().get(0).value().storage());
        Variable v = built.trainableVariables().get(0);
        var f = dev.fluxion.Fx.function("move", (Tensor x) -> {
            v.moveTo(dev.fluxion.Device.cuda(0));
            return x;
        });
        IllegalStateException traced = assertThrows(IllegalStateException.class, () -> f.call(Tensor.ones(1)));
        assertTrue(traced.getMessage().contains("moveTo") && traced.getMessage().contains(v.name()), traced.getMessage());
    }

    @Test
    void weightsLoadIntoAnotherInstanceOfTheSameArchitecture(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.util.function.Supplier<Sequential> build = () -> Sequential.of(Input.shape(6, 6, 1), new Conv2D(2, 3),
                new dev.fluxion.nn.layers.Flatten(), new Dense(3), new Dense(1));
        Sequential trained = build.get(), fresh = build.get(), other = Sequential.of(Input.shape(6, 6, 1), new Conv2D(2, 3),
                new dev.fluxion.nn.layers.Flatten(), new Dense(4), new Dense(1));
        assertNotEquals(trained.variables().get(0).name(), fresh.variables().get(0).name(), "layers are numbered on");
        java.nio.file.Path file = dir.resolve("w.safetensors");
        trained.saveWeights(file);
        fresh.loadWeights(file); // matched by structure: same names but for the numbers, same order, shapes and dtypes
        for (int i = 0; i < trained.variables().size(); i++)
            assertArrayEquals(trained.variables().get(i).value().toFloatArray(), fresh.variables().get(i).value().toFloatArray(),
                    fresh.variables().get(i).name());
        RuntimeException e = assertThrows(RuntimeException.class, () -> other.loadWeights(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("do not match"), e.getMessage());
    }

    /** The first layer of a kind has no number (dense, then dense_1): it still matches a numbered one by structure. */
    @Test
    void weightsOfFirstLayersNamedWithoutNumbersLoadIntoNumberedOnes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Layer.resetNames();
        java.util.function.Supplier<Sequential> build = () -> Sequential.of(Input.shape(4), new Dense(3), new Dense(2));
        Sequential first = build.get(), second = build.get();
        assertEquals("dense/kernel", first.variables().get(0).name());
        assertEquals("dense_2/kernel", second.variables().get(0).name());
        java.nio.file.Path file = dir.resolve("first.safetensors");
        first.saveWeights(file);
        second.loadWeights(file);
        for (int i = 0; i < first.variables().size(); i++)
            assertArrayEquals(first.variables().get(i).value().toFloatArray(), second.variables().get(i).value().toFloatArray(),
                    second.variables().get(i).name());
        java.nio.file.Path back = dir.resolve("second.safetensors");
        second.saveWeights(back);
        first.loadWeights(back); // and the other way round
    }
}
