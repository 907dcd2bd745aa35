package dev.fluxion.examples.beyond;

import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.GRU;
import dev.fluxion.nn.layers.Masking;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;
import java.util.List;
import java.util.Map;

/**
 * Masked recurrence on real data: the ink rows of each image as a sequence (see {@link SequenceRows}), padded per
 * batch with zero rows, read top to bottom by a GRU behind a {@code Masking} layer, so that the padding rows after a
 * short digit leave the GRU's state as the last ink row left it: the classifier sees each sequence as if it were
 * unpadded. {@link #train(ExampleOptions, boolean)} without the mask trains the same GRU on the padded rows as they
 * are, for comparison.
 */
public final class MaskedRows implements Example {
    @Override public String name() { return "masked-rows"; }

    @Override public String description() {
        return "images as padded sequences of rows read by a GRU behind a Masking layer (Keras masks)";
    }

    /** The training history and the test accuracy. */
    public record Result(History history, double testAccuracy) {}

    @Override
    public void run(ExampleOptions options) throws Exception {
        Result r = train(options, true);
        System.out.printf("test accuracy %.4f%n", r.testAccuracy());
    }

    static Sequential model(boolean mask) {
        return mask ? Sequential.of(Input.shape(-1, 28), new Masking(), new GRU(64), new Dense(10))
                : Sequential.of(Input.shape(-1, 28), new GRU(64), new Dense(10));
    }

    public Result train(ExampleOptions o, boolean mask) throws Exception {
        Rng.setGlobalSeed(o.seed());
        SequenceRows.Sequences data = SequenceRows.sequences(o, name());
        Sequential model = model(mask);
        model.compile(new Adam(2e-3), new SparseCategoricalCrossentropy(true), List.of(Metrics.sparseCategoricalAccuracy()),
                o.mode() == ExampleOptions.Mode.EAGER);
        History h = model.fit(data.train(), Fit.epochs(o.epochs()).verbose(1));
        Map<String, Double> eval = model.evaluate(data.test());
        return new Result(h, eval.get("sparse_categorical_accuracy"));
    }
}
