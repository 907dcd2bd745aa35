package dev.fluxion.nn.callbacks;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.io.Safetensors;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.nn.training.Fit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Each callback's rule, driven by scripted logs on a one-variable stand-in model. */
class CallbacksTest {
    @TempDir
    Path dir;

    /** y = w * x with one weight. */
    static final class OneVar extends Model {
        Variable w;

        OneVar() {
            super("one_var");
        }

        @Override
        protected void build(int[] inputShape) {
            w = addWeight("w", new int[] {1}, Initializers.zeros());
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return x.mul(w.value());
        }
    }

    static OneVar model() {
        OneVar m = new OneVar();
        m.call(Tensor.ones(1, 1));
        m.compile(new SGD(0.1), null);
        return m;
    }

    static Map<String, Double> logs(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        return m;
    }

    private static void setW(OneVar m, float v) {
        m.w.assign(Tensor.of(new float[] {v}, 1));
    }

    @Test
    void modelCheckpointBestOnlySavesOnImprovement() throws IOException {
        OneVar m = model();
        ModelCheckpoint cb = ModelCheckpoint.bestOnly(dir.resolve("best.safetensors").toString());
        cb.setModel(m);
        cb.onTrainBegin(logs());
        double[] valLoss = {1.0, 0.8, 0.9, 0.7, 0.7};
        for (int e = 0; e < valLoss.length; e++) {
            setW(m, e);
            cb.onEpochEnd(e, logs("loss", 1, "val_loss", valLoss[e]));
        }
        assertEquals(3, cb.saveCount()); // epochs 0, 1, 3 (equal is no improvement)
        assertEquals(0.7, cb.best());
        assertArrayEquals(new float[] {3}, Safetensors.load(dir.resolve("best.safetensors")).tensors().get(m.w.name()).toFloatArray());
    }

    @Test
    void modelCheckpointAutoModeMaximizesAccuracyAndFormatsPaths() throws IOException {
        OneVar m = model();
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("w-{epoch:02d}-{val_accuracy:.4f}.safetensors").toString())
                .monitor("val_accuracy").saveBestOnly(true);
        cb.setModel(m);
        cb.onTrainBegin(logs());
        cb.onEpochEnd(0, logs("val_accuracy", 0.5));
        cb.onEpochEnd(1, logs("val_accuracy", 0.4));
        cb.onEpochEnd(2, logs("val_accuracy", 0.61234));
        assertEquals(2, cb.saveCount());
        assertTrue(Files.exists(dir.resolve("w-01-0.5000.safetensors")));
        assertTrue(Files.exists(dir.resolve("w-03-0.6123.safetensors")));
        assertFalse(Files.exists(dir.resolve("w-02-0.4000.safetensors")));
        // a missing monitored value skips the save
        cb.onEpochEnd(3, logs("loss", 0.1));
        assertEquals(2, cb.saveCount());
        // without saveBestOnly every epoch is written
        ModelCheckpoint every = new ModelCheckpoint(dir.resolve("e{epoch}.safetensors").toString());
        every.setModel(m);
        every.onTrainBegin(logs());
        every.onEpochEnd(0, logs("loss", 1));
        every.onEpochEnd(1, logs("loss", 2));
        assertTrue(Files.exists(dir.resolve("e1.safetensors")) && Files.exists(dir.resolve("e2.safetensors")));
        assertEquals("m-7-0.12", ModelCheckpoint.format("m-{epoch}-{loss:.2f}", 6, logs("loss", 0.123)));
    }

    @Test
    void earlyStoppingStartsMonitoringAtStartFromEpoch() {
        // Keras' start_from_epoch: earlier epochs are ignored; with patience 0 and no epoch improving by 100, monitoring
        // from epoch 3 stops at epoch 4 (3 sets the best), and monitoring from the start stops at epoch 1
        for (int start : new int[] {3, 0}) {
            OneVar m = model();
            EarlyStopping es = new EarlyStopping().patience(0).minDelta(100).startFromEpoch(start);
            es.setModel(m);
            es.onTrainBegin(logs());
            int stoppedAt = -1;
            for (int e = 0; e < 10 && stoppedAt < 0; e++) {
                es.onEpochEnd(e, logs("val_loss", 1.0 / (e + 1)));
                if (m.stopTraining()) stoppedAt = e;
            }
            assertEquals(start + 1, stoppedAt, "startFromEpoch " + start);
            assertEquals(start, es.bestEpoch());
            assertEquals(1.0 / (start + 1), es.best());
        }
    }

    @Test
    void earlyStoppingCountsPatienceWithMinDelta() {
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().patience(2).minDelta(0.1);
        es.setModel(m);
        es.onTrainBegin(logs());
        double[] v = {1.0, 0.95, 0.85, 0.8, 0.79};
        int stoppedAt = -1;
        for (int e = 0; e < v.length && stoppedAt < 0; e++) {
            es.onEpochEnd(e, logs("val_loss", v[e]));
            if (m.stopTraining()) stoppedAt = e;
        }
        // 1.0 best; 0.95 not by > 0.1 (wait 1); 0.85 improves on 1.0 by 0.15 (wait 0); 0.8 (wait 1); 0.79 (wait 2) -> stop
        assertEquals(4, stoppedAt);
        assertEquals(4, es.stoppedEpoch());
        assertEquals(0.85, es.best());
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void earlyStoppingRestoresBestWeightsAndHonorsBaselineAndMode() {
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().monitor("val_accuracy").patience(1).restoreBestWeights(true);
        es.setModel(m);
        es.onTrainBegin(logs());
        double[] acc = {0.5, 0.7, 0.6};
        for (int e = 0; e < acc.length; e++) {
            setW(m, 10 + e);
            es.onEpochEnd(e, logs("val_accuracy", acc[e]));
        }
        assertTrue(m.stopTraining());
        es.onTrainEnd(logs());
        assertArrayEquals(new float[] {11}, m.w.value().toFloatArray(), "weights of the best epoch (1)");

        OneVar m2 = model();
        EarlyStopping base = new EarlyStopping().patience(2).baseline(0.5);
        base.setModel(m2);
        base.onTrainBegin(logs());
        base.onEpochEnd(0, logs("val_loss", 0.9));
        base.onEpochEnd(1, logs("val_loss", 0.8)); // improves, but not below the baseline: wait keeps counting
        assertFalse(m2.stopTraining());
        base.onEpochEnd(2, logs("val_loss", 0.85));
        assertTrue(m2.stopTraining());
    }

    @Test
    void reduceLrOnPlateauWithCooldownAndMinLr() {
        OneVar m = model();
        ReduceLROnPlateau r = new ReduceLROnPlateau().factor(0.5).patience(2).cooldown(1).minLr(0.03).minDelta(0);
        r.setModel(m);
        r.onTrainBegin(logs());
        double[] v = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        double[] lrAfter = new double[v.length];
        for (int e = 0; e < v.length; e++) {
            Map<String, Double> l = logs("val_loss", v[e]);
            r.onEpochEnd(e, l);
            assertEquals(l.get("lr"), e == 0 ? 0.1 : lrAfter[e - 1], 1e-7, "lr logged at epoch " + e);
            lrAfter[e] = m.optimizer().learningRate().item();
        }
        // Keras' order: e0 best; e1 wait1; e2 wait2 -> 0.05, cooldown 1; e3 the cooldown ends first (wait 0, then
        // wait1); e4 wait2 -> max(0.025, minLr) = 0.03; e5 cooldown ends, wait1; e6 wait2 but lr is already minLr
        double[] expected = {0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03, 0.03};
        assertArrayEquals(expected, lrAfter, 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(1.0));
    }

    @Test
    void learningRateSchedulerSetsTheRateEachEpoch() {
        OneVar m = model();
        LearningRateScheduler s = new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr * 0.5);
        s.setModel(m);
        for (int e = 0; e < 4; e++) s.onEpochBegin(e, logs());
        assertEquals(0.025, m.optimizer().learningRate().item(), 1e-7);
    }

    @Test
    void terminateOnNaN() {
        OneVar m = model();
        TerminateOnNaN t = new TerminateOnNaN();
        t.setModel(m);
        t.onTrainBatchEnd(0, logs("loss", 0.5));
        assertFalse(m.stopTraining());
        t.onTrainBatchEnd(1, logs("loss", Double.NaN));
        assertTrue(m.stopTraining());
        assertEquals(1, t.stoppedAtBatch());
        TerminateOnNaN raising = new TerminateOnNaN(true);
        raising.setModel(model());
        assertThrows(IllegalStateException.class, () -> raising.onTrainBatchEnd(3, logs("loss", Double.POSITIVE_INFINITY)));
    }

    @Test
    void csvLoggerWritesHeaderAndRows() throws IOException {
        Path f = dir.resolve("log.csv");
        CSVLogger c = new CSVLogger(f.toString());
        c.onTrainBegin(logs());
        c.onEpochEnd(0, logs("loss", 0.5, "accuracy", 0.25));
        c.onEpochEnd(1, logs("loss", 0.25, "accuracy", 0.5));
        c.onTrainEnd(logs());
        assertEquals(List.of("epoch,accuracy,loss", "0,0.25,0.5", "1,0.5,0.25"), Files.readAllLines(f));
        CSVLogger more = new CSVLogger(f, ",", true);
        more.onTrainBegin(logs());
        more.onEpochEnd(2, logs("loss", 0.125, "accuracy", 0.75));
        more.onTrainEnd(logs());
        assertEquals(List.of("epoch,accuracy,loss", "0,0.25,0.5", "1,0.5,0.25", "2,0.75,0.125"), Files.readAllLines(f));
    }

    @Test
    void lambdaAndListCallInOrder() {
        List<String> seen = new java.util.ArrayList<>();
        CallbackList list = new CallbackList(
                LambdaCallback.builder().onEpochBegin((e, l) -> seen.add("a" + e)).onTrainEnd(l -> seen.add("end")).build(),
                LambdaCallback.builder().onEpochBegin((e, l) -> seen.add("b" + e)).onBatchEnd((b, l) -> seen.add("batch" + b)).build());
        list.onEpochBegin(3, new HashMap<>());
        list.onTrainBatchEnd(0, new HashMap<>());
        list.onTestBatchEnd(0, new HashMap<>()); // no lambda: default no-op
        list.onTrainEnd(new HashMap<>());
        assertEquals(List.of("a3", "b3", "batch0", "end"), seen);
    }

    @Test
    void earlyStoppingMinDeltaMustBeExceededNotMatched() {
        // Keras: an improvement is current - minDelta beating the best strictly; landing exactly minDelta past it is not
        // one (values chosen so the sums are exact in binary)
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().patience(1).minDelta(0.25);
        es.setModel(m);
        es.onTrainBegin(logs());
        es.onEpochEnd(0, logs("val_loss", 1.0));
        es.onEpochEnd(1, logs("val_loss", 0.75));
        assertTrue(m.stopTraining(), "0.75 is exactly minDelta below 1.0: no improvement, patience 1 runs out");
        assertEquals(1.0, es.best());
        assertEquals(0, es.bestEpoch());

        OneVar up = model();
        EarlyStopping max = new EarlyStopping().monitor("val_auc").patience(1).minDelta(0.25);
        max.setModel(up);
        max.onTrainBegin(logs());
        max.onEpochEnd(0, logs("val_auc", 0.25));
        max.onEpochEnd(1, logs("val_auc", 0.5)); // exactly minDelta above: not an improvement
        assertTrue(up.stopTraining());
        assertEquals(0.25, max.best());
        assertEquals(1, max.waitCount());
    }

    @Test
    void earlyStoppingInMaxModeNeedsMoreThanMinDeltaAndTreatsATieAsNoImprovement() {
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().monitor("score").mode(Mode.MAX).patience(2).minDelta(0.25);
        es.setModel(m);
        es.onTrainBegin(logs());
        es.onEpochEnd(0, logs("score", 1.0));
        es.onEpochEnd(1, logs("score", 1.125)); // higher, but by less than minDelta
        assertEquals(1.0, es.best());
        assertEquals(1, es.waitCount());
        es.onEpochEnd(2, logs("score", 1.5)); // by more than minDelta
        assertEquals(1.5, es.best());
        assertEquals(2, es.bestEpoch());
        assertEquals(0, es.waitCount());
        assertFalse(m.stopTraining());

        OneVar tie = model();
        EarlyStopping noDelta = new EarlyStopping().monitor("val_accuracy").patience(1);
        noDelta.setModel(tie);
        noDelta.onTrainBegin(logs());
        noDelta.onEpochEnd(0, logs("val_accuracy", 0.5));
        noDelta.onEpochEnd(1, logs("val_accuracy", 0.5));
        assertTrue(tie.stopTraining(), "an equal accuracy is no improvement");
        assertEquals(1, noDelta.stoppedEpoch());
    }

    @Test
    void earlyStoppingExplicitModeOverridesTheName() {
        // MIN on a name that AUTO would maximize: a falling "accuracy" improves
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().monitor("val_accuracy").mode(Mode.MIN).patience(1);
        es.setModel(m);
        es.onTrainBegin(logs());
        es.onEpochEnd(0, logs("val_accuracy", 0.5));
        es.onEpochEnd(1, logs("val_accuracy", 0.25));
        assertFalse(m.stopTraining());
        assertEquals(0.25, es.best());
        es.onEpochEnd(2, logs("val_accuracy", 0.75));
        assertTrue(m.stopTraining());
    }

    @Test
    void earlyStoppingRestoresTheFirstEpochWhenNothingImprovesAndNeverStopsAtEpochZero() {
        // Keras keeps the first monitored epoch's weights, so a run in which no epoch improves (an infinite loss)
        // still ends on them; and it never stops on epoch 0, even with patience 0
        OneVar m = model();
        EarlyStopping es = new EarlyStopping().patience(0).restoreBestWeights(true);
        es.setModel(m);
        es.onTrainBegin(logs());
        setW(m, 5);
        es.onEpochEnd(0, logs("val_loss", Double.POSITIVE_INFINITY));
        assertFalse(m.stopTraining(), "not on epoch 0");
        assertEquals(0, es.bestEpoch());
        setW(m, 6);
        es.onEpochEnd(1, logs("val_loss", Double.POSITIVE_INFINITY));
        assertTrue(m.stopTraining());
        es.onTrainEnd(logs());
        assertArrayEquals(new float[] {5}, m.w.value().toFloatArray());
    }

    @Test
    void reduceLrOnPlateauInMaxModeReducesWhenAccuracyStopsRising() {
        // AUTO maximizes a name containing "acc": rising values improve, a plateau of patience epochs reduces
        OneVar m = model();
        ReduceLROnPlateau r = new ReduceLROnPlateau().monitor("train_acc_top5").factor(0.5).patience(1).minDelta(0.125);
        r.setModel(m);
        r.onTrainBegin(logs());
        double[] acc = {0.25, 0.5, 0.625, 0.875};
        double[] lrAfter = new double[acc.length];
        for (int e = 0; e < acc.length; e++) {
            r.onEpochEnd(e, logs("train_acc_top5", acc[e]));
            lrAfter[e] = m.optimizer().learningRate().item();
        }
        // e0 best 0.25; e1 +0.25 improves; e2 +0.125 is not more than minDelta -> wait 1 = patience -> 0.05;
        // e3 +0.375 over the best 0.5 improves
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05}, lrAfter, 1e-7);

        // explicit MAX on any name, and MIN overriding an "acc" name
        OneVar mx = model();
        ReduceLROnPlateau explicitMax = new ReduceLROnPlateau().monitor("score").mode(Mode.MAX).patience(1).minDelta(0).verbose(false);
        explicitMax.setModel(mx);
        explicitMax.onTrainBegin(logs());
        explicitMax.onEpochEnd(0, logs("score", 1.0));
        explicitMax.onEpochEnd(1, logs("score", 2.0));
        assertEquals(0.1, mx.optimizer().learningRate().item(), 1e-7, "a rising score improves in MAX mode");
        explicitMax.onEpochEnd(2, logs("score", 1.5));
        assertEquals(0.01, mx.optimizer().learningRate().item(), 1e-7);

        OneVar mn = model();
        ReduceLROnPlateau explicitMin = new ReduceLROnPlateau().monitor("val_accuracy").mode(Mode.MIN).patience(1).minDelta(0);
        explicitMin.setModel(mn);
        explicitMin.onTrainBegin(logs());
        explicitMin.onEpochEnd(0, logs("val_accuracy", 0.5));
        explicitMin.onEpochEnd(1, logs("val_accuracy", 0.25));
        assertEquals(0.1, mn.optimizer().learningRate().item(), 1e-7, "a falling value improves in MIN mode");
        explicitMin.onEpochEnd(2, logs("val_accuracy", 0.75));
        assertEquals(0.01, mn.optimizer().learningRate().item(), 1e-7);
    }

    @Test
    void reduceLrOnPlateauInMinModeNeedsTheValueToFallByMoreThanMinDelta() {
        // Keras: current < best - minDelta; a fall of exactly minDelta is a plateau epoch
        OneVar m = model();
        ReduceLROnPlateau r = new ReduceLROnPlateau().factor(0.5).patience(1).minDelta(0.125);
        r.setModel(m);
        r.onTrainBegin(logs());
        r.onEpochEnd(0, logs("val_loss", 1.0));
        r.onEpochEnd(1, logs("val_loss", 0.75)); // falls by 0.25: improves
        assertEquals(0.1, m.optimizer().learningRate().item(), 1e-7);
        r.onEpochEnd(2, logs("val_loss", 0.625)); // falls by exactly 0.125: patience 1 runs out
        assertEquals(0.05, m.optimizer().learningRate().item(), 1e-7);
        assertEquals("0.75", r.saveState().get("best"));
    }

    @Test
    void reduceLrOnPlateauCooldownSkipsCountingForThatManyEpochs() {
        // patience 1, cooldown 2 (Keras' order): after a reduction the next epoch only counts the cooldown down; the one
        // after ends it and counts the wait in the same epoch, so the plateau reduces every second epoch
        OneVar m = model();
        ReduceLROnPlateau r = new ReduceLROnPlateau().factor(0.5).patience(1).cooldown(2).minDelta(0);
        r.setModel(m);
        r.onTrainBegin(logs());
        double[] lrAfter = new double[7];
        for (int e = 0; e < lrAfter.length; e++) {
            r.onEpochEnd(e, logs("val_loss", 1.0));
            lrAfter[e] = m.optimizer().learningRate().item();
        }
        assertArrayEquals(new double[] {0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125}, lrAfter, 1e-7);
        assertEquals("1", r.saveState().get("cooldown"), "the reduction at epoch 5 started a cooldown of 2, one left");
        assertEquals("0", r.saveState().get("wait"));
    }

    @Test
    void reduceLrOnPlateauRejectsAZeroOrNegativeFactor() {
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(0.0));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(-0.5));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(Double.NaN));
    }

    @Test
    void modelCheckpointInMaxModeSkipsATieAndHonorsTheInitialThreshold() {
        OneVar m = model();
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("e{epoch}.safetensors").toString()).monitor("val_acc").saveBestOnly(true);
        cb.setModel(m);
        cb.onTrainBegin(logs());
        cb.onEpochEnd(0, logs("val_acc", 0.5));
        cb.onEpochEnd(1, logs("val_acc", 0.5));
        assertEquals(1, cb.saveCount(), "an equal accuracy is not an improvement");
        assertFalse(Files.exists(dir.resolve("e2.safetensors")));

        // Keras' initial_value_threshold: the value to beat before the first save; an explicit MIN overrides the name
        ModelCheckpoint thr = new ModelCheckpoint(dir.resolve("t{epoch}.safetensors").toString()).monitor("val_acc")
                .mode(Mode.MIN).saveBestOnly(true).initialValueThreshold(0.5);
        thr.setModel(m);
        thr.onTrainBegin(logs());
        assertEquals(0.5, thr.best());
        thr.onEpochEnd(0, logs("val_acc", 0.75));
        thr.onEpochEnd(1, logs("val_acc", 0.5));
        assertEquals(0, thr.saveCount(), "neither beats the threshold 0.5 in MIN mode");
        thr.onEpochEnd(2, logs("val_acc", 0.25));
        assertEquals(1, thr.saveCount());
        assertTrue(Files.exists(dir.resolve("t3.safetensors")));
    }

    @Test
    void csvLoggerCreatesMissingDirectoriesAndToleratesARepeatedTrainEnd() throws IOException {
        Path f = dir.resolve("runs/a/log.csv");
        CSVLogger c = new CSVLogger(f, ";", false);
        c.onTrainBegin(logs());
        c.onEpochEnd(0, logs("loss", 0.5));
        c.onTrainEnd(logs());
        c.onTrainEnd(logs()); // e.g. a custom loop ending twice: nothing left to close
        assertEquals(List.of("epoch;loss", "0;0.5"), Files.readAllLines(f));
        // appending to an existing empty file writes the header once
        Path empty = Files.createFile(dir.resolve("empty.csv"));
        CSVLogger more = new CSVLogger(empty, ",", true);
        more.onTrainBegin(logs());
        more.onEpochEnd(0, logs("loss", 0.25));
        more.onTrainEnd(logs());
        assertEquals(List.of("epoch,loss", "0,0.25"), Files.readAllLines(empty));
    }

    /** Records every hook it receives, with the model and params it was given. */
    static final class Recorder extends Callback {
        final List<String> seen = new java.util.ArrayList<>();

        @Override public void onTrainBegin(Map<String, Double> logs) { seen.add("trainBegin"); }
        @Override public void onTrainEnd(Map<String, Double> logs) { seen.add("trainEnd"); }
        @Override public void onEpochBegin(int e, Map<String, Double> logs) { seen.add("epochBegin" + e); }
        @Override public void onEpochEnd(int e, Map<String, Double> logs) { seen.add("epochEnd" + e); }
        @Override public void onTrainBatchBegin(int b, Map<String, Double> logs) { seen.add("trainBatchBegin" + b); }
        @Override public void onTrainBatchEnd(int b, Map<String, Double> logs) { seen.add("trainBatchEnd" + b); }
        @Override public void onTestBegin(Map<String, Double> logs) { seen.add("testBegin"); }
        @Override public void onTestEnd(Map<String, Double> logs) { seen.add("testEnd"); }
        @Override public void onTestBatchBegin(int b, Map<String, Double> logs) { seen.add("testBatchBegin" + b); }
        @Override public void onTestBatchEnd(int b, Map<String, Double> logs) { seen.add("testBatchEnd" + b); }
        @Override public void onPredictBegin(Map<String, Double> logs) { seen.add("predictBegin"); }
        @Override public void onPredictEnd(Map<String, Double> logs) { seen.add("predictEnd"); }
        @Override public void onPredictBatchBegin(int b, Map<String, Double> logs) { seen.add("predictBatchBegin" + b); }
        @Override public void onPredictBatchEnd(int b, Map<String, Double> logs) { seen.add("predictBatchEnd" + b); }
    }

    @Test
    void callbackListForwardsEveryHookModelAndParams() {
        Recorder a = new Recorder(), b = new Recorder();
        CallbackList list = new CallbackList().add(a).add(b);
        OneVar m = model();
        Map<String, Object> params = Map.of("epochs", 3, "verbose", 0);
        list.setModel(m);
        list.setParams(params);
        assertSame(m, list.model());
        assertSame(params, list.params());
        for (Recorder r : List.of(a, b)) {
            assertSame(m, r.model());
            assertSame(params, r.params());
        }
        Map<String, Double> l = new HashMap<>();
        list.onTrainBegin(l);
        list.onEpochBegin(0, l);
        list.onTrainBatchBegin(1, l);
        list.onTrainBatchEnd(1, l);
        list.onTestBegin(l);
        list.onTestBatchBegin(2, l);
        list.onTestBatchEnd(2, l);
        list.onTestEnd(l);
        list.onEpochEnd(0, l);
        list.onTrainEnd(l);
        list.onPredictBegin(l);
        list.onPredictBatchBegin(3, l);
        list.onPredictBatchEnd(3, l);
        list.onPredictEnd(l);
        List<String> expected = List.of("trainBegin", "epochBegin0", "trainBatchBegin1", "trainBatchEnd1", "testBegin",
                "testBatchBegin2", "testBatchEnd2", "testEnd", "epochEnd0", "trainEnd", "predictBegin", "predictBatchBegin3",
                "predictBatchEnd3", "predictEnd");
        assertEquals(expected, a.seen);
        assertEquals(expected, b.seen);
        assertSame(a, list.find(Recorder.class));
        assertNull(list.find(TerminateOnNaN.class));
        assertEquals(List.of(a, b), list.callbacks());
    }

    @Test
    void lambdaCallbackCallsItsBatchBeginLambda() {
        List<Integer> begun = new java.util.ArrayList<>();
        LambdaCallback c = LambdaCallback.builder().onBatchBegin((b, l) -> begun.add(b)).build();
        c.onTrainBatchBegin(4, new HashMap<>());
        c.onTrainBatchEnd(4, new HashMap<>()); // unset: nothing
        assertEquals(List.of(4), begun);
    }

    @Test
    void backupAndRestoreKeepsItsBackupWhenAskedTo() {
        Path backup = dir.resolve("backup");
        Sequential m = Sequential.of(Input.shape(2), new Dense(1));
        m.compile(new SGD(0.1), new MeanSquaredError());
        BackupAndRestore keep = new BackupAndRestore(backup).deleteCheckpoint(false);
        m.fit(Tensor.ones(4, 2), Tensor.ones(4, 1), Fit.epochs(2).batchSize(4).verbose(0).callbacks(keep));
        assertTrue(Files.exists(keep.file()), "deleteCheckpoint(false) keeps the backup after a completed fit");
    }
}
