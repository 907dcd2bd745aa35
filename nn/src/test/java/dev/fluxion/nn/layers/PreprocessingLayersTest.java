package dev.fluxion.nn.layers;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.nn.Functional;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.*;

/** Normalization and Rescaling (Keras' preprocessing layers) against float64 references written out here. */
class PreprocessingLayersTest {
    /**
     * The population mean and variance of x (row-major, of this shape) over every axis not in keep (sorted), one
     * pair per position of the kept axes in row-major order: {means, variances}.
     */
    static double[][] stats(double[] x, int[] shape, int... keep) {
        int n = 1;
        for (int k : keep) n *= shape[k];
        double[] sum = new double[n], count = new double[n];
        for (int i = 0; i < x.length; i++) sum[slot(i, shape, keep)] += x[i];
        for (int i = 0; i < x.length; i++) count[slot(i, shape, keep)]++;
        double[] mean = new double[n], var = new double[n];
        for (int j = 0; j < n; j++) mean[j] = sum[j] / count[j];
        for (int i = 0; i < x.length; i++) {
            int j = slot(i, shape, keep);
            var[j] += (x[i] - mean[j]) * (x[i] - mean[j]) / count[j];
        }
        return new double[][] {mean, var};
    }

    /** The kept-axes position of flat index i. */
    private static int slot(int i, int[] shape, int[] keep) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        int s = 0;
        for (int k : keep) s = s * shape[k] + idx[k];
        return s;
    }

    /** (x - mean) / max(sqrt(var), 1e-7) with the statistics at each element's kept position. */
    private static double[] normalized(double[] x, int[] shape, int[] keep, double[][] st) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int j = slot(i, shape, keep);
            out[i] = (x[i] - st[0][j]) / Math.max(Math.sqrt(st[1][j]), 1e-7);
        }
        return out;
    }

    private static void assertRelClose(double[] expected, double[] actual, double rel) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], rel * Math.max(1, Math.abs(expected[i])), "index " + i);
    }

    @Test
    void adaptOnATensorForSeveralAxes() {
        int[] shape = {5, 4, 3};
        Tensor x = TestData.f32(1, shape).mul(3).add(2);
        double[] xv = x.toDoubleArray();
        // axis(...) as given, and the kept axes it means for rank 3
        int[][][] cases = {{{-1}, {2}}, {{1}, {1}}, {{1, -1}, {1, 2}}, {{}, {}}, {{0}, {0}}, {{0, 1, 2}, {0, 1, 2}}};
        for (int[][] c : cases) {
            Normalization norm = new Normalization().axis(c[0]).adapt(x);
            double[][] st = stats(xv, shape, c[1]);
            String what = "axis " + java.util.Arrays.toString(c[0]);
            assertRelClose(st[0], norm.adaptedMean().value().toDoubleArray(), 1e-6);
            assertRelClose(st[1], norm.adaptedVariance().value().toDoubleArray(), 1e-6);
            int[] kept = new int[c[1].length];
            for (int k = 0; k < kept.length; k++) kept[k] = shape[c[1][k]];
            assertArrayEquals(kept, norm.adaptedMean().shape(), what);
            // all kept: every element is its own mean, variance 0, and the 1e-7 floor gives 0 instead of NaN
            assertRelClose(normalized(xv, shape, c[1], st), norm.call(x).toDoubleArray(), 1e-5);
        }
    }

    @Test
    void adaptOnBatchesEqualsAdaptOnTheWholeData() {
        int[] shape = {23, 2, 3};
        Tensor x = TestData.f64(2, shape).mul(5).add(100), y = TestData.f64(3, 23, 1);
        double[][] st = stats(x.toDoubleArray(), shape, 2);
        Normalization whole = new Normalization().adapt(x);
        Normalization batched = new Normalization().adapt(Dataset.fromTensorSlices(x).batch(5)); // 5 * 4 + 3
        Normalization pairs = new Normalization().adapt(Dataset.fromTensorSlices(x, y).batch(7));
        Normalization uneven = new Normalization().adapt(Dataset.of(x.slice(0, 1), x.slice(1, 23)));
        for (Normalization n : List.of(whole, batched, pairs, uneven)) {
            assertRelClose(st[0], n.adaptedMean().value().toDoubleArray(), 1e-7);
            assertRelClose(st[1], n.adaptedVariance().value().toDoubleArray(), 1e-6);
        }
        // global statistics over batches of a different size each
        Normalization global = new Normalization().axis().adapt(Dataset.fromTensorSlices(x).batch(6));
        double[][] g = stats(x.toDoubleArray(), shape);
        assertRelClose(g[0], global.adaptedMean().value().toDoubleArray(), 1e-7);
        assertRelClose(g[1], global.adaptedVariance().value().toDoubleArray(), 1e-6);
        // adapting again replaces the statistics
        whole.adapt(x.mul(2));
        assertRelClose(new double[] {2 * st[0][0]}, new double[] {whole.adaptedMean().value().toDoubleArray()[0]}, 1e-7);
    }

    @Test
    void invertIsTheInverseTransform() {
        int[] shape = {6, 4};
        Tensor x = TestData.f32(4, shape).mul(2).add(-1);
        double[] xv = x.toDoubleArray();
        Normalization norm = new Normalization().adapt(x);
        Normalization inv = new Normalization().invert(true).adapt(x);
        double[][] st = stats(xv, shape, 1);
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) expected[i] = st[0][i % 4] + xv[i] * Math.sqrt(st[1][i % 4]);
        assertRelClose(expected, inv.call(x).toDoubleArray(), 1e-5);
        assertRelClose(xv, inv.call(norm.call(x)).toDoubleArray(), 1e-5);
    }

    @Test
    void fixedMeanAndVarianceBroadcastAsInKeras() {
        // Keras' own example: mean 3, variance 2 on [[1], [2], [3]]
        Normalization scalar = new Normalization().mean(3).variance(2);
        assertClose(new double[] {-1.4142135, -0.70710677, 0}, scalar.call(Tensor.of(new float[] {1, 2, 3}, 3, 1)).toDoubleArray(), 1e-6);
        assertEquals(0, scalar.countParams(), "fixed statistics are constants, not weights");
        double[] m = {1, -2, 0.5}, v = {4, 0.25, 9};
        Tensor x = TestData.f32(5, 2, 4, 3);
        double[] xv = x.toDoubleArray(), expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) expected[i] = (xv[i] - m[i % 3]) / Math.sqrt(v[i % 3]);
        assertRelClose(expected, new Normalization().mean(m).variance(v).call(x).toDoubleArray(), 1e-6);
        assertRelClose(expected, new Normalization().mean(Tensor.of(m, 3)).variance(Tensor.of(v, 3)).call(x).toDoubleArray(), 1e-6);
        // per-feature values on two kept axes: [3] broadcasts along the [4, 3] statistics
        Normalization two = new Normalization().axis(1, 2).mean(m).variance(2);
        for (int i = 0; i < xv.length; i++) expected[i] = (xv[i] - m[i % 3]) / Math.sqrt(2);
        assertRelClose(expected, two.call(x).toDoubleArray(), 1e-6);
        assertArrayEquals(new int[] {4, 3}, two.meanValue().shape());
        // inverted with fixed statistics
        Normalization inv = new Normalization().mean(m).variance(v).invert(true);
        for (int i = 0; i < xv.length; i++) expected[i] = m[i % 3] + xv[i] * Math.sqrt(v[i % 3]);
        assertRelClose(expected, inv.call(x).toDoubleArray(), 1e-6);
    }

    @Test
    void integerInputsAreCastAndMasksPassThrough() {
        Normalization norm = new Normalization().mean(1).variance(4);
        Tensor y = norm.call(Tensor.of(new int[] {1, 3, 5, 7}, 2, 2));
        assertEquals(DType.FLOAT32, y.dtype());
        assertClose(new double[] {0, 1, 2, 3}, y.toDoubleArray(), 1e-7);
        Tensor mask = Tensor.of(new boolean[] {true, false}, 2);
        Tensor x = Masks.attach(TestData.f32(6, 2, 3), mask);
        assertSame(mask, Masks.of(new Normalization().mean(0).variance(1).call(x)));
        assertSame(mask, Masks.of(new Rescaling(2).call(x)));
    }

    @Test
    void statisticsAreNonTrainableWeightsSavedWithTheModel(@TempDir Path dir) throws Exception {
        int[] shape = {64, 3};
        Tensor x = TestData.f32(7, shape).mul(Tensor.of(new float[] {1, 10, 100}, 3)).add(Tensor.of(new float[] {5, -50, 500}, 3));
        double[] xv = x.toDoubleArray(), yv = new double[64];
        double[][] st = stats(xv, shape, 1);
        for (int i = 0; i < 64; i++) yv[i] = 0;
        for (int i = 0; i < 64; i++)
            for (int c = 0; c < 3; c++) yv[i] += (c + 1) * (xv[i * 3 + c] - st[0][c]) / Math.sqrt(st[1][c]);
        Tensor y = Tensor.of(yv, 64, 1).cast(DType.FLOAT32);
        Normalization norm = new Normalization();
        norm.adapt(x);
        Sequential model = Sequential.of(norm, new Dense(1).kernelInitializer(Initializers.glorotUniform(3L)));
        model.compile(new Adam(0.1), new MeanSquaredError());
        History h = model.fit(x, y, Fit.epochs(15).batchSize(16).seed(1).verbose(0));
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.05 * loss.get(0), "the loss falls: " + loss);
        assertEquals(2, model.nonTrainableVariables().size());
        assertEquals(2, norm.variables().size());
        assertTrue(norm.trainableVariables().isEmpty());
        assertRelClose(st[0], norm.adaptedMean().value().toDoubleArray(), 1e-6); // fit leaves the statistics alone
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf));
        try {
            model.summary();
        } finally {
            System.setOut(out);
        }
        assertTrue(buf.toString().contains("Non-trainable params: 6"), buf.toString());

        Path file = dir.resolve("w.safetensors");
        model.saveWeights(file);
        Normalization fresh = new Normalization();
        Sequential copy = Sequential.of(Input.shape(3), fresh, new Dense(1)); // built symbolically, not adapted
        assertArrayEquals(new float[] {0, 0, 0}, fresh.adaptedMean().value().toFloatArray()); // Keras' mean 0, variance 1
        assertArrayEquals(new float[] {1, 1, 1}, fresh.adaptedVariance().value().toFloatArray());
        copy.loadWeights(file);
        assertRelClose(st[0], fresh.adaptedMean().value().toDoubleArray(), 1e-6);
        assertRelClose(st[1], fresh.adaptedVariance().value().toDoubleArray(), 1e-5);
        assertArrayEquals(model.predict(x, 64).toFloatArray(), copy.predict(x, 64).toFloatArray(), 1e-5f);
    }

    @Test
    void graphFunctionEqualsEager() {
        Tensor x = TestData.f32(8, 7, 5);
        Normalization norm = new Normalization().adapt(x.mul(2).add(1));
        Rescaling rescale = new Rescaling(0.5, -1);
        var f = Fx.function("preprocess", (Tensor t) -> rescale.call(norm.call(t)));
        assertArrayEquals(rescale.call(norm.call(x)).toFloatArray(), f.call(x).toFloatArray(), 1e-6f);
        // the traced function reads the statistics when it runs: a new adapt shows without retracing
        norm.adapt(x);
        assertArrayEquals(rescale.call(norm.call(x)).toFloatArray(), f.call(x).toFloatArray(), 1e-6f);
    }

    @Test
    void aFunctionalModelMayBeBuiltBeforeAdapt() {
        KerasTensor in = Input.shape(3);
        Normalization norm = new Normalization();
        norm.setName("norm_early");
        KerasTensor out = norm.apply(in);
        assertArrayEquals(new int[] {-1, 3}, out.shape());
        Functional model = Functional.of(in, out);
        Tensor x = TestData.f32(9, 10, 3);
        // before adapt the statistics are Keras' mean 0 and variance 1: the layer passes its input through
        assertArrayEquals(x.toFloatArray(), model.call(x).toFloatArray());
        norm.adapt(x);
        double[] xv = x.toDoubleArray();
        assertRelClose(normalized(xv, new int[] {10, 3}, new int[] {1}, stats(xv, new int[] {10, 3}, 1)), model.call(x).toDoubleArray(), 1e-5);
    }

    @Test
    void rescalingScalesAndShiftsAndCastsIntegers() {
        Tensor x = TestData.f64(10, 3, 4);
        double[] xv = x.toDoubleArray(), expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) expected[i] = xv[i] * 0.25 - 3;
        Rescaling r = new Rescaling(0.25, -3);
        assertClose(expected, TestData.dbl(r).call(x).toDoubleArray(), 1e-12);
        assertEquals(0.25, r.scale());
        assertEquals(-3, r.offset());
        Tensor pixels = Tensor.of(new int[] {0, 255, 51, 128}, 2, 2);
        Tensor y = new Rescaling(1 / 255.0).call(pixels);
        assertEquals(DType.FLOAT32, y.dtype());
        assertClose(new double[] {0, 1, 0.2, 128 / 255.0}, y.toDoubleArray(), 1e-7);
        assertEquals(0, new Rescaling(2).countParams());
    }

    /**
     * On MNIST's 10,000 test images ([n, 28, 28, 1] in [0, 1]), adapted in batches of 1,000 through the data
     * module: the per-pixel and the global statistics equal a float64 loop over all the pixels.
     */
    @Test
    void adaptOnMnistMatchesAFloat64Loop() throws Exception {
        TrainTest data = dev.fluxion.nn.TestData.mnistOrSkip();
        Tensor images = data.test().x();
        int n = images.dim(0), pixels = 28 * 28;
        float[] v = images.toFloatArray();
        double[] mean = new double[pixels], var = new double[pixels];
        double globalSum = 0;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < pixels; p++) {
                mean[p] += v[i * pixels + p];
                globalSum += v[i * pixels + p];
            }
        for (int p = 0; p < pixels; p++) mean[p] /= n;
        double globalMean = globalSum / ((double) n * pixels), globalVar = 0;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < pixels; p++) {
                double d = v[i * pixels + p] - mean[p], g = v[i * pixels + p] - globalMean;
                var[p] += d * d / n;
                globalVar += g * g;
            }
        globalVar /= (double) n * pixels;

        Dataset<Pair> batches = Dataset.fromTensorSlices(data.test()).batch(1000);
        Normalization perPixel = new Normalization().axis(1, 2, 3).adapt(batches);
        assertArrayEquals(new int[] {28, 28, 1}, perPixel.adaptedMean().shape());
        double[] m = perPixel.adaptedMean().value().toDoubleArray(), s = perPixel.adaptedVariance().value().toDoubleArray();
        for (int p = 0; p < pixels; p++) {
            assertEquals(mean[p], m[p], 1e-7 * Math.max(1, mean[p]), "mean of pixel " + p);
            assertEquals(var[p], s[p], 1e-7 * Math.max(1, var[p]), "variance of pixel " + p);
        }
        Normalization global = new Normalization().axis().adapt(batches);
        assertEquals(globalMean, global.adaptedMean().value().item(), 1e-7 * globalMean);
        assertEquals(globalVar, global.adaptedVariance().value().item(), 1e-7 * globalVar);
        // the first 100 images normalized with the global statistics
        Tensor z = global.call(images.slice(0, 100));
        double[] zv = z.toDoubleArray(), expected = new double[zv.length];
        for (int i = 0; i < zv.length; i++) expected[i] = (v[i] - globalMean) / Math.sqrt(globalVar);
        assertRelClose(expected, zv, 1e-5);
    }

    @Test
    void errorsNameTheLayerAndTheShapes() {
        Tensor x = TestData.f32(11, 4, 3);
        Normalization onlyMean = new Normalization().mean(1);
        onlyMean.setName("norm_b");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> onlyMean.call(x)), "'norm_b'", "both mean and variance", "only mean");
        Normalization onlyVar = new Normalization().variance(1);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> onlyVar.call(x)), "only variance");
        Normalization badAxis = new Normalization().axis(2);
        badAxis.setName("norm_c");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> badAxis.call(x)), "'norm_c'", "axis 2", "[4,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().axis(-3).adapt(x)), "axis -3", "[4,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().axis(1, -1).adapt(x)), "repeated");
        Normalization badMean = new Normalization().mean(1, 2).variance(1);
        badMean.setName("norm_d");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> badMean.call(x)), "'norm_d'", "mean of shape [2]", "[3]");
        Normalization adapted = new Normalization();
        adapted.setName("norm_e");
        adapted.adapt(x);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> adapted.call(TestData.f32(12, 4, 5))), "'norm_e'", "call", "[4,5]", "[4,3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> adapted.call(TestData.f32(12, 4, 3, 1))), "[4,3,1]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> adapted.adapt(TestData.f32(12, 2, 5))), "'norm_e'", "adapt", "[2,5]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> adapted.adapt(Dataset.of(x, TestData.f32(1, 2, 4)))), "adapt", "[2,4]");
        assertMentions(assertThrows(IllegalStateException.class, () -> adapted.axis(0)), "'norm_e'", "before the layer is built");
        assertMentions(assertThrows(IllegalStateException.class, () -> adapted.mean(0)), "'norm_e'", "before the layer is built");
        assertMentions(assertThrows(IllegalStateException.class, () -> new Normalization().mean(0).variance(1).adapt(x)), "fixed mean and variance");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().adapt(Dataset.of(new Object[0]))), "empty dataset");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().adapt(Dataset.of("a"))), "Tensors or Pairs", "String");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().adapt((Tensor) null)), "adapt data is null");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().mean(new double[0])), "at least one value");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().variance((Tensor) null)), "variance is null");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Normalization().axis((int[]) null)), "axis is null");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Rescaling(Double.NaN)), "Rescaling", "finite", "NaN");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Rescaling(1, Double.POSITIVE_INFINITY)), "offset Infinity");
    }
}
