package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Functional;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every merge, sequence-reshaping and noise layer in one functional model, trained by {@code fit}: the compiled
 * training step (a graph function with fresh noise per step) follows the eager one loss for loss and weight for
 * weight, and the loss falls.
 */
class NewLayersTrainingTest {
    private static Functional model() {
        long[] seed = {100};
        java.util.function.Supplier<Long> next = () -> seed[0]++;
        KerasTensor a = Input.shape(6, 4);
        KerasTensor h = new Dense(4).kernelInitializer(Initializers.glorotUniform(next.get())).apply(a); // [N, 6, 4]
        KerasTensor s = new SpatialDropout1D(0.2, next.get()).apply(h);
        KerasTensor g = new GaussianNoise(0.1, next.get()).apply(h);
        KerasTensor m = new GaussianDropout(0.2, next.get()).apply(new Multiply().apply(s, g));
        KerasTensor p = new Permute(2, 1).apply(m); // [N, 4, 6]
        KerasTensor c = new Cropping1D(2, 0).apply(new ZeroPadding1D(1).apply(new UpSampling1D(2).apply(p))); // [N, 8, 6]
        KerasTensor e = new Dense(6).kernelInitializer(Initializers.glorotUniform(next.get())).apply(new Flatten().apply(a));
        KerasTensor r = new RepeatVector(8).apply(e); // [N, 8, 6]
        KerasTensor mx = new Maximum().apply(new Subtract().apply(c, r), new Minimum().apply(c, r));
        KerasTensor av = new Average().apply(mx, c, r);
        KerasTensor dot = new Dot(2).normalize(true).apply(av, r); // [N, 8, 8]
        KerasTensor out = new Dense(1).kernelInitializer(Initializers.glorotUniform(next.get())).apply(new Flatten().apply(dot));
        assertArrayEquals(new int[] {-1, 8, 8}, dot.shape());
        return Functional.of(a, out);
    }

    @Test
    void compiledTrainingFollowsEagerTraining() {
        Tensor x = TestData.f32(1, 48, 6, 4), y = TestData.f32(2, 48, 1);
        Functional compiled = model(), eager = model();
        compiled.compile(new Adam(0.01), new MeanSquaredError(), List.of(), false);
        eager.compile(new Adam(0.01), new MeanSquaredError(), List.of(), true);
        History hc = compiled.fit(x, y, Fit.epochs(4).batchSize(16).seed(3).verbose(0));
        History he = eager.fit(x, y, Fit.epochs(4).batchSize(16).seed(3).verbose(0));
        List<Double> lc = hc.history().get("loss"), le = he.history().get("loss");
        assertEquals(4, lc.size());
        for (int i = 0; i < lc.size(); i++) assertEquals(le.get(i), lc.get(i), 1e-4 * Math.max(1, Math.abs(le.get(i))), "epoch " + i);
        for (int k = 0; k < eager.trainableVariables().size(); k++)
            assertArrayEquals(eager.trainableVariables().get(k).value().toFloatArray(), compiled.trainableVariables().get(k).value().toFloatArray(), 1e-4f);
        assertTrue(lc.get(3) < lc.get(0), "the loss falls: " + lc);
        assertEquals(1, compiled.trainer().trainFunction().tracingCount(), "fresh noise every step without retracing");
    }
}
