package dev.fluxion.examples.article;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.graph.GraphFunction;

import java.util.List;

/**
 * Step 6 of the article: the loop of step 5 with its steps compiled by {@link Fx#function} (TensorFlow's
 * {@code @tf.function}). The Java step is traced once per input signature into an optimized graph that later calls
 * run directly. {@code --mode eager} passes the plain methods instead, so the same loop runs both ways for comparison
 * ({@code --mode fit} counts as graph).
 */
public final class GraphLoopExample implements Example {
    @Override
    public String name() {
        return "graph-loop";
    }

    @Override
    public String description() {
        return "article step 6: the same loop with Fx.function graph steps (--mode graph) or eager ones (--mode eager)";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        TapeSteps steps = new TapeSteps(ArticleModel.build(data.imageShape(), options.seed()));
        boolean eager = options.mode() == ExampleOptions.Mode.EAGER;
        System.out.println(eager ? "steps run eagerly" : "steps run as graph functions");
        long start = System.nanoTime();
        if (eager) {
            BestCheckpointExample.trainKeepingBest(name(), options, data, steps.model(), BestCheckpointExample.StepFunctions.eager(steps));
        } else {
            GraphFunction<Tensor> train = Fx.function("train_on_batch", steps::trainOnBatch);
            GraphFunction<Tensor> validate = Fx.function("validate_on_batch", steps::validateOnBatch);
            GraphFunction<Tensor> correct = Fx.function("correct_on_batch", steps::correctOnBatch);
            BestCheckpointExample.trainKeepingBest(name(), options, data, steps.model(),
                    new BestCheckpointExample.StepFunctions(train::call, validate::call, correct::call));
            // a partial last batch is a new signature, hence a second trace
            for (GraphFunction<Tensor> f : List.of(train, validate, correct))
                System.out.println(f.name() + " traced " + f.tracingCount() + " time(s)");
        }
        System.out.printf("%s mode took %.1f s%n", eager ? "eager" : "graph", (System.nanoTime() - start) / 1e9);
    }
}
