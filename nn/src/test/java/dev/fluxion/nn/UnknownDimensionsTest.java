package dev.fluxion.nn;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.layers.Conv1D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Embedding;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.GlobalAveragePooling1D;
import dev.fluxion.nn.layers.LSTM;
import dev.fluxion.nn.layers.MaxPooling1D;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inputs with unknown dimensions besides the batch (Keras' {@code Input(shape=(None, features))}): the model builds
 * from the declaration, output shapes say which dimensions follow the unknown one, and it runs on any length.
 */
class UnknownDimensionsTest {
    @Test
    void shapesFollowTheUnknownStepsThroughLayers() {
        Sequential seq = Sequential.of(Input.shape(-1, 8), new Conv1D(4, 3).padding("same"), new MaxPooling1D(2), new Dense(5));
        assertTrue(seq.isBuilt());
        assertArrayEquals(new int[] {-1, -1, 5}, seq.outputShape(), "steps stay unknown after convolution and pooling");
        assertEquals(8 * 3 * 4 + 4 + 4 * 5 + 5, seq.countParams());
        for (int steps : new int[] {2, 7, 30}) assertArrayEquals(new int[] {3, steps / 2, 5}, seq.call(Tensor.ones(3, steps, 8)).shape());
        assertArrayEquals(new int[] {-1, 6}, Sequential.of(Input.shape(-1, 8), new LSTM(6)).outputShape(), "the last output: steps gone");
        assertArrayEquals(new int[] {-1, 8}, Sequential.of(Input.shape(-1, 8), new GlobalAveragePooling1D()).outputShape());
        assertTrue(Summary.render(seq).contains("(None, None, 5)"), Summary.render(seq));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> seq.call(Tensor.ones(3, 4, 7))), "expects shape (None, None, 8)", "[3,4,7]");
        // a zero-size dimension is known: it stays 0, it is not a None
        assertArrayEquals(new int[] {-1, 0, 5}, Sequential.of(Input.shape(0, 8), new Dense(5)).outputShape());
    }

    @Test
    void aLayerWhoseWeightsWouldDependOnTheUnknownDimensionIsRefused() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Input.shape(-1, 8), new Flatten(), new Dense(3)));
        assertMentions(e, "(Dense) needs a known size", "[(None, None)]");
    }

    @Test
    void aMaskedTextModelWithUnknownLengthTrainsOnPaddedBatches() {
        // sequences of ids 1..5 of lengths 1..6; the target is the number of 3s; padded with 0 per batch
        List<Pair> examples = new ArrayList<>();
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 96; i++) {
            int len = 1 + r.nextInt(6), threes = 0;
            int[] ids = new int[len];
            for (int t = 0; t < len; t++) {
                ids[t] = 1 + r.nextInt(5);
                if (ids[t] == 3) threes++;
            }
            examples.add(new Pair(Tensor.of(ids, len), Tensor.of(new float[] {threes}, 1)));
        }
        Sequential model = Sequential.of(Input.shape(DType.INT32, -1), new Embedding(6, 8).maskZero(true), new LSTM(8), new Dense(1));
        assertArrayEquals(new int[] {-1, 1}, model.outputShape());
        model.compile(new Adam(0.02), new MeanSquaredError());
        var h = model.fit(Dataset.fromIterable(examples).paddedBatch(16), Fit.epochs(12).verbose(0));
        List<Double> loss = h.get("loss");
        assertTrue(loss.getLast() < 0.25 * loss.getFirst(), "loss " + loss);
        // padding changes nothing: one sequence alone and in a padded batch give the same prediction
        Tensor alone = model.predict(Tensor.of(new int[] {3, 1, 3}, 1, 3), 1);
        Tensor padded = model.predict(Tensor.of(new int[] {3, 1, 3, 0, 0, 0}, 1, 6), 1);
        assertEquals(alone.toFloatArray()[0], padded.toFloatArray()[0], 1e-6);
    }
}
