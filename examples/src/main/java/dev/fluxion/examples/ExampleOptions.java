package dev.fluxion.examples;

import java.nio.file.Path;

/**
 * The options every example takes from the launcher.
 *
 * @param dataset          {@code mnist}, {@code fashion-mnist} or {@code cifar10}
 * @param epochs           passes over the training set
 * @param batchSize        samples per training step
 * @param mode             how the training step runs
 * @param outputDir        where checkpoints, images and curves go (created if missing)
 * @param maxStepsPerEpoch 0 for whole epochs; a small number limits each epoch (smoke tests, quick looks)
 * @param seed             seeds weights, shuffling and noise
 */
public record ExampleOptions(String dataset, int epochs, int batchSize, Mode mode, Path outputDir,
                             long maxStepsPerEpoch, long seed) {

    /** How an example's training step runs. */
    public enum Mode { EAGER, GRAPH, FIT }

    public ExampleOptions {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (maxStepsPerEpoch < 0) throw new IllegalArgumentException("max steps per epoch must be >= 0, got " + maxStepsPerEpoch);
    }

    /** Defaults: MNIST, 3 epochs, batch 128, graph mode, {@code out/}, whole epochs, seed 42. */
    public static ExampleOptions defaults() {
        return new ExampleOptions("mnist", 3, 128, Mode.GRAPH, Path.of("out"), 0, 42);
    }

    public ExampleOptions withDataset(String value) { return new ExampleOptions(value, epochs, batchSize, mode, outputDir, maxStepsPerEpoch, seed); }
    public ExampleOptions withEpochs(int value) { return new ExampleOptions(dataset, value, batchSize, mode, outputDir, maxStepsPerEpoch, seed); }
    public ExampleOptions withBatchSize(int value) { return new ExampleOptions(dataset, epochs, value, mode, outputDir, maxStepsPerEpoch, seed); }
    public ExampleOptions withMode(Mode value) { return new ExampleOptions(dataset, epochs, batchSize, value, outputDir, maxStepsPerEpoch, seed); }
    public ExampleOptions withOutputDir(Path value) { return new ExampleOptions(dataset, epochs, batchSize, mode, value, maxStepsPerEpoch, seed); }
    public ExampleOptions withMaxStepsPerEpoch(long value) { return new ExampleOptions(dataset, epochs, batchSize, mode, outputDir, value, seed); }
    public ExampleOptions withSeed(long value) { return new ExampleOptions(dataset, epochs, batchSize, mode, outputDir, maxStepsPerEpoch, value); }
}
