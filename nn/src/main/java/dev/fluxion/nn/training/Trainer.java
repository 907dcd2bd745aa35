package dev.fluxion.nn.training;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.DataIterator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.IteratorState;
import dev.fluxion.data.Pair;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.callbacks.BackupAndRestore;
import dev.fluxion.nn.callbacks.Callback;
import dev.fluxion.nn.callbacks.CallbackList;
import dev.fluxion.nn.callbacks.ProgressBar;
import dev.fluxion.nn.callbacks.ProgressBarLogger;
import dev.fluxion.nn.callbacks.StatefulCallback;
import dev.fluxion.nn.io.TrainingCheckpoint;
import dev.fluxion.nn.metrics.Metric;
import dev.fluxion.nn.optimizers.Optimizer;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fit / evaluate / predict loop of a {@link Model} (Keras' Trainer): iterates batches, calls the model's
 * train/test/predict step (compiled with {@link Fx#function} unless the model runs eagerly), converts the step's tensor
 * logs to doubles outside the graph, aggregates them per epoch and drives the callbacks. It also exposes the run's
 * position (epoch, step, data iterator, random generators) so that {@code BackupAndRestore} can checkpoint and resume it.
 */
public final class Trainer {
    private final Model model;
    private GraphFunction<Map<String, Tensor>> trainFn;
    private GraphFunction<Map<String, Tensor>> trainFnWeighted;
    private GraphFunction<Map<String, Tensor>> testFn;
    private GraphFunction<Map<String, Tensor>> testFnWeighted;
    private GraphFunction<Tensor> predictFn;
    private Variable lossTotal;
    private Variable lossCount;

    // state of the running fit
    private int epoch;
    private long globalStep;
    private DataIterator<Pair> current;
    private Map<String, Rng> rngs = Map.of();
    private CallbackList callbacks;
    private boolean inTrainBegin;
    private TrainingCheckpoint pendingRestore;
    private Integer resumeEpoch;
    private IteratorState resumeIterator;

    public Trainer(Model model) {
        this.model = model;
    }

    /** Called by {@code Model.compile}: drops compiled step functions. */
    public void compiled() {
        trainFn = trainFnWeighted = testFn = testFnWeighted = null;
        predictFn = null;
    }

    /** The train step function (traced on its first call per input signature); null when the model runs eagerly or before fit. */
    public GraphFunction<Map<String, Tensor>> trainFunction() {
        return trainFn;
    }

    /** The train step function of batches with loss weights (the weights its third input); null as for {@link #trainFunction()}. */
    public GraphFunction<Map<String, Tensor>> weightedTrainFunction() {
        return trainFnWeighted;
    }

    // ------------------------------------------------------------------ loss tracker

    private void ensureTracker() {
        if (lossTotal == null) {
            lossTotal = Dispatcher.initScope(() -> new Variable(Tensor.scalar(0f), "loss_tracker/total", false));
            lossCount = Dispatcher.initScope(() -> new Variable(Tensor.scalar(0f), "loss_tracker/count", false));
        }
    }

    /** Adds a batch's loss, weighted by its size, to the running mean; returns the mean so far (traceable). */
    public Tensor trackLoss(Tensor loss, int batchSize) {
        ensureTracker();
        Tensor l = loss.dtype() == DType.FLOAT32 ? loss : loss.cast(DType.FLOAT32);
        if (l.rank() > 0) l = l.mean();
        lossTotal.assign(lossTotal.value().add(l.mul((double) batchSize)));
        lossCount.assign(lossCount.value().add((double) batchSize));
        return lossTotal.value().div(lossCount.value());
    }

    private void resetMetrics() {
        ensureTracker();
        placeStateOnModelDevice();
        lossTotal.assign(lossTotal.value().zerosLike());
        lossCount.assign(lossCount.value().zerosLike());
        for (Metric m : model.metrics()) m.reset();
    }

    // ------------------------------------------------------------------ device

    /** Where the model's weights live (after {@code model.moveTo}); the CPU for an unbuilt model. */
    private Device modelDevice() {
        if (!model.isBuilt()) return Device.CPU;
        List<Variable> vars = model.variables();
        return vars.isEmpty() ? Device.CPU : vars.get(0).type().device();
    }

    /** The loss tracker and the metrics' state follow the model's weights, so a compiled step runs on one device. */
    private void placeStateOnModelDevice() {
        Device device = modelDevice();
        if (device.equals(Device.CPU)) return;
        lossTotal.moveTo(device);
        lossCount.moveTo(device);
        for (Metric m : model.metrics()) for (Variable v : m.variables()) v.moveTo(device);
    }

    /** A batch's tensors on the model's device (batches come from host pipelines). */
    private Tensor onModelDevice(Tensor t) {
        if (t == null) return null;
        Device device = modelDevice();
        return t.device().equals(device) ? t : t.to(device);
    }

    private Pair onModelDevice(Pair batch) {
        return new Pair(onModelDevice(batch.x()), onModelDevice(batch.y()), onModelDevice(batch.sampleWeight()));
    }

    // ------------------------------------------------------------------ sources of batches

    private interface Source {
        /** Batches per epoch, or -1 when unknown. */
        long steps();

        DataIterator<Pair> open(int epoch, IteratorState state);
    }

    private static Source datasetSource(Dataset<Pair> data) {
        return new Source() {
            public long steps() {
                long c = data.cardinality();
                return c >= 0 ? c : -1;
            }

            public DataIterator<Pair> open(int epoch, IteratorState state) {
                return state == null ? data.iterator() : data.iterator(state);
            }
        };
    }

    /**
     * Tensor inputs (and optional sample weights, sliced alike) in batches; shuffled per epoch with a permutation that
     * is a pure function of (seed, epoch).
     */
    private static Source tensorSource(Tensor x, Tensor y, Tensor w, int batchSize, boolean shuffle, long seed) {
        int n = x.dim(0);
        long nb = (n + batchSize - 1) / batchSize;
        return new Source() {
            public long steps() {
                return nb;
            }

            public DataIterator<Pair> open(int epoch, IteratorState state) {
                Tensor perm = shuffle ? new Rng(seed * 0x9E3779B97F4A7C15L + epoch).permutation(n) : null;
                Dataset<Pair> d = Dataset.range(nb).map(b -> {
                    int from = (int) (b * batchSize), to = Math.min(n, from + batchSize);
                    if (perm == null) return new Pair(x.slice(from, to).contiguous(), y.slice(from, to).contiguous(), SampleWeights.slice(w, from, to));
                    Tensor idx = perm.slice(from, to);
                    return new Pair(ArrayOps.gather(x, idx, 0), ArrayOps.gather(y, idx, 0), SampleWeights.gather(w, idx));
                });
                return state == null ? d.iterator() : d.iterator(state);
            }
        };
    }

    /**
     * {@code what} names the op and the input in errors, e.g. "evaluate: x"; {@code w}: optional sample weights, named
     * {@code weights} in errors.
     */
    private static Dataset<Pair> batches(String what, Tensor x, Tensor y, String weights, Tensor w, int batchSize) {
        int n = x.dim(0);
        if (y != null && y.dim(0) != n)
            throw new IllegalArgumentException(what + " has " + n + " samples but y has " + y.dim(0) + " (the first axes must agree)");
        SampleWeights.checkForInputs(weights, w, x);
        long nb = (n + batchSize - 1) / batchSize;
        return Dataset.range(nb).map(b -> {
            int from = (int) (b * batchSize), to = Math.min(n, from + batchSize);
            return new Pair(x.slice(from, to).contiguous(), y == null ? x.slice(from, to) : y.slice(from, to).contiguous(), SampleWeights.slice(w, from, to));
        });
    }

    // ------------------------------------------------------------------ fit

    /** {@code Model.fit} on a batched dataset. */
    public History fit(Dataset<Pair> train, Fit f) {
        if (f.batchSizeSet) throw new IllegalArgumentException("fit: batchSize applies to tensor inputs; batch the Dataset instead");
        if (f.validationSplit > 0) throw new IllegalArgumentException("fit: validationSplit applies to tensor inputs; pass validationData for a Dataset");
        if (f.sampleWeight != null)
            throw new IllegalArgumentException("fit: sampleWeight applies to tensor inputs; a Dataset's sample weights come from its elements: "
                    + "new Pair(x, y, w), e.g. Dataset.fromTensorSlices(new Pair(x, y, w)).batch(n)");
        Dataset<Pair> val = f.validationData != null ? f.validationData
                : f.validationX != null ? batches("fit: validationData x", f.validationX, f.validationY, "fit: validationData w", f.validationWeight,
                        f.validationBatchSize > 0 ? f.validationBatchSize : 32) : null;
        return run(datasetSource(train), f.stepsPerEpoch > 0, val, f);
    }

    /** {@code Model.fit} on tensors. */
    public History fit(Tensor x, Tensor y, Fit f) {
        int n = x.dim(0);
        if (y.dim(0) != n) throw new IllegalArgumentException("fit: x has " + n + " samples but y has " + y.dim(0) + " (the first axes must agree)");
        Tensor w = f.sampleWeight;
        SampleWeights.checkForInputs("fit: sampleWeight", w, x);
        Dataset<Pair> val = null;
        int vbs = f.validationBatchSize > 0 ? f.validationBatchSize : f.batchSize;
        if (f.validationData != null) val = f.validationData;
        else if (f.validationX != null) val = batches("fit: validationData x", f.validationX, f.validationY, "fit: validationData w", f.validationWeight, vbs);
        else if (f.validationSplit > 0) {
            int splitAt = (int) (n * (1 - f.validationSplit)); // Keras: the last fraction, taken before shuffling
            if (splitAt == 0 || splitAt == n)
                throw new IllegalArgumentException("fit: validationSplit " + f.validationSplit + " of " + n + " samples leaves an empty training or validation set");
            val = batches("fit: validation x", x.slice(splitAt, n), y.slice(splitAt, n), "fit: sampleWeight", w == null ? null : w.slice(splitAt, n), vbs);
            x = x.slice(0, splitAt);
            y = y.slice(0, splitAt);
            if (w != null) w = w.slice(0, splitAt); // Keras splits the weights as it splits x and y
        }
        long seed;
        if (f.seed != null) seed = f.seed;
        else {
            long[] k = Rng.global().take(1);
            seed = k[0] * 31 + k[1];
        }
        return run(tensorSource(x, y, w, f.batchSize, f.shuffle, seed), false, val, f);
    }

    private Set<String> statefulNames(String step) {
        if (overrides(model.getClass(), step)) return Set.of();
        Set<String> s = new HashSet<>();
        s.add("loss");
        for (Metric m : model.metrics()) s.add(m.name());
        return s;
    }

    private static boolean overrides(Class<?> c, String method) {
        for (; c != null && c != Model.class; c = c.getSuperclass()) {
            try {
                c.getDeclaredMethod(method, Pair.class);
                return true;
            } catch (NoSuchMethodException e) {
                // keep looking up the hierarchy
            }
        }
        return false;
    }

    private History run(Source src, boolean persistent, Dataset<Pair> val, Fit f) {
        ensureTracker();
        model.setStopTraining(false);
        History history = new History();
        List<Callback> list = new ArrayList<>();
        if (f.verbose == 1) list.add(new ProgressBarLogger());
        else if (f.verbose == 2) list.add(new ProgressBarLogger(System.out, ProgressBar.Style.SUMMARY));
        // BackupAndRestore goes after the other callbacks, so that its end-of-epoch checkpoint includes their updates
        for (Callback c : f.callbacks) if (!(c instanceof BackupAndRestore)) list.add(c);
        for (Callback c : f.callbacks) if (c instanceof BackupAndRestore) list.add(c);
        list.add(history);
        CallbackList cbs = new CallbackList(list);
        cbs.setModel(model);
        Set<String> stateful = statefulNames("trainStep");
        long steps = f.stepsPerEpoch > 0 ? f.stepsPerEpoch : src.steps();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("epochs", f.epochs);
        params.put("steps", steps > 0 ? steps : null);
        params.put("verbose", f.verbose);
        params.put("stateful", stateful);
        cbs.setParams(Collections.unmodifiableMap(params));
        Map<String, Rng> r = new LinkedHashMap<>();
        r.put("global", Rng.global());
        r.putAll(f.rngs);
        rngs = r;
        resumeEpoch = null;
        resumeIterator = null;
        pendingRestore = null;
        globalStep = 0;
        current = null;

        callbacks = cbs;
        inTrainBegin = true;
        try {
            cbs.onTrainBegin(new LinkedHashMap<>());
        } finally {
            inTrainBegin = false;
        }
        if (pendingRestore != null) restoreCallbackStates(pendingRestore.extra());
        int start = resumeEpoch != null ? resumeEpoch : f.initialEpoch;
        Map<String, Double> epochLogs = new LinkedHashMap<>();
        DataIterator<Pair> it = null;
        try {
            for (epoch = start; epoch < f.epochs && !model.stopTraining(); epoch++) {
                resetMetrics();
                cbs.onEpochBegin(epoch, new LinkedHashMap<>());
                if (it == null || !persistent) {
                    if (it != null) it.close();
                    it = openEpoch(src, persistent);
                }
                current = it;
                Aggregator agg = new Aggregator(stateful);
                long s = 0;
                boolean grouped = model.stepsPerExecution() > 1 && !model.runEagerly();
                Pair held = null; // a batch read ahead that did not fit the last group (another shape)
                while ((f.stepsPerEpoch < 0 || s < f.stepsPerEpoch) && (held != null || it.hasNext())) {
                    if (grouped) {
                        List<Pair> group = new ArrayList<>();
                        group.add(held != null ? held : weighted(it.next(), f, s));
                        held = null;
                        long room = Math.min(model.stepsPerExecution(), f.stepsPerEpoch < 0 ? Long.MAX_VALUE : f.stepsPerEpoch - s);
                        while (group.size() < room && it.hasNext()) {
                            Pair next = weighted(it.next(), f, s + group.size());
                            if (sameShapes(next, group.getFirst())) group.add(next);
                            else {
                                held = next;
                                break;
                            }
                        }
                        for (Pair b : group) applyPendingRestore(b);
                        cbs.onTrainBatchBegin((int) s, new LinkedHashMap<>());
                        List<Map<String, Double>> perBatch = trainGroup(group);
                        for (Map<String, Double> logs : perBatch) agg.add(logs);
                        globalStep += group.size();
                        s += group.size();
                        cbs.onTrainBatchEnd((int) (s - 1), perBatch.getLast());
                        if (model.stopTraining()) break;
                        continue;
                    }
                    Pair batch = weighted(it.next(), f, s);
                    applyPendingRestore(batch);
                    cbs.onTrainBatchBegin((int) s, new LinkedHashMap<>());
                    Map<String, Double> logs = trainBatch(batch);
                    globalStep++;
                    s++;
                    agg.add(logs);
                    cbs.onTrainBatchEnd((int) (s - 1), logs);
                    if (model.stopTraining()) break;
                }
                if (persistent && s < f.stepsPerEpoch && !model.stopTraining()) {
                    System.err.println("fit: the input ran out of data after " + s + " of " + f.stepsPerEpoch + " steps in epoch " + (epoch + 1)
                            + "; make sure it can produce stepsPerEpoch * epochs batches (e.g. with repeat()). Training stops.");
                    model.setStopTraining(true);
                }
                Map<String, Double> logs = agg.result();
                if (val != null && (epoch + 1) % f.validationFreq == 0) {
                    Map<String, Double> v = evaluateLoop(val, f.validationSteps, cbs);
                    v.forEach((k, x) -> logs.put("val_" + k, x));
                }
                epochLogs = logs;
                cbs.onEpochEnd(epoch, epochLogs);
            }
            if (pendingRestore != null) { // resumed after the last epoch: restore the final state anyway
                try (DataIterator<Pair> one = src.open(Math.max(start - 1, 0), null)) {
                    if (one.hasNext()) applyPendingRestore(one.next());
                }
            }
        } finally {
            if (it != null) it.close();
            current = null;
        }
        if (model.optimizer() != null) model.optimizer().finalizeVariableValues(); // Keras: before onTrainEnd
        cbs.onTrainEnd(new LinkedHashMap<>(epochLogs));
        callbacks = null;
        return history;
    }

    private DataIterator<Pair> openEpoch(Source src, boolean persistent) {
        IteratorState st = resumeIterator;
        resumeIterator = null;
        if (st == null) return src.open(epoch, null);
        DataIterator<Pair> restored = src.open(epoch, st);
        if (persistent) return restored;
        // the saved epoch's pass ended (or stopped early): restoring advanced the pipeline's pass counter, so a
        // fresh pass is the next epoch's data, exactly as in an uninterrupted run
        restored.close();
        return src.open(epoch, null);
    }

    /** A training batch with its loss weights (the element's sample weights times the class weights), on the host. */
    private static Pair weighted(Pair hostBatch, Fit f, long step) {
        return SampleWeights.lossWeights("fit", hostBatch, f.classWeight, step);
    }

    /**
     * One train step on a batch that carries its loss weights (or none). Weighted and unweighted batches trace
     * separate graph functions, the weights an input of the first: a dataset may mix them without retracing either.
     */
    private Map<String, Double> trainBatch(Pair hostBatch) {
        Pair batch = onModelDevice(hostBatch);
        Map<String, Tensor> out;
        if (model.runEagerly()) out = model.runTrainStep(batch).tensors();
        else if (batch.sampleWeight() == null) out = trainFunction(false).call(batch.x(), batch.y());
        else out = trainFunction(true).call(batch.x(), batch.y(), batch.sampleWeight());
        return Logs.toDoubles(out);
    }

    /** The compiled train step, with sample weights as a third input or without, made on first use. */
    private GraphFunction<Map<String, Tensor>> trainFunction(boolean weighted) {
        if (weighted) {
            if (trainFnWeighted == null)
                trainFnWeighted = Fx.function("train_step_weighted",
                        (Tensor x, Tensor y, Tensor w) -> new LinkedHashMap<>(model.runTrainStep(new Pair(x, y, w)).tensors()));
            return trainFnWeighted;
        }
        if (trainFn == null)
            trainFn = Fx.function("train_step", (Tensor x, Tensor y) -> new LinkedHashMap<>(model.runTrainStep(new Pair(x, y)).tensors()));
        return trainFn;
    }

    /** Whether two batches can share one call of the train step: the same shapes and dtypes, weights included. */
    private static boolean sameShapes(Pair a, Pair b) {
        return sameType(a.x(), b.x()) && sameType(a.y(), b.y()) && (a.sampleWeight() == null
                ? b.sampleWeight() == null : b.sampleWeight() != null && sameType(a.sampleWeight(), b.sampleWeight()));
    }

    private static boolean sameType(Tensor a, Tensor b) {
        return java.util.Arrays.equals(a.shape(), b.shape()) && a.dtype() == b.dtype();
    }

    /**
     * Batches of one shape through one {@code callEach} of the train step (stacked on the host, moved to the model's
     * device at once); the logs of each batch, in order.
     */
    private List<Map<String, Double>> trainGroup(List<Pair> group) {
        if (group.size() == 1) return List.of(trainBatch(group.getFirst()));
        Tensor xs = onModelDevice(ArrayOps.stack(0, group.stream().map(Pair::x).toArray(Tensor[]::new)));
        Tensor ys = onModelDevice(ArrayOps.stack(0, group.stream().map(Pair::y).toArray(Tensor[]::new)));
        boolean weighted = group.getFirst().sampleWeight() != null; // the same for the whole group (sameShapes)
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        Map<String, Tensor> out = weighted
                ? trainFunction(true).callEach(xs, ys, onModelDevice(ArrayOps.stack(0, group.stream().map(Pair::sampleWeight).toArray(Tensor[]::new))))
                : trainFunction(false).callEach(xs, ys);
        out.forEach((k, v) -> stacked.put(k, v.to(Device.CPU)));
        List<Map<String, Double>> logs = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            Map<String, Tensor> row = new LinkedHashMap<>();
            for (var e : stacked.entrySet()) row.put(e.getKey(), e.getValue().get(i));
            logs.add(Logs.toDoubles(row));
        }
        return logs;
    }

    /** Per-example weights from class weights: labels are class indices, or one-hot/probabilities (argmax). */
    static Tensor classWeights(Tensor y, Map<Integer, Double> classWeight) {
        int n = y.dim(0);
        Tensor cls = y.rank() >= 2 && y.dim(y.rank() - 1) > 1 ? y.argmax(y.rank() - 1) : y.reshape(n);
        double[] c = cls.cast(DType.FLOAT64).toDoubleArray();
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (double) classWeight.getOrDefault((int) c[i], 1.0);
        return Tensor.of(w, n);
    }

    private void applyPendingRestore(Pair firstBatch) {
        if (pendingRestore == null) return;
        TrainingCheckpoint c = pendingRestore;
        pendingRestore = null;
        if (!model.isBuilt()) model.call(firstBatch.x(), false);
        Optimizer opt = model.optimizer();
        List<Variable> optVars = opt == null ? List.of() : opt.variables();
        if (opt != null && optVars.size() != c.optimizerVariables().size()) {
            opt.build(model.trainableVariables()); // slots are otherwise created by the first update
            optVars = opt.variables();
        }
        c.restore(model.variables(), optVars, rngs);
    }

    // ------------------------------------------------------------------ evaluate / predict

    /** {@code Model.evaluate} on a batched dataset ({@code steps} &lt; 0: all). */
    public Map<String, Double> evaluate(Dataset<Pair> data, long steps, CallbackList cbs) {
        return evaluateLoop(data, steps, cbs == null ? new CallbackList() : cbs);
    }

    /** {@code Model.evaluate} on tensors. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return evaluate(x, y, batchSize, null);
    }

    /** {@code Model.evaluate} on tensors, with optional sample weights ({@code w}: null for none). */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize, Tensor w) {
        if (batchSize < 1) throw new IllegalArgumentException("evaluate: batchSize must be >= 1, got " + batchSize);
        return evaluate(batches("evaluate: x", x, y, "evaluate: sampleWeight", w, batchSize), -1, null);
    }

    private Map<String, Double> evaluateLoop(Dataset<Pair> data, long steps, CallbackList cbs) {
        resetMetrics();
        cbs.onTestBegin(new LinkedHashMap<>());
        Aggregator agg = new Aggregator(statefulNames("testStep"));
        try (DataIterator<Pair> it = data.iterator()) {
            for (long s = 0; (steps < 0 || s < steps) && it.hasNext(); s++) {
                Pair batch = onModelDevice(SampleWeights.lossWeights("evaluate", it.next(), null, s));
                cbs.onTestBatchBegin((int) s, new LinkedHashMap<>());
                Map<String, Tensor> out;
                if (model.runEagerly()) out = model.runTestStep(batch).tensors();
                else if (batch.sampleWeight() == null) {
                    if (testFn == null)
                        testFn = Fx.function("test_step", (Tensor x, Tensor y) -> new LinkedHashMap<>(model.runTestStep(new Pair(x, y)).tensors()));
                    out = testFn.call(batch.x(), batch.y());
                } else {
                    if (testFnWeighted == null)
                        testFnWeighted = Fx.function("test_step_weighted",
                                (Tensor x, Tensor y, Tensor w) -> new LinkedHashMap<>(model.runTestStep(new Pair(x, y, w)).tensors()));
                    out = testFnWeighted.call(batch.x(), batch.y(), batch.sampleWeight());
                }
                Map<String, Double> logs = Logs.toDoubles(out);
                agg.add(logs);
                cbs.onTestBatchEnd((int) s, logs);
            }
        }
        Map<String, Double> result = agg.result();
        cbs.onTestEnd(result);
        return result;
    }

    /** {@code Model.predict} on a batched dataset of inputs. */
    public Tensor predict(Dataset<Tensor> inputs) {
        List<Tensor> outs = new ArrayList<>();
        try (DataIterator<Tensor> it = inputs.iterator()) {
            while (it.hasNext()) outs.add(predictBatch(it.next()));
        }
        if (outs.isEmpty()) throw new IllegalArgumentException("predict: the input is empty");
        return ArrayOps.concat(0, outs.toArray(Tensor[]::new));
    }

    /** {@code Model.predict} on tensors. */
    public Tensor predict(Tensor x, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("predict: batchSize must be >= 1, got " + batchSize);
        int n = x.dim(0);
        List<Tensor> outs = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) outs.add(predictBatch(x.slice(from, Math.min(n, from + batchSize)).contiguous()));
        if (outs.isEmpty()) throw new IllegalArgumentException("predict: the input is empty");
        return ArrayOps.concat(0, outs.toArray(Tensor[]::new));
    }

    /** One batch's predictions, on the host (as Keras returns NumPy arrays) whatever device the model is on. */
    private Tensor predictBatch(Tensor hostX) {
        Tensor x = onModelDevice(hostX), y;
        if (model.runEagerly()) y = model.runPredictStep(x);
        else {
            if (predictFn == null) predictFn = Fx.function("predict_step", (Tensor t) -> model.runPredictStep(t));
            y = predictFn.call(x);
        }
        return y.device().equals(Device.CPU) ? y : y.to(Device.CPU);
    }

    // ------------------------------------------------------------------ position, for checkpoints (BackupAndRestore)

    /** The running epoch index (0-based). */
    public int epoch() {
        return epoch;
    }

    /** Training steps completed in this run (continuing the checkpoint's count after a resume). */
    public long globalStep() {
        return globalStep;
    }

    /** The random generators a training checkpoint includes: {@code global} and those given to {@code Fit.checkpointRng}. */
    public Map<String, Rng> checkpointRngs() {
        return rngs;
    }

    /**
     * A checkpoint of the run after {@code completedEpochs} epochs: weights, optimizer variables, counters, generator
     * states and the position of the training data iterator (when the pipeline can save it).
     */
    public TrainingCheckpoint checkpoint(int completedEpochs, Map<String, String> extra) {
        IteratorState st = null;
        if (current != null) {
            try {
                st = current.save();
            } catch (IllegalStateException e) {
                System.err.println("checkpoint: the data iterator's position cannot be saved (" + e.getMessage() + "); resume will start a fresh pass");
            }
        }
        Map<String, String> all = new LinkedHashMap<>(extra);
        if (callbacks != null) {
            List<Callback> list = callbacks.callbacks();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof StatefulCallback s)) continue;
                String prefix = callbackKey(i, s);
                s.saveState().forEach((k, v) -> all.put(prefix + k, v));
            }
        }
        Optimizer opt = model.optimizer();
        return TrainingCheckpoint.capture(model.variables(), opt == null ? List.of() : opt.variables(), completedEpochs, globalStep,
                rngs, st, all);
    }

    private static String callbackKey(int index, StatefulCallback c) {
        return "callback" + index + "." + c.getClass().getSimpleName() + ".";
    }

    private void restoreCallbackStates(Map<String, String> extra) {
        List<Callback> list = callbacks.callbacks();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof StatefulCallback s)) continue;
            String prefix = callbackKey(i, s);
            Map<String, String> state = new LinkedHashMap<>();
            extra.forEach((k, v) -> {
                if (k.startsWith(prefix)) state.put(k.substring(prefix.length()), v);
            });
            if (!state.isEmpty()) s.restoreState(state);
        }
    }

    /**
     * Resumes the starting run from a checkpoint: call from {@code onTrainBegin}. Training continues at the saved epoch
     * with the saved data position; weights, optimizer variables and generators are restored before the first step
     * (once the model and optimizer are built).
     */
    public void resumeFrom(TrainingCheckpoint c) {
        if (!inTrainBegin) throw new IllegalStateException("resumeFrom: call it from a callback's onTrainBegin");
        pendingRestore = c;
        resumeEpoch = c.epoch();
        resumeIterator = c.iteratorState();
        globalStep = c.step();
    }

    // ------------------------------------------------------------------ aggregation

    /** Epoch values: running (stateful) values as last reported, others averaged over the batches. */
    static final class Aggregator {
        private final Set<String> stateful;
        private final Map<String, double[]> acc = new LinkedHashMap<>();

        Aggregator(Set<String> stateful) {
            this.stateful = stateful;
        }

        void add(Map<String, Double> logs) {
            for (var e : logs.entrySet()) {
                double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[2]);
                if (stateful.contains(e.getKey())) {
                    a[0] = e.getValue();
                    a[1] = 1;
                } else {
                    a[0] += e.getValue();
                    a[1] += 1;
                }
            }
        }

        Map<String, Double> result() {
            Map<String, Double> m = new LinkedHashMap<>();
            acc.forEach((k, a) -> m.put(k, a[1] == 0 ? Double.NaN : a[0] / a[1]));
            return m;
        }
    }
}
