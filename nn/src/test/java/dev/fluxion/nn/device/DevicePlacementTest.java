package dev.fluxion.nn.device;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.BatchNormalization;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Dropout;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.MaxPooling2D;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training on another device gives what it gives on the CPU, bit for bit, on the {@link ShadowDevice} (CPU kernels
 * behind storage that claims to be elsewhere, so every op checks its inputs' devices): the device-placement bugs a
 * first GPU run found (optimizer state, dropout keys, ones for the loss gradient, one-hot classes, metrics) now fail
 * here first.
 */
class DevicePlacementTest {
    private static final Device SHADOW = ShadowDevice.DEVICE;

    /** conv, batch norm, elu, pool, dropout, dense: every kind of state and random draw of the seed model. */
    private static Sequential model() {
        Rng.setGlobalSeed(11);
        return Sequential.of(Input.shape(8, 8, 2), new Conv2D(4, 3).padding("same"), new BatchNormalization(), new Activation("elu"),
                new MaxPooling2D(2), new Flatten(), new Dropout(0.25, 3L), new Dense(3));
    }

    private static final Tensor X = new Rng(5).normal(new int[] {32, 8, 8, 2}, 0, 1);
    private static final Tensor Y = new Rng(6).uniform(new int[] {32}, 0, 3).cast(DType.INT32);

    /** The article's custom loop: a tape step and Adam, eagerly or compiled. */
    private static float[] customLoop(Sequential model, Device device, boolean compiled) {
        Adam opt = new Adam(0.01);
        SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);
        Fx.Fn2<Tensor> body = (x, y) -> {
            try (var tape = new GradientTape()) {
                Tensor l = loss.call(y, model.call(x, true));
                opt.applyGradients(tape.gradient(l, model.trainableVariables()), model.trainableVariables());
                return l;
            }
        };
        var step = Fx.function("step", body);
        float[] losses = new float[4];
        for (int i = 0; i < losses.length; i++) {
            Tensor x = X.slice(8 * i, 8 * i + 8).to(device), y = Y.slice(8 * i, 8 * i + 8).to(device);
            Tensor l = compiled ? step.call(x, y) : body.apply(x, y);
            assertEquals(device, l.device());
            losses[i] = (float) l.item();
        }
        for (Variable v : opt.variables()) assertEquals(device, v.type().device(), "optimizer state " + v.name());
        return losses;
    }

    @Test
    void theCustomLoopOnADeviceGivesTheCpusBits() {
        for (boolean compiled : new boolean[] {false, true}) {
            Sequential cpu = model(), moved = model();
            moved.moveTo(SHADOW);
            float[] expected = customLoop(cpu, Device.CPU, compiled), got = customLoop(moved, SHADOW, compiled);
            assertArrayEquals(expected, got, compiled ? "graph function" : "eager");
            for (int i = 0; i < cpu.variables().size(); i++) {
                Variable a = cpu.variables().get(i), b = moved.variables().get(i);
                assertEquals(SHADOW, b.type().device(), b.name());
                assertArrayEquals(a.value().toFloatArray(), b.value().toFloatArray(), b.name() + (compiled ? " (graph function)" : " (eager)"));
            }
        }
    }

    @Test
    void fitEvaluateAndPredictOnADeviceGiveTheCpusResults(@TempDir Path dir) {
        Map<String, List<Double>> expected = null;
        Map<String, Double> expectedEval = null;
        float[] expectedPredictions = null;
        for (Device device : new Device[] {Device.CPU, SHADOW}) {
            Sequential model = model();
            model.moveTo(device);
            model.compile(new Adam(0.01), new SparseCategoricalCrossentropy(true), new SparseCategoricalAccuracy());
            var history = model.fit(X, Y, Fit.epochs(2).batchSize(8).validationSplit(0.25).seed(4).verbose(0)).history();
            Map<String, Double> eval = model.evaluate(X, Y, 16);
            Tensor predictions = model.predict(X, 16);
            assertEquals(Device.CPU, predictions.device(), "predictions come back to the host");
            if (device.equals(Device.CPU)) {
                expected = history;
                expectedEval = eval;
                expectedPredictions = predictions.toFloatArray();
            } else {
                assertEquals(expected, history);
                assertEquals(expectedEval, eval);
                assertArrayEquals(expectedPredictions, predictions.toFloatArray());
                // weights saved from the device load back onto the device
                Path file = dir.resolve("w.safetensors");
                model.saveWeights(file);
                List<float[]> saved = model.variables().stream().map(v -> v.value().toFloatArray()).toList();
                for (Variable v : model.variables()) v.assign(v.value().zerosLike());
                model.loadWeights(file);
                for (int i = 0; i < saved.size(); i++) {
                    assertEquals(SHADOW, model.variables().get(i).type().device());
                    assertArrayEquals(saved.get(i), model.variables().get(i).value().toFloatArray());
                }
            }
        }
    }

    @Test
    void onlyHostScalarsFollowAnOpToTheDevice() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).to(SHADOW);
        assertArrayEquals(new float[] {2, 4, 6}, x.mul(Tensor.scalar(2f)).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.add(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains(SHADOW.toString()), e.getMessage());
    }

    /** One eager or compiled training step of {@code model} with {@code loss} and {@code opt}, on x and y. */
    private static float[] train(dev.fluxion.nn.Model model, dev.fluxion.nn.losses.Loss loss, dev.fluxion.nn.optimizers.Optimizer opt,
                                 Tensor x, Tensor y, boolean compiled) {
        Fx.Fn2<Tensor> body = (a, b) -> {
            try (var tape = new GradientTape()) {
                Tensor l = loss.call(b, model.call(a, true)).add(model.losses().stream().reduce(Tensor.scalar(0f), Tensor::add));
                opt.applyGradients(tape.gradient(l, model.trainableVariables()), model.trainableVariables());
                return l;
            }
        };
        var step = Fx.function("step", body);
        float[] losses = new float[3];
        for (int i = 0; i < losses.length; i++) losses[i] = (float) (compiled ? step.call(x, y) : body.apply(x, y)).item();
        return losses;
    }

    /** Other layers, losses, optimizers, a schedule and regularizers: the CPU's bits on the device too. */
    @Test
    void otherLayersLossesAndOptimizersGiveTheCpusBitsOnADevice() {
        Tensor images = new Rng(7).normal(new int[] {6, 6, 6, 2}, 0, 1), targets = new Rng(8).uniform(new int[] {6, 4}, DType.FLOAT32);
        Tensor ids = new Rng(9).uniform(new int[] {6, 5}, 0, 10).cast(DType.INT32), values = new Rng(10).normal(new int[] {6, 1}, 0, 1);
        for (boolean compiled : new boolean[] {false, true}) {
            float[][] results = new float[2][];
            for (int d = 0; d < 2; d++) {
                Device device = d == 0 ? Device.CPU : SHADOW;
                Rng.setGlobalSeed(21);
                var in = Input.shape(6, 6, 2);
                var up = new dev.fluxion.nn.layers.Conv2DTranspose(3, 3).padding("same").apply(in);
                var normed = Activation.gelu().apply(new dev.fluxion.nn.layers.LayerNormalization().apply(up));
                var side = new Conv2D(3, 3).padding("same").kernelRegularizer(dev.fluxion.nn.regularizers.Regularizer.l2(0.01)).apply(in);
                var merged = new dev.fluxion.nn.layers.Concatenate().apply(new dev.fluxion.nn.layers.AveragePooling2D(2).apply(normed),
                        new dev.fluxion.nn.layers.AveragePooling2D(2).apply(new dev.fluxion.nn.layers.Add().apply(side, side)));
                var out = new Dense(4).apply(new dev.fluxion.nn.layers.GlobalAveragePooling2D().apply(merged));
                var image = dev.fluxion.nn.Functional.of(in, out);
                image.moveTo(device);
                var rms = new dev.fluxion.nn.optimizers.RMSprop(0.01, 0.9, 0.5, 1e-7, true).clipnorm(1.0);
                float[] a = train(image, new dev.fluxion.nn.losses.BinaryCrossentropy(true, 0.1, dev.fluxion.nn.losses.Loss.Reduction.SUM_OVER_BATCH_SIZE),
                        rms, images.to(device), targets.to(device), compiled);

                Rng.setGlobalSeed(22);
                Sequential embed = Sequential.of(Input.shape(DType.INT32, 5), new dev.fluxion.nn.layers.Embedding(10, 3), new Flatten(), new Dense(1));
                embed.moveTo(device);
                var sgd = new dev.fluxion.nn.optimizers.SGD(new dev.fluxion.nn.optimizers.ExponentialDecay(0.1, 2, 0.5), 0.9, true);
                float[] b = train(embed, new dev.fluxion.nn.losses.Huber(0.5), sgd, ids.to(device), values.to(device), compiled);

                Rng.setGlobalSeed(23);
                Sequential dense = Sequential.of(Input.shape(4), new Dense(3, Activation.sigmoid()), new Dense(1));
                dense.moveTo(device);
                float[] c = train(dense, new dev.fluxion.nn.losses.MeanSquaredError(), new dev.fluxion.nn.optimizers.Adagrad(0.1).globalClipnorm(0.5),
                        targets.to(device), values.to(device), compiled);
                results[d] = new float[a.length + b.length + c.length];
                System.arraycopy(a, 0, results[d], 0, a.length);
                System.arraycopy(b, 0, results[d], a.length, b.length);
                System.arraycopy(c, 0, results[d], a.length + b.length, c.length);
            }
            assertArrayEquals(results[0], results[1], compiled ? "graph function" : "eager");
        }
    }
}
