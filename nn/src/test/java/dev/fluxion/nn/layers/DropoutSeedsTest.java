package dev.fluxion.nn.layers;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.TestData;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Where Dropout's masks come from: unseeded layers draw their seeds from the global generator (deterministic after
 * {@code Rng.setGlobalSeed}, different per layer and per global seed), and a layer's own generator state can be
 * saved and restored. Also the switch that turns the layers' fused eager forms off.
 */
class DropoutSeedsTest {
    private static final Tensor ONES = Tensor.ones(64, 64);

    private static float[] mask(Dropout d) {
        return d.call(ONES, true).toFloatArray();
    }

    @Test
    void unseededLayersAreDeterministicPerGlobalSeedAndDistinct() {
        Rng.setGlobalSeed(7);
        Dropout a = new Dropout(0.5), b = new Dropout(0.5);
        float[] ma = mask(a), mb = mask(b);
        assertFalse(java.util.Arrays.equals(ma, mb), "two layers made in turn draw different masks");
        Rng.setGlobalSeed(7);
        assertArrayEquals(ma, mask(new Dropout(0.5)), "the same global seed, the same first layer");
        Rng.setGlobalSeed(8);
        assertFalse(java.util.Arrays.equals(ma, mask(new Dropout(0.5))), "another global seed, another mask");
        assertFalse(java.util.Arrays.equals(ma, mask(new Dropout(0.5, 7))), "the layer's seed is not the global seed itself");
        for (float v : ma) assertTrue(v == 0 || v == 2, "kept elements are scaled by 1 / (1 - 0.5): " + v);
    }

    @Test
    void aSavedGeneratorStateReplaysTheMask() {
        Dropout d = new Dropout(0.3, 11);
        assertEquals(0.3, d.rate());
        long[] state = d.rng().state();
        float[] first = mask(d);
        assertFalse(java.util.Arrays.equals(first, mask(d)), "the generator advanced");
        d.rng().setState(state);
        assertArrayEquals(first, mask(d));
    }

    @Test
    void theGradientIsTheMaskScaled() {
        Dropout d = dbl(new Dropout(0.25, 3));
        Variable x = new Variable(TestData.f64(1, 6, 5), "x");
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = d.call(x.value(), true);
            double[] g = tape.gradient(y.sum(), List.of(x)).get(0).toDoubleArray(), yv = y.toDoubleArray(), xv = x.value().toDoubleArray();
            for (int i = 0; i < g.length; i++) {
                boolean kept = yv[i] != 0;
                assertEquals(kept ? xv[i] / 0.75 : 0, yv[i], 1e-12);
                assertEquals(kept ? 1 / 0.75 : 0, g[i], 1e-12, "element " + i);
            }
        }
    }

    @Test
    void theFusedEagerFormsCanBeTurnedOff() {
        String key = "fluxion.eager.fuseLayers", before = System.getProperty(key);
        try {
            System.setProperty(key, "false");
            Dense dense = dbl(new Dense(2, "relu"));
            Conv2D conv = dbl(new Conv2D(2, 1, 1).activation("relu"));
            Tensor x = TestData.f64(2, 3, 4);
            try (GradientTape tape = new GradientTape()) {
                tape.watch(x);
                Tensor y = dense.call(x, true);
                Tensor c = conv.call(x.reshape(3, 2, 2, 1), true);
                assertNotNull(tape.gradient(y.sum().add(c.sum()), x)[0]);
            }
            assertNull(dense.fused(), "off: Dense runs op by op");
            assertNull(conv.fused(), "off: Conv2D runs op by op");
            // the same results as the fused forms give once the switch is back
            System.setProperty(key, "true");
            Dense on = dbl(new Dense(2, "relu"));
            on.call(x);
            on.kernel().assign(dense.kernel().value());
            assertClose(dense.call(x).toDoubleArray(), on.call(x, true).toDoubleArray(), 1e-14);
            assertNotNull(on.fused());
        } finally {
            if (before == null) System.clearProperty(key);
            else System.setProperty(key, before);
        }
    }
}
