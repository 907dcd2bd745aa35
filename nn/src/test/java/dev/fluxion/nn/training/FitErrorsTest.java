package dev.fluxion.nn.training;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Invalid fit options and inputs fail before training, naming the option or input and the value. */
class FitErrorsTest {
    private static Sequential model() {
        Sequential m = Sequential.of(Input.shape(2), new Dense(1));
        m.compile(new SGD(0.1), new MeanSquaredError());
        return m;
    }

    @Test
    void validationOptionsMustBePositive() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).validationSteps(0)), "validationSteps", "got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).validationBatchSize(-2)), "validationBatchSize", "got -2");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).validationFreq(0)), "validationFreq", "got 0");
    }

    @Test
    void globalIsAReservedRngName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).checkpointRng("global", new Rng(1)));
        assertMentions(e, "fit", "'global'", "reserved");
    }

    @Test
    void aValidationSplitLeavingAnEmptySetIsRejected() {
        Sequential m = model();
        float[] w = m.getWeights().get(0).toFloatArray();
        var e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(Tensor.ones(3, 2), Tensor.ones(3, 1), Fit.epochs(1).verbose(0).validationSplit(0.9)));
        assertMentions(e, "validationSplit", "0.9", "3 samples");
        assertArrayEquals(w, m.getWeights().get(0).toFloatArray(), "no training happened");
    }

    @Test
    void mismatchedSampleCountsNameTheOperation() {
        Sequential m = model();
        var ev = assertThrows(IllegalArgumentException.class, () -> m.evaluate(Tensor.ones(4, 2), Tensor.ones(3, 1), 2));
        assertMentions(ev, "evaluate", "4 samples", "y has 3");
        var fit = assertThrows(IllegalArgumentException.class, () -> m.fit(Tensor.ones(4, 2), Tensor.ones(4, 1),
                Fit.epochs(1).verbose(0).validationData(Tensor.ones(5, 2), Tensor.ones(2, 1))));
        assertMentions(fit, "fit", "validationData", "5 samples", "y has 2");
    }
}
