package dev.fluxion.nn.losses;

import dev.fluxion.Tensor;

/**
 * Factories and Keras' function forms. The function forms ({@code categoricalCrossentropy(yTrue, yPred)} ...)
 * return per-example values, exactly like {@code tf.keras.losses.categorical_crossentropy}; the class forms
 * reduce with SUM_OVER_BATCH_SIZE by default.
 */
public final class Losses {
    private Losses() {}

    public static Loss categoricalCrossentropy() { return new CategoricalCrossentropy(); }
    public static Loss sparseCategoricalCrossentropy() { return new SparseCategoricalCrossentropy(); }
    public static Loss binaryCrossentropy() { return new BinaryCrossentropy(); }
    public static Loss meanSquaredError() { return new MeanSquaredError(); }
    public static Loss meanAbsoluteError() { return new MeanAbsoluteError(); }
    public static Loss huber() { return new Huber(); }

    /** Per-example categorical cross-entropy on probabilities (Keras' function form). */
    public static Tensor categoricalCrossentropy(Tensor yTrue, Tensor yPred) {
        return new CategoricalCrossentropy().perExample(yTrue, yPred);
    }

    /** Per-example sparse categorical cross-entropy on probabilities. */
    public static Tensor sparseCategoricalCrossentropy(Tensor yTrue, Tensor yPred) {
        return new SparseCategoricalCrossentropy().perExample(yTrue, yPred);
    }

    /** Per-example binary cross-entropy on probabilities. */
    public static Tensor binaryCrossentropy(Tensor yTrue, Tensor yPred) {
        return new BinaryCrossentropy().perExample(yTrue, yPred);
    }

    /** Per-example mean squared error. */
    public static Tensor meanSquaredError(Tensor yTrue, Tensor yPred) {
        return new MeanSquaredError().perExample(yTrue, yPred);
    }

    /** Per-example mean absolute error. */
    public static Tensor meanAbsoluteError(Tensor yTrue, Tensor yPred) {
        return new MeanAbsoluteError().perExample(yTrue, yPred);
    }

    /**
     * A loss by Keras name ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
     * "mse"/"mean_squared_error", "mae"/"mean_absolute_error", "huber"/"huber_loss", "kl_divergence"/"kld",
     * "cosine_similarity", "log_cosh", "hinge", "msle", "mape").
     */
    public static Loss get(String name) {
        return switch (name) {
            case "categorical_crossentropy" -> new CategoricalCrossentropy();
            case "sparse_categorical_crossentropy" -> new SparseCategoricalCrossentropy();
            case "binary_crossentropy" -> new BinaryCrossentropy();
            case "mse", "mean_squared_error" -> new MeanSquaredError();
            case "mae", "mean_absolute_error" -> new MeanAbsoluteError();
            case "huber", "huber_loss" -> new Huber();
            case "kl_divergence", "kld" -> new KLDivergence();
            case "cosine_similarity" -> new CosineSimilarity();
            case "log_cosh", "logcosh" -> new LogCosh();
            case "hinge" -> new Hinge();
            case "msle", "mean_squared_logarithmic_error" -> new MeanSquaredLogarithmicError();
            case "mape", "mean_absolute_percentage_error" -> new MeanAbsolutePercentageError();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; known: categorical_crossentropy, sparse_categorical_crossentropy, "
                    + "binary_crossentropy, mse (mean_squared_error), mae (mean_absolute_error), huber (huber_loss), kl_divergence (kld), "
                    + "cosine_similarity, log_cosh (logcosh), hinge, msle (mean_squared_logarithmic_error), mape (mean_absolute_percentage_error)");
        };
    }
}
