package dev.fluxion.examples.article;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;
import dev.fluxion.nn.callbacks.ProgressBar;

import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Step 4 of the article: a Keras-style progress bar per epoch (the running mean of the training loss and an ETA),
 * closed with the validation loss computed after the epoch. Later steps reuse {@link #trainEpoch}.
 */
public final class ProgressLoopExample implements Example {
    @Override
    public String name() {
        return "progress-loop";
    }

    @Override
    public String description() {
        return "article step 4: the Dataset loop with a progress bar and per-epoch validation loss";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        TapeSteps steps = new TapeSteps(ArticleModel.build(data.imageShape(), options.seed()));
        Dataset<Pair> train = data.trainBatches(options.seed());
        TrainingCurves curves = new TrainingCurves("progress-loop: loss and validation loss");
        for (int epoch = 1; epoch <= options.epochs(); epoch++)
            curves.addEpoch(trainEpoch(epoch, options.epochs(), data, train, steps::trainOnBatch, steps::validateOnBatch));
        ArticleOutputs.finish(name(), options, data, curves, TapeSteps.accuracy(data.testBatches(), steps::correctOnBatch), null);
    }

    /** Trains one epoch behind a progress bar, then validates; returns {@code loss} (the epoch's mean) and {@code val_loss}. */
    static Map<String, Double> trainEpoch(int epoch, int epochs, ArticleData data, Dataset<Pair> train,
                                          BinaryOperator<Tensor> trainOnBatch, BinaryOperator<Tensor> validateOnBatch) {
        ProgressBar bar = new ProgressBar(data.stepsPerEpoch(), "Epoch " + epoch + "/" + epochs);
        for (Pair batch : train) bar.update(Map.of("loss", trainOnBatch.apply(batch.x(), batch.y()).item()));
        double valLoss = TapeSteps.meanOver(data.testBatches(), validateOnBatch);
        bar.finish(Map.of("val_loss", valLoss));
        return ArticleOutputs.losses(bar.values().get("loss"), valLoss);
    }
}
