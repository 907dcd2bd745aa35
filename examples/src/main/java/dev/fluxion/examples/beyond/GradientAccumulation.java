package dev.fluxion.examples.beyond;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import dev.fluxion.examples.util.Steps;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient accumulation (virtual batches): a small physical batch whose gradients are summed over {@value #K} steps
 * before one optimizer update, so memory stays that of the small batch while the update is that of a batch K times
 * larger. Three runs from the same initial weights on the same shuffled examples:
 * <ol>
 *   <li>manual: a custom loop that adds each micro-batch's gradients into accumulator variables and applies their
 *       mean every K-th step (compiled in GRAPH/FIT mode, eager in EAGER mode);</li>
 *   <li>built-in: {@code Adam.gradientAccumulationSteps(K)} with a plain {@code compile}/{@code fit};</li>
 *   <li>large batch: one ordinary step per batch of K times the size.</li>
 * </ol>
 * All three end with the same weights up to float rounding; the example prints the largest differences, and for
 * contrast those of a fourth run that updates on every micro-batch (no accumulation). An epoch
 * runs whole virtual batches (its micro-steps are rounded down to a multiple of K).
 */
public final class GradientAccumulation implements Example {
    static final int K = 4;

    /** The three runs' final weights and their largest absolute differences from the manual run's. */
    public record Result(EpochLog log, List<Tensor> initial, List<Tensor> manual, List<Tensor> builtIn, List<Tensor> largeBatch,
                         double maxDiffBuiltIn, double maxDiffLargeBatch, double maxDiffNoAccumulation, double maxChange) {}

    private final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);

    @Override public String name() { return "grad-accumulation"; }

    @Override public String description() {
        return "gradient accumulation over " + K + " micro-batches, by hand and with the optimizer's option, against one large batch";
    }

    static Sequential classifier() {
        return Sequential.of(Input.shape(28, 28, 1), new Flatten(), new Dense(64, "relu"), new Dense(10));
    }

    /** Adds the gradients of one micro-batch into {@code accumulators}; with {@code applyNow} applies their mean and zeroes them. */
    private Tensor accumulate(Sequential model, Adam optimizer, List<Variable> accumulators, Tensor x, Tensor y, boolean applyNow) {
        List<Variable> vars = model.trainableVariables();
        Tensor value;
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            value = loss.call(y, model.call(x, true));
            grads = tape.gradient(value, vars);
        }
        List<Tensor> sums = new ArrayList<>();
        for (int i = 0; i < vars.size(); i++) sums.add(accumulators.get(i).value().add(grads.get(i)));
        if (applyNow) {
            List<Tensor> means = new ArrayList<>();
            for (Tensor s : sums) means.add(s.div(K));
            optimizer.applyGradients(means, vars);
            for (Variable acc : accumulators) acc.assign(acc.value().zerosLike());
        } else {
            for (int i = 0; i < vars.size(); i++) accumulators.get(i).assign(sums.get(i));
        }
        return value;
    }

    private Tensor plainStep(Sequential model, Adam optimizer, Tensor x, Tensor y) {
        return optimizer.minimize(() -> loss.call(y, model.call(x, true)), model.trainableVariables());
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        Result r = train(options);
        System.out.printf("largest |weight difference| after training (largest change from the initial weights %.4f):%n", r.maxChange());
        System.out.printf("  manual accumulation vs gradientAccumulationSteps(%d): %.3g%n", K, r.maxDiffBuiltIn());
        System.out.printf("  manual accumulation vs one batch of %d: %.3g%n", K * options.batchSize(), r.maxDiffLargeBatch());
        System.out.printf("  for contrast, manual accumulation vs an update on every micro-batch: %.3g%n", r.maxDiffNoAccumulation());
    }

    public Result train(ExampleOptions o) throws Exception {
        if (!o.dataset().equals("mnist") && !o.dataset().equals("fashion-mnist"))
            throw new IllegalArgumentException("grad-accumulation trains a 28x28 grayscale classifier: use --dataset mnist or fashion-mnist, not " + o.dataset());
        Rng.setGlobalSeed(o.seed());
        TrainTest data = o.dataset().equals("mnist") ? Datasets.mnist() : Datasets.fashionMnist();
        int b = o.batchSize(), n = data.train().x().dim(0);
        long micro = Steps.perEpoch(n / b, o.maxStepsPerEpoch()) / K * K;
        if (micro == 0) throw new IllegalArgumentException("grad-accumulation: an epoch needs at least " + K + " micro-batches, got " + Steps.perEpoch(n / b, o.maxStepsPerEpoch()));
        System.out.printf("physical batch %d, %d micro-batches per update: virtual batch %d; %d updates per epoch%n", b, K, K * b, micro / K);
        // one pipeline per run: a shuffle counts its own passes, so each run sees the same order in every epoch
        Dataset<Pair> manualData = microBatches(data, o, micro), builtInData = microBatches(data, o, micro);
        Dataset<Pair> large = Dataset.fromTensorSlices(data.train().x(), data.train().y()).shuffle(n, o.seed()).batch(K * b, true).take(micro / K);

        Sequential manual = classifier(), builtIn = classifier(), largeBatch = classifier(), everyStep = classifier();
        List<Tensor> initial = copy(manual.getWeights());
        for (Sequential other : List.of(builtIn, largeBatch, everyStep)) other.setWeights(initial);
        Adam manualOpt = (Adam) new Adam(1e-3).named("manual_adam");
        Adam builtInOpt = (Adam) new Adam(1e-3).named("accumulating_adam").gradientAccumulationSteps(K);
        Adam largeOpt = (Adam) new Adam(1e-3).named("large_batch_adam");
        Adam everyStepOpt = (Adam) new Adam(1e-3).named("every_step_adam");
        List<Variable> accumulators = new ArrayList<>();
        for (Variable v : manual.trainableVariables())
            accumulators.add(new Variable(Tensor.zeros(v.dtype(), v.shape()), v.name() + "/accumulator", false));

        manualOpt.build(manual.trainableVariables()); // its variables must exist before the step is traced twice
        GraphFunction<Tensor> compiledAccumulate = Fx.functionOf("accumulate_gradients",
                a -> accumulate(manual, manualOpt, accumulators, (Tensor) a[0], (Tensor) a[1], (Boolean) a[2]));
        var largeStep = Steps.of("large_batch_step", o.mode(), (x, y) -> plainStep(largeBatch, largeOpt, x, y));
        var microStep = Steps.of("micro_batch_step", o.mode(), (x, y) -> plainStep(everyStep, everyStepOpt, x, y));
        Dataset<Pair> everyStepData = microBatches(data, o, micro);
        builtIn.compile(builtInOpt, loss, List.of(), o.mode() == ExampleOptions.Mode.EAGER);

        EpochLog log = new EpochLog(o.outputDir().resolve(name() + "_history.csv"));
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            double manualLoss = 0, largeLoss = 0;
            long step = 0;
            for (Pair batch : manualData) {
                boolean applyNow = ++step % K == 0; // Java decides; the compiled function has one trace per value
                manualLoss += (Steps.compiled(o.mode()) ? compiledAccumulate.call(batch.x(), batch.y(), applyNow)
                        : accumulate(manual, manualOpt, accumulators, batch.x(), batch.y(), applyNow)).item();
            }
            for (Pair batch : large) largeLoss += largeStep.apply(batch.x(), batch.y()).item();
            for (Pair batch : everyStepData) microStep.apply(batch.x(), batch.y());
            History h = builtIn.fit(builtInData, Fit.epochs(1).verbose(0));
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("manual_loss", manualLoss / micro);
            row.put("builtin_loss", h.history().get("loss").get(0));
            row.put("large_batch_loss", largeLoss / (micro / K));
            log.record(epoch, o.epochs(), row);
        }
        List<Tensor> m = manual.getWeights(), bi = builtIn.getWeights(), lb = largeBatch.getWeights();
        Result r = new Result(log, initial, m, bi, lb, maxAbsDiff(m, bi), maxAbsDiff(m, lb), maxAbsDiff(m, everyStep.getWeights()),
                maxAbsDiff(m, initial));
        manual.saveWeights(o.outputDir().resolve("grad_accumulation_manual.safetensors"));
        return r;
    }

    private static Dataset<Pair> microBatches(TrainTest data, ExampleOptions o, long micro) {
        return Dataset.fromTensorSlices(data.train().x(), data.train().y()).shuffle(data.train().x().dim(0), o.seed())
                .batch(o.batchSize(), true).take(micro);
    }

    private static List<Tensor> copy(List<Tensor> ts) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ts) out.add(Tensor.of(t.cast(DType.FLOAT32).toFloatArray(), t.shape()));
        return out;
    }

    /** The largest absolute elementwise difference between two lists of same-shaped tensors. */
    static double maxAbsDiff(List<Tensor> a, List<Tensor> b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) max = Math.max(max, a.get(i).sub(b.get(i)).abs().max().item());
        return max;
    }
}
