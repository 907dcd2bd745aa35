package dev.fluxion.nn.training;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.optimizers.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sample weights in evaluate (Keras' {@code evaluate(x, y, sample_weight=w)} and (x, y, w) dataset elements), their
 * combination with an output mask in the compiled metrics, and the errors for weights that cannot be used.
 */
class SampleWeightEvaluateTest {
    @Test
    void evaluateWeighsTheLossOverTheExamplesAndTheMetricsOverTheWeights() {
        int n = 10; // batches of 4, 4 and 2
        Tensor[] d = FitTest.problem(n, 31);
        float[] w = {1, 0.5f, -0.5f, 2, 0, 1.5f, 1, 3, 0.25f, 1}; // a negative weight is accepted, as in Keras
        Tensor sw = Tensor.of(w, n);
        for (boolean eager : new boolean[] {true, false}) {
            FitTest.Linear m = SampleWeightTest.model(new SGD(0.1), eager);
            m.call(d[0]);
            SampleWeightTest.Reference r = SampleWeightTest.Reference.of(d[0].toFloatArray(), d[1].toIntArray(),
                    m.w.value().toFloatArray(), m.b.value().toFloatArray());
            int[] y = d[1].toIntArray();
            double loss = 0, hits = 0, weightSum = 0;
            for (int i = 0; i < n; i++) {
                loss += w[i] * r.loss()[i];
                hits += r.argmax()[i] == y[i] ? w[i] : 0;
                weightSum += w[i];
            }
            Map<String, Double> logs = m.evaluate(d[0], d[1], 4, sw);
            String mode = eager ? "eager" : "graph";
            // "loss": each batch's weighted loss over its size, then the mean over batches weighted by their sizes
            assertEquals(loss / n, logs.get("loss"), 1e-6, mode + " loss");
            assertEquals(hits / weightSum, logs.get("sparse_categorical_accuracy"), 1e-6, mode + " accuracy");
            assertEquals(logs, m.evaluate(Dataset.fromTensorSlices(new Pair(d[0], d[1], sw)).batch(4)), "triples give the same");
            Map<String, Double> plain = m.evaluate(d[0], d[1], 4);
            assertEquals(plain, m.evaluate(d[0], d[1], 4, null), "null weights: unweighted");
            assertEquals(plain, m.trainer().evaluate(d[0], d[1], 4), "the trainer's unweighted evaluate");
            double unweighted = 0;
            for (int i = 0; i < n; i++) unweighted += r.loss()[i] / n;
            assertEquals(unweighted, plain.get("loss"), 1e-6, mode + " unweighted loss");
        }
    }

    /** Logits = x * scale, with a fixed mask attached to them: [2 sequences, 3 steps, 2 classes]. */
    static final class MaskedLogits extends Model {
        final Tensor mask;
        Variable scale;

        MaskedLogits(Tensor mask) {
            super("masked_logits");
            this.mask = mask;
        }

        @Override
        protected void build(int[] inputShape) {
            scale = addWeight("scale", new int[] {1}, Initializers.ones());
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return Masks.attach(x.mul(scale.value()), mask);
        }
    }

    @Test
    void metricWeightsAreTheSampleWeightsTimesTheMask() {
        float[] logits = {2, 1, 0, 3, 1, 0, /* sequence 1 */ 0, 1, 5, 1, 1, 2};
        int[] labels = {0, 0, 1, /* sequence 1 */ 1, 1, 0};
        boolean[] valid = {true, true, false, true, false, false};
        float[] w = {0.5f, 3};
        MaskedLogits model = new MaskedLogits(Tensor.of(valid, 2, 3));
        model.compile(new SGD(0.1), new SparseCategoricalCrossentropy(true), List.of(new SparseCategoricalAccuracy()), true);
        Map<String, Double> logs = model.evaluate(Tensor.of(logits, 2, 3, 2), Tensor.of(labels, 2, 3), 2, Tensor.of(w, 2));
        double hits = 0, weight = 0, loss = 0, validCount = 0;
        for (int s = 0; s < 6; s++) {
            if (!valid[s]) continue;
            double a = logits[2 * s], b = logits[2 * s + 1], wi = w[s / 3];
            int predicted = a >= b ? 0 : 1;
            hits += predicted == labels[s] ? wi : 0;
            weight += wi;
            double max = Math.max(a, b);
            loss += wi * (Math.log(Math.exp(a - max) + Math.exp(b - max)) + max - (labels[s] == 0 ? a : b));
            validCount++;
        }
        assertEquals(hits / weight, logs.get("sparse_categorical_accuracy"), 1e-6, "sum(w * mask * hit) / sum(w * mask)");
        assertEquals(loss / validCount, logs.get("loss"), 1e-5, "the loss: weighted, then averaged over the valid steps");
        Map<String, Double> unweighted = model.evaluate(Tensor.of(logits, 2, 3, 2), Tensor.of(labels, 2, 3), 2);
        assertNotEquals(unweighted.get("sparse_categorical_accuracy"), logs.get("sparse_categorical_accuracy"));
    }

    @Test
    void weightsOfTheWrongShapeAreRejectedWithBothShapes() {
        Tensor[] d = FitTest.problem(10, 32);
        FitTest.Linear m = SampleWeightTest.model(new SGD(0.1), false);
        var e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(d[0], d[1], Fit.epochs(1).sampleWeight(Tensor.ones(DType.FLOAT32, 9)).verbose(0)));
        assertMentions(e, "fit: sampleWeight of shape [9] does not match x of shape [10,4]", "one weight per sample, shape [10]");
        var scalar = assertThrows(IllegalArgumentException.class,
                () -> m.fit(d[0], d[1], Fit.epochs(1).sampleWeight(Tensor.scalar(1f)).verbose(0)));
        assertMentions(scalar, "fit: sampleWeight of shape [] does not match x of shape [10,4]");
        var eval = assertThrows(IllegalArgumentException.class, () -> m.evaluate(d[0], d[1], 4, Tensor.ones(DType.FLOAT32, 3)));
        assertMentions(eval, "evaluate: sampleWeight of shape [3] does not match x of shape [10,4]");
        var val = assertThrows(IllegalArgumentException.class, () -> m.fit(d[0], d[1],
                Fit.epochs(1).validationData(d[0], d[1], Tensor.ones(DType.FLOAT32, 11)).verbose(0)));
        assertMentions(val, "fit: validationData w of shape [11] does not match x of shape [10,4]");
        Pair bad = new Pair(d[0].slice(0, 4), d[1].slice(0, 4), Tensor.ones(DType.FLOAT32, 3));
        var batch = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.of(bad), Fit.epochs(1).verbose(0)));
        assertMentions(batch, "fit: the sample weights of batch 0 have shape [3] but its x has shape [4,4]");
        assertEquals(null, m.trainer().trainFunction(), "nothing ran");
    }

    @Test
    void sampleWeightWithADatasetPointsToTheElements() {
        Tensor[] d = FitTest.problem(8, 33);
        FitTest.Linear m = SampleWeightTest.model(new SGD(0.1), false);
        var e = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTensorSlices(d[0], d[1]).batch(4),
                Fit.epochs(1).sampleWeight(Tensor.ones(DType.FLOAT32, 8)).verbose(0)));
        assertMentions(e, "fit: sampleWeight applies to tensor inputs", "new Pair(x, y, w)");
    }

    @Test
    void nanAndInfiniteWeightsAreRejectedWhereTheyAre() {
        Tensor[] d = FitTest.problem(8, 34);
        FitTest.Linear m = SampleWeightTest.model(new SGD(0.1), false);
        m.call(d[0]);
        float[] before = m.w.value().toFloatArray();
        float[] w = {1, 1, 1, Float.NaN, 1, 1, 1, 1};
        var nan = assertThrows(IllegalArgumentException.class, () -> m.fit(d[0], d[1], Fit.epochs(1).sampleWeight(Tensor.of(w, 8)).verbose(0)));
        assertMentions(nan, "fit: sampleWeight holds NaN at flat index 3 of shape [8]", "must be finite");
        w[3] = 1;
        w[6] = Float.POSITIVE_INFINITY;
        var inf = assertThrows(IllegalArgumentException.class, () -> m.evaluate(d[0], d[1], 4, Tensor.of(w, 8)));
        assertMentions(inf, "evaluate: sampleWeight holds Infinity at flat index 6");
        Dataset<Pair> triples = Dataset.fromTensorSlices(new Pair(d[0], d[1], Tensor.of(w, 8))).batch(4);
        var inBatch = assertThrows(IllegalArgumentException.class, () -> m.fit(triples, Fit.epochs(1).verbose(0)));
        assertMentions(inBatch, "fit: sample weights (batch 1) holds Infinity at flat index 2");
        var inEval = assertThrows(IllegalArgumentException.class, () -> m.evaluate(triples));
        assertMentions(inEval, "evaluate: sample weights (batch 1) holds Infinity at flat index 2");
        float[] after = m.w.value().toFloatArray();
        assertNotEquals(before[0], after[0], "batch 0 trained before batch 1's weights were read");
        w[0] = Float.NaN; // the first batch's position is named too
        var first = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Dataset.fromTensorSlices(new Pair(d[0], d[1], Tensor.of(w, 8))).batch(4), Fit.epochs(1).verbose(0)));
        assertMentions(first, "fit: sample weights (batch 0) holds NaN at flat index 0");
        // steps run in groups: a batch read ahead into a group is named by its own position
        w[0] = 1;
        FitTest.Linear grouped = SampleWeightTest.model(new SGD(0.1), false);
        grouped.setStepsPerExecution(4);
        var ahead = assertThrows(IllegalArgumentException.class, () -> grouped.fit(triples, Fit.epochs(1).verbose(0)));
        assertMentions(ahead, "fit: sample weights (batch 1) holds Infinity at flat index 2");
    }
}
