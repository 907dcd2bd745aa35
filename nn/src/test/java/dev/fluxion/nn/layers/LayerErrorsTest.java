package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Bad layer options and inputs of the wrong shape raise errors naming the layer and the value or shape. */
class LayerErrorsTest {
    @Test
    void constructorAndOptionValues() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new BatchNormalization().momentum(1.5)), "BatchNormalization", "momentum", "1.5");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new BatchNormalization().momentum(Double.NaN)), "momentum", "NaN");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new BatchNormalization().epsilon(0)), "BatchNormalization", "epsilon", "0.0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new LayerNormalization().epsilon(-1e-3)), "LayerNormalization", "epsilon", "-0.001");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 3, 0)), "Conv2D", "kernel size", "3x0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(4, -1)), "Conv2DTranspose", "kernel size", "-1x-1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 8)), "Embedding", "0 and 8");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Embedding(10, -2)), "Embedding", "10 and -2");
    }

    @Test
    void batchNormalizationRejectsInputsUnlikeTheFirst() {
        BatchNormalization bn = new BatchNormalization();
        bn.setName("bn");
        bn.call(Tensor.ones(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> bn.call(Tensor.ones(2, 4), true));
        assertMentions(e, "'bn'", "3 features", "[2,4]");
        var rank = assertThrows(IllegalArgumentException.class, () -> bn.call(Tensor.ones(2, 1, 3)));
        assertMentions(rank, "'bn'", "rank 2", "[2,1,3]");
    }

    @Test
    void layerNormalizationRejectsAnotherFeatureCount() {
        LayerNormalization ln = new LayerNormalization();
        ln.setName("ln");
        ln.call(Tensor.ones(2, 5));
        var e = assertThrows(IllegalArgumentException.class, () -> ln.call(Tensor.ones(2, 6)));
        assertMentions(e, "'ln'", "5 features", "[2,6]");
    }

    @Test
    void poolingNeedsRank4Inputs() {
        GlobalAveragePooling2D gap = new GlobalAveragePooling2D();
        gap.setName("gap");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> gap.call(Tensor.ones(2, 4, 3))), "GlobalAveragePooling2D", "'gap'", "[2,4,3]");
        MaxPooling2D max = new MaxPooling2D(2);
        max.setName("pool");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> max.call(Tensor.ones(4, 4))), "MaxPooling2D", "'pool'", "[4,4]");
        AveragePooling2D avg = new AveragePooling2D(2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> avg.call(Tensor.ones(1, 4, 4, 4, 1))), "AveragePooling2D", "[1,4,4,4,1]");
    }
}
