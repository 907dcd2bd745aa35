package dev.fluxion.bench;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Dropout;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The seed article's comparison on the mlp workload (real MNIST, batch 128, Adam 1e-3): seconds per epoch of
 * Keras-style {@code fit}, of the hand-written custom loop as a graph function, and of the same loop eagerly. The
 * three modes are interleaved epoch by epoch so machine noise hits them alike; the median of the timed epochs is
 * reported, after one warm-up epoch each.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes> dev.fluxion.bench.FitBench [epochs]}
 */
public final class FitBench {
    private FitBench() {}

    private static Sequential mlp() {
        return Sequential.of(Input.shape(28, 28, 1), new Flatten(), new Dense(128, "relu"), new Dropout(0.2, 1L), new Dense(10));
    }

    /** The article's custom loop: trainOnBatch with a tape, optionally compiled. */
    private static final class CustomLoop {
        final Sequential model = mlp();
        final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);
        final Adam optimizer = new Adam(1e-3);

        Tensor trainOnBatch(Tensor x, Tensor y) {
            try (var tape = new GradientTape()) {
                Tensor value = loss.call(y, model.call(x, true));
                optimizer.applyGradients(tape.gradient(value, model.trainableVariables()), model.trainableVariables());
                return value;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        TrainTest mnist = Datasets.mnist();
        Dataset<Pair> train = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y()).shuffle(60_000, 42).batch(128).prefetch(2);

        Sequential keras = mlp();
        keras.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(true));
        CustomLoop graph = new CustomLoop(), eager = new CustomLoop();
        GraphFunction<Tensor> step = Fx.function("train_on_batch", graph::trainOnBatch);

        String[] names = {"fit (graph step)", "custom loop, graph function", "custom loop, eager"};
        Function<Integer, Runnable> epoch = mode -> switch (mode) {
            case 0 -> () -> keras.fit(train, Fit.epochs(1).verbose(0));
            case 1 -> () -> { for (Pair b : train) step.call(b.x(), b.y()).item(); };
            default -> () -> { for (Pair b : train) eager.trainOnBatch(b.x(), b.y()).item(); };
        };
        double[][] seconds = new double[3][epochs];
        for (int e = -1; e < epochs; e++)
            for (int mode = 0; mode < 3; mode++) {
                long t0 = System.nanoTime();
                epoch.apply(mode).run();
                if (e >= 0) seconds[mode][e] = (System.nanoTime() - t0) / 1e9;
            }
        double customGraph = median(seconds[1]);
        System.out.println("| mode | s/epoch (median of " + epochs + ") | samples/s | vs custom graph loop |");
        System.out.println("|---|---|---|---|");
        for (int mode = 0; mode < 3; mode++) {
            double s = median(seconds[mode]);
            System.out.printf("| %s | %.3f | %,.0f | %.2fx |%n", names[mode], s, 60_000 / s, s / customGraph);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
