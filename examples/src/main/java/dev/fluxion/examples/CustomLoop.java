package dev.fluxion.examples;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.callbacks.ProgressBar;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Dropout;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The seed article's custom training loop on MNIST: a Keras model, a tape-based {@code trainOnBatch} compiled as a
 * graph function, a shuffled and batched Dataset, a progress bar with per-epoch validation loss, and the best model
 * saved on validation loss. Ends with the test accuracy and where the best weights are.
 *
 * <pre>java ... dev.fluxion.examples.CustomLoop [epochs] [output directory]</pre>
 */
public final class CustomLoop {
    private final Sequential model = Sequential.of(Input.shape(28, 28, 1),
            new Flatten(), new Dense(128, "relu"), new Dropout(0.2, 7L), new Dense(10));
    private final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);
    private final Adam optimizer = new Adam(1e-3);

    Tensor trainOnBatch(Tensor x, Tensor y) {
        try (var tape = new GradientTape()) {
            Tensor value = loss.call(y, model.call(x, true));
            optimizer.applyGradients(tape.gradient(value, model.trainableVariables()), model.trainableVariables());
            return value;
        }
    }

    Tensor validateOnBatch(Tensor x, Tensor y) {
        return loss.call(y, model.call(x, false));
    }

    Tensor correctOnBatch(Tensor x, Tensor y) {
        Tensor predicted = Ops.argmax(model.call(x, false), 1, false).cast(DType.INT32);
        return Ops.equal(predicted, y).cast(DType.FLOAT32).sum();
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path out = Path.of(args.length > 1 ? args[1] : "out");
        Files.createDirectories(out);
        TrainTest mnist = Datasets.mnist();
        System.out.println("MNIST from " + mnist.source());
        CustomLoop loop = new CustomLoop();
        loop.model.summary();

        GraphFunction<Tensor> step = Fx.function("train_on_batch", loop::trainOnBatch);
        GraphFunction<Tensor> validate = Fx.function("validate_on_batch", loop::validateOnBatch);
        GraphFunction<Tensor> correct = Fx.function("correct_on_batch", loop::correctOnBatch);
        Dataset<Pair> train = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y()).shuffle(60_000, 42).batch(128).prefetch(2);
        Dataset<Pair> test = Dataset.fromTensorSlices(mnist.test().x(), mnist.test().y()).batch(1000);

        Path best = out.resolve("best.safetensors");
        double bestLoss = Double.POSITIVE_INFINITY;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            ProgressBar bar = new ProgressBar(train.cardinality(), "Epoch " + epoch + "/" + epochs);
            for (Pair batch : train) bar.update(Map.of("loss", step.call(batch.x(), batch.y()).item()));
            double valLoss = 0;
            int batches = 0;
            for (Pair batch : test) {
                valLoss += validate.call(batch.x(), batch.y()).item();
                batches++;
            }
            valLoss /= batches;
            bar.finish(Map.of("val_loss", valLoss));
            if (valLoss < bestLoss) {
                bestLoss = valLoss;
                loop.model.saveWeights(best);
            }
        }
        loop.model.loadWeights(best);
        double correctCount = 0;
        for (Pair batch : test) correctCount += correct.call(batch.x(), batch.y()).item();
        System.out.printf("test accuracy %.4f (best model, val_loss %.4f); best weights saved to %s%n",
                correctCount / mnist.test().y().dim(0), bestLoss, best.toAbsolutePath());
        System.out.println("train_on_batch was traced " + step.tracingCount() + " times (the last, partial batch has its own signature)");
    }
}
