package dev.fluxion.examples.article;

import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;

import java.util.Locale;
import java.util.Map;

/**
 * Step 3 of the article: the custom loop fed by a {@link Dataset} instead of indices sliced by hand. The pipeline
 * shuffles (a new order every epoch, reproducible from the seed) and batches; each {@code for} over it is one epoch.
 */
public final class DatasetLoopExample implements Example {
    @Override
    public String name() {
        return "dataset-loop";
    }

    @Override
    public String description() {
        return "article step 3: the custom loop fed by a Dataset (shuffle, batch)";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        TapeSteps steps = new TapeSteps(ArticleModel.build(data.imageShape(), options.seed()));
        Dataset<Pair> train = Dataset.fromTensorSlices(data.train().x(), data.train().y())
                .shuffle(data.train().x().dim(0), options.seed())
                .batch(options.batchSize())
                .take(data.stepsPerEpoch());     // --max-steps
        TrainingCurves curves = new TrainingCurves("dataset-loop: Dataset.shuffle.batch");

        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            double loss = TapeSteps.meanOver(train, steps::trainOnBatch);
            System.out.printf(Locale.ROOT, "epoch %d/%d - loss: %.4f%n", epoch, options.epochs(), loss);
            curves.addEpoch(Map.of("loss", loss));
        }
        ArticleOutputs.finish(name(), options, data, curves, TapeSteps.accuracy(data.testBatches(), steps::correctOnBatch), null);
    }
}
