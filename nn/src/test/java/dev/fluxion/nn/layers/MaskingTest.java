package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Functional;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.optimizers.SGD;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keras masks: made by Embedding.maskZero and Masking, carried through models, consumed by the recurrent layers,
 * GlobalAveragePooling1D, the loss and the metrics. The references: the same layer run on each sequence without its
 * padding (a masked step must change nothing), and float64 sums over the real steps written out here.
 */
class MaskingTest {
    /** Sequences of lengths {3, 5, 1} padded to 5 steps, features 2: padded steps are all zero. */
    private static final int N = 3, STEPS = 5, F = 2;
    private static final int[] LENGTHS = {3, 5, 1};

    private static double[] padded(boolean left) {
        double[] r = TestData.randoms(11, N * STEPS * F), x = new double[r.length];
        for (int b = 0; b < N; b++)
            for (int t = 0; t < LENGTHS[b]; t++) {
                int at = left ? STEPS - LENGTHS[b] + t : t;
                for (int f = 0; f < F; f++) x[(b * STEPS + at) * F + f] = r[(b * STEPS + t) * F + f] + 0.5; // never 0
            }
        return x;
    }

    /** Sequence b without its padding, as a batch of one [1, length, F]. */
    private static Tensor unpadded(double[] x, int b, boolean left) {
        int start = left ? STEPS - LENGTHS[b] : 0;
        double[] seq = new double[LENGTHS[b] * F];
        System.arraycopy(x, (b * STEPS + start) * F, seq, 0, seq.length);
        return Tensor.of(seq, 1, LENGTHS[b], F);
    }

    private static Masking masking() {
        return TestData.dbl(new Masking());
    }

    private static List<Supplier<Recurrent<?>>> cells() {
        return List.of(() -> new SimpleRNN(4), () -> new LSTM(4), () -> new GRU(4));
    }

    @Test
    void maskingLayerZeroesPaddedStepsAndAttachesTheMask() {
        double[] x = padded(false);
        x[(0 * STEPS + 1) * F] = 0; // a real step with one zero feature stays real
        Tensor in = Tensor.of(x, N, STEPS, F);
        Tensor y = masking().call(in);
        Tensor mask = Masks.of(y);
        assertNotNull(mask, "Masking attaches a mask");
        assertEquals(DType.BOOL, mask.dtype());
        assertArrayEquals(new int[] {N, STEPS}, mask.shape());
        boolean[] want = new boolean[N * STEPS];
        for (int b = 0; b < N; b++) for (int t = 0; t < LENGTHS[b]; t++) want[b * STEPS + t] = true;
        assertArrayEquals(want, mask.toBooleanArray());
        assertArrayEquals(x, y.toDoubleArray(), "padded steps are zero already; real ones unchanged");
        // another mask value: steps equal to it are masked and zeroed
        Tensor z = new Masking(2).call(Tensor.of(new float[] {2, 2, 1, 2, 2, 2}, 1, 3, 2));
        assertArrayEquals(new boolean[] {false, true, false}, Masks.of(z).toBooleanArray());
        assertArrayEquals(new float[] {0, 0, 1, 2, 0, 0}, z.toFloatArray());
        assertEquals(0.0, new Masking().maskValue());
        assertEquals(2.0, new Masking(2).maskValue());
        // rank 2 [batch, features]: one mask entry per example
        Tensor rows = new Masking(1).call(Tensor.of(new float[] {1, 1, 1, 2, 0, 1}, 3, 2));
        assertArrayEquals(new int[] {3}, Masks.of(rows).shape());
        assertArrayEquals(new boolean[] {false, true, true}, Masks.of(rows).toBooleanArray());
        assertArrayEquals(new float[] {0, 0, 1, 2, 0, 1}, rows.toFloatArray());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Masking(Double.NaN)), "Masking", "NaN");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Masking().call(Tensor.ones(4))), "Masking", "rank 2", "[4]");
    }

    @Test
    void embeddingMaskZeroMarksIdZeroAsPadding() {
        Tensor ids = Tensor.of(new int[] {3, 1, 0, 0, 2, 0}, 2, 3);
        Embedding e = new Embedding(4, 2).maskZero(true);
        Tensor y = e.call(ids);
        assertArrayEquals(new boolean[] {true, true, false, false, true, false}, Masks.of(y).toBooleanArray());
        assertNull(Masks.of(new Embedding(4, 2).call(ids)), "no mask without maskZero");
        // float ids (a Dataset of floats) give the same mask
        assertArrayEquals(Masks.of(y).toBooleanArray(), Masks.of(e.call(dev.fluxion.Ops.cast(ids, DType.FLOAT32))).toBooleanArray());
    }

    @Test
    void recurrentLayersSkipMaskedStepsAsIfTheyWereNotThere() {
        for (boolean left : new boolean[] {false, true})
            for (boolean backwards : new boolean[] {false, true})
                for (Supplier<Recurrent<?>> make : cells()) {
                    double[] x = padded(left);
                    Recurrent<?> layer = TestData.dbl(make.get()).goBackwards(backwards);
                    layer.call(Tensor.of(x, N, STEPS, F));
                    layer.bias().assign(TestData.f64(5, layer.bias().shape())); // so that zero steps change a zero state
                    Tensor y = layer.call(masking().call(Tensor.of(x, N, STEPS, F)));
                    assertNull(Masks.of(y), "the last output carries no mask");
                    String what = layer.getClass().getSimpleName() + (left ? " left" : " right") + "-padded" + (backwards ? " backwards" : "");
                    for (int b = 0; b < N; b++) {
                        double[] want = layer.call(unpadded(x, b, left)).toDoubleArray();
                        double[] got = ArrayOps.slice(y, 0, b, b + 1, 1).toDoubleArray();
                        assertClose(want, got, 1e-12);
                    }
                    // the mask really changes something: without it the padded steps count
                    double[] plain = layer.call(Tensor.of(x, N, STEPS, F)).toDoubleArray();
                    double[] masked = y.toDoubleArray();
                    boolean differs = false;
                    for (int i = 0; i < plain.length; i++) differs |= Math.abs(plain[i] - masked[i]) > 1e-9;
                    assertTrue(differs, what + ": padding must matter without a mask");
                }
    }

    @Test
    void sequencesRepeatThePreviousOutputOrZerosAtMaskedSteps() {
        double[] x = padded(false);
        for (Supplier<Recurrent<?>> make : cells())
            for (boolean zeros : new boolean[] {false, true}) {
                Recurrent<?> layer = TestData.dbl(make.get()).returnSequences(true).zeroOutputForMask(zeros);
                Tensor in = masking().call(Tensor.of(x, N, STEPS, F));
                Tensor y = layer.call(in);
                assertArrayEquals(Masks.of(in).toBooleanArray(), Masks.of(y).toBooleanArray(), "the mask passes on with returnSequences");
                double[] got = y.toDoubleArray();
                int u = 4;
                for (int b = 0; b < N; b++) {
                    double[] real = layer.call(unpadded(x, b, false)).toDoubleArray(); // [1, length, u]
                    for (int t = 0; t < STEPS; t++)
                        for (int k = 0; k < u; k++) {
                            double want = t < LENGTHS[b] ? real[t * u + k] : zeros ? 0 : real[(LENGTHS[b] - 1) * u + k];
                            assertEquals(want, got[(b * STEPS + t) * u + k], 1e-12, layer.getClass().getSimpleName() + " b" + b + " t" + t);
                        }
                }
            }
    }

    @Test
    void bidirectionalMasksBothDirectionsAndZeroesPaddedOutputs() {
        double[] x = padded(false);
        for (boolean sequences : new boolean[] {false, true}) {
            Bidirectional bi = new Bidirectional(() -> TestData.dbl(new GRU(3)).returnSequences(sequences));
            TestData.dbl(bi);
            Tensor y = bi.call(masking().call(Tensor.of(x, N, STEPS, F)));
            assertEquals(sequences, Masks.of(y) != null, "a mask on the output only with returnSequences");
            for (int b = 0; b < N; b++) {
                double[] want = bi.call(unpadded(x, b, false)).toDoubleArray();
                double[] got = ArrayOps.slice(y, 0, b, b + 1, 1).toDoubleArray();
                if (!sequences) {
                    assertClose(want, got, 1e-12);
                    continue;
                }
                for (int t = 0; t < STEPS; t++)
                    for (int k = 0; k < 6; k++)
                        assertEquals(t < LENGTHS[b] ? want[t * 6 + k] : 0, got[t * 6 + k], 1e-12, "b" + b + " t" + t + " k" + k);
            }
        }
    }

    @Test
    void globalAveragePoolingAveragesRealStepsOnly() {
        double[] x = padded(false);
        for (boolean keep : new boolean[] {false, true}) {
            Tensor y = TestData.dbl(new GlobalAveragePooling1D(keep)).call(masking().call(Tensor.of(x, N, STEPS, F)));
            assertArrayEquals(keep ? new int[] {N, 1, F} : new int[] {N, F}, y.shape());
            assertNull(Masks.of(y), "pooling consumes the mask");
            double[] want = new double[N * F];
            for (int b = 0; b < N; b++)
                for (int f = 0; f < F; f++) {
                    double s = 0;
                    for (int t = 0; t < LENGTHS[b]; t++) s += x[(b * STEPS + t) * F + f];
                    want[b * F + f] = s / LENGTHS[b];
                }
            assertClose(want, y.toDoubleArray(), 1e-12);
        }
        // a sequence with every step masked averages to NaN, as in Keras
        Tensor allPadding = Masks.attach(Tensor.ones(DType.FLOAT64, 1, 2, 1), Tensor.of(new boolean[] {false, false}, 1, 2));
        assertTrue(Double.isNaN(TestData.dbl(new GlobalAveragePooling1D()).call(allPadding).toDoubleArray()[0]));
        // max pooling does not use masks (as in Keras): the padded zeros take part
        Tensor neg = Masks.attach(Tensor.of(new double[] {-1, 0}, 1, 2, 1), Tensor.of(new boolean[] {true, false}, 1, 2));
        assertEquals(0.0, TestData.dbl(new GlobalMaxPooling1D()).call(neg).toDoubleArray()[0]);
    }

    @Test
    void masksFlowThroughModelsAndStopAtLayersThatDoNotSupportThem() {
        // Embedding(maskZero) -> Dense -> Dropout -> LSTM: the LSTM sees the embedding's mask
        Tensor ids = Tensor.of(new int[] {2, 5, 1, 0, 0, 3, 0, 0, 0, 0}, 2, 5);
        Embedding emb = new Embedding(6, 3).maskZero(true);
        Dense dense = new Dense(3);
        LSTM lstm = new LSTM(2);
        Sequential model = Sequential.of(emb, dense, new Dropout(0.5), lstm);
        double[] y = model.call(ids).toDoubleArray();
        Tensor first = Tensor.of(new int[] {2, 5, 1}, 1, 3), second = Tensor.of(new int[] {3}, 1, 1);
        assertClose(lstm.call(dense.call(emb.call(first))).toDoubleArray(), java.util.Arrays.copyOfRange(y, 0, 2), 1e-6);
        assertClose(lstm.call(dense.call(emb.call(second))).toDoubleArray(), java.util.Arrays.copyOfRange(y, 2, 4), 1e-6);
        // Conv1D does not support masks: after it the LSTM counts every step
        Conv1D conv = new Conv1D(3, 1);
        LSTM after = new LSTM(2);
        Tensor viaConv = Sequential.of(emb, conv, after).call(ids);
        Tensor convOut = conv.call(emb.call(ids));
        assertNull(Masks.of(convOut), "Conv1D drops the mask");
        Tensor unmasked = Tensor.of(convOut.toFloatArray(), convOut.shape()); // the same values, surely without a mask
        assertClose(after.call(unmasked).toDoubleArray(), viaConv.toDoubleArray(), 0);
        // a functional model: Concatenate along the steps joins the masks, along the features ANDs them
        KerasTensor a = Input.shape(DType.INT32, 2), b = Input.shape(DType.INT32, 3);
        Embedding ea = new Embedding(4, 2).maskZero(true), eb = new Embedding(4, 2);
        Functional steps = Functional.of(List.of(a, b), List.of(new Concatenate(1).apply(ea.apply(a), eb.apply(b))));
        Tensor joined = steps.call(List.of(Tensor.of(new int[] {1, 0}, 1, 2), Tensor.of(new int[] {0, 2, 0}, 1, 3)), false);
        assertArrayEquals(new boolean[] {true, false, true, true, true}, Masks.of(joined).toBooleanArray(), "no mask counts as all real");
        Embedding ec = new Embedding(4, 2).maskZero(true);
        KerasTensor c = Input.shape(DType.INT32, 3);
        Functional features = Functional.of(List.of(b, c), List.of(new Concatenate().apply(new Embedding(4, 2).maskZero(true).apply(b), ec.apply(c))));
        Tensor anded = features.call(List.of(Tensor.of(new int[] {1, 0, 2}, 1, 3), Tensor.of(new int[] {1, 1, 0}, 1, 3)), false);
        assertArrayEquals(new boolean[] {true, false, false}, Masks.of(anded).toBooleanArray());
        Tensor added = new Add().call(List.of(emb.call(Tensor.of(new int[] {1, 0, 2}, 1, 3)), emb.call(Tensor.of(new int[] {1, 1, 0}, 1, 3))), false);
        assertArrayEquals(new boolean[] {true, false, false}, Masks.of(added).toBooleanArray());
    }

    @Test
    void paddedStepsGetNoGradient() {
        // the embedding row of id 0 appears only at masked steps: its gradient must be exactly zero
        Tensor ids = Tensor.of(new int[] {2, 1, 0, 3, 0, 0}, 2, 3);
        Embedding emb = new Embedding(4, 3).maskZero(true);
        Sequential model = Sequential.of(emb, new GRU(2), new Dense(1));
        model.call(ids);
        List<Tensor> grads;
        try (var tape = new GradientTape()) {
            grads = tape.gradient(model.call(ids, true).square().sum(), List.of(emb.embeddings()));
        }
        double[] g = grads.get(0).toDoubleArray();
        for (int k = 0; k < 3; k++) assertEquals(0.0, g[k], "row 0, column " + k);
        double rest = 0;
        for (int i = 3; i < g.length; i++) rest += Math.abs(g[i]);
        assertTrue(rest > 0, "the real ids get gradients");
    }

    @Test
    void lossAndMetricsCountRealStepsOnly() {
        // yPred [2, 3, 2] probabilities with a mask; labels [2, 3]
        double[] p = {0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0.3, 0.7, 0.6, 0.4, 0.1, 0.9};
        int[] labels = {0, 0, 1, 1, 0, 0};
        boolean[] real = {true, true, false, true, false, false};
        Tensor yPred = Masks.attach(Tensor.of(p, 2, 3, 2), Tensor.of(real, 2, 3));
        Tensor yTrue = Tensor.of(labels, 2, 3);
        double sum = 0;
        int valid = 0;
        for (int i = 0; i < 6; i++)
            if (real[i]) {
                sum += -Math.log(p[2 * i + labels[i]]);
                valid++;
            }
        double want = sum * (6.0 / (valid + 1e-7)) / 6; // TF-Keras: weight total / (valid + epsilon), then the mean
        assertEquals(want, new SparseCategoricalCrossentropy().call(yTrue, yPred).item(), 1e-12);
        assertEquals(sum, new SparseCategoricalCrossentropy(false, dev.fluxion.nn.losses.Loss.Reduction.SUM).call(yTrue, yPred).item(), 1e-12);
        // in a compiled model the loss and metrics are weighted by the mask: Masking marks the all-zero steps, Dense
        // passes the mask on, and 2 of the 3 real steps are right
        double[] q = new double[p.length];
        for (int i = 0; i < p.length; i++) q[i] = real[i / 2] ? p[i] - 0.5 : 0;
        Dense shift = TestData.dbl(new Dense(2)); // x + 0.5: the probabilities again, (0.5, 0.5) at masked steps
        Sequential model = Sequential.of(masking(), shift);
        TestData.dbl(model);
        model.call(Tensor.of(q, 2, 3, 2));
        shift.kernel().assign(Tensor.of(new double[] {1, 0, 0, 1}, 2, 2));
        shift.bias().assign(Tensor.of(new double[] {0.5, 0.5}, 2));
        model.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy());
        Map<String, Double> logs = model.evaluate(Tensor.of(q, 2, 3, 2), yTrue, 2);
        assertEquals(2.0 / 3, logs.get("sparse_categorical_accuracy"), 1e-6);
        assertEquals(want, logs.get("loss"), 1e-6);
    }

    @Test
    void trainsTheSameInAGraphFunctionAsEagerly() {
        Tensor ids = Tensor.of(new int[] {2, 5, 1, 0, 0, 3, 4, 0, 0, 0, 1, 1, 1, 1, 2, 4, 0, 0, 0, 0}, 4, 5);
        Tensor y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        double[][] weights = new double[2][];
        for (int run = 0; run < 2; run++) {
            dev.fluxion.random.Rng.setGlobalSeed(7);
            Sequential model = Sequential.of(new Embedding(6, 3).maskZero(true), new LSTM(3), new Dense(1));
            model.compile(new SGD(0.5), new dev.fluxion.nn.losses.MeanSquaredError());
            model.setRunEagerly(run == 0);
            model.fit(ids, y, dev.fluxion.nn.training.Fit.epochs(3).batchSize(2).shuffle(false).verbose(0));
            weights[run] = model.trainableVariables().get(0).value().toDoubleArray();
        }
        assertClose(weights[0], weights[1], 1e-6);
    }

    @Test
    void theForwardWithoutAMaskArgumentIgnoresAttachedMasks() {
        // forward(x, training), what a subclass calls as super.forward, is the computation with no mask at all
        double[] x = padded(false);
        Tensor masked = masking().call(Tensor.of(x, N, STEPS, F)), plain = Tensor.of(x, N, STEPS, F);
        LSTM lstm = TestData.dbl(new LSTM(3));
        assertClose(lstm.call(plain).toDoubleArray(), lstm.forward(masked, false).toDoubleArray(), 0);
        GlobalAveragePooling1D pool = TestData.dbl(new GlobalAveragePooling1D());
        double[] want = new double[N * F]; // the mean over all STEPS, padding included
        for (int b = 0; b < N; b++)
            for (int t = 0; t < STEPS; t++)
                for (int f = 0; f < F; f++) want[b * F + f] += x[(b * STEPS + t) * F + f] / STEPS;
        assertClose(want, pool.forward(masked, false).toDoubleArray(), 1e-12);
    }

    @Test
    void attachingCheckedAndNamed() {
        Tensor x = Tensor.ones(2, 3, 4);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Masks.attach(x, Tensor.ones(2, 3))), "Masks.attach", "bool", "float32");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Masks.attach(x, Tensor.of(new boolean[4], 2, 2))), "[2,2]", "[2,3,4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Masks.attach(null, null)), "Masks.attach", "null");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Masks.attach(Tensor.ones(2), Tensor.of(new boolean[2], 2, 1))), "[2,1]", "[2]");
        Tensor same = Tensor.ones(2, 3); // a mask may cover every dimension of the tensor
        assertArrayEquals(new boolean[] {true, false, true, true, true, false},
                Masks.of(Masks.attach(same, Tensor.of(new boolean[] {true, false, true, true, true, false}, 2, 3))).toBooleanArray());
        Masks.attach(x, Tensor.of(new boolean[6], 2, 3));
        assertNotNull(Masks.of(x));
        Masks.attach(x, null);
        assertNull(Masks.of(x), "null removes the mask");
        assertNull(Masks.of(null));
    }
}
