package dev.fluxion.nn.callbacks;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.io.Safetensors;
import dev.fluxion.nn.optimizers.SGD;
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
}
