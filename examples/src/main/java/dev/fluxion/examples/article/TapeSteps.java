package dev.fluxion.examples.article;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;

import java.util.List;
import java.util.function.BinaryOperator;

/**
 * The article's per-batch steps, written with GradientTape: what {@code fit} does for one batch, spelled out. Every
 * custom loop of the walk-through drives these three methods; the loops differ only in how they feed them.
 */
public final class TapeSteps {
    private final Model model;
    private final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(false); // the model emits probabilities
    private final Adam optimizer = new Adam(1e-3);

    public TapeSteps(Model model) {
        this.model = model;
    }

    public Model model() {
        return model;
    }

    /** One optimizer step on a batch; returns the batch's mean loss (computed before the update). */
    public Tensor trainOnBatch(Tensor x, Tensor y) {
        try (var tape = new GradientTape()) {
            Tensor value = loss.call(y, model.call(x, true));   // training: batch statistics, moving averages updated
            List<Tensor> grads = tape.gradient(value, model.trainableVariables());
            optimizer.applyGradients(grads, model.trainableVariables());
            return value;
        }
    }

    /** The batch's mean loss in inference mode (batch normalization uses its moving averages). */
    public Tensor validateOnBatch(Tensor x, Tensor y) {
        return loss.call(y, model.call(x, false));
    }

    /** How many images of the batch the model classifies correctly (a float32 scalar). */
    public Tensor correctOnBatch(Tensor x, Tensor y) {
        Tensor predicted = Ops.argmax(model.call(x, false), 1, false).cast(DType.INT32);
        return Ops.equal(predicted, y).cast(DType.FLOAT32).sum();
    }

    /** The mean of a per-batch mean over all batches, weighted by batch size (the last batch may be partial). */
    public static double meanOver(Iterable<Pair> batches, BinaryOperator<Tensor> perBatchMean) {
        double sum = 0;
        long count = 0;
        for (Pair batch : batches) {
            int n = batch.x().dim(0);
            sum += perBatchMean.apply(batch.x(), batch.y()).item() * n;
            count += n;
        }
        return sum / count;
    }

    /** The fraction of images classified correctly, from a per-batch count of correct images. */
    public static double accuracy(Iterable<Pair> batches, BinaryOperator<Tensor> correctOnBatch) {
        double correct = 0;
        long count = 0;
        for (Pair batch : batches) {
            correct += correctOnBatch.apply(batch.x(), batch.y()).item();
            count += batch.x().dim(0);
        }
        return correct / count;
    }
}
