package dev.fluxion.examples.beyond;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.callbacks.TensorBoard;
import dev.fluxion.nn.layers.Conv1D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.GlobalMaxPooling1D;
import dev.fluxion.nn.layers.MaxPooling1D;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;

import java.util.List;
import java.util.Map;

/**
 * Variable-length sequences on real data: each image becomes the sequence of its rows that hold ink (blank rows above
 * and below dropped, so sequences have different lengths), {@code paddedBatch} pads each batch to its longest
 * sequence, and a 1-D convolutional network (Conv1D, MaxPooling1D, GlobalMaxPooling1D) classifies them, trained by
 * {@code fit} with moving averages of the weights ({@code useEma}) and TensorBoard curves under
 * {@code <output>/tensorboard}. The max pooling over steps makes the padding rows harmless: they are zero, and after
 * ReLU every real feature is at least zero too.
 */
public final class SequenceRows implements Example {
    @Override public String name() { return "sequence-rows"; }

    @Override public String description() {
        return "images as variable-length sequences of rows: paddedBatch, Conv1D and pooling over steps, EMA weights, TensorBoard";
    }

    /** The training history and the test accuracy, with the shortest and longest sequence of the training set. */
    public record Result(History history, double testAccuracy, int shortest, int longest) {}

    @Override
    public void run(ExampleOptions options) throws Exception {
        Result r = train(options);
        System.out.printf("sequences of %d to %d rows; test accuracy %.4f%n", r.shortest(), r.longest(), r.testAccuracy());
    }

    /** The first row, and one past the last, of the image at {@code offset} that hold ink; {0, 1} for a blank image. */
    static int[] inkSpan(float[] px, int offset, int h, int w) {
        int first = -1, last = 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                if (px[offset + r * w + c] != 0) {
                    if (first < 0) first = r;
                    last = r;
                }
        return first < 0 ? new int[] {0, 1} : new int[] {first, last + 1};
    }

    /** The rows of an image [height, width, 1] that hold ink, as a sequence [rows, width]. */
    static Tensor inkRows(Tensor image) {
        int w = image.dim(1);
        int[] span = inkSpan(image.toFloatArray(), 0, image.dim(0), w);
        return image.slice(span[0], span[1]).reshape(span[1] - span[0], w);
    }

    /** The shortest and longest ink-row sequence among the first {@code count} images [n, height, width, 1]. */
    static int[] lengthRange(Tensor images, int count) {
        int h = images.dim(1), w = images.dim(2);
        float[] px = images.slice(0, count).toFloatArray();
        int[] range = {Integer.MAX_VALUE, 0};
        for (int i = 0; i < count; i++) {
            int[] span = inkSpan(px, i * h * w, h, w);
            range[0] = Math.min(range[0], span[1] - span[0]);
            range[1] = Math.max(range[1], span[1] - span[0]);
        }
        return range;
    }

    /** Sequences of any number of rows of 28 pixels: the steps are unknown (None) in the declared input. */
    static Sequential model() {
        return Sequential.of(Input.shape(-1, 28),
                new Conv1D(64, 3).padding("same").activation("relu"), new MaxPooling1D(2),
                new Conv1D(128, 3).padding("same").activation("relu"), new GlobalMaxPooling1D(),
                new Dense(10));
    }

    /** Training and test batches of ink-row sequences, each padded with zero rows to its longest sequence. */
    record Sequences(Dataset<Pair> train, Dataset<Pair> test, int shortest, int longest) {}

    /** The 28x28 grayscale images of {@code --dataset} (MNIST or Fashion-MNIST) that {@code example} reads as rows. */
    static TrainTest images(ExampleOptions o, String example) throws Exception {
        return switch (o.dataset()) {
            case "mnist" -> Datasets.mnist();
            case "fashion-mnist" -> Datasets.fashionMnist();
            default -> throw new IllegalArgumentException(example + " reads 28x28 grayscale images: use --dataset mnist or fashion-mnist, not " + o.dataset());
        };
    }

    static Sequences sequences(ExampleOptions o, String example) throws Exception {
        TrainTest data = images(o, example);
        int n = data.train().x().dim(0);
        Dataset<Pair> train = Dataset.fromTensorSlices(data.train().x(), data.train().y()).shuffle(n, o.seed())
                .map(p -> new Pair(inkRows(p.x()), p.y())).paddedBatch(o.batchSize()).prefetch(2);
        Dataset<Pair> test = Dataset.fromTensorSlices(data.test().x(), data.test().y())
                .map(p -> new Pair(inkRows(p.x()), p.y())).paddedBatch(500);
        if (o.maxStepsPerEpoch() > 0) {
            train = train.take(o.maxStepsPerEpoch());
            test = test.take(Math.min(o.maxStepsPerEpoch(), 4));
        }
        int[] range = lengthRange(data.train().x(), o.maxStepsPerEpoch() > 0 ? Math.min(n, 2000) : n);
        return new Sequences(train, test, range[0], range[1]);
    }

    public Result train(ExampleOptions o) throws Exception {
        Rng.setGlobalSeed(o.seed());
        Sequences data = sequences(o, name());
        Sequential model = model();
        model.compile(new Adam(1e-3).useEma(0.99), new SparseCategoricalCrossentropy(true), List.of(Metrics.sparseCategoricalAccuracy()),
                o.mode() == ExampleOptions.Mode.EAGER);
        History h = model.fit(data.train(), Fit.epochs(o.epochs()).verbose(1).callbacks(new TensorBoard(o.outputDir().resolve("tensorboard"))));
        Map<String, Double> eval = model.evaluate(data.test());
        return new Result(h, eval.get("sparse_categorical_accuracy"), data.shortest(), data.longest());
    }
}
