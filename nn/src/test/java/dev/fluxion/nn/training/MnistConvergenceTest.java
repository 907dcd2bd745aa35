package dev.fluxion.nn.training;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.data.TrainTest;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** An MLP trained with compile/fit reaches Keras-level test accuracy on MNIST within 3 epochs (about a minute on 2 cores). */
class MnistConvergenceTest {
    @Test
    void mlpReaches97PercentIn3Epochs() throws Exception {
        TrainTest data = dev.fluxion.nn.TestData.mnistOrSkip();
        Tensor x = prep(data.train().x()), y = data.train().y().cast(DType.INT32);
        Tensor xt = prep(data.test().x()), yt = data.test().y().cast(DType.INT32);
        Rng.setGlobalSeed(42);
        Sequential model = Sequential.of(new Dense(256, "relu"), new Dense(10));
        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(true), Metrics.sparseCategoricalAccuracy());
        long t0 = System.nanoTime();
        History h = model.fit(x, y, Fit.epochs(3).batchSize(32).seed(7).verbose(2));
        Map<String, Double> test = model.evaluate(xt, yt, 1000);
        System.out.printf("MNIST MLP: %s, test %s, %.1f s%n", h, test, (System.nanoTime() - t0) / 1e9);
        assertTrue(test.get("sparse_categorical_accuracy") > 0.97, test.toString());
    }

    private static Tensor prep(Tensor images) {
        int n = images.dim(0);
        return images.cast(DType.FLOAT32).reshape(n, 784); // already scaled to [0, 1] by the loader
    }
}
