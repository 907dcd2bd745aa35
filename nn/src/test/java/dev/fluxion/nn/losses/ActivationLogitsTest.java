package dev.fluxion.nn.losses;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Keras' rule: a cross-entropy given the output of a softmax (or sigmoid) activation computes from its logits, so a
 * confidently wrong example keeps its gradient instead of losing it to the probability clip.
 */
class ActivationLogitsTest {
    private static final Rng RNG = new Rng(1);
    // logits scaled so that some examples are confidently wrong: p(true class) far below the 1e-7 clip
    private static final Tensor Z = RNG.normal(new int[] {4, 10}, 0, 40);
    private static final Tensor LABELS = Tensor.of(new int[] {1, 2, 3, 4}, 4);

    private static double[] gradient(Loss loss, boolean throughSoftmaxLayer) {
        try (var tape = new GradientTape()) {
            tape.watch(Z);
            Tensor yPred = throughSoftmaxLayer ? Activation.softmax().call(Z, true) : Z;
            return tape.gradient(loss.call(LABELS, yPred), Z)[0].toDoubleArray();
        }
    }

    @Test
    void sparseCrossEntropyOnASoftmaxOutputUsesItsLogits() {
        double[] fromLogits = gradient(new SparseCategoricalCrossentropy(true), false);
        double[] fromSoftmax = gradient(new SparseCategoricalCrossentropy(false), true);
        assertArrayEquals(fromLogits, fromSoftmax, 1e-12);
        assertTrue(java.util.Arrays.stream(fromSoftmax).map(Math::abs).sum() > 0.1, "the wrong examples keep their gradient");
    }

    @Test
    void categoricalCrossEntropyOnASoftmaxOutputUsesItsLogits() {
        Tensor oneHot = dev.fluxion.ArrayOps.oneHot(LABELS, 10).cast(Z.dtype());
        Tensor viaLogits = new CategoricalCrossentropy(true).call(oneHot, Z);
        Tensor viaSoftmax = new CategoricalCrossentropy(false).call(oneHot, Activation.softmax().call(Z, true));
        assertEquals(viaLogits.item(), viaSoftmax.item(), 1e-9);
    }

    @Test
    void otherProbabilitiesAreStillClipped() {
        // the same probabilities computed outside an activation carry no logits: Keras' clipped formula applies
        Tensor p = Z.softmax(-1);
        double clipped = new SparseCategoricalCrossentropy(false).call(LABELS, p).item();
        double exact = new SparseCategoricalCrossentropy(true).call(LABELS, Z).item();
        assertTrue(clipped < exact, "clipping bounds each example's loss by -log(1e-7): " + clipped + " vs " + exact);
    }

    @Test
    void binaryCrossEntropyOnASigmoidOutputUsesItsLogits() {
        Tensor x = RNG.normal(new int[] {6, 3}, 0, 30), z = dev.fluxion.Ops.round(RNG.uniform(new int[] {6, 3}, 0, 1));
        Tensor viaLogits = new BinaryCrossentropy(true).call(z, x);
        Tensor viaSigmoid = new BinaryCrossentropy(false).call(z, Activation.sigmoid().call(x, true));
        assertEquals(viaLogits.item(), viaSigmoid.item(), 1e-9);
    }

    @Test
    void aSoftmaxOverTheLastAxisByItsIndexIsRememberedAndOneOverAnotherAxisIsNot() {
        // class 0 of logits (0, 30): p = e^-30, far below the clip; the exact loss is 30 (to 1e-13)
        Tensor logits = Tensor.of(new double[] {0, 30}, 1, 2), oneHot = Tensor.of(new double[] {1, 0}, 1, 2);
        double lastAxis = new CategoricalCrossentropy(false).call(oneHot, ActivationLogits.softmax(logits, 1)).item();
        assertEquals(30, lastAxis, 1e-9);
        Tensor column = Tensor.of(new double[] {0, 30}, 2, 1), colLabels = Tensor.of(new double[] {1, 0}, 2, 1);
        // a softmax over axis 0 is not the class distribution: its probabilities (e^-30, 1) are renormalized along
        // the last axis (size 1, so each is 1) and the loss is -log(1 - 1e-7) on the labelled row
        double otherAxis = new CategoricalCrossentropy(false, 0, Loss.Reduction.SUM).call(colLabels, ActivationLogits.softmax(column, 0)).item();
        assertEquals(-Math.log(1 - 1e-7), otherAxis, 1e-12);
    }
}
