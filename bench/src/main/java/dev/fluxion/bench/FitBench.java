package dev.fluxion.bench;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.BatchNormalization;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Dropout;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.MaxPooling2D;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The seed article's comparison: seconds per epoch of Keras-style {@code fit}, of the hand-written custom loop as a
 * graph function, and of the same loop eagerly, on a reference workload (batch 128, Adam 1e-3, softmax cross-entropy
 * from logits). mlp and cnn train on real MNIST; seed on synthetic data of CIFAR-10's shapes (timing only). The
 * three modes are interleaved epoch by epoch, in a rotating order after a collection, so machine noise and garbage
 * hit them alike, after one warm-up epoch each; with a
 * step limit, an "epoch" is the first {@code steps} batches and the per-epoch time is scaled to the full epoch.
 *
 * <p>Prints a Markdown table and one {@code RESULT workload mode seconds-per-epoch samples-per-second} line per mode
 * (bench/article.sh joins them with PyTorch's figures).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes> dev.fluxion.bench.FitBench
 * [mlp|cnn|seed] [timed epochs] [steps per epoch, 0 = all]}
 */
public final class FitBench {
    private FitBench() {}

    static Sequential model(String workload) {
        return switch (workload) {
            case "mlp" -> Sequential.of(Input.shape(28, 28, 1), new Flatten(), new Dense(128, "relu"), new Dropout(0.2, 1L), new Dense(10));
            case "cnn" -> Sequential.of(Input.shape(28, 28, 1),
                    new Conv2D(32, 3).activation("relu"), new MaxPooling2D(2),
                    new Conv2D(64, 3).activation("relu"), new MaxPooling2D(2),
                    new Flatten(), new Dropout(0.5, 1L), new Dense(10));
            case "seed" -> {
                List<Layer> layers = new ArrayList<>();
                for (int filters : new int[] {32, 64, 128}) {
                    layers.add(new Conv2D(filters, 3).padding("same").useBias(false));
                    layers.add(new BatchNormalization());
                    layers.add(new Activation("elu"));
                    layers.add(new MaxPooling2D(2));
                }
                layers.add(new Flatten());
                layers.add(new Dense(512, "elu"));
                layers.add(new Dense(10));
                yield Sequential.of(Input.shape(32, 32, 3), layers.toArray(Layer[]::new));
            }
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "': use mlp, cnn or seed");
        };
    }

    /** The article's custom loop: trainOnBatch with a tape, optionally compiled. */
    static final class CustomLoop {
        final Sequential model;
        final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);
        final Adam optimizer = new Adam(1e-3);

        CustomLoop(String workload) {
            model = model(workload);
        }

        /**
         * A synthetic batch of 128 of the workload's inputs (uniform pixels) and labels: {x, y}. Drawn in that order,
         * so the same generator gives every bench the same batches.
         */
        static Tensor[] syntheticBatch(String workload, dev.fluxion.random.Rng data) {
            int[] image = imageShape(workload), shape = {128, image[0], image[1], image[2]};
            Tensor x = data.uniform(shape, dev.fluxion.DType.FLOAT32);
            return new Tensor[] {x, data.uniform(new int[] {128}, 0, 10).cast(dev.fluxion.DType.INT32)};
        }

        /** One input image of the workload: height, width, channels. */
        static int[] imageShape(String workload) {
            return workload.equals("seed") ? new int[] {32, 32, 3} : new int[] {28, 28, 1};
        }

        Tensor trainOnBatch(Tensor x, Tensor y) {
            try (var tape = new GradientTape()) {
                Tensor value = loss.call(y, model.call(x, true));
                optimizer.applyGradients(tape.gradient(value, model.trainableVariables()), model.trainableVariables());
                return value;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String workload = args.length > 0 ? args[0] : "mlp";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Dataset<Pair> train = data(workload).batch(128).prefetch(2);
        long fullSteps = train.cardinality();
        Dataset<Pair> timed = steps > 0 ? train.take(steps) : train;
        long timedSteps = steps > 0 ? Math.min(steps, fullSteps) : fullSteps;
        double scale = (double) fullSteps / timedSteps;
        int samples = (int) (fullSteps * 128);

        Sequential keras = model(workload);
        keras.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(true));
        CustomLoop graph = new CustomLoop(workload), eager = new CustomLoop(workload);
        GraphFunction<Tensor> step = Fx.function("train_on_batch", graph::trainOnBatch);

        String[] names = {"fit", "custom loop, graph function", "custom loop, eager"};
        String[] keys = {"fit", "graph", "eager"};
        List<Runnable> modes = List.of(
                () -> keras.fit(timed, Fit.epochs(1).verbose(0)),
                () -> { for (Pair b : timed) step.call(b.x(), b.y()).item(); },
                () -> { for (Pair b : timed) eager.trainOnBatch(b.x(), b.y()).item(); });
        double[][] seconds = new double[3][epochs];
        for (int e = -1; e < epochs; e++)
            for (int i = 0; i < 3; i++) {
                int mode = (i + e + 3) % 3; // rotate the order, so no mode always follows the eager one's garbage
                System.gc();
                long t0 = System.nanoTime();
                modes.get(mode).run();
                if (e >= 0) seconds[mode][e] = (System.nanoTime() - t0) / 1e9 * scale;
            }
        double customGraph = median(seconds[1]);
        System.out.printf("%s: %d steps per epoch%s, median of %d epochs%n", workload, fullSteps,
                steps > 0 ? " (timed on the first " + timedSteps + ", scaled)" : "", epochs);
        System.out.println("| mode | s/epoch | samples/s | vs custom graph loop |");
        System.out.println("|---|---|---|---|");
        for (int mode = 0; mode < 3; mode++) {
            double s = median(seconds[mode]);
            System.out.printf("| %s | %.3f | %,.0f | %.2fx |%n", names[mode], s, samples / s, s / customGraph);
        }
        for (int mode = 0; mode < 3; mode++)
            System.out.printf("RESULT %s %s %.4f %.1f%n", workload, keys[mode], median(seconds[mode]), samples / median(seconds[mode]));
    }

    private static Dataset<Pair> data(String workload) throws java.io.IOException {
        if (workload.equals("seed")) { // CIFAR-10's shapes; timing does not depend on the pixel values
            Rng rng = new Rng(0);
            Tensor x = rng.uniform(new int[] {50_000, 32, 32, 3}, DType.FLOAT32);
            Tensor y = rng.uniform(new int[] {50_000}, 0, 10).cast(DType.INT32);
            return Dataset.fromTensorSlices(x, y).shuffle(50_000, 42);
        }
        TrainTest mnist = Datasets.mnist();
        return Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y()).shuffle(60_000, 42);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
