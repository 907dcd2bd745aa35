package dev.fluxion.examples.article;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.TrainingCurves;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Step 2 of the article: the same training as {@code keras-fit}, written as a custom loop. The steps are
 * {@link TapeSteps#trainOnBatch} and {@link TapeSteps#validateOnBatch} (GradientTape, run eagerly); this file adds
 * what fit did for us: shuffling the sample indices each epoch, cutting batches out of the tensors by hand, and
 * averaging the losses.
 */
public final class CustomLoopExample implements Example {
    @Override
    public String name() {
        return "custom-loop";
    }

    @Override
    public String description() {
        return "article step 2: the same training as a custom loop (GradientTape steps, batches sliced by hand, eager)";
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        ArticleData data = ArticleData.load(options);
        System.out.println(data.describe());
        TapeSteps steps = new TapeSteps(ArticleModel.build(data.imageShape(), options.seed()));
        Tensor x = data.train().x();
        Tensor y = data.train().y();
        int[] order = IntStream.range(0, x.dim(0)).toArray();
        Random random = new Random(options.seed());
        List<Pair> validation = slicedInOrder(data.test(), options.batchSize());
        TrainingCurves curves = new TrainingCurves("custom-loop: GradientTape, batches by hand");

        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            shuffle(order, random);
            double lossSum = 0;
            int seen = 0;
            for (long step = 0; step < data.stepsPerEpoch(); step++) {
                int from = (int) step * options.batchSize();
                int to = Math.min(from + options.batchSize(), order.length);
                Tensor indices = Tensor.of(Arrays.copyOfRange(order, from, to), to - from);
                Tensor batchLoss = steps.trainOnBatch(ArrayOps.gather(x, indices, 0), ArrayOps.gather(y, indices, 0));
                lossSum += batchLoss.item() * (to - from);
                seen += to - from;
            }
            double valLoss = TapeSteps.meanOver(validation, steps::validateOnBatch);
            System.out.printf(Locale.ROOT, "epoch %d/%d - loss: %.4f - val_loss: %.4f%n", epoch, options.epochs(), lossSum / seen, valLoss);
            curves.addEpoch(ArticleOutputs.losses(lossSum / seen, valLoss));
        }
        double accuracy = TapeSteps.accuracy(validation, steps::correctOnBatch);
        ArticleOutputs.finish(name(), options, data, curves, accuracy, null);
    }

    /** Fisher-Yates: a uniform random permutation, in place. */
    static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    /** Consecutive batches of a split; slices are views, so this copies nothing. */
    static List<Pair> slicedInOrder(Pair split, int batchSize) {
        List<Pair> batches = new ArrayList<>();
        int n = split.x().dim(0);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(from + batchSize, n);
            batches.add(new Pair(split.x().slice(from, to), split.y().slice(from, to)));
        }
        return batches;
    }
}
