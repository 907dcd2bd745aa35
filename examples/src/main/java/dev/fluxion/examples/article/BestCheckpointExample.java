package dev.fluxion.examples.article;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;
import dev.fluxion.nn.Model;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Step 5 of the article: keep the best model. After each epoch's validation, the weights are saved (safetensors) when
 * the validation loss improved; at the end the best weights are reloaded and give the test accuracy, so a late
 * overfitting epoch does not spoil the result.
 */
public final class BestCheckpointExample implements Example {
    /** The three per-batch functions a loop drives: the plain {@link TapeSteps} methods or their compiled forms. */
    record StepFunctions(BinaryOperator<Tensor> trainOnBatch, BinaryOperator<Tensor> validateOnBatch,
                         BinaryOperator<Tensor> correctOnBatch) {
        static StepFunctions eager(TapeSteps steps) {
            return new StepFunctions(steps::trainOnBatch, steps::validateOnBatch, steps::correctOnBatch);
        }
    }

    @Override
    public String name() {
        return "best-checkpoint";
    }

    @Override
    public String description() {
        return "article step 5: save the best model on validation loss (safetensors), reload it for the test accuracy";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        TapeSteps steps = new TapeSteps(ArticleModel.build(data.imageShape(), options.seed()));
        trainKeepingBest(name(), options, data, steps.model(), StepFunctions.eager(steps));
    }

    /** The progress loop of step 4 plus the best checkpoint; writes the outputs and returns the checkpoint's path. */
    static Path trainKeepingBest(String example, ExampleOptions options, ArticleData data, Model model, StepFunctions fns)
            throws Exception {
        Path best = ArticleOutputs.outputDir(options).resolve("best.safetensors");
        Dataset<Pair> train = data.trainBatches(options.seed());
        TrainingCurves curves = new TrainingCurves(example + ": loss, validation loss, best checkpoint");
        double bestValLoss = Double.POSITIVE_INFINITY;
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            Map<String, Double> metrics = ProgressLoopExample.trainEpoch(epoch, options.epochs(), data, train,
                    fns.trainOnBatch(), fns.validateOnBatch());
            curves.addEpoch(metrics);
            double valLoss = metrics.get("val_loss");
            if (valLoss < bestValLoss) {       // NaN never counts as an improvement
                System.out.printf(Locale.ROOT, "val_loss improved from %.4f to %.4f, saving %s%n", bestValLoss, valLoss, best);
                bestValLoss = valLoss;
                model.saveWeights(best);
            }
        }
        if (Double.isInfinite(bestValLoss))
            throw new IllegalStateException(example + ": the validation loss was never finite, so no checkpoint was saved");
        model.loadWeights(best);
        double accuracy = TapeSteps.accuracy(data.testBatches(), fns.correctOnBatch());
        ArticleOutputs.finish(example, options, data, curves, accuracy, best);
        return best;
    }
}
