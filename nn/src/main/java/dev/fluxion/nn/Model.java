package dev.fluxion.nn;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.io.Weights;
import dev.fluxion.nn.losses.Loss;
import dev.fluxion.nn.metrics.Metric;
import dev.fluxion.nn.optimizers.Optimizer;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.nn.training.Logs;
import dev.fluxion.nn.training.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A layer that can be trained: {@code compile}, then {@code fit}, {@code evaluate}, {@code predict} (Keras' Model).
 * {@code fit} is a loop over a dataset that calls the overridable {@link #trainStep} (TensorFlow 2.2's design), compiled
 * into a graph function unless {@code runEagerly}; overriding it (a GAN's two optimizers, a gradient penalty) keeps
 * callbacks, metrics handling and the progress bar. The loop itself lives in {@link Trainer}.
 */
public abstract class Model extends Layer {
    private final Trainer trainer = new Trainer(this);
    private Optimizer optimizer;
    private Loss loss;
    private List<Metric> metrics = List.of();
    private boolean runEagerly;
    private int stepsPerExecution = 1;
    private boolean stopTraining;
    private Tensor sampleWeight;

    protected Model(String name) {
        super(name);
    }

    // ---------------------------------------------------------------- compile

    /** Sets the optimizer, loss (null when a custom trainStep computes its own) and metrics; steps run as graphs. */
    public void compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        compile(optimizer, loss, List.of(metrics), false);
    }

    /** As {@link #compile(Optimizer, Loss, Metric...)}; {@code runEagerly} runs steps eagerly (debuggable, slower). */
    public void compile(Optimizer optimizer, Loss loss, List<Metric> metrics, boolean runEagerly) {
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.copyOf(metrics);
        this.runEagerly = runEagerly;
        trainer.compiled();
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    /** The compiled metrics (reset at each epoch start and at evaluate). */
    public List<Metric> metrics() {
        return metrics;
    }

    public boolean runEagerly() {
        return runEagerly;
    }

    /** Switches between graph and eager steps; takes effect at the next fit/evaluate/predict. */
    public void setRunEagerly(boolean eager) {
        this.runEagerly = eager;
        trainer.compiled();
    }

    /**
     * Keras' {@code compile(steps_per_execution=n)}: {@code fit} runs up to {@code n} batches of one shape per call of
     * the compiled train step ({@code GraphFunction.callEach}), so a GPU replays them as one CUDA graph; the batch
     * callbacks (and the progress bar) then run once per group, with the last batch's logs, as in Keras. The weights
     * and epoch logs are those of {@code n = 1}. Eager models run a batch at a time; batches with loss weights (sample or
     * class weights) are grouped like the others, a group holding only batches that all have weights or all have none.
     */
    public void setStepsPerExecution(int n) {
        if (n < 1) throw new IllegalArgumentException("stepsPerExecution must be at least 1, got " + n);
        this.stepsPerExecution = n;
    }

    public int stepsPerExecution() {
        return stepsPerExecution;
    }

    /** Set by a callback to end {@code fit} after the current batch. */
    public boolean stopTraining() {
        return stopTraining;
    }

    public void setStopTraining(boolean stop) {
        this.stopTraining = stop;
    }

    /** The training loop of this model (for callbacks that checkpoint or resume it). */
    public Trainer trainer() {
        return trainer;
    }

    // ---------------------------------------------------------------- fit / evaluate / predict

    /**
     * Trains on a batched dataset of (x, y) pairs; a pair's third component, {@link Pair#sampleWeight()}, weighs each
     * example of its batch in the loss and the compiled metrics (Keras' (x, y, sample_weight) elements).
     */
    public History fit(Dataset<Pair> train, Fit options) {
        return trainer.fit(train, options);
    }

    /** Trains on tensors, batched by {@code options.batchSize} (default 32), reshuffled each epoch unless turned off. */
    public History fit(Tensor x, Tensor y, Fit options) {
        return trainer.fit(x, y, options);
    }

    /**
     * Loss and metrics over a batched dataset: {@code {loss: .., accuracy: ..}}; pairs with sample weights weigh their
     * examples as in {@link #evaluate(Tensor, Tensor, int, Tensor)}.
     */
    public Map<String, Double> evaluate(Dataset<Pair> data) {
        return trainer.evaluate(data, -1, null);
    }

    /** Loss and metrics over tensors, in batches of {@code batchSize}. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return trainer.evaluate(x, y, batchSize, null);
    }

    /**
     * Loss and metrics over tensors with per-sample weights {@code sampleWeight} (shape [n], or [n, steps] per step;
     * null for none), sliced into batches with x and y: Keras' {@code evaluate(x, y, sample_weight=w)}. Each
     * example's loss is multiplied by its weight and the default reduction still divides by the batch size; "loss" is
     * the mean over batches weighted by their sizes (Keras' loss tracker), so it is {@code sum(w * loss) / n}. The
     * metrics are weighted means, {@code sum(w * value) / sum(w)}.
     *
     * @throws IllegalArgumentException when the weights' first axis is not x's, or a weight is NaN or infinite
     */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize, Tensor sampleWeight) {
        return trainer.evaluate(x, y, batchSize, sampleWeight);
    }

    /** The outputs for a batched dataset of inputs, concatenated along the batch axis. */
    public Tensor predict(Dataset<Tensor> inputs) {
        return trainer.predict(inputs);
    }

    /** The outputs for {@code x}, computed in batches of {@code batchSize} and concatenated. */
    public Tensor predict(Tensor x, int batchSize) {
        return trainer.predict(x, batchSize);
    }

    // ---------------------------------------------------------------- steps (override to customize fit)

    /**
     * One training step on a batch; returns scalar logs. The default: forward with training = true under a tape, the
     * compiled loss weighted by {@code batch.sampleWeight()} (the element's sample weights times the class weights, as
     * Keras hands them to {@code train_step}; null when neither is given) plus {@link #losses()},
     * {@code optimizer.applyGradients}, then {@link #computeMetrics} with the same weights. Runs inside a graph function
     * unless {@code runEagerly}: keep Java side effects out.
     */
    protected Logs trainStep(Pair batch) {
        requireCompiled("trainStep");
        Tensor x = batch.x(), y = batch.y(), w = batch.sampleWeight();
        Tensor yPred, value;
        List<Tensor> grads;
        List<Variable> vars;
        try (GradientTape tape = new GradientTape()) {
            yPred = call(x, true);
            vars = trainableVariables(); // after the forward pass, which builds a lazily built model
            value = computeLoss(y, yPred, w);
            grads = tape.gradient(optimizer.scaleLoss(value), vars); // the loss itself unless loss scaling is on
        }
        optimizer.applyGradients(grads, vars);
        return computeMetrics(y, yPred, value, x.dim(0), w);
    }

    /**
     * One evaluation step: forward with training = false, then the loss and {@link #computeMetrics}, both weighted by
     * {@code batch.sampleWeight()} when the batch has one (class weights apply to training only, as in Keras).
     */
    protected Logs testStep(Pair batch) {
        requireCompiled("testStep");
        Tensor yPred = call(batch.x(), false);
        Tensor value = computeLoss(batch.y(), yPred, batch.sampleWeight());
        return computeMetrics(batch.y(), yPred, value, batch.x().dim(0), batch.sampleWeight());
    }

    /** One prediction step: the forward pass with training = false. */
    protected Tensor predictStep(Tensor x) {
        return call(x, false);
    }

    /** The compiled loss plus the layers' regularization losses. */
    protected Tensor computeLoss(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (loss == null) throw new IllegalStateException("model '" + name() + "': compiled without a loss; pass one to compile or override trainStep/testStep");
        Tensor value = sampleWeight == null ? loss.call(yTrue, yPred) : loss.call(yTrue, yPred, sampleWeight);
        for (Tensor extra : losses()) value = value.add(extra.sum().cast(value.dtype()));
        return value;
    }

    /** As {@link #computeMetrics(Tensor, Tensor, Tensor, int, Tensor)} with the current batch's {@link #sampleWeight()}. */
    protected Logs computeMetrics(Tensor yTrue, Tensor yPred, Tensor lossValue, int batchSize) {
        return computeMetrics(yTrue, yPred, lossValue, batchSize, sampleWeight());
    }

    /**
     * Updates the running loss and the compiled metrics; returns {@code {loss, metric names...}} with their running
     * values. The loss, already weighted, enters a mean weighted by batch size since the epoch began (Keras' loss
     * tracker, whose weight is the batch size, not the sample weights). The metrics are updated with
     * {@code sampleWeight} (null: 1 each) times the mask of yPred when it carries one, so masked entries weigh nothing
     * (Keras' {@code compiled_metrics.update_state(y, y_pred, sample_weight)} with the mask applied).
     */
    protected Logs computeMetrics(Tensor yTrue, Tensor yPred, Tensor lossValue, int batchSize, Tensor sampleWeight) {
        Logs logs = new Logs();
        logs.put("loss", trainer.trackLoss(lossValue, batchSize));
        Tensor weight = metricWeight(sampleWeight, Masks.of(yPred));
        for (Metric m : metrics) {
            m.updateState(yTrue, yPred, weight);
            logs.put(m.name(), m.result());
        }
        return logs;
    }

    /** Sample weights times a mask's 0/1 (weights [batch] span the mask's steps); either may be null. */
    private static Tensor metricWeight(Tensor sampleWeight, Tensor mask) {
        Tensor m = mask == null ? null : Ops.cast(mask, DType.FLOAT32);
        if (sampleWeight == null) return m;
        Tensor w = Ops.cast(sampleWeight, DType.FLOAT32);
        if (m == null) return w;
        while (w.rank() < m.rank()) w = ArrayOps.expandDims(w, -1);
        return m.mul(w);
    }

    /**
     * The loss weights of the current batch, train or test ({@code batch.sampleWeight()} of the step running): the
     * element's sample weights times the class weights of {@code Fit.classWeight} in training; null when there are
     * none. For a custom step that passes them on to {@link #computeLoss} and {@link #computeMetrics}.
     */
    protected Tensor sampleWeight() {
        return sampleWeight;
    }

    private void requireCompiled(String what) {
        if (optimizer == null && what.equals("trainStep"))
            throw new IllegalStateException("model '" + name() + "' must be compiled before fit: call compile(optimizer, loss, metrics...)");
    }

    // ---------------------------------------------------------------- hooks for Trainer (same package tree)

    /** Runs a train step with the batch's loss weights also visible through {@link #sampleWeight()}. For the Trainer. */
    public final Logs runTrainStep(Pair batch) {
        return withSampleWeight(batch, this::trainStep);
    }

    /** Runs a test step with the batch's sample weights also visible through {@link #sampleWeight()}. For the Trainer. */
    public final Logs runTestStep(Pair batch) {
        return withSampleWeight(batch, this::testStep);
    }

    private Logs withSampleWeight(Pair batch, java.util.function.Function<Pair, Logs> step) {
        Tensor previous = sampleWeight;
        sampleWeight = batch.sampleWeight();
        try {
            return step.apply(batch);
        } finally {
            sampleWeight = previous;
        }
    }

    /** For the Trainer. */
    public final Tensor runPredictStep(Tensor x) {
        return predictStep(x);
    }

    // ---------------------------------------------------------------- weights

    /** Prints Keras' summary table. */
    public void summary() {
        System.out.println(Summary.render(this));
    }

    /** Writes all variables to a safetensors file keyed by variable name (atomically). */
    public void saveWeights(Path file) {
        try {
            Weights.save(file, variables());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": could not save weights: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a safetensors file written by {@link #saveWeights} (or by Python with the same names): every variable must
     * be in the file with the same shape, and the file must hold nothing else; the error names each mismatch. Another
     * instance of the same architecture loads it too, although its layers were numbered on ({@code dense_4} for the
     * file's {@code dense_2}): layer numbers are compared by rank among layers of the same kind, as Keras matches
     * weights by structure.
     */
    public void loadWeights(Path file) {
        if (variables().isEmpty())
            throw new IllegalStateException("loadWeights: model '" + name() + "' has no variables yet; build it first (call it on an input batch)");
        try {
            Weights.load(file, variables());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The current values of {@link #variables()}, in order. */
    public List<Tensor> getWeights() {
        List<Tensor> out = new ArrayList<>();
        for (Variable v : variables()) out.add(v.value());
        return out;
    }

    /** Assigns values to {@link #variables()}, in order; all are checked first, so a mismatch assigns nothing. */
    public void setWeights(List<Tensor> values) {
        List<Variable> vars = variables();
        if (values.size() != vars.size())
            throw new IllegalArgumentException("setWeights: model '" + name() + "' has " + vars.size() + " variables, got " + values.size() + " values");
        for (int i = 0; i < vars.size(); i++) {
            Variable v = vars.get(i);
            Tensor t = values.get(i);
            if (t == null || !t.type().equals(v.type())) // dtype, shape and device
                throw new IllegalArgumentException("setWeights: model '" + name() + "': value " + i + " for variable '" + v.name() + "' is "
                        + (t == null ? "null" : t.type()) + ", expected " + v.type());
        }
        for (int i = 0; i < vars.size(); i++) vars.get(i).assign(values.get(i));
    }
}
