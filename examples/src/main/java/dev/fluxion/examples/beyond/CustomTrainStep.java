package dev.fluxion.examples.beyond;

import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.nn.callbacks.CSVLogger;
import dev.fluxion.nn.callbacks.EarlyStopping;
import dev.fluxion.nn.callbacks.ModelCheckpoint;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * A {@link dev.fluxion.nn.Model} subclass that overrides {@code trainStep} (an input-gradient penalty with a custom
 * metric, see {@link GradientPenaltyClassifier}) trained with the ordinary {@code fit}: progress bar, validation,
 * EarlyStopping, ModelCheckpoint (best on val_loss) and CSVLogger all work unchanged. The step is compiled as a
 * graph function in GRAPH and FIT mode and runs eagerly in EAGER mode ({@code runEagerly}).
 */
public final class CustomTrainStep implements Example {
    static final double LAMBDA = 0.1;

    @Override public String name() { return "custom-train-step"; }

    @Override public String description() {
        return "a Model overriding trainStep (input-gradient penalty, custom metric) inside fit with callbacks";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        train(options);
    }

    public History train(ExampleOptions o) throws Exception {
        TrainTest data = switch (o.dataset()) {
            case "mnist" -> Datasets.mnist();
            case "fashion-mnist" -> Datasets.fashionMnist();
            default -> throw new IllegalArgumentException("custom-train-step trains a 28x28 grayscale classifier: use --dataset mnist or fashion-mnist, not " + o.dataset());
        };
        Files.createDirectories(o.outputDir());
        Rng.setGlobalSeed(o.seed());
        GradientPenaltyClassifier model = new GradientPenaltyClassifier(LAMBDA);
        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(true), List.of(Metrics.sparseCategoricalAccuracy()),
                o.mode() == ExampleOptions.Mode.EAGER);

        Dataset<Pair> train = Dataset.fromTensorSlices(data.train().x(), data.train().y()).shuffle(data.train().x().dim(0), o.seed()).batch(o.batchSize());
        Dataset<Pair> test = Dataset.fromTensorSlices(data.test().x(), data.test().y()).batch(1000);
        if (o.maxStepsPerEpoch() > 0) {
            train = train.take(o.maxStepsPerEpoch());
            test = test.take(Math.min(o.maxStepsPerEpoch(), 10));
        }
        String best = o.outputDir().resolve("best.safetensors").toString();
        History history = model.fit(train, Fit.epochs(o.epochs()).validationData(test).callbacks(
                ModelCheckpoint.bestOnly(best),
                new EarlyStopping().patience(2).restoreBestWeights(true),
                new CSVLogger(o.outputDir().resolve("training_log.csv").toString())));
        model.summary();
        Map<String, Double> result = model.evaluate(test);
        System.out.printf("test (best weights): %s; best weights in %s, per-epoch log in %s%n", result, best, o.outputDir().resolve("training_log.csv"));
        return history;
    }
}
