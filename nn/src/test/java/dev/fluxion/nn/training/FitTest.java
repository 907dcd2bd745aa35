package dev.fluxion.nn.training;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.callbacks.BackupAndRestore;
import dev.fluxion.nn.callbacks.EarlyStopping;
import dev.fluxion.nn.callbacks.LambdaCallback;
import dev.fluxion.nn.callbacks.ModelCheckpoint;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FitTest {
    @TempDir
    Path dir;

    /** Logits = x W + b, with seeded initial weights; optional training noise drawn from Rng.global(). */
    static class Linear extends Model {
        final int out;
        final boolean noise;
        Variable w, b;

        Linear(int out, boolean noise) {
            super("linear");
            this.out = out;
            this.noise = noise;
        }

        @Override
        protected void build(int[] inputShape) {
            w = addWeight("kernel", new int[] {inputShape[inputShape.length - 1], out}, Initializers.randomNormal(0, 0.1, 1L));
            b = addWeight("bias", new int[] {out}, Initializers.zeros());
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            Tensor in = training && noise ? x.add(Rng.global().normal(x.shape(), 0, 0.01)) : x;
            return in.matmul(w.value()).add(b.value());
        }
    }

    /** 3 classes: the argmax of a fixed linear map of 4 features. */
    static Tensor[] problem(int n, long seed) {
        Tensor x = new Rng(seed).normal(new int[] {n, 4}, 0, 1);
        Tensor m = Tensor.of(new float[] {1, -1, 0.5f, -0.5f, 2, 0, 0, 1, -1.5f, 1, -1, 0.5f}, 4, 3);
        Tensor y = x.matmul(m).argmax(1).cast(dev.fluxion.DType.INT32);
        return new Tensor[] {x, y};
    }

    static Linear compiled(boolean eager) {
        Linear model = new Linear(3, false);
        model.compile(new Adam(0.05), new SparseCategoricalCrossentropy(true), List.of(Metrics.sparseCategoricalAccuracy()), eager);
        return model;
    }

    @Test
    void fitConvergesAndRecordsHistory() {
        Tensor[] d = problem(640, 3);
        Linear model = compiled(false);
        History h = model.fit(d[0], d[1], Fit.epochs(6).batchSize(32).validationSplit(0.2).seed(1).verbose(0));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), h.epochs());
        assertEquals(List.of("loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy"), List.copyOf(h.history().keySet()));
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(5) < loss.get(0) * 0.5, "loss should fall: " + loss);
        assertTrue(h.last("val_sparse_categorical_accuracy") > 0.9, h.toString());
        // last partial batch (512 = 16 x 32, so none) and validation: the train step traced once
        assertEquals(1, model.trainer().trainFunction().tracingCount());

        Map<String, Double> ev = model.evaluate(d[0].slice(512, 640), d[1].slice(512, 640), 50);
        assertEquals(List.of("loss", "sparse_categorical_accuracy"), List.copyOf(ev.keySet()));
        assertEquals(h.last("val_loss"), ev.get("loss"), 1e-5, "evaluate == validation (batch-size weighted mean)");
        Tensor p = model.predict(d[0], 100);
        assertArrayEquals(new int[] {640, 3}, p.shape());
        Tensor p2 = model.predict(Dataset.fromTensorSlices(d[0]).batch(128));
        assertArrayEquals(p.toFloatArray(), p2.toFloatArray(), 1e-6f);
    }

    @Test
    void graphAndEagerStepsAgree() {
        Tensor[] d = problem(100, 5);
        Linear g = compiled(false), e = compiled(true);
        History hg = g.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).verbose(0));
        History he = e.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).verbose(0));
        assertArrayEquals(e.w.value().toFloatArray(), g.w.value().toFloatArray(), 1e-5f);
        assertEquals(he.last("loss"), hg.last("loss"), 1e-5);
        // 100 = 6 x 16 + 4: the partial last batch retraces once
        assertEquals(2, g.trainer().trainFunction().tracingCount());
        assertNull(e.trainer().trainFunction());
    }

    @Test
    void stepsPerExecutionGroupsBatchesIntoOneCallWithTheSameResults() {
        Tensor[] d = problem(100, 5); // 6 batches of 16, then one of 4: groups of 4 and 2 full batches, then the short one
        Linear one = compiled(false), grouped = compiled(false);
        grouped.setStepsPerExecution(4);
        List<Integer> ends = new ArrayList<>();
        var cb = LambdaCallback.builder().onBatchEnd((batch, logs) -> ends.add(batch)).build();
        History h1 = one.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).verbose(0));
        History h4 = grouped.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).verbose(0).callbacks(cb));
        assertArrayEquals(one.w.value().toFloatArray(), grouped.w.value().toFloatArray());
        assertArrayEquals(one.b.value().toFloatArray(), grouped.b.value().toFloatArray());
        assertEquals(h1.history(), h4.history());
        assertEquals(List.of(3, 5, 6, 3, 5, 6), ends, "batch callbacks once per group, with the group's last batch index");
        assertEquals(2, grouped.trainer().trainFunction().tracingCount(), "full and short batches");
        assertThrows(IllegalArgumentException.class, () -> grouped.setStepsPerExecution(0));
    }

    /** Two optimizers and custom logs, as a GAN's trainStep would (TF 2.2's design). */
    static class TwoHeads extends Model {
        final SGD optA = new SGD(0.1), optB = new SGD(0.1);
        Variable a, b;

        TwoHeads() {
            super("two_heads");
        }

        @Override
        protected void build(int[] inputShape) {
            a = addWeight("a", new int[] {1}, Initializers.zeros());
            b = addWeight("b", new int[] {1}, Initializers.zeros());
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return x.mul(a.value()).add(b.value());
        }

        @Override
        protected Logs trainStep(Pair batch) {
            call(batch.x(), true); // builds on the first trace
            Tensor lossA, lossB;
            List<Tensor> ga, gb;
            try (GradientTape t = new GradientTape()) {
                lossA = batch.x().mul(a.value()).sub(batch.y()).square().mean();
                ga = t.gradient(lossA, List.of(a));
            }
            optA.applyGradients(ga, List.of(a));
            try (GradientTape t = new GradientTape()) {
                lossB = b.value().sub(1.0).square().mean();
                gb = t.gradient(lossB, List.of(b));
            }
            optB.applyGradients(gb, List.of(b));
            return Logs.of("a_loss", lossA, "b_loss", lossB);
        }
    }

    @Test
    void customTrainStepKeepsCallbacksAndProgress() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 8, 1);
        Tensor y = x.mul(2.0);
        TwoHeads m = new TwoHeads();
        m.compile(null, null);
        List<Map<String, Double>> batches = new ArrayList<>();
        var rec = LambdaCallback.builder().onBatchEnd((i, l) -> batches.add(Map.copyOf(l))).build();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        var bar = new dev.fluxion.nn.callbacks.ProgressBarLogger(new java.io.PrintStream(bytes, true), dev.fluxion.nn.callbacks.ProgressBar.Style.LINES);
        History h = m.fit(x, y, Fit.epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(rec, bar));
        assertEquals(6, batches.size());
        assertEquals(Map.of("a_loss", batches.get(0).get("a_loss"), "b_loss", 1.0), batches.get(0));
        // non-stateful logs are averaged over the epoch
        assertEquals((batches.get(4).get("a_loss") + batches.get(5).get("a_loss")) / 2, h.last("a_loss"), 1e-9);
        assertTrue(h.last("b_loss") < 0.5);
        String out = bytes.toString();
        assertTrue(out.contains("Epoch 3/3") && out.contains("2/2 [==============================]") && out.contains("a_loss: "), out);
    }

    @Test
    void callbacksCanStopTrainingAndSeeTheHookOrder() {
        Tensor[] d = problem(64, 9);
        Linear model = compiled(false);
        List<String> order = new ArrayList<>();
        var cb = LambdaCallback.builder()
                .onTrainBegin(l -> order.add("train_begin"))
                .onEpochBegin((e, l) -> order.add("epoch_begin " + e))
                .onBatchEnd((b, l) -> {
                    order.add("batch " + b);
                    if (b == 1) model.setStopTraining(true);
                })
                .onEpochEnd((e, l) -> order.add("epoch_end " + e))
                .onTrainEnd(l -> order.add("train_end")).build();
        History h = model.fit(d[0], d[1], Fit.epochs(5).batchSize(16).initialEpoch(2).verbose(0).callbacks(cb));
        assertEquals(List.of("train_begin", "epoch_begin 2", "batch 0", "batch 1", "epoch_end 2", "train_end"), order);
        assertEquals(List.of(2), h.epochs());

        Linear m2 = compiled(false);
        EarlyStopping es = new EarlyStopping().monitor("loss").patience(0).minDelta(100);
        History h2 = m2.fit(d[0], d[1], Fit.epochs(10).batchSize(16).verbose(0).callbacks(es));
        assertEquals(2, h2.epochs().size(), "stops at the second epoch without a 100-point improvement");
    }

    @Test
    void datasetInputsWithStepsPerEpochAndValidationData() {
        Tensor[] d = problem(96, 4);
        Linear model = compiled(false);
        Dataset<Pair> train = Dataset.fromTensorSlices(d[0], d[1]).batch(16).repeat();
        Dataset<Pair> val = Dataset.fromTensorSlices(d[0], d[1]).batch(32);
        List<Object> steps = new ArrayList<>();
        var cb = LambdaCallback.builder().onTrainBegin(l -> {}).build();
        History h = model.fit(train, Fit.epochs(3).stepsPerEpoch(4).validationData(val).verbose(0).callbacks(
                LambdaCallback.builder().onBatchEnd((b, l) -> steps.add(b)).build(), cb));
        assertEquals(12, steps.size());
        assertEquals(3, h.get("val_loss").size());
        assertThrows(IllegalArgumentException.class, () -> model.fit(train, Fit.epochs(1).batchSize(8)));
    }

    @Test
    void classWeightsFromIndicesAndOneHot() {
        Tensor w = Trainer.classWeights(Tensor.of(new int[] {0, 2, 1}, 3), Map.of(0, 0.5, 2, 3.0));
        assertArrayEquals(new float[] {0.5f, 3f, 1f}, w.toFloatArray());
        Tensor oneHot = Tensor.of(new float[] {0, 1, 1, 0}, 2, 2);
        assertArrayEquals(new float[] {2f, 1f}, Trainer.classWeights(oneHot, Map.of(1, 2.0)).toFloatArray());
        // zero weight on every class: nothing to learn, the weights stay put
        Tensor[] d = problem(32, 2);
        Linear model = compiled(false);
        model.call(d[0]);
        float[] before = model.w.value().toFloatArray();
        model.fit(d[0], d[1], Fit.epochs(1).batchSize(16).classWeight(Map.of(0, 0.0, 1, 0.0, 2, 0.0)).verbose(0));
        assertArrayEquals(before, model.w.value().toFloatArray(), 1e-7f);
    }

    @Test
    void saveAndLoadWeights() {
        Tensor[] d = problem(32, 2);
        Linear a = compiled(false);
        a.fit(d[0], d[1], Fit.epochs(1).batchSize(16).verbose(0));
        Path f = dir.resolve("w.safetensors");
        a.saveWeights(f);
        Linear b = compiled(false);
        b.call(d[0]);
        b.loadWeights(f);
        assertArrayEquals(a.w.value().toFloatArray(), b.w.value().toFloatArray());
        Linear wrong = new Linear(2, false);
        wrong.call(d[0]);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> wrong.loadWeights(f));
        assertTrue(e.getMessage().contains("linear/kernel") && e.getMessage().contains("[4,2]") && e.getMessage().contains("[4,3]"), e.getMessage());
    }

    // ------------------------------------------------------------------ exact resume

    private static Dataset<Pair> shuffled(Tensor[] d) {
        return Dataset.fromTensorSlices(d[0], d[1]).shuffle(1000, 17).batch(16);
    }

    private Linear resumeModel() {
        Linear m = new Linear(3, true); // training noise from Rng.global(): its state must be checkpointed
        m.compile(new Adam(0.02), new SparseCategoricalCrossentropy(true), Metrics.sparseCategoricalAccuracy());
        return m;
    }

    @Test
    void aKilledRunResumesToTheSameWeights() throws Exception {
        Tensor[] d = problem(80, 21);
        // uninterrupted
        Rng.setGlobalSeed(99);
        Linear full = resumeModel();
        ModelCheckpoint fullBest = new ModelCheckpoint(dir.resolve("full.safetensors").toString()).monitor("loss").saveBestOnly(true);
        full.fit(shuffled(d), Fit.epochs(4).verbose(0).callbacks(fullBest));
        float[] expected = full.w.value().toFloatArray();

        // killed at the start of epoch 2 (after the backup of epoch 1)
        Path backup = dir.resolve("backup");
        Rng.setGlobalSeed(99);
        Linear killed = resumeModel();
        var kill = LambdaCallback.builder().onEpochBegin((e, l) -> {
            if (e == 2) throw new IllegalStateException("killed");
        }).build();
        assertThrows(IllegalStateException.class,
                () -> killed.fit(shuffled(d), Fit.epochs(4).verbose(0).callbacks(new BackupAndRestore(backup),
                        new ModelCheckpoint(dir.resolve("best.safetensors").toString()).monitor("loss").saveBestOnly(true), kill)));
        assertTrue(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)));

        // a new process: fresh model, fresh pipeline, same seeds
        Rng.setGlobalSeed(99);
        Linear resumed = resumeModel();
        BackupAndRestore bar = new BackupAndRestore(backup);
        ModelCheckpoint best = new ModelCheckpoint(dir.resolve("best.safetensors").toString()).monitor("loss").saveBestOnly(true);
        History h = resumed.fit(shuffled(d), Fit.epochs(4).verbose(0).callbacks(bar, best));
        assertEquals(2, bar.restoredEpoch());
        assertEquals(List.of(2, 3), h.epochs());
        assertArrayEquals(expected, resumed.w.value().toFloatArray(), "bit-identical after resume");
        assertArrayEquals(full.b.value().toFloatArray(), resumed.b.value().toFloatArray());
        assertFalse(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)), "deleted after a completed fit");
        // the checkpoint callback's best value and save count continued across the restart
        assertEquals(fullBest.best(), best.best());
        assertEquals(fullBest.saveCount(), best.saveCount());
    }

    @Test
    void terminateOnNaNStopsFitAndACorruptBackupFailsLoudly() throws Exception {
        Tensor x = Tensor.zeros(8, 1);
        List<Integer> batches = new ArrayList<>();
        TwoHeads nan = new TwoHeads() {
            @Override
            protected Logs trainStep(Pair batch) {
                call(batch.x(), true);
                return Logs.of("loss", batch.x().sum().div(0.0)); // 0/0
            }
        };
        nan.compile(null, null);
        History h = nan.fit(x, x, Fit.epochs(3).batchSize(2).verbose(0).callbacks(new dev.fluxion.nn.callbacks.TerminateOnNaN(),
                LambdaCallback.builder().onBatchEnd((b, l) -> batches.add(b)).build()));
        assertEquals(List.of(0), batches);
        assertEquals(List.of(0), h.epochs());
        assertTrue(Double.isNaN(h.last("loss")));

        Path backup = dir.resolve("bad");
        Files.createDirectories(backup);
        Files.write(backup.resolve(BackupAndRestore.FILE_NAME), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Linear m = compiled(false);
        var e = assertThrows(java.io.UncheckedIOException.class,
                () -> m.fit(x.reshape(8, 1), x.reshape(8).cast(dev.fluxion.DType.INT32), Fit.epochs(1).verbose(0).callbacks(new BackupAndRestore(backup))));
        assertTrue(e.getMessage().contains(BackupAndRestore.FILE_NAME), e.getMessage());
    }

    @Test
    void regressionWithMseAndTensorValidationData() {
        Tensor x = new Rng(8).normal(new int[] {64, 2}, 0, 1);
        Tensor y = x.matmul(Tensor.of(new float[] {2, -1}, 2, 1)).add(0.5);
        Linear m = new Linear(1, false);
        m.compile(new SGD(0.1), new MeanSquaredError());
        History h = m.fit(x, y, Fit.epochs(20).batchSize(16).validationData(x, y).verbose(2));
        assertTrue(h.last("val_loss") < 1e-3, h.toString());
    }
}
