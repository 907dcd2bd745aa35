package dev.fluxion.nn.metrics;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.losses.Loss;
import dev.fluxion.nn.losses.Losses;

/**
 * Factories for the built-in metrics and Keras' per-example metric functions (each returns float32 values, 1 for a
 * hit and 0 for a miss, one per example).
 */
public final class Metrics {
    private Metrics() {}

    // ------------------------------------------------------------------ factories

    public static Mean mean() { return new Mean(); }
    public static Mean mean(String name) { return new Mean(name); }
    public static Sum sum() { return new Sum(); }
    public static Accuracy accuracy() { return new Accuracy(); }
    public static CategoricalAccuracy categoricalAccuracy() { return new CategoricalAccuracy(); }
    public static SparseCategoricalAccuracy sparseCategoricalAccuracy() { return new SparseCategoricalAccuracy(); }
    public static BinaryAccuracy binaryAccuracy() { return new BinaryAccuracy(); }
    public static BinaryAccuracy binaryAccuracy(double threshold) { return new BinaryAccuracy(threshold); }
    public static TopKCategoricalAccuracy topKCategoricalAccuracy(int k) { return new TopKCategoricalAccuracy(k); }
    public static SparseTopKCategoricalAccuracy sparseTopKCategoricalAccuracy(int k) { return new SparseTopKCategoricalAccuracy(k); }
    public static Precision precision() { return new Precision(); }
    public static Precision precision(double... thresholds) { return new Precision("precision", thresholds); }
    public static Recall recall() { return new Recall(); }
    public static Recall recall(double... thresholds) { return new Recall("recall", thresholds); }
    public static AUC auc() { return new AUC(); }
    public static AUC auc(int numThresholds) { return new AUC(numThresholds); }

    /** The mean squared error so far (a metric; the loss of the same name is in {@code Losses}). */
    public static MeanMetricWrapper meanSquaredError() { return new MeanMetricWrapper("mean_squared_error", Losses::meanSquaredError); }
    public static MeanMetricWrapper meanAbsoluteError() { return new MeanMetricWrapper("mean_absolute_error", Losses::meanAbsoluteError); }
    public static RootMeanSquaredError rootMeanSquaredError() { return new RootMeanSquaredError(); }

    /** The weighted mean of a loss' per-example values (Keras' metric made from a loss function). */
    public static MeanMetricWrapper fromLoss(Loss loss) {
        return new MeanMetricWrapper(loss.name(), loss::perExample);
    }

    /**
     * A metric by its Keras name: "accuracy"/"acc", "categorical_accuracy", "sparse_categorical_accuracy",
     * "binary_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision", "recall",
     * "auc", and the regression and cross-entropy metrics "mse" / "mean_squared_error", "mae" / "mean_absolute_error",
 * "rmse" / "root_mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
 * "sparse_categorical_crossentropy" (on probabilities, as Keras' metrics of those names). Plain "accuracy" is resolved from the shapes as Keras's {@code compile} does with the string (see
     * {@link #inferredAccuracy}); the {@link Accuracy} class itself is exact-match, as in Keras.
     */
    public static Metric get(String name) {
        return switch (name) {
            case "accuracy", "acc" -> new MeanMetricWrapper(name, Metrics::inferredAccuracy);
            case "categorical_accuracy" -> new CategoricalAccuracy();
            case "sparse_categorical_accuracy" -> new SparseCategoricalAccuracy();
            case "binary_accuracy" -> new BinaryAccuracy();
            case "top_k_categorical_accuracy" -> new TopKCategoricalAccuracy();
            case "sparse_top_k_categorical_accuracy" -> new SparseTopKCategoricalAccuracy();
            case "precision" -> new Precision();
            case "recall" -> new Recall();
            case "auc" -> new AUC();
            case "mse", "mean_squared_error" -> new MeanMetricWrapper(name, Losses::meanSquaredError);
            case "mae", "mean_absolute_error" -> new MeanMetricWrapper(name, Losses::meanAbsoluteError);
            case "rmse", "root_mean_squared_error" -> new RootMeanSquaredError(name);
            case "binary_crossentropy" -> new MeanMetricWrapper(name, Losses::binaryCrossentropy);
            case "categorical_crossentropy" -> new MeanMetricWrapper(name, Losses::categoricalCrossentropy);
            case "sparse_categorical_crossentropy" -> new MeanMetricWrapper(name, Losses::sparseCategoricalCrossentropy);
            default -> throw new IllegalArgumentException("unknown metric '" + name + "'; known: accuracy (acc), categorical_accuracy, "
                    + "sparse_categorical_accuracy, binary_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, precision, "
                    + "recall, auc, mse (mean_squared_error), mae (mean_absolute_error), rmse (root_mean_squared_error), binary_crossentropy, "
                    + "categorical_crossentropy, sparse_categorical_crossentropy");
        };
    }

    // ------------------------------------------------------------------ per-example functions

    /** 1 where yPred equals yTrue exactly (compared in yPred's dtype). */
    public static Tensor accuracy(Tensor yTrue, Tensor yPred) {
        Tensor y = yTrue;
        if (y.rank() == yPred.rank() + 1 && y.dim(-1) == 1) y = ArrayOps.squeeze(y, -1);
        return Ops.cast(Ops.equal(Ops.cast(y, yPred.dtype()), yPred), DType.FLOAT32);
    }

    /** 1 where argmax(yPred) == argmax(yTrue) along the last axis. */
    /**
     * Keras's resolution of the string "accuracy" in compile: binary accuracy (threshold 0.5) for one output column,
     * sparse categorical accuracy when the labels have one dimension less than the predictions (or a last dimension
     * of 1 against several classes), categorical accuracy otherwise. Shapes are static, so this traces once.
     */
    public static Tensor inferredAccuracy(Tensor yTrue, Tensor yPred) {
        int predLast = yPred.rank() == 0 ? 1 : yPred.dim(-1);
        int trueLast = yTrue.rank() == 0 ? 1 : yTrue.dim(-1);
        if (predLast == 1) return binaryAccuracy(yTrue, yPred, 0.5);
        if (yTrue.rank() < yPred.rank() || (trueLast == 1 && predLast > 1)) return sparseCategoricalAccuracy(yTrue, yPred);
        return categoricalAccuracy(yTrue, yPred);
    }

    public static Tensor categoricalAccuracy(Tensor yTrue, Tensor yPred) {
        return Ops.cast(Ops.equal(yTrue.argmax(-1), yPred.argmax(-1)), DType.FLOAT32);
    }

    /** 1 where argmax(yPred) along the last axis equals the integer label. */
    public static Tensor sparseCategoricalAccuracy(Tensor yTrue, Tensor yPred) {
        Tensor labels = sparseLabels(yTrue, yPred);
        return Ops.cast(Ops.equal(labels, yPred.argmax(-1)), DType.FLOAT32);
    }

    /** mean over the last axis of [(yPred > threshold) == yTrue]. */
    public static Tensor binaryAccuracy(Tensor yTrue, Tensor yPred, double threshold) {
        Tensor predicted = Ops.cast(Ops.greater(yPred, Ops.constantLike(threshold, yPred)), DType.FLOAT32);
        Tensor hit = Ops.cast(Ops.equal(Ops.cast(yTrue, DType.FLOAT32), predicted), DType.FLOAT32);
        return Ops.mean(hit, new int[] {-1}, false);
    }

    /** 1 where fewer than k classes score strictly higher than the true class (one-hot labels). */
    public static Tensor topKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k) {
        return inTopK(yTrue.argmax(-1), yPred, k);
    }

    /** 1 where fewer than k classes score strictly higher than the labelled class (integer labels). */
    public static Tensor sparseTopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k) {
        return inTopK(sparseLabels(yTrue, yPred), yPred, k);
    }

    /**
     * Top-k membership without sorting: the score of the target class is picked with a one-hot mask, then compared
     * against every class score by broadcasting; the target is in the top k when fewer than k scores exceed it.
     */
    static Tensor inTopK(Tensor labels, Tensor yPred, int k) {
        Tensor scores = Ops.cast(yPred, DType.FLOAT32);
        Tensor hot = ArrayOps.oneHot(labels, scores.dim(-1), DType.FLOAT32);
        Tensor target = scores.mul(hot).sum(new int[] {-1}, true);
        Tensor greater = Ops.cast(Ops.greater(scores, target), DType.FLOAT32).sum(new int[] {-1}, false);
        return Ops.cast(Ops.less(greater, Ops.constantLike(k, greater)), DType.FLOAT32);
    }

    /** Integer labels as int64 with the class axis absent. */
    static Tensor sparseLabels(Tensor yTrue, Tensor yPred) {
        Tensor y = yTrue;
        if (y.rank() == yPred.rank() && y.dim(-1) == 1) y = ArrayOps.squeeze(y, -1);
        return Ops.cast(y, DType.INT64);
    }
}
