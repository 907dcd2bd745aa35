package dev.fluxion.examples.beyond;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.nn.Functional;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.callbacks.CSVLogger;
import dev.fluxion.nn.layers.Add;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Embedding;
import dev.fluxion.nn.layers.GlobalAveragePooling1D;
import dev.fluxion.nn.layers.LayerNormalization;
import dev.fluxion.nn.layers.MultiHeadAttention;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A small transformer encoder on real data: each 28x28 image is a sequence of its 28 rows, each row a token of 28
 * pixels. A Dense layer projects the tokens to {@value #D_MODEL} features and a learned position embedding (an
 * {@code Embedding} of the row indices 0..27, {@link PositionEmbedding}) tells the rows apart, since attention alone
 * does not see their order; {@value #BLOCKS} encoder blocks (self-attention of {@value #HEADS} heads of key size
 * {@value #KEY_DIM} with dropout on the attention weights, then a ReLU feed-forward layer, each added to its input
 * and layer-normalized, as in "Attention Is All You Need") mix the rows, and the mean over the rows feeds a softmax
 * classifier. Built with the functional API, trained by {@code fit} (a graph-function step unless {@code --mode
 * eager}) with Adam, validation on the test split and a per-epoch {@code row-transformer_history.csv}.
 */
public final class RowTransformer implements Example {
    static final int ROWS = 28, D_MODEL = 64, HEADS = 4, KEY_DIM = 16, FEED_FORWARD = 128, BLOCKS = 2;
    static final double ATTENTION_DROPOUT = 0.1;

    @Override public String name() { return "row-transformer"; }

    @Override public String description() {
        return "images as 28 row tokens: Dense projection, learned position embedding, MultiHeadAttention encoder blocks, fit";
    }

    /** The training history (with val_ metrics on the test split), the test accuracy and the history file. */
    public record Result(History history, double testAccuracy, Path historyCsv) {}

    @Override
    public void run(ExampleOptions options) throws Exception {
        Result r = train(options);
        System.out.printf("test accuracy %.4f; per-epoch history in %s%n", r.testAccuracy(), r.historyCsv());
    }

    /**
     * Adds a learned vector for each position 0..steps-1 to every sample of [batch, steps, dim]: an {@code Embedding}
     * looked up with the constant row indices, so the batch dimension broadcasts. A layer of its own, as Keras users
     * write one, because the indices are not an input of the model.
     */
    static final class PositionEmbedding extends Layer {
        private final Tensor positions;
        private final Embedding embedding;

        PositionEmbedding(int steps, int dim) {
            super("position_embedding");
            positions = Tensor.arange(steps);
            embedding = track(new Embedding(steps, dim));
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            if (x.rank() != 3 || x.dim(1) != positions.dim(0))
                throw new IllegalArgumentException("layer '" + name() + "' (PositionEmbedding): expects [batch, " + positions.dim(0)
                        + ", features], got " + Shapes.format(x.shape()));
            return x.add(embedding.call(positions, training));
        }
    }

    /** Self-attention, then a feed-forward layer, each added to its input and layer-normalized (post-norm). */
    static KerasTensor encoderBlock(KerasTensor x) {
        KerasTensor attended = new MultiHeadAttention(HEADS, KEY_DIM).dropout(ATTENTION_DROPOUT).apply(x, x);
        KerasTensor h = new LayerNormalization().apply(new Add().apply(x, attended));
        KerasTensor ff = new Dense(D_MODEL).apply(new Dense(FEED_FORWARD, "relu").apply(h));
        return new LayerNormalization().apply(new Add().apply(h, ff));
    }

    static Functional model() {
        KerasTensor rows = Input.shape(ROWS, ROWS);
        KerasTensor x = new PositionEmbedding(ROWS, D_MODEL).apply(new Dense(D_MODEL).apply(rows));
        for (int i = 0; i < BLOCKS; i++) x = encoderBlock(x);
        KerasTensor probabilities = new Dense(10, "softmax").apply(new GlobalAveragePooling1D().apply(x));
        return Functional.of(rows, probabilities);
    }

    public Result train(ExampleOptions o) throws Exception {
        TrainTest data = SequenceRows.images(o, name());
        Files.createDirectories(o.outputDir());
        Rng.setGlobalSeed(o.seed());
        Functional model = model();
        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), List.of(Metrics.sparseCategoricalAccuracy()),
                o.mode() == ExampleOptions.Mode.EAGER);

        // images [n, 28, 28, 1] as sequences [n, 28 rows, 28 pixels]
        Tensor trainX = data.train().x(), testX = data.test().x();
        int n = trainX.dim(0);
        Dataset<Pair> train = Dataset.fromTensorSlices(trainX.reshape(n, ROWS, ROWS), data.train().y()).shuffle(n, o.seed())
                .batch(o.batchSize()).prefetch(2);
        Dataset<Pair> test = Dataset.fromTensorSlices(testX.reshape(testX.dim(0), ROWS, ROWS), data.test().y()).batch(500);
        if (o.maxStepsPerEpoch() > 0) {
            train = train.take(o.maxStepsPerEpoch());
            test = test.take(Math.min(o.maxStepsPerEpoch(), 4));
        }
        Path csv = o.outputDir().resolve(name() + "_history.csv");
        History h = model.fit(train, Fit.epochs(o.epochs()).verbose(1).validationData(test).callbacks(new CSVLogger(csv.toString())));
        Map<String, Double> eval = model.evaluate(test);
        return new Result(h, eval.get("sparse_categorical_accuracy"), csv);
    }
}
