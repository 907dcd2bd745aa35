package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keras' return_state and initial_state through {@link Recurrent#callWithState}: the states after the first steps,
 * given back as the initial state of the rest, continue the sequence exactly; the final h is the last output.
 */
class RecurrentStateTest {
    private static List<Supplier<Recurrent<?>>> cells() {
        return List.of(() -> new SimpleRNN(3), () -> new LSTM(3), () -> new GRU(3));
    }

    @Test
    void statesContinueASequenceWhereItStopped() {
        Tensor x = TestData.f64(12, 2, 6, 4);
        for (Supplier<Recurrent<?>> make : cells()) {
            Recurrent<?> layer = TestData.dbl(make.get()).returnSequences(true);
            layer.call(x);
            layer.bias().assign(TestData.f64(13, layer.bias().shape()));
            Tensor whole = layer.call(x);
            List<Tensor> first = layer.callWithState(ArrayOps.slice(x, 1, 0, 2, 1), null, false);
            assertEquals(1 + (layer instanceof LSTM ? 2 : 1), first.size(), "the output, then h (and c)");
            assertClose(ArrayOps.slice(first.get(0), 1, 1, 2, 1).reshape(2, 3).toDoubleArray(), first.get(1).toDoubleArray(), 0);
            List<Tensor> rest = layer.callWithState(ArrayOps.slice(x, 1, 2, 6, 1), first.subList(1, first.size()), false);
            assertClose(ArrayOps.slice(whole, 1, 2, 6, 1).toDoubleArray(), rest.get(0).toDoubleArray(), 1e-12);
            // zeros given explicitly are the default start
            List<Tensor> zeros = first.subList(1, first.size()).stream().map(Tensor::zerosLike).toList();
            assertClose(whole.toDoubleArray(), layer.callWithState(x, zeros, false).get(0).toDoubleArray(), 0);
        }
    }

    @Test
    void initialStatesAreChecked() {
        LSTM lstm = TestData.dbl(new LSTM(3));
        lstm.setName("lstm");
        Tensor x = Tensor.ones(dev.fluxion.DType.FLOAT64, 2, 5, 4);
        Tensor h = Tensor.zeros(dev.fluxion.DType.FLOAT64, 2, 3);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.callWithState(x, List.of(h), false)), "LSTM 'lstm'", "expected 2 initial states (h, c), got 1");
        Tensor wrong = Tensor.zeros(dev.fluxion.DType.FLOAT64, 2, 4);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.callWithState(x, List.of(h, wrong), false)), "initial state 1 must be [2, 3]", "[2,4]");
        Tensor otherBatch = Tensor.zeros(dev.fluxion.DType.FLOAT64, 3, 3);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> lstm.callWithState(x, List.of(otherBatch, h), false)), "initial state 0 must be [2, 3]", "[3,3]");
        GRU gru = TestData.dbl(new GRU(3));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> gru.callWithState(x, List.of(h, h), false)), "expected 1 initial state (h), got 2");
    }
}
