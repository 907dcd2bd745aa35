package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

/** goBackwards and Bidirectional, against the Keras cell equations of RecurrentTest on reversed inputs. */
class BidirectionalTest {
    static final int N = 2, STEPS = 5, F = 3, U = 4;

    /** The reference outputs [n, steps, u] of {@code layer} on x read last step first (in that reading order). */
    private static double[] backwardReference(Recurrent<?> layer, Tensor x) {
        return RecurrentTest.reference(layer, ArrayOps.flip(x, 1).toDoubleArray(), N, STEPS, F);
    }

    private static double[] lastStep(double[] all) {
        double[] last = new double[N * U];
        for (int b = 0; b < N; b++) System.arraycopy(all, (b * STEPS + STEPS - 1) * U, last, b * U, U);
        return last;
    }

    @Test
    void goBackwardsReadsTheStepsLastToFirst() {
        Tensor x = TestData.f64(1, N, STEPS, F);
        for (boolean sequences : new boolean[] {false, true}) {
            GRU gru = TestData.dbl(new GRU(U)).goBackwards(true).returnSequences(sequences);
            Tensor y = gru.call(x);
            double[] want = backwardReference(gru, x);
            assertClose(sequences ? want : lastStep(want), y.toDoubleArray(), 1e-12); // sequences stay in reading order, as Keras'
        }
    }

    @Test
    void concatenatesBothDirectionsInStepOrder() {
        Tensor x = TestData.f64(2, N, STEPS, F);
        Bidirectional bi = TestData.dbl(new Bidirectional(() -> new LSTM(U).returnSequences(true)));
        Tensor y = bi.call(x);
        assertArrayEquals(new int[] {N, STEPS, 2 * U}, y.shape());
        double[] fwd = RecurrentTest.reference(bi.forwardLayer(), x.toDoubleArray(), N, STEPS, F);
        double[] bwd = backwardReference(bi.backwardLayer(), x);
        double[] got = y.toDoubleArray();
        for (int b = 0; b < N; b++)
            for (int t = 0; t < STEPS; t++)
                for (int k = 0; k < U; k++) {
                    assertEquals(fwd[(b * STEPS + t) * U + k], got[(b * STEPS + t) * 2 * U + k], 1e-12);
                    // step t's backward half was computed at reading position STEPS - 1 - t
                    assertEquals(bwd[(b * STEPS + STEPS - 1 - t) * U + k], got[(b * STEPS + t) * 2 * U + U + k], 1e-12);
                }
        assertEquals(6, bi.trainableVariables().size(), "both directions' kernels, recurrent kernels and biases");
    }

    @Test
    void mergeModesOnTheLastStep() {
        Tensor x = TestData.f64(3, N, STEPS, F);
        for (String mode : new String[] {"sum", "mul", "ave", "concat"}) {
            Bidirectional bi = TestData.dbl(new Bidirectional(() -> new SimpleRNN(U), mode));
            Tensor y = bi.call(x);
            double[] f = lastStep(RecurrentTest.reference(bi.forwardLayer(), x.toDoubleArray(), N, STEPS, F));
            double[] b = lastStep(backwardReference(bi.backwardLayer(), x));
            double[] want = new double[mode.equals("concat") ? 2 * f.length : f.length];
            for (int i = 0; i < f.length; i++)
                switch (mode) {
                    case "sum" -> want[i] = f[i] + b[i];
                    case "mul" -> want[i] = f[i] * b[i];
                    case "ave" -> want[i] = (f[i] + b[i]) / 2;
                    default -> {
                        int row = i / U, k = i % U;
                        want[row * 2 * U + k] = f[i];
                        want[row * 2 * U + U + k] = b[i];
                    }
                }
            assertClose(want, y.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void trainsInAModelAndRejectsBadArguments() {
        Sequential model = Sequential.of(Input.shape(6, 2), new Bidirectional(() -> new GRU(4)), new Dense(1));
        assertArrayEquals(new int[] {-1, 1}, model.outputShape());
        // Keras' counts: a GRU(4) over 2 features has 3·(4·(2 + 4) + 2·4) = 96 weights, two of them and Dense(8 → 1)
        assertEquals(2 * 96 + 9, model.countParams());
        assertTrue(dev.fluxion.nn.Summary.render(model).contains("Total params: 201"), dev.fluxion.nn.Summary.render(model));
        model.compile(new dev.fluxion.nn.optimizers.Adam(0.02), new dev.fluxion.nn.losses.MeanSquaredError());
        Tensor xs = TestData.f32(6, 64, 6, 2), ys = ArrayOps.slice(xs, 2, 0, 1, 1).sum(new int[] {1}, false);
        var h = model.fit(xs, ys, dev.fluxion.nn.training.Fit.epochs(6).batchSize(16).verbose(0));
        assertTrue(h.get("loss").get(5) < 0.5 * h.get("loss").get(0), "loss " + h.get("loss"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Bidirectional(() -> new LSTM(2), "max")),
                "Bidirectional", "mergeMode", "\"max\"");
        LSTM same = new LSTM(2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Bidirectional(() -> same)), "a new layer on each call");
    }
}
