package dev.fluxion.nn.layers;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * SpatialDropout1D/2D, GaussianNoise and GaussianDropout: the identity in inference; in training the structure and
 * statistics of the noise (tolerances of at least five standard errors, at fixed seeds), its gradient, seeds and
 * generator state as Dropout's, the same draws in a graph function as eagerly, masks passed on, refused arguments.
 */
class NoiseLayersTest {
    private static final List<LongFunction<Layer>> SEEDED = List.of(
            s -> new SpatialDropout1D(0.3, s), s -> new SpatialDropout2D(0.3, s), s -> new GaussianNoise(0.5, s), s -> new GaussianDropout(0.3, s));

    private static Tensor inputFor(Layer l, long seed) {
        return l instanceof SpatialDropout2D ? TestData.f64(seed, 2, 3, 4, 5) : TestData.f64(seed, 2, 6, 5);
    }

    @Test
    void inferenceAndZeroNoiseAreTheIdentity() {
        for (LongFunction<Layer> make : SEEDED) {
            Layer l = dbl(make.apply(1));
            Tensor x = inputFor(l, 2);
            assertArrayEquals(x.toDoubleArray(), l.call(x, false).toDoubleArray(), l.getClass().getSimpleName());
        }
        Tensor x = TestData.f64(3, 2, 6, 5), img = TestData.f64(4, 2, 3, 4, 5);
        assertArrayEquals(x.toDoubleArray(), dbl(new SpatialDropout1D(0, 1)).call(x, true).toDoubleArray());
        assertArrayEquals(img.toDoubleArray(), dbl(new SpatialDropout2D(0, 1)).call(img, true).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), dbl(new GaussianNoise(0, 1)).call(x, true).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), dbl(new GaussianDropout(0, 1)).call(x, true).toDoubleArray());
    }

    /** Checks that each (example, channel) of y = x·factor has one factor, 0 or 1/(1-rate); returns the kept fraction. */
    private static double checkChannels(double[] x, double[] y, int n, int inner, int c, double rate) {
        int kept = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                double factor = y[(b * inner) * c + ch] / x[(b * inner) * c + ch];
                assertTrue(factor == 0 || Math.abs(factor - 1 / (1 - rate)) < 1e-12, "factor " + factor);
                for (int i = 0; i < inner; i++) {
                    int at = (b * inner + i) * c + ch;
                    assertEquals(factor * x[at], y[at], 1e-12, "example " + b + ", channel " + ch + ", position " + i);
                }
                if (factor != 0) kept++;
            }
        return kept / (double) (n * c);
    }

    @Test
    void spatialDropoutDropsWholeChannelsPerExample() {
        // 64 x 32 = 2048 draws: the kept fraction's standard error is sqrt(0.75 * 0.25 / 2048) < 0.01
        Tensor seq = TestData.f64(5, 64, 10, 32);
        double[] y = dbl(new SpatialDropout1D(0.25, 7)).call(seq, true).toDoubleArray();
        assertEquals(0.75, checkChannels(seq.toDoubleArray(), y, 64, 10, 32, 0.25), 0.05);
        Tensor img = TestData.f64(6, 64, 3, 2, 32);
        double[] z = dbl(new SpatialDropout2D(0.5, 8)).call(img, true).toDoubleArray();
        assertEquals(0.5, checkChannels(img.toDoubleArray(), z, 64, 6, 32, 0.5), 0.06);
        // float32 layers too
        Tensor ones = Tensor.ones(8, 4, 16);
        float[] f = new SpatialDropout1D(0.5, 9).call(ones, true).toFloatArray();
        for (float v : f) assertTrue(v == 0 || v == 2, "kept channels are scaled by 1 / (1 - 0.5): " + v);
    }

    @Test
    void gaussianNoiseAddsZeroMeanNoiseOfTheStddev() {
        int n = 200_000;
        Tensor x = TestData.f64(10, 400, 500);
        GaussianNoise layer = dbl(new GaussianNoise(0.3, 11));
        assertEquals(0.3, layer.stddev());
        double[] xv = x.toDoubleArray(), yv = layer.call(x, true).toDoubleArray();
        double sum = 0, sq = 0;
        int within = 0;
        for (int i = 0; i < n; i++) {
            double e = yv[i] - xv[i];
            sum += e;
            sq += e * e;
            if (Math.abs(e) < 0.3) within++;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        // standard errors: 0.3 / sqrt(n) = 6.7e-4 for the mean, 0.09 * sqrt(2 / n) = 2.8e-4 for the variance
        assertEquals(0, mean, 0.004);
        assertEquals(0.09, var, 0.002);
        // normal, not just of that variance: erf(1 / sqrt 2) = 0.6827 of the draws within one stddev (error 1.0e-3)
        assertEquals(0.682689, within / (double) n, 0.006);
    }

    @Test
    void gaussianDropoutMultipliesByMeanOneNoise() {
        int n = 200_000;
        GaussianDropout layer = dbl(new GaussianDropout(0.2, 12));
        assertEquals(0.2, layer.rate());
        assertEquals(0.5, layer.stddev(), 1e-15, "sqrt(0.2 / 0.8)");
        Tensor x = TestData.f64(13, 400, 500);
        double[] xv = x.toDoubleArray(), yv = layer.call(x, true).toDoubleArray();
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double f = yv[i] / xv[i];
            sum += f;
            sq += f * f;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        // standard errors: 0.5 / sqrt(n) = 1.1e-3 for the mean, 0.25 * sqrt(2 / n) = 7.9e-4 for the variance
        assertEquals(1, mean, 0.01);
        assertEquals(0.25, var, 0.006);
    }

    @Test
    void theGradientIsTheNoiseFactor() {
        for (LongFunction<Layer> make : SEEDED) {
            Layer l = dbl(make.apply(21));
            Variable x = new Variable(inputFor(l, 22), "x");
            try (GradientTape tape = new GradientTape()) {
                tape.watch(x);
                Tensor y = l.call(x.value(), true);
                double[] g = tape.gradient(y.sum(), List.of(x)).get(0).toDoubleArray(), yv = y.toDoubleArray(), xv = x.value().toDoubleArray();
                for (int i = 0; i < g.length; i++) {
                    double expected = l instanceof GaussianNoise ? 1 : yv[i] / xv[i];
                    assertEquals(expected, g[i], 1e-9, l.getClass().getSimpleName() + " element " + i);
                }
            }
        }
    }

    @Test
    void seedsAndGeneratorStatesAsDropouts() {
        for (LongFunction<Layer> make : SEEDED) {
            Layer a = make.apply(31), b = make.apply(31), c = make.apply(32);
            Tensor x = inputFor(a, 33).cast(dev.fluxion.DType.FLOAT32);
            String name = a.getClass().getSimpleName();
            float[] first = a.call(x, true).toFloatArray();
            assertArrayEquals(first, b.call(x, true).toFloatArray(), name + ": the same seed, the same draw");
            assertFalse(Arrays.equals(first, c.call(x, true).toFloatArray()), name + ": another seed, another draw");
            Rng rng = rng(a);
            long[] state = rng.state();
            float[] second = a.call(x, true).toFloatArray();
            assertFalse(Arrays.equals(first, second), name + ": the generator advanced");
            rng.setState(state);
            assertArrayEquals(second, a.call(x, true).toFloatArray(), name + ": a saved state replays the draw");
        }
        Rng.setGlobalSeed(41);
        Tensor x = Tensor.ones(4, 6, 8);
        float[] one = new GaussianNoise(1).call(x, true).toFloatArray(), two = new GaussianNoise(1).call(x, true).toFloatArray();
        assertFalse(Arrays.equals(one, two), "two unseeded layers made in turn draw differently");
        Rng.setGlobalSeed(41);
        assertArrayEquals(one, new GaussianNoise(1).call(x, true).toFloatArray(), "the same global seed, the same first layer");
        Rng.setGlobalSeed(41);
        float[] spatial = new SpatialDropout1D(0.5).call(x, true).toFloatArray();
        Rng.setGlobalSeed(41);
        assertArrayEquals(spatial, new SpatialDropout1D(0.5).call(x, true).toFloatArray());
        Rng.setGlobalSeed(41);
        float[] gd = new GaussianDropout(0.5).call(x, true).toFloatArray();
        Rng.setGlobalSeed(41);
        assertArrayEquals(gd, new GaussianDropout(0.5).call(x, true).toFloatArray());
        Rng.setGlobalSeed(41);
        float[] s2 = new SpatialDropout2D(0.5).call(x.reshape(4, 2, 3, 8), true).toFloatArray();
        Rng.setGlobalSeed(41);
        assertArrayEquals(s2, new SpatialDropout2D(0.5).call(x.reshape(4, 2, 3, 8), true).toFloatArray());
    }

    private static Rng rng(Layer l) {
        if (l instanceof SpatialDropout s) return s.rng();
        if (l instanceof GaussianNoise g) return g.rng();
        return ((GaussianDropout) l).rng();
    }

    @Test
    void aGraphFunctionDrawsAsEagerCallsDo() {
        for (LongFunction<Layer> make : SEEDED) {
            Layer eager = make.apply(51), traced = make.apply(51);
            String name = eager.getClass().getSimpleName();
            GraphFunction<Tensor> train = Fx.function("noise_train", (Tensor t) -> traced.call(t, true));
            GraphFunction<Tensor> infer = Fx.function("noise_infer", (Tensor t) -> traced.call(t, false));
            Tensor x = inputFor(eager, 52).cast(dev.fluxion.DType.FLOAT32);
            float[] previous = null;
            for (int i = 0; i < 3; i++) {
                float[] e = eager.call(x, true).toFloatArray(), g = train.call(x).toFloatArray();
                assertArrayEquals(e, g, 1e-6f, name + " call " + i);
                if (previous != null) assertFalse(Arrays.equals(previous, g), name + ": a fresh draw on every call");
                previous = g;
            }
            assertEquals(1, train.tracingCount(), name);
            assertArrayEquals(x.toFloatArray(), infer.call(x).toFloatArray(), name);
        }
    }

    @Test
    void masksPassThroughAndShapesAreKept() {
        Tensor mask = Tensor.of(new boolean[] {true, true, false, true, false, false}, 2, 3);
        for (Layer l : List.of(new SpatialDropout1D(0.5, 1), new GaussianNoise(0.5, 1), new GaussianDropout(0.5, 1))) {
            Tensor x = Masks.attach(TestData.f32(61, 2, 3, 4), mask);
            for (boolean training : new boolean[] {true, false})
                assertArrayEquals(mask.toBooleanArray(), Masks.of(l.call(x, training)).toBooleanArray(), l.getClass().getSimpleName());
        }
        Tensor img = Masks.attach(TestData.f32(62, 2, 3, 2, 4), mask);
        assertArrayEquals(mask.toBooleanArray(), Masks.of(new SpatialDropout2D(0.5, 1).call(img, true)).toBooleanArray());
        assertArrayEquals(new int[] {-1, -1, 4}, Sequential.of(Input.shape(-1, 4), new SpatialDropout1D(0.2)).outputShape());
        assertArrayEquals(new int[] {-1, -1, -1, 3}, Sequential.of(Input.shape(-1, -1, 3), new SpatialDropout2D(0.2)).outputShape());
        assertArrayEquals(new int[] {-1, -1, 4}, Sequential.of(Input.shape(-1, 4), new GaussianNoise(0.1), new GaussianDropout(0.1)).outputShape());
    }

    @Test
    void refusedArgumentsAndInputsNameTheLayer() {
        for (double bad : new double[] {-0.1, 1, Double.NaN}) {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new SpatialDropout1D(bad)), "SpatialDropout1D", "rate must be in [0, 1), got " + bad);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new SpatialDropout2D(bad, 1)), "SpatialDropout2D", "rate must be in [0, 1), got " + bad);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new GaussianDropout(bad)), "GaussianDropout", "rate must be in [0, 1), got " + bad);
        }
        for (double bad : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY})
            assertMentions(assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(bad, 1)), "GaussianNoise", "finite and >= 0, got " + bad);
        SpatialDropout1D s1 = new SpatialDropout1D(0.5, 1);
        SpatialDropout2D s2 = new SpatialDropout2D(0.5, 1);
        for (boolean training : new boolean[] {true, false}) {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> s1.call(Tensor.ones(2, 3, 4, 5), training)),
                    "SpatialDropout1D '" + s1.name() + "'", "rank 3", "[2,3,4,5]");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> s2.call(Tensor.ones(2, 3, 4), training)),
                    "SpatialDropout2D '" + s2.name() + "'", "rank 4", "NHWC", "[2,3,4]");
        }
    }
}
