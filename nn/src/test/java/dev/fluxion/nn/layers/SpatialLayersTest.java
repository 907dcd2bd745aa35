package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UpSampling2D, ZeroPadding2D and Cropping2D against index maps written out here, forward and gradient. */
class SpatialLayersTest {
    /** Where output pixel (i, j) reads from in the input, or null for a zero. */
    interface Source {
        int[] at(int i, int j);
    }

    private static void check(Layer layer, int h, int w, int outH, int outW, Source source) {
        int n = 2, c = 3;
        Tensor x = TestData.f64(1, n, h, w, c), g = TestData.f64(2, n, outH, outW, c);
        Variable xv = new Variable(x, "x");
        Tensor out, dx;
        try (var tape = new GradientTape()) {
            out = TestData.dbl(layer).call(xv.value(), true);
            dx = tape.gradient(out.mul(g).sum(), List.of(xv)).get(0);
        }
        double[] xs = x.toDoubleArray(), gs = g.toDoubleArray();
        double[] want = new double[n * outH * outW * c], wantDx = new double[xs.length];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < outH; i++)
                for (int j = 0; j < outW; j++) {
                    int[] from = source.at(i, j);
                    if (from == null) continue;
                    for (int k = 0; k < c; k++) {
                        int o = ((b * outH + i) * outW + j) * c + k, s = ((b * h + from[0]) * w + from[1]) * c + k;
                        want[o] = xs[s];
                        wantDx[s] += gs[o];
                    }
                }
        assertArrayEquals(new int[] {n, outH, outW, c}, out.shape(), layer.getClass().getSimpleName());
        assertClose(want, out.toDoubleArray(), 0);
        assertClose(wantDx, dx.toDoubleArray(), 1e-12);
    }

    @Test
    void upSamplingRepeatsEachPixel() {
        check(new UpSampling2D(2), 3, 4, 6, 8, (i, j) -> new int[] {i / 2, j / 2});
        check(new UpSampling2D(3, 1), 2, 5, 6, 5, (i, j) -> new int[] {i / 3, j});
    }

    @Test
    void zeroPaddingSurroundsAndCroppingCuts() {
        check(new ZeroPadding2D(1), 3, 4, 5, 6, (i, j) -> i < 1 || i > 3 || j < 1 || j > 4 ? null : new int[] {i - 1, j - 1});
        check(new ZeroPadding2D(0, 2, 3, 1), 3, 4, 5, 8, (i, j) -> i > 2 || j < 3 || j > 6 ? null : new int[] {i, j - 3});
        check(new Cropping2D(1), 5, 6, 3, 4, (i, j) -> new int[] {i + 1, j + 1});
        check(new Cropping2D(2, 0, 0, 3), 5, 6, 3, 3, (i, j) -> new int[] {i + 2, j});
    }

    @Test
    void shapesInferredInAModelAndTrainedInAGraph() {
        Sequential model = Sequential.of(Input.shape(7, 7, 2), new UpSampling2D(2), new ZeroPadding2D(1), new Cropping2D(0, 2, 0, 2),
                new Conv2D(3, 3), new GlobalAveragePooling2D(), new Dense(1));
        assertArrayEquals(new int[] {-1, 1}, model.outputShape());
        model.compile(new dev.fluxion.nn.optimizers.SGD(0.01), new dev.fluxion.nn.losses.MeanSquaredError());
        Tensor x = TestData.f32(3, 6, 7, 7, 2), y = TestData.f32(4, 6, 1);
        var h = model.fit(x, y, dev.fluxion.nn.training.Fit.epochs(2).batchSize(4).verbose(0)); // batches of 4 and 2
        assertEquals(2, h.get("loss").size());
        for (double loss : h.get("loss")) assertTrue(Double.isFinite(loss), "loss " + loss);
        assertArrayEquals(new int[] {5, 1}, model.predict(TestData.f32(5, 5, 7, 7, 2), 5).shape());
    }

    @Test
    void smallestSizesAreAccepted() {
        check(new UpSampling2D(1), 2, 3, 2, 3, (i, j) -> new int[] {i, j});
        check(new ZeroPadding2D(0), 2, 3, 2, 3, (i, j) -> new int[] {i, j});
        check(new Cropping2D(2, 2, 0, 0), 5, 3, 1, 3, (i, j) -> new int[] {i + 2, j}); // one row left
    }

    @Test
    void badSizesAndInputsAreNamed() {
        Cropping2D columns = new Cropping2D(0, 0, 1, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> columns.call(Tensor.ones(1, 8, 3, 1))), "1+2 columns", "leaves nothing");
        for (var layer : List.of(new ZeroPadding2D(1), new Cropping2D(1)))
            assertMentions(assertThrows(IllegalArgumentException.class, () -> layer.call(Tensor.ones(4, 4, 1))),
                    layer.getClass().getSimpleName(), "rank 4", "[4,4,1]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new UpSampling2D(0, 2)), "UpSampling2D", "size must be positive, got 0x2");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D(1, -1, 0, 0)), "ZeroPadding2D", "bottom -1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Cropping2D(0, 0, -2, 0)), "Cropping2D", "left -2");
        Cropping2D crop = new Cropping2D(2);
        crop.setName("crop");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> crop.call(Tensor.ones(1, 4, 8, 1))),
                "Cropping2D", "'crop'", "2+2 rows", "leaves nothing", "[1,4,8,1]");
        UpSampling2D up = new UpSampling2D(2);
        up.setName("up");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> up.call(Tensor.ones(4, 4, 1))), "UpSampling2D", "'up'", "rank 4", "[4,4,1]");
    }
}
