package dev.fluxion.examples.article;

import dev.fluxion.data.DataLocator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.ExampleOptions;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;

/**
 * The data set of the walk-through, chosen by {@code --dataset}: images as float32 NHWC in [0, 1] (the article's
 * {@code x / 255.0}, done by the loaders) and int32 class labels. The test split doubles as validation data, as in
 * the article. With {@code --max-steps N} the test split is cut to its first N batches so that quick runs also
 * validate quickly.
 *
 * @param title     the data set's name for messages
 * @param train     training images and labels
 * @param test      test (and validation) images and labels
 * @param source    where the files were read from
 * @param batchSize samples per batch, from the options
 * @param maxSteps  batches per epoch at most (0: all)
 */
public record ArticleData(String title, Pair train, Pair test, String source, int batchSize, long maxSteps) {

    /** Loads the data set named by {@code options.dataset()}; an unknown name or a missing data set fails clearly. */
    public static ArticleData load(ExampleOptions options) throws IOException {
        String title = switch (options.dataset()) {
            case "mnist" -> "MNIST";
            case "fashion-mnist" -> "Fashion-MNIST";
            case "cifar10" -> "CIFAR-10";
            default -> throw new IllegalArgumentException("unknown dataset '" + options.dataset()
                    + "' (expected mnist, fashion-mnist or cifar10)");
        };
        TrainTest data = loadLocallyThenDownload(options.dataset());
        Pair test = data.test();
        long limit = options.maxStepsPerEpoch() * options.batchSize();
        if (options.maxStepsPerEpoch() > 0 && limit < test.x().dim(0))
            test = new Pair(test.x().slice(0, (int) limit), test.y().slice(0, (int) limit));
        return new ArticleData(title, data.train(), test, data.source(), options.batchSize(), options.maxStepsPerEpoch());
    }

    /**
     * Looks on this machine first, so that a missing data set is reported with every place searched, then lets the
     * loader download it (with checksum verification) where a network is available.
     */
    private static TrainTest loadLocallyThenDownload(String name) throws IOException {
        DataLocator local = DataLocator.defaults().withDownloads(false);
        try {
            return load(name, local);
        } catch (FileNotFoundException notHere) {
            try {
                return load(name, DataLocator.defaults());
            } catch (IOException downloadFailed) {
                Throwable cause = downloadFailed;
                while (cause.getCause() != null) cause = cause.getCause();
                throw new IOException(notHere.getMessage().replace(" and downloads are off", "")
                        + "; downloading it failed too (" + cause + ")", downloadFailed);
            }
        }
    }

    private static TrainTest load(String name, DataLocator locator) throws IOException {
        return switch (name) {
            case "mnist" -> Datasets.mnist(locator);
            case "fashion-mnist" -> Datasets.fashionMnist(locator);
            default -> Datasets.cifar10(locator);
        };
    }

    /** The shape of one image, e.g. {@code [28, 28, 1]}. */
    public int[] imageShape() {
        int[] shape = train.x().shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** A line for the log: which data, from where, and what the model sees. */
    public String describe() {
        int[] s = imageShape();
        String input = s[0] + "x" + s[1] + "x" + s[2];
        String note = s[2] == 3 ? "" : "; the article's CIFAR-10 blocks applied to " + input + " input";
        return title + " from " + source + ": " + train.x().dim(0) + " training, " + test.x().dim(0)
                + " test/validation images of " + input + note;
    }

    /** Training batches per epoch: the whole epoch (last batch partial), or at most {@code maxSteps}. */
    public long stepsPerEpoch() {
        long whole = (train.x().dim(0) + batchSize - 1) / batchSize;
        return maxSteps > 0 ? Math.min(maxSteps, whole) : whole;
    }

    /** The training split shuffled (a new order each epoch, fixed by the seed) and batched, cut to the steps per epoch. */
    public Dataset<Pair> trainBatches(long seed) {
        return Dataset.fromTensorSlices(train.x(), train.y())
                .shuffle(train.x().dim(0), seed)
                .batch(batchSize)
                .take(stepsPerEpoch());
    }

    /** The test split in order, batched. */
    public Dataset<Pair> testBatches() {
        return Dataset.fromTensorSlices(test.x(), test.y()).batch(batchSize);
    }

    /** Number of test images (after the {@code --max-steps} cut). */
    public int testSize() {
        return test.x().dim(0);
    }
}
