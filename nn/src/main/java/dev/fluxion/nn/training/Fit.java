package dev.fluxion.nn.training;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.callbacks.Callback;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of {@code Model.fit} (Keras' keyword arguments): {@code Fit.epochs(10).batchSize(128).validationSplit(0.1)}.
 * Defaults follow Keras: batch size 32 (tensor inputs only), shuffle on (tensor inputs only), verbose 1.
 */
public final class Fit {
    int epochs;
    int batchSize = 32;
    boolean batchSizeSet;
    int initialEpoch;
    long stepsPerEpoch = -1;
    long validationSteps = -1;
    int validationBatchSize = -1;
    int validationFreq = 1;
    boolean shuffle = true;
    Long seed;
    double validationSplit;
    Dataset<Pair> validationData;
    Tensor validationX;
    Tensor validationY;
    Tensor validationWeight;
    Map<Integer, Double> classWeight;
    Tensor sampleWeight;
    final List<Callback> callbacks = new ArrayList<>();
    int verbose = 1;
    final Map<String, Rng> rngs = new LinkedHashMap<>();

    private Fit(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        this.epochs = epochs;
    }

    /** Options training up to epoch index {@code epochs} (with {@link #initialEpoch}, that is the final epoch, not a count). */
    public static Fit epochs(int epochs) {
        return new Fit(epochs);
    }

    /** One epoch and all defaults. */
    public static Fit defaults() {
        return new Fit(1);
    }

    /** Samples per batch for tensor inputs (default 32); not allowed with a Dataset (batch the dataset instead). */
    public Fit batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("fit: batchSize must be >= 1, got " + n);
        batchSize = n;
        batchSizeSet = true;
        return this;
    }

    /** The epoch to start at (0-based), e.g. to continue a previous run. */
    public Fit initialEpoch(int e) {
        if (e < 0) throw new IllegalArgumentException("fit: initialEpoch must be >= 0, got " + e);
        initialEpoch = e;
        return this;
    }

    /** Batches per epoch; with a Dataset the same iterator continues across epochs (for repeated/infinite datasets). */
    public Fit stepsPerEpoch(long n) {
        if (n < 1) throw new IllegalArgumentException("fit: stepsPerEpoch must be >= 1, got " + n);
        stepsPerEpoch = n;
        return this;
    }

    /** Batches of validation data per evaluation (from the start each time). */
    public Fit validationSteps(long n) {
        if (n < 1) throw new IllegalArgumentException("fit: validationSteps must be >= 1, got " + n);
        validationSteps = n;
        return this;
    }

    /** Batch size of tensor validation data (default: the training batch size). */
    public Fit validationBatchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("fit: validationBatchSize must be >= 1, got " + n);
        validationBatchSize = n;
        return this;
    }

    /** Validate every {@code n} epochs (default 1). */
    public Fit validationFreq(int n) {
        if (n < 1) throw new IllegalArgumentException("fit: validationFreq must be >= 1, got " + n);
        validationFreq = n;
        return this;
    }

    /** Whether tensor inputs are reshuffled each epoch (default true; ignored for Datasets). */
    public Fit shuffle(boolean on) {
        shuffle = on;
        return this;
    }

    /** The shuffle seed of tensor inputs: epoch e uses a permutation that is a pure function of (seed, e). */
    public Fit seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Holds out the last {@code fraction} of tensor inputs (taken before shuffling) for validation. */
    public Fit validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("fit: validationSplit must be in [0, 1), got " + fraction);
        validationSplit = fraction;
        return this;
    }

    /** A batched validation dataset, evaluated at the end of each epoch (overrides validationSplit). */
    public Fit validationData(Dataset<Pair> data) {
        validationData = data;
        return this;
    }

    /** Validation tensors, batched with the validation batch size (overrides validationSplit). */
    public Fit validationData(Tensor x, Tensor y) {
        return validationData(x, y, null);
    }

    /**
     * Weighted validation tensors (Keras' {@code validation_data=(x, y, sample_weight)}): {@code w} weighs each
     * validation example's loss and metrics as {@link #sampleWeight} does in training (null: unweighted).
     */
    public Fit validationData(Tensor x, Tensor y, Tensor w) {
        validationX = x;
        validationY = y;
        validationWeight = w;
        return this;
    }

    /**
     * Weights of the loss per class index during training only (labels: class indices, or one-hot / probabilities
     * whose argmax is the class).
     */
    public Fit classWeight(Map<Integer, Double> weights) {
        classWeight = new LinkedHashMap<>(weights);
        return this;
    }

    /**
     * Keras' {@code sample_weight} for tensor inputs: one weight per sample (shape [n], or [n, steps] for per-step
     * weights of sequences), sliced into batches (and by {@link #validationSplit}) with x and y. Each example's loss is
     * multiplied by its weight, the default reduction still dividing by the batch size; the compiled metrics are
     * weighted the same way. With {@link #classWeight} the two are multiplied. Weights must be finite; negative ones
     * are allowed, as in Keras. A Dataset's weights come from its elements instead ({@code new Pair(x, y, w)}).
     */
    public Fit sampleWeight(Tensor w) {
        sampleWeight = w;
        return this;
    }

    public Fit callbacks(Callback... cbs) {
        Collections.addAll(callbacks, cbs);
        return this;
    }

    public Fit callbacks(List<? extends Callback> cbs) {
        callbacks.addAll(cbs);
        return this;
    }

    /** 0 silent, 1 progress bar, 2 one line per epoch. */
    public Fit verbose(int v) {
        if (v < 0 || v > 2) throw new IllegalArgumentException("fit: verbose must be 0, 1 or 2, got " + v);
        verbose = v;
        return this;
    }

    /**
     * A random generator to include in training checkpoints (BackupAndRestore), for exact resume: for example the one
     * a Dropout layer or an augmentation draws from. {@code Rng.global()} is always included, as "global".
     */
    public Fit checkpointRng(String name, Rng rng) {
        if ("global".equals(name)) throw new IllegalArgumentException("fit: 'global' is reserved for Rng.global()");
        rngs.put(name, rng);
        return this;
    }

    public int epochs() {
        return epochs;
    }

    public int verbose() {
        return verbose;
    }

    public List<Callback> callbackList() {
        return Collections.unmodifiableList(callbacks);
    }
}
