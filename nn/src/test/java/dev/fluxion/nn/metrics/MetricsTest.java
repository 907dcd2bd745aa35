package dev.fluxion.nn.metrics;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.nn.losses.MeanSquaredError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Values from the Keras documentation examples, several batches, reset, and updates inside a graph function. */
class MetricsTest {
    static Tensor m(float[][] rows) {
        return Tensor.matrix(rows);
    }

    static Tensor col(float... xs) {
        return Tensor.of(xs, xs.length, 1);
    }

    static Tensor v(float... xs) {
        return Tensor.vector(xs);
    }

    static void close(double expected, Metric metric) {
        Tensor r = metric.result();
        assertEquals(0, r.rank(), metric.name() + " result is 0-d");
        assertEquals(expected, r.item(), 1e-5, metric.name());
    }

    @Test
    void meanAndSum() {
        Mean mean = Metrics.mean();
        close(0, mean);
        mean.updateState(v(1, 3, 5, 7));
        close(4, mean);
        mean.reset();
        mean.updateState(v(1, 3, 5, 7), v(1, 1, 0, 0));
        close(2, mean);
        mean.updateState(Tensor.scalar(8f), Tensor.scalar(2f)); // (1+3+16)/(2+2)
        close(5, mean);
        assertEquals(2, mean.variables().size());
        assertEquals("mean/total", mean.variables().get(0).name());
        assertFalse(mean.variables().get(0).trainable());
        Sum sum = Metrics.sum();
        sum.updateState(v(1, 3, 5, 7));
        sum.updateState(v(1, 1), v(2, 0.5f));
        close(18.5, sum);
        sum.reset();
        close(0, sum);
        assertThrows(UnsupportedOperationException.class, () -> mean.updateState(v(1), v(1), v(1)));
    }

    @Test
    void accuracy() {
        Accuracy acc = Metrics.accuracy();
        acc.updateState(col(1, 2, 3, 4), col(0, 2, 3, 4));
        close(0.75, acc);
        acc.reset();
        acc.updateState(col(1, 2, 3, 4), col(0, 2, 3, 4), v(1, 1, 0, 0));
        close(0.5, acc);
    }

    /** The string "accuracy" resolves like Keras's compile: sparse, categorical or binary by the shapes. */
    @Test
    void accuracyByNameFollowsTheShapes() {
        Metric sparse = Metrics.get("accuracy");
        sparse.updateState(Tensor.of(new int[] {2, 0}, 2), PRED); // argmax of PRED rows: 1, 1
        close(0.0, sparse);
        Metric categorical = Metrics.get("accuracy");
        categorical.updateState(ONE_HOT, PRED); // row 2 matches
        close(0.5, categorical);
        Metric binary = Metrics.get("accuracy");
        binary.updateState(col(1, 0, 1, 0), col(0.9f, 0.2f, 0.4f, 0.7f));
        close(0.5, binary);
        assertEquals("accuracy", binary.name());
    }

    static final Tensor ONE_HOT = m(new float[][] {{0, 0, 1}, {0, 1, 0}});
    static final Tensor PRED = m(new float[][] {{0.1f, 0.9f, 0.8f}, {0.05f, 0.95f, 0}});

    @Test
    void categoricalAndSparseCategoricalAccuracy() {
        CategoricalAccuracy c = Metrics.categoricalAccuracy();
        c.updateState(ONE_HOT, PRED);
        close(0.5, c);
        c.reset();
        c.updateState(ONE_HOT, PRED, v(0.7f, 0.3f));
        close(0.3, c);
        SparseCategoricalAccuracy s = Metrics.sparseCategoricalAccuracy();
        s.updateState(col(2, 1), PRED);
        close(0.5, s);
        s.reset();
        s.updateState(Tensor.of(new int[] {2, 1}, 2), PRED, v(0.7f, 0.3f));
        close(0.3, s);
        // across batches: 1 hit of 2, then 2 hits of 2 -> 3/4
        s.reset();
        s.updateState(Tensor.of(new long[] {2, 1}, 2), PRED);
        s.updateState(Tensor.of(new long[] {1, 1}, 2), PRED);
        close(0.75, s);
    }

    @Test
    void binaryAccuracy() {
        BinaryAccuracy b = Metrics.binaryAccuracy();
        b.updateState(col(1, 1, 0, 0), col(0.98f, 1, 0, 0.6f));
        close(0.75, b);
        b.reset();
        b.updateState(col(1, 1, 0, 0), col(0.98f, 1, 0, 0.6f), v(1, 0, 0, 1));
        close(0.5, b);
        BinaryAccuracy high = Metrics.binaryAccuracy(0.7);
        high.updateState(col(1, 1, 0, 0), col(0.98f, 1, 0, 0.6f));
        close(1.0, high);
    }

    @Test
    void topKAccuracy() {
        TopKCategoricalAccuracy t1 = Metrics.topKCategoricalAccuracy(1);
        t1.updateState(ONE_HOT, PRED);
        close(0.5, t1);
        t1.reset();
        t1.updateState(ONE_HOT, PRED, v(0.7f, 0.3f));
        close(0.3, t1);
        TopKCategoricalAccuracy t2 = Metrics.topKCategoricalAccuracy(2);
        t2.updateState(ONE_HOT, PRED);
        close(1.0, t2);
        SparseTopKCategoricalAccuracy s1 = Metrics.sparseTopKCategoricalAccuracy(1);
        s1.updateState(Tensor.of(new int[] {2, 1}, 2), PRED);
        close(0.5, s1);
        s1.reset();
        s1.updateState(Tensor.of(new int[] {2, 1}, 2), PRED, v(0.7f, 0.3f));
        close(0.3, s1);
        // 5 classes, label 0 scores third; ties at the boundary count as hits
        Tensor scores = m(new float[][] {{0.3f, 0.5f, 0.1f, 0.4f, 0.0f}, {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}});
        Tensor labels = Tensor.of(new int[] {0, 4}, 2);
        SparseTopKCategoricalAccuracy s2 = Metrics.sparseTopKCategoricalAccuracy(2), s3 = Metrics.sparseTopKCategoricalAccuracy(3);
        s2.updateState(labels, scores);
        s3.updateState(labels, scores);
        close(0.5, s2);
        close(1.0, s3);
    }

    @Test
    void precisionAndRecall() {
        Precision p = Metrics.precision();
        p.updateState(v(0, 1, 1, 1), v(1, 0, 1, 1));
        close(2.0 / 3, p);
        p.reset();
        p.updateState(v(0, 1, 1, 1), v(1, 0, 1, 1), v(0, 0, 1, 0));
        close(1.0, p);
        Recall r = Metrics.recall();
        r.updateState(v(0, 1, 1, 1), v(1, 0, 1, 1));
        close(2.0 / 3, r);
        r.reset();
        r.updateState(v(0, 1, 1, 1), v(1, 0, 1, 1), v(0, 0, 1, 0));
        close(1.0, r);
        // several thresholds give one value each; several batches accumulate
        Precision multi = Metrics.precision(0.2, 0.7);
        multi.updateState(v(0, 1), v(0.5f, 0.9f));
        multi.updateState(v(1, 0), v(0.3f, 0.1f));
        assertArrayEquals(new float[] {2f / 3, 1f}, multi.result().toFloatArray(), 1e-6f);
        Recall none = Metrics.recall();
        close(0, none);
    }

    @Test
    void auc() {
        AUC a = Metrics.auc(3);
        a.updateState(v(0, 0, 1, 1), v(0, 0.5f, 0.3f, 0.9f));
        close(0.75, a);
        a.reset();
        a.updateState(v(0, 0, 1, 1), v(0, 0.5f, 0.3f, 0.9f), v(1, 0, 0, 1));
        close(1.0, a);
        // default 200 thresholds: perfectly separated data, then one inverted pair, over two batches
        AUC d = Metrics.auc();
        assertEquals(200, d.thresholds().length);
        assertEquals(1.0 / 199, d.thresholds()[1], 1e-12);
        d.updateState(v(0, 1), v(0.1f, 0.8f));
        close(1.0, d);
        d.updateState(v(0, 1), v(0.6f, 0.4f));
        // pairs (pos, neg): 0.8>0.1, 0.8>0.6, 0.4>0.1, 0.4<0.6 -> exact AUC 3/4; thresholds between all scores
        close(0.75, d);
        d.reset();
        close(0, d);
    }

    @Test
    void metricFromLoss() {
        MeanMetricWrapper mse = Metrics.fromLoss(new MeanSquaredError());
        mse.updateState(m(new float[][] {{0, 1}, {0, 0}}), m(new float[][] {{1, 1}, {1, 0}}));
        mse.updateState(m(new float[][] {{0, 0}}), m(new float[][] {{2, 0}}));
        close((0.5 + 0.5 + 2) / 3, mse);
        assertEquals("mean_squared_error", mse.name());
        assertTrue(Metrics.get("sparse_categorical_accuracy") instanceof SparseCategoricalAccuracy);
    }

    @Test
    void updateStateInsideGraphFunctionRunsOnEveryCall() {
        SparseCategoricalAccuracy acc = Metrics.sparseCategoricalAccuracy();
        AUC auc = Metrics.auc(11);
        Mean loss = Metrics.mean("loss");
        var step = Fx.function("metric_step", (Tensor y, Tensor p) -> {
            acc.updateState(y, p);
            auc.updateState(Tensor.of(new float[] {1, 0}, 2), p.slice(0, 2).sum(new int[] {1}, false).mul(0.5));
            loss.updateState(p.sum());
            return acc.result();
        });
        Tensor pred = m(new float[][] {{0.1f, 0.9f}, {0.8f, 0.2f}});
        assertEquals(0.5, step.call(Tensor.of(new int[] {1, 1}, 2), pred).item(), 1e-6);
        assertEquals(0.75, step.call(Tensor.of(new int[] {1, 0}, 2), pred).item(), 1e-6);
        assertEquals(4.0 / 6, step.call(Tensor.of(new int[] {1, 1}, 2), pred).item(), 1e-6);
        assertEquals(1, step.tracingCount());
        close(4.0 / 6, acc);
        close(2.0, loss);
        // 3 calls x 2 examples each in the AUC counts
        float[] tp = auc.truePositives.value().toFloatArray(), tn = auc.trueNegatives.value().toFloatArray();
        assertEquals(3f, tp[0] + auc.falseNegatives.value().toFloatArray()[0], 1e-6f);
        assertEquals(3f, tn[10] + auc.falsePositives.value().toFloatArray()[10], 1e-6f);
        acc.reset();
        assertEquals(1.0, step.call(Tensor.of(new int[] {1, 0}, 2), pred).item(), 1e-6);
    }

    @Test
    void labelsWithATrailingAxisOfOneMatchPredictionsWithout() {
        // Keras squeezes a trailing size-1 label axis instead of broadcasting (N, 1) against (N,) into (N, N)
        Accuracy acc = Metrics.accuracy();
        acc.updateState(col(1, 2, 3), v(1, 2, 0));
        close(2.0 / 3, acc);
        Tensor pred = m(new float[][] {{0.1f, 0.2f, 0.7f}, {0.05f, 0.95f, 0}}); // argmax 2, 1
        SparseCategoricalAccuracy s = Metrics.sparseCategoricalAccuracy();
        s.updateState(col(2, 1), pred);
        close(1.0, s);
        SparseTopKCategoricalAccuracy top = Metrics.sparseTopKCategoricalAccuracy(1);
        top.updateState(col(2, 0), pred);
        close(0.5, top);
        // the string "accuracy" with (N, 1) integer labels against several classes is sparse categorical
        Metric byName = Metrics.get("accuracy");
        byName.updateState(col(2, 0), pred);
        close(0.5, byName);
    }

    @Test
    void aSampleWeightWithATrailingAxisOfOneWeighsEachValue() {
        Mean mean = Metrics.mean();
        mean.updateState(v(1, 3, 5), col(1, 0, 3)); // (1 + 15) / 4
        close(4, mean);
    }

    @Test
    void thresholdsAtTheirLimits() {
        assertArrayEquals(new double[] {-1e-7, 1 + 1e-7}, AUC.kerasThresholds(2));
        AUC two = Metrics.auc(2); // the smallest valid count: one step from (0, 0) to (1, 1)
        two.updateState(v(0, 1), v(0.2f, 0.8f));
        close(0.5, two);
        assertThrows(IllegalArgumentException.class, () -> Metrics.auc(1));
        BinaryAccuracy high = Metrics.binaryAccuracy(0.7);
        assertEquals(0.7, high.threshold());
        Recall r = Metrics.recall(0.3, 0.9);
        r.updateState(v(1, 1, 0), v(0.5f, 0.95f, 0.8f));
        assertArrayEquals(new float[] {1f, 0.5f}, r.result().toFloatArray(), 1e-6f);
    }
}
