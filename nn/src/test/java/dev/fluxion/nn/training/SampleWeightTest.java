package dev.fluxion.nn.training;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.nn.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-example sample weights in fit (Keras' {@code sample_weight}): each example's loss is multiplied by its weight,
 * the default reduction still dividing by the batch size; compiled metrics are weighted means; class weights multiply
 * in. Checked against float64 formulas of softmax cross-entropy on {@link FitTest.Linear}.
 */
class SampleWeightTest {
    static final int FEATURES = 4, CLASSES = 3;

    static FitTest.Linear model(Optimizer opt, boolean eager) {
        FitTest.Linear m = new FitTest.Linear(CLASSES, false);
        m.compile(opt, new SparseCategoricalCrossentropy(true), List.of(Metrics.sparseCategoricalAccuracy()), eager);
        return m;
    }

    /** Weights 0, 0.5, 1, 1.5, 2 in a cycle of stride 7: zeros included, none negative. */
    static Tensor weights(int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = ((i * 7) % 5) * 0.5f;
        return Tensor.of(w, n);
    }

    /** The float64 per-example softmax cross-entropy gradients and losses of logits x W + b (W [4, 3] row-major). */
    record Reference(double[] loss, double[][] dLogits, int[] argmax) {
        static Reference of(float[] x, int[] y, float[] w, float[] b) {
            int n = y.length;
            double[] loss = new double[n];
            double[][] d = new double[n][CLASSES];
            int[] argmax = new int[n];
            for (int i = 0; i < n; i++) {
                double[] z = new double[CLASSES];
                for (int c = 0; c < CLASSES; c++) {
                    z[c] = b[c];
                    for (int f = 0; f < FEATURES; f++) z[c] += (double) x[i * FEATURES + f] * w[f * CLASSES + c];
                }
                double max = Math.max(z[0], Math.max(z[1], z[2])), sum = 0;
                for (int c = 0; c < CLASSES; c++) sum += Math.exp(z[c] - max);
                loss[i] = Math.log(sum) + max - z[y[i]];
                for (int c = 0; c < CLASSES; c++) d[i][c] = Math.exp(z[c] - max) / sum - (c == y[i] ? 1 : 0);
                argmax[i] = z[0] >= z[1] && z[0] >= z[2] ? 0 : z[1] >= z[2] ? 1 : 2;
            }
            return new Reference(loss, d, argmax);
        }
    }

    @Test
    void oneStepMinimizesTheWeightedLossOverTheBatchSize() {
        for (boolean eager : new boolean[] {true, false}) {
            int n = 8;
            Tensor[] d = FitTest.problem(n, 21);
            Tensor sw = Tensor.of(new float[] {0.5f, 2, 0, 1.5f, 1, 0.25f, 3, 0.75f}, n);
            FitTest.Linear m = model(new SGD(0.1), eager);
            m.call(d[0]);
            float[] w0 = m.w.value().toFloatArray(), b0 = m.b.value().toFloatArray();
            History h = m.fit(d[0], d[1], Fit.epochs(1).batchSize(n).shuffle(false).sampleWeight(sw).verbose(0));
            float[] x = d[0].toFloatArray(), sws = sw.toFloatArray();
            int[] y = d[1].toIntArray();
            Reference r = Reference.of(x, y, w0, b0);
            double loss = 0, hits = 0, weightSum = 0;
            double[] gw = new double[FEATURES * CLASSES], gb = new double[CLASSES];
            for (int i = 0; i < n; i++) {
                loss += sws[i] * r.loss()[i] / n; // SUM_OVER_BATCH_SIZE: divided by the batch size, not by the weights' sum
                hits += r.argmax()[i] == y[i] ? sws[i] : 0;
                weightSum += sws[i];
                for (int c = 0; c < CLASSES; c++) {
                    double g = sws[i] * r.dLogits()[i][c] / n;
                    gb[c] += g;
                    for (int f = 0; f < FEATURES; f++) gw[f * CLASSES + c] += x[i * FEATURES + f] * g;
                }
            }
            String mode = eager ? "eager" : "graph";
            assertEquals(loss, h.last("loss"), 1e-6, mode + " loss");
            assertEquals(hits / weightSum, h.last("sparse_categorical_accuracy"), 1e-6, mode + " weighted accuracy");
            float[] w1 = m.w.value().toFloatArray(), b1 = m.b.value().toFloatArray();
            for (int k = 0; k < w1.length; k++) assertEquals(w0[k] - 0.1 * gw[k], w1[k], 1e-6, mode + " kernel " + k);
            for (int c = 0; c < CLASSES; c++) assertEquals(b0[c] - 0.1 * gb[c], b1[c], 1e-6, mode + " bias " + c);
        }
    }

    @Test
    void examplesOfWeightZeroChangeNothingBitForBit() {
        int n = 24;
        Tensor[] d = FitTest.problem(n, 22);
        Tensor sw = weights(n);
        float[] x = d[0].toFloatArray(), w = sw.toFloatArray();
        int[] y = d[1].toIntArray();
        for (int i = 0; i < n; i++) // other features and labels where the weight is 0
            if (w[i] == 0) {
                for (int f = 0; f < FEATURES; f++) x[i * FEATURES + f] = x[i * FEATURES + f] * 3 + 1;
                y[i] = (y[i] + 1) % CLASSES;
            }
        FitTest.Linear a = model(new Adam(0.05), false), b = model(new Adam(0.05), false);
        History ha = a.fit(d[0], d[1], Fit.epochs(3).batchSize(8).seed(4).sampleWeight(sw).verbose(0));
        History hb = b.fit(Tensor.of(x, n, FEATURES), Tensor.of(y, n), Fit.epochs(3).batchSize(8).seed(4).sampleWeight(sw).verbose(0));
        assertArrayEquals(a.w.value().toFloatArray(), b.w.value().toFloatArray(), "shuffled batches keep each weight with its example");
        assertArrayEquals(a.b.value().toFloatArray(), b.b.value().toFloatArray());
        assertEquals(ha.history(), hb.history(), "loss and weighted accuracy ignore the zero-weight examples");
    }

    @Test
    void zeroWeightsMatchTheSubsetOnceTheDivisorIsAccountedFor() {
        // one batch of n with k weights of 1 and n - k of 0: the loss is k/n times the subset's mean loss, so SGD on
        // the subset with the learning rate scaled by k/n takes the same steps
        int n = 12;
        Tensor[] d = FitTest.problem(n, 23);
        float[] w = new float[n];
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++)
            if (i % 3 != 1) {
                w[i] = 1;
                kept.add(i);
            }
        int k = kept.size();
        Tensor idx = Tensor.of(kept.stream().mapToInt(Integer::intValue).toArray(), k);
        Tensor xs = dev.fluxion.ArrayOps.gather(d[0], idx, 0), ys = dev.fluxion.ArrayOps.gather(d[1], idx, 0);
        FitTest.Linear weighted = model(new SGD(0.3), false), subset = model(new SGD(0.3 * k / n), false);
        History hw = weighted.fit(d[0], d[1], Fit.epochs(4).batchSize(n).shuffle(false).sampleWeight(Tensor.of(w, n)).verbose(0));
        History hs = subset.fit(xs, ys, Fit.epochs(4).batchSize(k).shuffle(false).verbose(0));
        float[] a = weighted.w.value().toFloatArray(), b = subset.w.value().toFloatArray();
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-6, "kernel " + i);
        for (int e = 0; e < 4; e++) {
            assertEquals(hs.get("loss").get(e) * k / n, hw.get("loss").get(e), 1e-6, "loss of epoch " + e);
            assertEquals(hs.get("sparse_categorical_accuracy").get(e), hw.get("sparse_categorical_accuracy").get(e), 1e-6,
                    "the weighted accuracy is the subset's");
        }
    }

    @Test
    void datasetTriplesTrainLikeArrayWeights() {
        int n = 20; // batches of 8, 8 and 4
        Tensor[] d = FitTest.problem(n, 24), v = FitTest.problem(10, 25);
        Tensor sw = weights(n), vw = weights(10);
        FitTest.Linear arrays = model(new Adam(0.05), false), triples = model(new Adam(0.05), false);
        History ha = arrays.fit(d[0], d[1], Fit.epochs(2).batchSize(8).shuffle(false).sampleWeight(sw)
                .validationData(v[0], v[1], vw).validationBatchSize(4).verbose(0));
        History ht = triples.fit(Dataset.fromTensorSlices(new Pair(d[0], d[1], sw)).batch(8), Fit.epochs(2)
                .validationData(Dataset.fromTensorSlices(new Pair(v[0], v[1], vw)).batch(4)).verbose(0));
        assertArrayEquals(arrays.w.value().toFloatArray(), triples.w.value().toFloatArray());
        assertArrayEquals(arrays.b.value().toFloatArray(), triples.b.value().toFloatArray());
        assertEquals(ha.history(), ht.history());
        FitTest.Linear unweighted = model(new Adam(0.05), false);
        History hu = unweighted.fit(d[0], d[1], Fit.epochs(2).batchSize(8).shuffle(false).validationData(v[0], v[1]).validationBatchSize(4).verbose(0));
        assertNotEquals(hu.last("loss"), ha.last("loss"), "the weights change training");
        assertEquals(unweighted.evaluate(v[0], v[1], 4).get("loss"), hu.last("val_loss"), 1e-9);
        assertEquals(arrays.evaluate(v[0], v[1], 4, vw).get("loss"), ha.last("val_loss"), 1e-9, "val_loss is weighted");
    }

    @Test
    void classWeightsAndSampleWeightsMultiply() {
        int n = 20;
        Tensor[] d = FitTest.problem(n, 26);
        Tensor sw = weights(n);
        Map<Integer, Double> cw = Map.of(0, 2.0, 1, 0.5);
        float[] product = sw.toFloatArray();
        int[] y = d[1].toIntArray();
        for (int i = 0; i < n; i++) product[i] = product[i] * (float) (double) cw.getOrDefault(y[i], 1.0);
        FitTest.Linear both = model(new Adam(0.05), false), multiplied = model(new Adam(0.05), false);
        History hb = both.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(9).sampleWeight(sw).classWeight(cw).verbose(0));
        History hm = multiplied.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(9).sampleWeight(Tensor.of(product, n)).verbose(0));
        assertArrayEquals(multiplied.w.value().toFloatArray(), both.w.value().toFloatArray());
        assertEquals(hm.history(), hb.history());
    }

    @Test
    void classWeightsMultiplyWeightsOfAnyNumericDtypeAsFloat32() {
        // Keras casts sample_weight to the loss dtype before it multiplies in the class weights: integer and float64
        // weights train as their float32 values
        int n = 20;
        Tensor[] d = FitTest.problem(n, 36);
        Map<Integer, Double> cw = Map.of(0, 2.0, 1, 0.5);
        int[] counts = new int[n];
        double[] wide = new double[n];
        float[] product = new float[n];
        int[] y = d[1].toIntArray();
        for (int i = 0; i < n; i++) {
            counts[i] = i % 3;
            wide[i] = counts[i] * 0.75;
            product[i] = (float) (counts[i] * 0.75 * cw.getOrDefault(y[i], 1.0));
        }
        FitTest.Linear reference = model(new Adam(0.05), false);
        History hr = reference.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(5).sampleWeight(Tensor.of(product, n)).verbose(0));
        FitTest.Linear doubles = model(new Adam(0.05), false);
        History hd = doubles.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(5).sampleWeight(Tensor.of(wide, n)).classWeight(cw).verbose(0));
        assertArrayEquals(reference.w.value().toFloatArray(), doubles.w.value().toFloatArray(), "float64 weights");
        assertEquals(hr.history(), hd.history());
        for (int i = 0; i < n; i++) product[i] = (float) (counts[i] * cw.getOrDefault(y[i], 1.0));
        FitTest.Linear floats = model(new Adam(0.05), false), ints = model(new Adam(0.05), false);
        History hf = floats.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(5).sampleWeight(Tensor.of(product, n)).verbose(0));
        History hi = ints.fit(d[0], d[1], Fit.epochs(2).batchSize(8).seed(5).sampleWeight(Tensor.of(counts, n)).classWeight(cw).verbose(0));
        assertArrayEquals(floats.w.value().toFloatArray(), ints.w.value().toFloatArray(), "int32 weights");
        assertEquals(hf.history(), hi.history());
    }

    @Test
    void tensorValidationDataOfADatasetFitIsWeightedInBatchesOf32() {
        // Keras: validation tensors next to a dataset are batched by validation_batch_size, else 32
        Tensor[] d = FitTest.problem(16, 37), v = FitTest.problem(40, 38);
        Tensor vw = weights(40);
        List<Integer> testBatches = new ArrayList<>();
        var cb = new dev.fluxion.nn.callbacks.Callback() {
            @Override
            public void onTestBatchEnd(int batch, Map<String, Double> logs) {
                testBatches.add(batch);
            }
        };
        FitTest.Linear m = model(new SGD(0.1), false);
        History h = m.fit(Dataset.fromTensorSlices(d[0], d[1]).batch(8), Fit.epochs(1).validationData(v[0], v[1], vw).callbacks(cb).verbose(0));
        assertEquals(List.of(0, 1), testBatches, "40 validation examples in batches of 32 and 8");
        assertEquals(m.evaluate(v[0], v[1], 32, vw).get("loss"), h.last("val_loss"), 1e-9, "val_loss is weighted");
        testBatches.clear();
        m.fit(Dataset.fromTensorSlices(d[0], d[1]).batch(8), Fit.epochs(1).validationData(v[0], v[1], vw).validationBatchSize(16)
                .callbacks(cb).verbose(0));
        assertEquals(List.of(0, 1, 2), testBatches, "batches of 16, 16 and 8");
    }

    @Test
    void validationSplitSplitsTheWeightsLikeXAndY() {
        int n = 20, split = 15; // Keras: the last 25% before shuffling
        Tensor[] d = FitTest.problem(n, 27);
        Tensor sw = weights(n);
        FitTest.Linear a = model(new Adam(0.05), false), b = model(new Adam(0.05), false);
        History ha = a.fit(d[0], d[1], Fit.epochs(2).batchSize(5).seed(2).sampleWeight(sw).validationSplit(0.25).verbose(0));
        History hb = b.fit(d[0].slice(0, split), d[1].slice(0, split), Fit.epochs(2).batchSize(5).seed(2).sampleWeight(sw.slice(0, split))
                .validationData(d[0].slice(split, n), d[1].slice(split, n), sw.slice(split, n)).verbose(0));
        assertArrayEquals(b.w.value().toFloatArray(), a.w.value().toFloatArray());
        assertEquals(hb.history(), ha.history());
    }

    @Test
    void weightedAndUnweightedBatchesTraceOneFunctionEach() {
        int n = 32;
        Tensor[] d = FitTest.problem(n, 28);
        Tensor sw = weights(n);
        List<Pair> batches = new ArrayList<>();
        for (int from = 0; from < n; from += 8) {
            Pair p = new Pair(d[0].slice(from, from + 8).contiguous(), d[1].slice(from, from + 8).contiguous());
            batches.add(from % 16 == 0 ? p.withSampleWeight(sw.slice(from, from + 8).contiguous()) : p); // weighted, plain, ...
        }
        FitTest.Linear graph = model(new SGD(0.2), false), eager = model(new SGD(0.2), true);
        History hg = graph.fit(Dataset.fromIterable(batches), Fit.epochs(3).verbose(0));
        History he = eager.fit(Dataset.fromIterable(batches), Fit.epochs(3).verbose(0));
        assertEquals(1, graph.trainer().trainFunction().tracingCount(), "one trace without weights");
        assertEquals(1, graph.trainer().weightedTrainFunction().tracingCount(), "one trace with the weights as an input");
        float[] g = graph.w.value().toFloatArray(), e = eager.w.value().toFloatArray();
        for (int i = 0; i < g.length; i++) assertEquals(e[i], g[i], 1e-6, "kernel " + i);
        assertEquals(he.last("loss"), hg.last("loss"), 1e-6);
        // a weight of 1 everywhere is the unweighted step: the mix then trains as the plain batches
        List<Pair> ones = new ArrayList<>();
        for (Pair p : batches) ones.add(p.hasSampleWeight() ? p.withSampleWeight(Tensor.ones(dev.fluxion.DType.FLOAT32, 8)) : p);
        FitTest.Linear mixed = model(new SGD(0.2), false), plain = model(new SGD(0.2), false);
        mixed.fit(Dataset.fromIterable(ones), Fit.epochs(2).verbose(0));
        plain.fit(d[0], d[1], Fit.epochs(2).batchSize(8).shuffle(false).verbose(0));
        float[] m = mixed.w.value().toFloatArray(), p = plain.w.value().toFloatArray();
        for (int i = 0; i < m.length; i++) assertEquals(p[i], m[i], 1e-6, "kernel " + i);
    }

    @Test
    void groupsOfStepsCarryTheWeights() {
        int n = 100; // batches of 16: groups of 4 and 2 full batches, then the short one
        Tensor[] d = FitTest.problem(n, 29);
        Tensor sw = weights(n);
        Map<Integer, Double> cw = Map.of(2, 1.5);
        FitTest.Linear one = model(new Adam(0.05), false), grouped = model(new Adam(0.05), false);
        grouped.setStepsPerExecution(4);
        List<Integer> ends = new ArrayList<>();
        var cb = dev.fluxion.nn.callbacks.LambdaCallback.builder().onBatchEnd((batch, logs) -> ends.add(batch)).build();
        History h1 = one.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).sampleWeight(sw).classWeight(cw).verbose(0));
        History h4 = grouped.fit(d[0], d[1], Fit.epochs(2).batchSize(16).seed(3).sampleWeight(sw).classWeight(cw).verbose(0).callbacks(cb));
        assertEquals(List.of(3, 5, 6, 3, 5, 6), ends, "weighted batches run in groups (callbacks once per group)");
        assertArrayEquals(one.w.value().toFloatArray(), grouped.w.value().toFloatArray());
        assertArrayEquals(one.b.value().toFloatArray(), grouped.b.value().toFloatArray());
        assertEquals(h1.history(), h4.history());
        assertEquals(2, grouped.trainer().weightedTrainFunction().tracingCount(), "full and short batches, grouped with their weights");
        assertEquals(null, grouped.trainer().trainFunction(), "no unweighted step ran");
        // a dataset mixing weighted and plain batches: a group holds batches of one kind
        List<Pair> batches = new ArrayList<>();
        for (int from = 0; from + 16 <= n; from += 16) {
            Pair p = new Pair(d[0].slice(from, from + 16).contiguous(), d[1].slice(from, from + 16).contiguous());
            batches.add(from < 48 ? p.withSampleWeight(sw.slice(from, from + 16).contiguous()) : p); // 3 weighted, 3 plain
        }
        FitTest.Linear mixedOne = model(new Adam(0.05), false), mixedGrouped = model(new Adam(0.05), false);
        mixedGrouped.setStepsPerExecution(4);
        History m1 = mixedOne.fit(Dataset.fromIterable(batches), Fit.epochs(2).verbose(0));
        History m4 = mixedGrouped.fit(Dataset.fromIterable(batches), Fit.epochs(2).verbose(0));
        assertArrayEquals(mixedOne.w.value().toFloatArray(), mixedGrouped.w.value().toFloatArray());
        assertEquals(m1.history(), m4.history());
    }
}
