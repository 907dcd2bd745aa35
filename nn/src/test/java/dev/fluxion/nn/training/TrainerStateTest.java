package dev.fluxion.nn.training;

import dev.fluxion.Tensor;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.callbacks.EarlyStopping;
import dev.fluxion.nn.callbacks.LambdaCallback;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How the Trainer treats logs and its run state: a custom train/test step (also one inherited from a parent class)
 * has its logs averaged over the epoch, the compiled loss tracker restarts each epoch, and a checkpoint names each
 * stateful callback's keys by its position and class and includes every generator given to fit.
 */
class TrainerStateTest {
    /** Logs the batch mean of x as "loss" from custom steps; the name Keras' own steps use for a running mean. */
    static class MeanOfX extends Model {
        MeanOfX() {
            super("mean_of_x");
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return x;
        }

        @Override
        protected Logs trainStep(Pair batch) {
            return Logs.of("loss", batch.x().mean());
        }

        @Override
        protected Logs testStep(Pair batch) {
            return Logs.of("loss", batch.x().mean().mul(10.0));
        }
    }

    /** Inherits both custom steps: the Trainer must find them up the class hierarchy. */
    static class Inherits extends MeanOfX {}

    @Test
    void customStepsInheritedFromAParentHaveTheirLogsAveraged() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 8, 1);
        Inherits m = new Inherits();
        m.compile(null, null);
        List<Double> batchLosses = new ArrayList<>();
        History h = m.fit(x, x, Fit.epochs(1).batchSize(4).shuffle(false).verbose(0)
                .callbacks(LambdaCallback.builder().onBatchEnd((b, l) -> batchLosses.add(l.get("loss"))).build()));
        assertEquals(List.of(2.5, 6.5), batchLosses);
        assertEquals((2.5 + 6.5) / 2, h.last("loss"), 1e-12, "a custom step's loss is not a running mean: averaged, not the last");
        // batches of 3, 3 and 2: the evaluation averages per batch, as Keras does for custom test steps
        assertEquals((20 + 50 + 75) / 3.0, m.evaluate(x, x, 3).get("loss"), 1e-9);
    }

    @Test
    void theLossTrackerRestartsEachEpoch() {
        // learning rate 0: the same weights, so each epoch's loss is the same mean over the data
        Tensor[] d = FitTest.problem(48, 4);
        FitTest.Linear model = new FitTest.Linear(3, false);
        model.compile(new SGD(0.0), new SparseCategoricalCrossentropy(true), List.of(), false);
        History h = model.fit(d[0], d[1], Fit.epochs(3).batchSize(16).shuffle(false).verbose(0));
        double whole = model.evaluate(d[0], d[1], 48).get("loss");
        for (double epochLoss : h.get("loss")) assertEquals(whole, epochLoss, 1e-5, h.get("loss").toString());
    }

    @Test
    void checkpointsKeyEachStatefulCallbackByPositionAndClassAndCarryTheGenerators() {
        Tensor[] d = FitTest.problem(32, 6);
        FitTest.Linear model = FitTest.compiled(false);
        EarlyStopping first = new EarlyStopping().patience(5).monitor("loss"), second = new EarlyStopping().patience(7).monitor("loss");
        Rng aug = new Rng(3);
        List<Map<String, String>> extras = new ArrayList<>();
        List<Map<String, Rng>> rngs = new ArrayList<>();
        List<String> positions = new ArrayList<>();
        var probe = LambdaCallback.builder().onEpochEnd((e, l) -> {
            Trainer t = model.trainer();
            positions.add(e + ":" + t.epoch() + ":" + t.globalStep());
            extras.add(t.checkpoint(e + 1, Map.of("note", "n" + e)).extra());
            rngs.add(new LinkedHashMap<>(t.checkpointRngs()));
        }).build();
        model.fit(d[0], d[1], Fit.epochs(2).batchSize(8).verbose(0).checkpointRng("aug", aug).callbacks(first, probe, second));
        assertEquals(List.of("0:0:4", "1:1:8"), positions, "epoch index and steps so far, as the callbacks see them");
        for (int e = 0; e < 2; e++) {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("note", "n" + e);
            Map<String, String> extra = extras.get(e);
            assertEquals(expected.get("note"), extra.get("note"));
            int firstKeys = 0, secondKeys = 0;
            for (String k : extra.keySet()) {
                if (k.startsWith("callback0.EarlyStopping.")) firstKeys++;
                else if (k.startsWith("callback2.EarlyStopping.")) secondKeys++;
                else assertEquals("note", k, "an unexpected key in " + extra);
            }
            assertTrue(firstKeys > 0 && firstKeys == secondKeys, extra.toString());
            assertEquals(Integer.toString(e), extra.get("callback0.EarlyStopping.bestEpoch"), extra.toString());
            assertEquals(List.of("global", "aug"), List.copyOf(rngs.get(e).keySet()));
            assertSame(Rng.global(), rngs.get(e).get("global"));
            assertSame(aug, rngs.get(e).get("aug"));
        }
        // the first callback's keys in the last checkpoint, their prefix taken off, are what it saves
        Map<String, String> last = extras.get(1), own = new LinkedHashMap<>();
        last.forEach((k, v) -> {
            if (k.startsWith("callback0.EarlyStopping.")) own.put(k.substring("callback0.EarlyStopping.".length()), v);
        });
        assertEquals(first.saveState(), own);
    }

    /** Mean sparse categorical cross-entropy of logits x W + b against labels, in float64. */
    private static double crossEntropy(FitTest.Linear m, Tensor x, Tensor y) {
        double[] xs = x.toDoubleArray(), w = m.w.value().toDoubleArray(), b = m.b.value().toDoubleArray();
        int[] labels = y.toIntArray();
        int n = labels.length, in = w.length / 3;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] z = new double[3];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < 3; j++) {
                z[j] = b[j];
                for (int k = 0; k < in; k++) z[j] += xs[i * in + k] * w[k * 3 + j];
                max = Math.max(max, z[j]);
            }
            for (int j = 0; j < 3; j++) sum += Math.exp(z[j] - max);
            total += Math.log(sum) + max - z[labels[i]];
        }
        return total / n;
    }

    @Test
    void validationAndEvaluationCoverEverySampleOnceWhateverTheBatchSize() {
        Tensor[] d = FitTest.problem(20, 8), v = FitTest.problem(10, 9);
        FitTest.Linear model = new FitTest.Linear(3, false);
        model.compile(new SGD(0.0), new SparseCategoricalCrossentropy(true), List.of(), false);
        History h = model.fit(d[0], d[1], Fit.epochs(1).batchSize(8).verbose(0).validationData(v[0], v[1]).validationBatchSize(5));
        double expected = crossEntropy(model, v[0], v[1]);
        assertEquals(expected, h.last("val_loss"), 1e-5);
        for (int batch : new int[] {1, 3, 4, 10, 16}) assertEquals(expected, model.evaluate(v[0], v[1], batch).get("loss"), 1e-5, "batch " + batch);
    }

    /** Records the params fit gives the callbacks. */
    static final class ParamsProbe extends dev.fluxion.nn.callbacks.Callback {
        final List<Map<String, Object>> seen = new ArrayList<>();

        @Override
        public void onTrainBegin(Map<String, Double> logs) {
            seen.add(params());
        }
    }

    @Test
    void aDatasetsBatchCountAndTheVerbosityReachTheCallbacks() {
        Tensor[] d = FitTest.problem(20, 10);
        FitTest.Linear model = FitTest.compiled(false);
        ParamsProbe probe = new ParamsProbe();
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream quiet = new java.io.ByteArrayOutputStream(), summary = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(quiet, true));
            model.fit(dev.fluxion.data.Dataset.fromTensorSlices(d[0], d[1]).batch(8), Fit.epochs(1).verbose(0).callbacks(probe));
            System.setOut(new java.io.PrintStream(summary, true));
            model.fit(dev.fluxion.data.Dataset.fromTensorSlices(d[0], d[1]).batch(8).repeat(), Fit.epochs(2).stepsPerEpoch(2).verbose(2).callbacks(probe));
        } finally {
            System.setOut(out);
        }
        assertEquals(3L, probe.seen.get(0).get("steps"), "20 samples in batches of 8");
        assertEquals(0, probe.seen.get(0).get("verbose"));
        assertEquals(2L, probe.seen.get(1).get("steps"), "an endless dataset: stepsPerEpoch");
        assertEquals(java.util.Set.of("loss", "sparse_categorical_accuracy"), probe.seen.get(1).get("stateful"));
        assertEquals("", quiet.toString(), "verbose 0 prints nothing");
        String text = summary.toString();
        assertTrue(text.contains("Epoch 1/2") && text.contains("Epoch 2/2") && text.contains("loss"), text);
        var e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(dev.fluxion.data.Dataset.fromTensorSlices(d[0], d[1]).batch(8), Fit.epochs(1).batchSize(4).verbose(0)));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("Dataset"), e.getMessage());
        var split = assertThrows(IllegalArgumentException.class,
                () -> model.fit(dev.fluxion.data.Dataset.fromTensorSlices(d[0], d[1]).batch(8), Fit.epochs(1).validationSplit(0.25).verbose(0)));
        assertTrue(split.getMessage().contains("validationSplit") && split.getMessage().contains("validationData"), split.getMessage());
    }

    @Test
    void groupedStepsWeightedStepsAndOneSamplePredictionsReportEveryBatch() {
        Tensor[] d = FitTest.problem(100, 5); // batches of 16: groups of 4 and 2, then the short batch alone
        FitTest.Linear one = FitTest.compiled(false), grouped = FitTest.compiled(false);
        grouped.setStepsPerExecution(4);
        Map<Integer, Map<String, Double>> plainLogs = new LinkedHashMap<>(), groupedLogs = new LinkedHashMap<>();
        List<Integer> begins = new ArrayList<>();
        one.fit(d[0], d[1], Fit.epochs(1).batchSize(16).seed(3).verbose(0)
                .callbacks(LambdaCallback.builder().onBatchEnd((b, l) -> plainLogs.put(b, Map.copyOf(l))).build()));
        grouped.fit(d[0], d[1], Fit.epochs(1).batchSize(16).seed(3).verbose(0).callbacks(LambdaCallback.builder()
                .onBatchBegin((b, l) -> begins.add(b)).onBatchEnd((b, l) -> groupedLogs.put(b, Map.copyOf(l))).build()));
        assertEquals(List.of(0, 4, 6), begins, "one begin per group, with its first batch index");
        assertEquals(List.of(3, 5, 6), List.copyOf(groupedLogs.keySet()));
        for (int b : groupedLogs.keySet()) {
            assertEquals(plainLogs.get(b).keySet(), groupedLogs.get(b).keySet(), "batch " + b);
            for (String k : plainLogs.get(b).keySet()) assertEquals(plainLogs.get(b).get(k), groupedLogs.get(b).get(k), 1e-5, k + " at batch " + b);
        }
        // class weights of 1 change nothing: the weighted step's logs are the unweighted ones
        FitTest.Linear weighted = FitTest.compiled(false), plain = FitTest.compiled(false);
        History hw = weighted.fit(d[0], d[1], Fit.epochs(1).batchSize(16).seed(3).verbose(0).classWeight(Map.of(0, 1.0, 1, 1.0, 2, 1.0)));
        History hp = plain.fit(d[0], d[1], Fit.epochs(1).batchSize(16).seed(3).verbose(0));
        assertEquals(hp.history().keySet(), hw.history().keySet());
        assertEquals(hp.last("loss"), hw.last("loss"), 1e-5);
        assertArrayEquals(plain.predict(d[0], 100).toFloatArray(), plain.predict(d[0], 1).toFloatArray(), 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> plain.predict(d[0], 0));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void metricsRestartForEachEvaluation() {
        // after training on all 48 samples, the accuracy on the first 16 counts those 16 alone
        Tensor[] d = FitTest.problem(48, 12);
        FitTest.Linear model = new FitTest.Linear(3, false);
        model.compile(new SGD(0.0), new SparseCategoricalCrossentropy(true), List.of(dev.fluxion.nn.metrics.Metrics.sparseCategoricalAccuracy()), false);
        model.fit(d[0], d[1], Fit.epochs(2).batchSize(16).verbose(0));
        Tensor x = d[0].slice(0, 16), y = d[1].slice(0, 16);
        double[] xs = x.toDoubleArray(), w = model.w.value().toDoubleArray(), b = model.b.value().toDoubleArray();
        int[] labels = y.toIntArray();
        int correct = 0;
        for (int i = 0; i < 16; i++) {
            int best = 0;
            double[] z = new double[3];
            for (int j = 0; j < 3; j++) {
                z[j] = b[j];
                for (int k = 0; k < 4; k++) z[j] += xs[i * 4 + k] * w[k * 3 + j];
                if (z[j] > z[best]) best = j;
            }
            if (best == labels[i]) correct++;
        }
        double subset = model.evaluate(x, y, 8).get("sparse_categorical_accuracy");
        assertEquals(correct / 16.0, subset, 1e-6);
        double all = model.evaluate(d[0], d[1], 48).get("sparse_categorical_accuracy");
        assertNotEquals(all, subset, "the subset's accuracy must differ from the whole set's for this check to bite");
    }
}
