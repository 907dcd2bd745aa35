package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import dev.fluxion.random.Rng;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keras' dropout and recurrent_dropout of the recurrent layers: one input mask [batch, features] and one state mask
 * [batch, units] per call, drawn in that order and used at every step; none in inference. The reference redraws the
 * masks from a generator of the same seed and runs the float64 cell equations of RecurrentTest on them.
 */
class RecurrentDropoutTest {
    private static final int N = 3, STEPS = 4, F = 5, U = 4;

    private static List<Supplier<Recurrent<?>>> cells() {
        return List.of(() -> new SimpleRNN(U), () -> new LSTM(U), () -> new GRU(U));
    }

    @Test
    void trainingCallsUseOneMaskPerSequenceAtEveryStep() {
        Tensor x = TestData.f64(8, N, STEPS, F);
        for (Supplier<Recurrent<?>> make : cells())
            for (double[] rates : new double[][] {{0.4, 0}, {0, 0.3}, {0.5, 0.25}}) {
                Recurrent<?> layer = TestData.dbl(make.get()).returnSequences(true).dropout(rates[0]).recurrentDropout(rates[1]).dropoutSeed(21);
                layer.call(x); // build
                layer.bias().assign(TestData.f64(9, layer.bias().shape()));
                Tensor y = layer.call(x, true);
                // the same draws: the input mask first, then the state mask
                Rng rng = new Rng(21);
                double[] in = x.toDoubleArray();
                if (rates[0] > 0) {
                    double[] m = NnOps.dropout(Tensor.ones(dev.fluxion.DType.FLOAT64, N, 1, F), rates[0], rng).toDoubleArray();
                    for (int b = 0; b < N; b++) for (int t = 0; t < STEPS; t++) for (int f = 0; f < F; f++) in[(b * STEPS + t) * F + f] *= m[b * F + f];
                }
                double[] rec = rates[1] > 0 ? NnOps.dropout(Tensor.ones(dev.fluxion.DType.FLOAT64, N, U), rates[1], rng).toDoubleArray() : null;
                String what = layer.getClass().getSimpleName() + " dropout " + rates[0] + " recurrent " + rates[1];
                assertClose(RecurrentTest.reference(layer, in, N, STEPS, F, rec), y.toDoubleArray(), 1e-12);
                // inference ignores both rates; and training really differs from it
                assertClose(RecurrentTest.reference(layer, x.toDoubleArray(), N, STEPS, F), layer.call(x, false).toDoubleArray(), 1e-12);
                double[] a = y.toDoubleArray(), b = layer.call(x, false).toDoubleArray();
                double diff = 0;
                for (int i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
                assertTrue(diff > 1e-6, what + ": the masks changed nothing");
            }
    }

    @Test
    void theSeedHoldsWhateverTheOrderOfOptionsAndZeroRatesDrawNothing() {
        Tensor x = TestData.f64(8, N, STEPS, F);
        GRU seedFirst = TestData.dbl(new GRU(U)).dropoutSeed(5).dropout(0.5);
        GRU seedLast = TestData.dbl(new GRU(U)).dropout(0.5).dropoutSeed(5);
        seedFirst.call(x);
        seedLast.call(x);
        seedLast.kernel().assign(seedFirst.kernel().value());
        seedLast.recurrentKernel().assign(seedFirst.recurrentKernel().value());
        assertClose(seedFirst.call(x, true).toDoubleArray(), seedLast.call(x, true).toDoubleArray(), 0);
        // a zero rate needs no generator: the global one is not drawn from
        Rng.setGlobalSeed(3);
        long[] before = Rng.global().state();
        new LSTM(2).dropout(0).recurrentDropout(0);
        assertArrayEquals(before, Rng.global().state());
        new LSTM(2).dropout(0.1);
        assertTrue(!java.util.Arrays.equals(before, Rng.global().state()), "a rate seeds the layer's generator from the global one");
    }

    @Test
    void ratesAreChecked() {
        LSTM lstm = new LSTM(2);
        lstm.setName("lstm");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.dropout(1.0)), "LSTM 'lstm'", "dropout must be in [0, 1), got 1.0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.recurrentDropout(-0.1)), "recurrentDropout", "got -0.1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.dropout(Double.NaN)), "dropout", "NaN");
    }
}
