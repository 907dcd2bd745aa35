package dev.fluxion.examples.gan;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.DataIterator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import dev.fluxion.examples.util.ImageGrid;
import dev.fluxion.examples.util.Steps;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.callbacks.ProgressBar;
import dev.fluxion.nn.optimizers.Optimizer;
import dev.fluxion.random.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The epoch loop the GAN examples share: MNIST-like images scaled to [-1, 1], shuffled and batched (whole batches
 * only, so a compiled step is traced once), a progress bar, per-epoch means of what the step reports, and an 8x8
 * grid of samples from fixed noise after every epoch ({@code samples_epoch_N.png}).
 */
final class GanLoop {
    private GanLoop() {}

    /** One batch of training; returns the scalar values of this batch (keys may differ between batches). */
    @FunctionalInterface
    interface BatchStep {
        Map<String, Tensor> run(Tensor real, long step);
    }

    /** Training images in [-1, 1], float32 [n, 28, 28, 1]. */
    /**
     * The Wasserstein generator step both WGANs share: maximize the critic's mean score of fresh fakes, i.e. minimize
     * its negation, updating only the generator.
     */
    static Map<String, Tensor> wassersteinGeneratorStep(Sequential generator, Sequential critic, Optimizer optimizer, Rng noise, int batch) {
        Tensor z = noise.normal(new int[] {batch, GanModels.LATENT}, 0, 1);
        List<Variable> vars = generator.trainableVariables();
        Tensor loss;
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            loss = critic.call(generator.call(z, true), true).mean().neg();
            grads = tape.gradient(loss, vars);
        }
        optimizer.applyGradients(grads, vars);
        return Map.of("g_loss", loss);
    }

    /** A batch step running the critic step on every batch and the generator step after every {@code nCritic}-th. */
    static BatchStep criticThenGenerator(Fx.Fn1<Map<String, Tensor>> criticStep, Fx.Fn1<Map<String, Tensor>> generatorStep, int nCritic) {
        return (real, s) -> {
            Map<String, Tensor> values = new LinkedHashMap<>(criticStep.apply(real));
            if ((s + 1) % nCritic == 0) values.putAll(generatorStep.apply(real));
            return values;
        };
    }

    static Tensor images(ExampleOptions o) throws IOException {
        TrainTest data = switch (o.dataset()) {
            case "mnist" -> Datasets.mnist();
            case "fashion-mnist" -> Datasets.fashionMnist();
            default -> throw new IllegalArgumentException("the GAN examples are built for 28x28 grayscale images: use --dataset mnist or fashion-mnist, not " + o.dataset());
        };
        System.out.println(o.dataset() + " from " + data.source());
        return data.train().x().mul(2.0).sub(1.0);
    }

    /** Runs {@code options.epochs()} epochs of {@code step}; returns the per-epoch log (also in {@code <name>_history.csv}). */
    static EpochLog train(String name, ExampleOptions o, Tensor images, Sequential generator, BatchStep step) throws IOException {
        Files.createDirectories(o.outputDir());
        Tensor fixedNoise = new Rng(o.seed() + 1).normal(new int[] {64, GanModels.LATENT}, 0, 1);
        Dataset<Tensor> batches = Dataset.fromTensorSlices(images).shuffle(images.dim(0), o.seed()).batch(o.batchSize(), true).prefetch(2);
        long steps = Steps.perEpoch(images.dim(0) / o.batchSize(), o.maxStepsPerEpoch());
        EpochLog log = new EpochLog(o.outputDir().resolve(name + "_history.csv"));
        long globalStep = 0;
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            ProgressBar bar = new ProgressBar(steps, "Epoch " + epoch + "/" + o.epochs());
            Map<String, double[]> sums = new LinkedHashMap<>();
            try (DataIterator<Tensor> it = batches.iterator()) {
                for (long s = 0; s < steps && it.hasNext(); s++) {
                    Map<String, Double> values = new LinkedHashMap<>();
                    step.run(it.next(), globalStep++).forEach((k, v) -> values.put(k, v.item()));
                    values.forEach((k, v) -> {
                        double[] a = sums.computeIfAbsent(k, key -> new double[2]);
                        a[0] += v;
                        a[1]++;
                    });
                    bar.update(values);
                }
            }
            bar.finish(Map.of());
            Map<String, Double> means = new LinkedHashMap<>();
            sums.forEach((k, a) -> means.put(k, a[0] / a[1]));
            log.record(epoch, o.epochs(), means);
            ImageGrid.write(generator.call(fixedNoise, false), 8, -1, 1, o.outputDir().resolve("samples_epoch_" + epoch + ".png"));
        }
        System.out.println("samples written to " + o.outputDir().toAbsolutePath() + "/samples_epoch_*.png");
        return log;
    }
}
