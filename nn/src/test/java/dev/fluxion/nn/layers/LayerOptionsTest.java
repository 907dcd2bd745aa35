package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Constraints;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Layer options: the smallest values each option accepts and the first it rejects (with a message naming the layer
 * and the value), options set after the build being refused, and each initializer, regularizer and constraint
 * option reaching the weight it names.
 */
class LayerOptionsTest {
    private static void rejects(Executable call, String... fragments) {
        assertMentions(assertThrows(IllegalArgumentException.class, call), fragments);
    }

    /** Every option call must fail once the layer is built, naming the layer. */
    private static void refusedAfterBuild(String who, List<Executable> options) {
        for (Executable option : options) {
            var e = assertThrows(IllegalStateException.class, option);
            assertMentions(e, who, "before the layer is built");
        }
    }

    /** The sum of a layer's regularization losses. */
    private static double penalty(dev.fluxion.nn.Layer layer) {
        double s = 0;
        for (Tensor t : layer.losses()) s += t.item();
        return s;
    }

    @Test
    void sizesMustBePositiveFromOne() {
        rejects(() -> new Dense(0), "Dense", "units", "0");
        assertEquals(1, new Dense(1).units());
        rejects(() -> new Conv2D(0, 3), "Conv2D", "filters", "0");
        rejects(() -> new Conv2DTranspose(0, 3), "Conv2DTranspose", "filters", "0");
        rejects(() -> new Conv2D(2, 0, 3), "Conv2D", "kernel size", "0x3");
        assertArrayEquals(new int[] {1, 1, 1, 1}, dbl(new Conv2D(1, 1)).call(TestData.f64(1, 1, 1, 1, 1)).shape());
        rejects(() -> new Embedding(10, 0), "Embedding", "10 and 0");
        rejects(() -> new Embedding(0, 1), "Embedding", "0 and 1");
        assertArrayEquals(new int[] {1, 1}, new Embedding(1, 1).call(Tensor.of(new int[] {0}, 1)).shape());
        rejects(() -> new MaxPooling2D(0), "MaxPooling2D", "pool size", "0x0");
        rejects(() -> new MaxPooling2D(2, 0), "MaxPooling2D", "pool size", "2x0");
        rejects(() -> new AveragePooling2D(0, 2), "AveragePooling2D", "pool size", "0x2");
        assertArrayEquals(new int[] {1, 3, 2, 1}, new MaxPooling2D(1, 1).call(Tensor.ones(1, 3, 2, 1)).shape());
    }

    @Test
    void stridesAndDilationMustBePositiveFromOne() {
        rejects(() -> new Conv2D(2, 3).strides(0, 1), "Conv2D", "strides", "0x1");
        rejects(() -> new Conv2D(2, 3).strides(1, 0), "Conv2D", "strides", "1x0");
        rejects(() -> new Conv2DTranspose(2, 3).strides(0), "Conv2DTranspose", "strides", "0x0");
        rejects(() -> new Conv2D(2, 3).dilation(0, 1), "Conv2D", "dilation", "0x1");
        rejects(() -> new Conv2D(2, 3).dilation(1, 0), "Conv2D", "dilation", "1x0");
        rejects(() -> new MaxPooling2D(2).strides(0, 1), "MaxPooling2D", "strides", "0x1");
        rejects(() -> new AveragePooling2D(2).strides(1, 0), "AveragePooling2D", "strides", "1x0");
        rejects(() -> new MaxPooling2D(2).padding("full"), "MaxPooling2D", "\"full\"");
        // 1 is accepted everywhere: a 1x1 VALID window with stride 1 keeps the spatial size
        Tensor x = TestData.f64(2, 1, 4, 3, 2);
        assertArrayEquals(new int[] {1, 2, 2, 5}, dbl(new Conv2D(5, 3, 2).strides(1, 1).dilation(1, 1)).call(x).shape());
        assertArrayEquals(new int[] {1, 3, 2, 2}, new AveragePooling2D(2).strides(1, 1).call(x).shape());
    }

    @Test
    void batchAndLayerNormalizationOptionBounds() {
        rejects(() -> new BatchNormalization().momentum(-0.01), "BatchNormalization", "momentum", "-0.01");
        rejects(() -> new BatchNormalization().momentum(1.01), "BatchNormalization", "momentum", "1.01");
        rejects(() -> new BatchNormalization().virtualBatchSize(-1), "BatchNormalization", "virtualBatchSize", "-1");
        rejects(() -> new LayerNormalization().epsilon(0), "LayerNormalization", "epsilon", "0.0");
        rejects(() -> new Dropout(-0.01), "Dropout", "rate", "-0.01");
        rejects(() -> new Dropout(1.0), "Dropout", "rate", "1.0");
        // the bounds themselves are accepted: momentum 0 and 1, virtual batches 0 (off), rate 0 (identity in training)
        Tensor x = TestData.f64(3, 4, 2);
        assertArrayEquals(x.toDoubleArray(), dbl(new Dropout(0.0, 1)).call(x, true).toDoubleArray());
        assertEquals(0.0, new Dropout(0.0).rate());
        assertEquals(0.25, new Dropout(0.25).rate());
        BatchNormalization off = dbl(new BatchNormalization().virtualBatchSize(0));
        BatchNormalization plain = dbl(new BatchNormalization());
        assertArrayEquals(plain.call(x, true).toDoubleArray(), off.call(x, true).toDoubleArray(), "virtualBatchSize 0 is plain batch norm");
        assertNotNull(new BatchNormalization().momentum(0).momentum(1).epsilon(1e-5));
        assertNotNull(new LayerNormalization().epsilon(1e-5).center(false).scale(false));
    }

    @Test
    void optionsAreRefusedOnceBuilt() {
        Dense d = new Dense(2);
        d.setName("d");
        d.call(Tensor.ones(1, 3));
        refusedAfterBuild("Dense 'd'", List.of(() -> d.useBias(false), () -> d.kernelInitializer(Initializers.zeros()),
                () -> d.biasInitializer(Initializers.zeros()), () -> d.kernelRegularizer(Regularizer.l2(1)),
                () -> d.biasRegularizer(Regularizer.l2(1)), () -> d.kernelConstraint(Constraint.nonNeg()),
                () -> d.biasConstraint(Constraint.nonNeg())));
        Conv2D c = new Conv2D(2, 1);
        c.setName("c");
        c.call(Tensor.ones(1, 2, 2, 1));
        refusedAfterBuild("Conv2D 'c'", List.of(() -> c.strides(2), () -> c.dilation(2), () -> c.useBias(false),
                () -> c.kernelInitializer(Initializers.zeros()), () -> c.biasInitializer(Initializers.zeros()),
                () -> c.kernelRegularizer(Regularizer.l2(1)), () -> c.biasRegularizer(Regularizer.l2(1)),
                () -> c.kernelConstraint(Constraint.nonNeg()), () -> c.biasConstraint(Constraint.nonNeg())));
        BatchNormalization bn = new BatchNormalization();
        bn.setName("bn");
        bn.call(Tensor.ones(2, 3));
        refusedAfterBuild("BatchNormalization 'bn'", List.of(() -> bn.axis(0), () -> bn.center(false), () -> bn.scale(false),
                () -> bn.gammaInitializer(Initializers.zeros()), () -> bn.betaInitializer(Initializers.zeros()),
                () -> bn.movingMeanInitializer(Initializers.zeros()), () -> bn.movingVarianceInitializer(Initializers.zeros()),
                () -> bn.gammaRegularizer(Regularizer.l2(1)), () -> bn.betaRegularizer(Regularizer.l2(1))));
    }

    @Test
    void denseInitializersRegularizersAndConstraintsReachTheirWeights() {
        Dense d = dbl(new Dense(3).kernelInitializer(Initializers.constant(-0.5)).biasInitializer(Initializers.constant(0.25))
                .kernelRegularizer(Regularizer.l2(0.1)).biasRegularizer(Regularizer.l1(2))
                .kernelConstraint(Constraint.nonNeg()).biasConstraint(Constraint.clip(0.1)));
        assertEquals(3, d.units());
        assertSame(d, d.activation(Activation.tanh()).activation(null), "activation can be set at any time, and chains");
        Tensor y = d.call(Tensor.of(new double[] {1, 2}, 1, 2));
        // every output: 0.25 + (1 + 2) * -0.5
        assertClose(new double[] {-1.25, -1.25, -1.25}, y.toDoubleArray(), 1e-15);
        assertNotNull(d.bias());
        assertClose(new double[] {0.25, 0.25, 0.25}, d.bias().value().toDoubleArray(), 0);
        // 0.1 * 6 * 0.25 + 2 * 3 * 0.25
        assertEquals(0.15 + 1.5, penalty(d), 1e-12);
        Constraints.apply(d.kernel());
        Constraints.apply(d.bias());
        assertClose(new double[6], d.kernel().value().toDoubleArray(), 0);
        assertClose(new double[] {0.1, 0.1, 0.1}, d.bias().value().toDoubleArray(), 1e-15);
    }

    @Test
    void convInitializersRegularizersAndConstraintsReachTheirWeights() {
        for (boolean transpose : new boolean[] {false, true}) {
            ConvLayer<?> made = transpose ? new Conv2DTranspose(2, 1) : new Conv2D(2, 1);
            ConvLayer<?> c = dbl(made).kernelInitializer(Initializers.constant(2)).biasInitializer(Initializers.constant(-1))
                    .kernelRegularizer(Regularizer.l1(0.5)).biasRegularizer(Regularizer.l2(3))
                    .kernelConstraint(Constraint.clip(1.5)).biasConstraint(Constraint.nonNeg());
            assertSame(made, c, "the options chain");
            Tensor y = c.call(Tensor.of(new double[] {1, 2, 3}, 1, 1, 1, 3));
            // every output: -1 + 2 * (1 + 2 + 3); the kernel has 3 * 2 elements, the bias 2
            assertClose(new double[] {11, 11}, y.toDoubleArray(), 1e-15);
            assertEquals(0.5 * 12 + 3 * 2, penalty(c), 1e-12, c.getClass().getSimpleName());
            Constraints.apply(c.kernel());
            Constraints.apply(c.bias());
            assertClose(new double[] {1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, c.kernel().value().toDoubleArray(), 0);
            assertClose(new double[] {0, 0}, c.bias().value().toDoubleArray(), 0);
        }
    }

    @Test
    void batchNormalizationAndEmbeddingInitializersAndRegularizers() {
        BatchNormalization bn = dbl(new BatchNormalization().gammaInitializer(Initializers.constant(2))
                .betaInitializer(Initializers.constant(0.5)).movingMeanInitializer(Initializers.constant(1))
                .movingVarianceInitializer(Initializers.constant(4)).gammaRegularizer(Regularizer.l2(0.5))
                .betaRegularizer(Regularizer.l1(0.25)).epsilon(0.25));
        Tensor y = bn.call(Tensor.of(new double[] {3, -1}, 1, 2), false);
        // inference: (x - 1) / sqrt(4 + 0.25) * 2 + 0.5
        double s = 2 / Math.sqrt(4.25);
        assertClose(new double[] {2 * s + 0.5, -2 * s + 0.5}, y.toDoubleArray(), 1e-14);
        assertEquals(0.5 * 8 + 0.25 * 1, penalty(bn), 1e-12);

        Embedding emb = dbl(new Embedding(3, 2).embeddingsInitializer(Initializers.constant(-2))
                .embeddingsRegularizer(Regularizer.l2(0.5)));
        assertClose(new double[] {-2, -2}, emb.call(Tensor.of(new int[] {1}, 1)).toDoubleArray(), 0);
        assertEquals(0.5 * 6 * 4, penalty(emb), 1e-12);
    }
}
