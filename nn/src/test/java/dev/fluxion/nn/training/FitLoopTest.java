package dev.fluxion.nn.training;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.callbacks.Callback;
import dev.fluxion.nn.callbacks.LambdaCallback;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The loop's counting: options at their smallest values, steps, validation steps and frequency, hooks, counters. */
class FitLoopTest {
    static FitTest.Linear model() {
        return FitTest.compiled(false);
    }

    @Test
    void optionsAcceptTheirSmallestValues() {
        Tensor[] d = FitTest.problem(3, 1);
        FitTest.Linear m = model();
        History none = m.fit(d[0], d[1], Fit.epochs(0).verbose(0));
        assertEquals(List.of(), none.epochs(), "epochs(0) trains nothing");
        List<Integer> batches = new ArrayList<>();
        var cb = LambdaCallback.builder().onBatchEnd((b, l) -> batches.add(b)).build();
        Fit f = Fit.epochs(1).batchSize(1).initialEpoch(0).validationSplit(0).validationBatchSize(1).validationFreq(1).verbose(0).callbacks(cb);
        m.fit(d[0], d[1], f);
        assertEquals(List.of(0, 1, 2), batches, "batch size 1: one batch per sample");
        assertEquals(1, f.epochs());
        assertEquals(0, f.verbose());
        assertEquals(List.of(cb), f.callbackList());
        assertEquals(1, Fit.defaults().epochs());
        assertEquals(1, Fit.defaults().verbose(), "Keras' default verbosity");
        assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).validationSplit(1));
        assertThrows(IllegalArgumentException.class, () -> Fit.epochs(-1));
        assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).initialEpoch(-1));
        assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).stepsPerEpoch(0));
        m.fit(Dataset.fromTensorSlices(d[0], d[1]).batch(1).repeat(), Fit.epochs(1).stepsPerEpoch(1).verbose(0));
        assertEquals(1, m.trainer().globalStep(), "stepsPerEpoch(1): one step");
        // evaluate and predict also take a batch size of 1
        assertEquals(m.evaluate(d[0], d[1], 3).get("loss"), m.evaluate(d[0], d[1], 1).get("loss"), 1e-6);
        assertArrayEquals(m.predict(d[0], 3).toFloatArray(), m.predict(d[0], 1).toFloatArray(), 1e-6f);
    }

    @Test
    void shuffleOffKeepsTheSampleOrderAndOnChangesIt() {
        Tensor[] d = FitTest.problem(64, 8);
        FitTest.Linear inOrder = model(), unshuffled = model(), shuffled = model();
        inOrder.fit(Dataset.fromTensorSlices(d[0], d[1]).batch(16).repeat(), Fit.epochs(2).stepsPerEpoch(4).verbose(0));
        unshuffled.fit(d[0], d[1], Fit.epochs(2).batchSize(16).shuffle(false).verbose(0));
        shuffled.fit(d[0], d[1], Fit.epochs(2).batchSize(16).shuffle(true).seed(5).verbose(0));
        assertArrayEquals(inOrder.w.value().toFloatArray(), unshuffled.w.value().toFloatArray());
        assertFalse(java.util.Arrays.equals(inOrder.w.value().toFloatArray(), shuffled.w.value().toFloatArray()),
                "shuffled batches give other updates");
    }

    @Test
    void evaluateCoversAPartialLastBatch() {
        // 5 samples in batches of 2: 3 batches, the last with one sample; the batch-size weighted mean is the full mean
        Tensor[] d = FitTest.problem(5, 2);
        FitTest.Linear m = model();
        assertEquals(m.evaluate(d[0], d[1], 5).get("loss"), m.evaluate(d[0], d[1], 2).get("loss"), 1e-6);
    }

    /** Records the test hooks it sees during fit. */
    static final class TestHooks extends Callback {
        final List<String> seen = new ArrayList<>();

        @Override public void onTestBegin(Map<String, Double> logs) { seen.add("test_begin"); }
        @Override public void onTestBatchBegin(int b, Map<String, Double> logs) { seen.add("test_batch_begin " + b); }
        @Override public void onTestBatchEnd(int b, Map<String, Double> logs) { seen.add("test_batch_end " + b); }
        @Override public void onTestEnd(Map<String, Double> logs) { seen.add("test_end " + logs.keySet()); }
        @Override public void onTrainBatchBegin(int b, Map<String, Double> logs) { seen.add("batch_begin " + b); }
        @Override public void onEpochEnd(int e, Map<String, Double> logs) { seen.add("epoch_end " + e + " " + logs.containsKey("val_loss")); }
    }

    @Test
    void validationStepsAndFrequencyLimitWhatIsEvaluatedAndCallbacksSeeIt() {
        Tensor[] d = FitTest.problem(32, 3);
        Dataset<Pair> train = Dataset.fromTensorSlices(d[0], d[1]).batch(16);
        Dataset<Pair> val = Dataset.fromTensorSlices(d[0], d[1]).batch(8); // 4 batches; validationSteps 1 reads the first
        FitTest.Linear m = model();
        TestHooks hooks = new TestHooks();
        History h = m.fit(train, Fit.epochs(3).validationData(val).validationSteps(1).validationFreq(3).verbose(0).callbacks(hooks));
        // Keras' validation_freq: after epoch 3 (1-based) only
        List<String> expected = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            expected.add("batch_begin 0");
            expected.add("batch_begin 1");
            if (e == 2) expected.addAll(List.of("test_begin", "test_batch_begin 0", "test_batch_end 0",
                    "test_end [loss, sparse_categorical_accuracy]"));
            expected.add("epoch_end " + e + " " + (e == 2));
        }
        assertEquals(expected, hooks.seen);
        double firstBatchOnly = m.evaluate(d[0].slice(0, 8), d[1].slice(0, 8), 8).get("loss");
        assertEquals(firstBatchOnly, h.last("val_loss"), 1e-6, "validationSteps(1): the first validation batch only");
        assertTrue(Double.isNaN(h.get("val_loss").get(0)), "no validation after the first epoch");
    }

    @Test
    void aDatasetThatRunsOutBeforeStepsPerEpochStopsTraining() {
        // Keras: "Your input ran out of data; interrupting training"
        Tensor[] d = FitTest.problem(48, 4);
        Dataset<Pair> threeBatches = Dataset.fromTensorSlices(d[0], d[1]).batch(16);
        FitTest.Linear m = model();
        History h = m.fit(threeBatches, Fit.epochs(5).stepsPerEpoch(5).verbose(0));
        assertEquals(List.of(0), h.epochs());
        assertEquals(3, m.trainer().globalStep());
    }

    @Test
    void groupedStepsRespectStepsPerEpochAndCountGlobalSteps() {
        Tensor[] d = FitTest.problem(64, 5);
        Dataset<Pair> repeated = Dataset.fromTensorSlices(d[0], d[1]).batch(8).repeat();
        FitTest.Linear m = model();
        m.setStepsPerExecution(4);
        List<Integer> ends = new ArrayList<>();
        var cb = LambdaCallback.builder().onBatchEnd((b, l) -> ends.add(b)).build();
        m.fit(repeated, Fit.epochs(2).stepsPerEpoch(6).verbose(0).callbacks(cb));
        assertEquals(List.of(3, 5, 3, 5), ends, "groups of 4, then the 2 steps left in the epoch");
        assertEquals(12, m.trainer().globalStep());
        FitTest.Linear plain = model();
        plain.fit(d[0], d[1], Fit.epochs(3).batchSize(16).verbose(0));
        assertEquals(12, plain.trainer().globalStep());
    }

    @Test
    void aStoppedFitDoesNotStopTheNextOne() {
        Tensor[] d = FitTest.problem(32, 6);
        FitTest.Linear m = model();
        var stop = LambdaCallback.builder().onEpochEnd((e, l) -> m.setStopTraining(true)).build();
        assertEquals(1, m.fit(d[0], d[1], Fit.epochs(3).batchSize(16).verbose(0).callbacks(stop)).epochs().size());
        assertEquals(List.of(0, 1, 2), m.fit(d[0], d[1], Fit.epochs(3).batchSize(16).verbose(0)).epochs());
    }

    @Test
    void evaluateWorksBeforeAnyFit() {
        Tensor[] d = FitTest.problem(16, 7);
        FitTest.Linear m = model();
        Map<String, Double> ev = m.evaluate(d[0], d[1], 8);
        assertEquals(List.of("loss", "sparse_categorical_accuracy"), List.copyOf(ev.keySet()));
        assertTrue(ev.get("loss") > 0);
    }

    @Test
    void trackLossAveragesByBatchSizeWhateverTheLossShapeAndType() {
        Trainer t = model().trainer();
        assertEquals(2.0, t.trackLoss(Tensor.of(new float[] {1, 3}, 2), 2).item(), 1e-6, "a per-example loss is averaged first");
        assertEquals(3.0, t.trackLoss(Tensor.scalar(4.0, DType.FLOAT64), 2).item(), 1e-6); // (2·2 + 4·2) / 4
        assertEquals(DType.FLOAT32, t.trackLoss(Tensor.scalar(1.0, DType.FLOAT64), 4).dtype());
    }

    @Test
    void classWeightsTakeIndicesFromAColumnOfLabels() {
        Tensor column = Tensor.of(new int[] {0, 2, 1}, 3, 1);
        assertArrayEquals(new float[] {0.5f, 3f, 1f}, Trainer.classWeights(column, Map.of(0, 0.5, 2, 3.0)).toFloatArray());
    }
}
