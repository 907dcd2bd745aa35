package dev.fluxion.nn.losses;

import dev.fluxion.Tensor;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.optimizers.Optimizers;
import dev.fluxion.nn.regularizers.Regularizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Losses, and the by-name lookups of losses, initializers and optimizers, reject bad input naming it. */
class LossErrorsTest {
    @Test
    void unknownNames() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Losses.get("mse2")), "loss", "'mse2'");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Initializers.get("xavier")), "initializer", "'xavier'");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Optimizers.get("ftrl")), "optimizer", "'ftrl'");
    }

    @Test
    void aSampleWeightOfHigherRankNamesTheLoss() {
        Tensor y = Tensor.ones(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().call(y, y, Tensor.ones(2, 3, 2)));
        assertMentions(e, "mean_squared_error", "[2,3,2]", "[2]");
    }

    @Test
    void integerPredictionsAreRejected() {
        Tensor ints = Tensor.of(new int[] {1, 0, 1, 1}, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().call(ints, ints));
        assertMentions(e, "mean_squared_error", "float32 or float64", "int32");
        var e2 = assertThrows(IllegalArgumentException.class, () -> new SparseCategoricalCrossentropy().call(Tensor.of(new int[] {1, 0}, 2), ints));
        assertMentions(e2, "sparse_categorical_crossentropy", "int32");
    }

    @Test
    void sparseLabelsMustHaveOneAxisLessThanPredictions() {
        Tensor probs = Tensor.of(new float[] {0.2f, 0.8f, 0.5f, 0.5f, 0.1f, 0.9f}, 2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> new SparseCategoricalCrossentropy().call(probs, probs));
        assertMentions(e, "sparse_categorical_crossentropy", "labels of shape [2,3]", "predictions of shape [2,3]");
        // [batch, 1] labels are accepted
        assertEquals(0, new SparseCategoricalCrossentropy(false, Loss.Reduction.NONE)
                .call(Tensor.of(new int[] {1, 2}, 2, 1), Tensor.of(new float[] {0, 1, 0, 0, 0, 1}, 2, 3)).toFloatArray()[0], 1e-6);
    }

    @Test
    void negativeRegularizerFactors() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Regularizer.l2(-0.1)), "regularizer", "l2=-0.1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Regularizer.l1l2(Double.NaN, 0)), "regularizer", "l1=NaN");
    }

    @Test
    void everyLossRejectsIntegerPredictionsAndLabelsOfAnotherShape() {
        Tensor ints = Tensor.of(new int[] {1, 0, 1, 1, 0, 1}, 2, 3);
        Tensor probs = Tensor.of(new float[] {0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f}, 2, 3);
        Tensor column = Tensor.of(new float[] {1, 0}, 2, 1); // broadcasts against [2,3]: must still be refused
        for (Loss loss : new Loss[] {new CategoricalCrossentropy(), new BinaryCrossentropy(), new MeanAbsoluteError(), new Huber()}) {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.call(ints, ints)), loss.name(), "int32");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.call(column, probs)), loss.name(), "[2,1]", "[2,3]");
        }
    }

    @Test
    void settingsOutOfRange() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Huber(0)), "huber_loss", "delta");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new CategoricalCrossentropy(false, 1.5, null)),
                "categorical_crossentropy", "label smoothing", "1.5");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new BinaryCrossentropy(false, -0.1, null)),
                "binary_crossentropy", "-0.1");
    }
}
