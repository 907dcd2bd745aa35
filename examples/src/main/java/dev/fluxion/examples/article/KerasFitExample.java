package dev.fluxion.examples.article;

import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 1 of the article: the baseline the custom loops reproduce. Compile the model, {@code fit} it with the test
 * split as validation data, evaluate. {@code --mode eager} runs fit's steps eagerly; otherwise they run as graphs.
 */
public final class KerasFitExample implements Example {
    @Override
    public String name() {
        return "keras-fit";
    }

    @Override
    public String description() {
        return "article step 1: compile and fit the CIFAR-10 convnet with validation (the baseline)";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        Sequential model = ArticleModel.build(data.imageShape(), options.seed());
        model.summary();

        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(false), List.of(new SparseCategoricalAccuracy("accuracy")),
                options.mode() == ExampleOptions.Mode.EAGER);
        History history = model.fit(data.trainBatches(options.seed()),
                Fit.epochs(options.epochs()).validationData(data.testBatches()));
        double accuracy = model.evaluate(data.testBatches()).get("accuracy");

        ArticleOutputs.finish(name(), options, data, curvesOf(history), accuracy, null);
    }

    /** fit's History, one row per epoch: loss, accuracy and their validation twins. */
    private static TrainingCurves curvesOf(History history) {
        TrainingCurves curves = new TrainingCurves("keras-fit: fit with validation");
        for (int epoch = 0; epoch < history.epochs().size(); epoch++) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (var metric : history.history().entrySet()) row.put(metric.getKey(), metric.getValue().get(epoch));
            curves.addEpoch(row);
        }
        return curves;
    }
}
