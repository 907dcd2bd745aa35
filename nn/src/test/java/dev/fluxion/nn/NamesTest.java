package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.losses.BinaryCrossentropy;
import dev.fluxion.nn.losses.CategoricalCrossentropy;
import dev.fluxion.nn.losses.Huber;
import dev.fluxion.nn.losses.Losses;
import dev.fluxion.nn.losses.MeanAbsoluteError;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.AUC;
import dev.fluxion.nn.metrics.BinaryAccuracy;
import dev.fluxion.nn.metrics.CategoricalAccuracy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.metrics.Precision;
import dev.fluxion.nn.metrics.Recall;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.metrics.SparseTopKCategoricalAccuracy;
import dev.fluxion.nn.metrics.TopKCategoricalAccuracy;
import dev.fluxion.nn.optimizers.Adagrad;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.optimizers.AdamW;
import dev.fluxion.nn.optimizers.Optimizers;
import dev.fluxion.nn.optimizers.RMSprop;
import dev.fluxion.nn.optimizers.SGD;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Keras names that compile(...) and layers accept: each resolves to the class Keras means, and an unknown name's
 * error lists exactly the names that are accepted.
 */
class NamesTest {
    @Test
    void lossNames() {
        assertInstanceOf(CategoricalCrossentropy.class, Losses.get("categorical_crossentropy"));
        assertInstanceOf(SparseCategoricalCrossentropy.class, Losses.get("sparse_categorical_crossentropy"));
        assertInstanceOf(BinaryCrossentropy.class, Losses.get("binary_crossentropy"));
        for (String n : List.of("mse", "mean_squared_error")) assertInstanceOf(MeanSquaredError.class, Losses.get(n));
        for (String n : List.of("mae", "mean_absolute_error")) assertInstanceOf(MeanAbsoluteError.class, Losses.get(n));
        for (String n : List.of("huber", "huber_loss")) assertInstanceOf(Huber.class, Losses.get(n));
        knownNamesAreAccepted(() -> Losses.get("cross_entropy"), Losses::get);
    }

    @Test
    void lossFunctionFormsArePerExampleValuesOfTheClasses() {
        Tensor p = Tensor.of(new float[] {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f}, 2, 3);
        Tensor onehot = Tensor.of(new float[] {1, 0, 0, 0, 0, 1}, 2, 3);
        Tensor sparse = Tensor.of(new int[] {0, 2}, 2);
        float[] ce = Losses.categoricalCrossentropy(onehot, p).toFloatArray();
        assertArrayEquals(new float[] {(float) -Math.log(0.7), (float) -Math.log(0.6)}, ce, 1e-6f);
        assertArrayEquals(ce, Losses.sparseCategoricalCrossentropy(sparse, p).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(0.09f + 0.04f + 0.01f) / 3, (0.01f + 0.09f + 0.16f) / 3},
                Losses.meanSquaredError(onehot, p).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(0.3f + 0.2f + 0.1f) / 3, (0.1f + 0.3f + 0.4f) / 3},
                Losses.meanAbsoluteError(onehot, p).toFloatArray(), 1e-6f);
        double bce0 = -(Math.log(0.7) + Math.log(0.8) + Math.log(0.9)) / 3;
        assertEquals(bce0, Losses.binaryCrossentropy(onehot, p).toFloatArray()[0], 1e-5);
    }

    @Test
    void optimizerNamesWithKerasDefaults() {
        assertInstanceOf(SGD.class, Optimizers.get("sgd"));
        assertInstanceOf(Adam.class, Optimizers.get("Adam")); // Keras accepts either case
        assertInstanceOf(AdamW.class, Optimizers.get("adamw"));
        assertInstanceOf(RMSprop.class, Optimizers.get("rmsprop"));
        assertInstanceOf(Adagrad.class, Optimizers.get("adagrad"));
        assertEquals(0.001f, Optimizers.get("adam").learningRate().item(), 0f);
        assertEquals(0.01f, Optimizers.get("sgd").learningRate().item(), 0f);
        knownNamesAreAccepted(() -> Optimizers.get("ftrl"), Optimizers::get);
    }

    @Test
    void metricNames() {
        assertEquals("accuracy", Metrics.get("accuracy").name());
        assertEquals("acc", Metrics.get("acc").name());
        assertInstanceOf(CategoricalAccuracy.class, Metrics.get("categorical_accuracy"));
        assertInstanceOf(SparseCategoricalAccuracy.class, Metrics.get("sparse_categorical_accuracy"));
        assertInstanceOf(BinaryAccuracy.class, Metrics.get("binary_accuracy"));
        assertInstanceOf(TopKCategoricalAccuracy.class, Metrics.get("top_k_categorical_accuracy"));
        assertInstanceOf(SparseTopKCategoricalAccuracy.class, Metrics.get("sparse_top_k_categorical_accuracy"));
        assertInstanceOf(Precision.class, Metrics.get("precision"));
        assertInstanceOf(Recall.class, Metrics.get("recall"));
        assertInstanceOf(AUC.class, Metrics.get("auc"));
        knownNamesAreAccepted(() -> Metrics.get("f1"), Metrics::get);
    }

    @Test
    void initializerNamesGiveTheirDistributions() {
        int[] shape = {200, 300};
        assertTrue(Arrays.stream(box(Initializers.get("zeros").apply(shape, DType.FLOAT32))).allMatch(v -> v == 0));
        assertTrue(Arrays.stream(box(Initializers.get("ones").apply(shape, DType.FLOAT32))).allMatch(v -> v == 1));
        double glorot = Math.sqrt(6.0 / (200 + 300)), he = Math.sqrt(6.0 / 200), lecun = Math.sqrt(3.0 / 200);
        assertUniform(Initializers.get("glorot_uniform").apply(shape, DType.FLOAT32), glorot);
        assertUniform(Initializers.get("he_uniform").apply(shape, DType.FLOAT32), he);
        assertUniform(Initializers.get("lecun_uniform").apply(shape, DType.FLOAT32), lecun);
        // the normal ones are truncated at two standard deviations, with the variance kept (Keras' VarianceScaling)
        assertStd(Initializers.get("glorot_normal").apply(shape, DType.FLOAT32), Math.sqrt(2.0 / 500));
        assertStd(Initializers.get("he_normal").apply(shape, DType.FLOAT32), Math.sqrt(2.0 / 200));
        assertStd(Initializers.get("lecun_normal").apply(shape, DType.FLOAT32), Math.sqrt(1.0 / 200));
        for (String n : List.of("random_normal", "random_uniform", "uniform", "truncated_normal", "GlorotUniform"))
            assertArrayEquals(shape, Initializers.get(n).apply(shape, DType.FLOAT32).shape(), n);
        // rank 2: orthogonal, like Keras', refuses vectors
        knownNamesAreAccepted(() -> Initializers.get("xavier"), n -> Initializers.get(n).apply(new int[] {2, 2}, DType.FLOAT32));
    }

    @Test
    void activationNames() {
        for (String n : List.of("relu", "relu6", "elu", "selu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax",
                "softplus", "softsign", "leaky_relu", "swish"))
            assertEquals(n, Activation.get(n).function(), n);
        Tensor x = Tensor.vector(-1, 2);
        assertArrayEquals(new float[] {-1, 2}, Activation.get(null).activate(x).toFloatArray());
        assertArrayEquals(new float[] {-1, 2}, Activation.get("linear").activate(x).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Activation.get("rectifier"));
        assertTrue(e.getMessage().contains("'rectifier'") && e.getMessage().contains("known:"), e.getMessage());
    }

    /** The unknown name's message lists the known names ("known: a, b (c), d"), and every one of them resolves. */
    private static void knownNamesAreAccepted(org.junit.jupiter.api.function.Executable unknown, Function<String, ?> get) {
        String msg = assertThrows(IllegalArgumentException.class, unknown).getMessage();
        int at = msg.indexOf("known: ");
        assertTrue(at >= 0, msg);
        String[] names = msg.substring(at + 7).replaceAll("[()]", ",").split("[,\\s]+");
        assertTrue(names.length >= 5, msg);
        for (String n : names) assertNotNull(get.apply(n), n);
    }

    private static Float[] box(Tensor t) {
        float[] v = t.toFloatArray();
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    private static void assertUniform(Tensor t, double limit) {
        float[] v = t.toFloatArray();
        double max = 0, sumSq = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
            sumSq += f * f;
        }
        assertTrue(max <= limit, "beyond the limit " + limit + ": " + max);
        assertTrue(max > 0.99 * limit, "does not reach the limit " + limit + ": " + max);
        assertEquals(limit * limit / 3, sumSq / v.length, 0.02 * limit * limit); // the variance of U(-l, l)
    }

    private static void assertStd(Tensor t, double std) {
        float[] v = t.toFloatArray();
        double sumSq = 0, max = 0;
        for (float f : v) {
            sumSq += f * f;
            max = Math.max(max, Math.abs(f));
        }
        assertEquals(std, Math.sqrt(sumSq / v.length), 0.03 * std);
        assertTrue(max <= 2 * std / 0.87962566103423978 + 1e-6, "beyond two truncated standard deviations: " + max);
    }
}
