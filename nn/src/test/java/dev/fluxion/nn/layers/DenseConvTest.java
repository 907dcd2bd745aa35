package dev.fluxion.nn.layers;

import dev.fluxion.DType;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

class DenseConvTest {
    @Test
    void denseMatchesLoopsInFloat64() {
        Dense d = dbl(new Dense(3, "relu").kernelInitializer(Initializers.randomNormal(0, 1, 7L)).biasInitializer(Initializers.constant(0.25)));
        Tensor x = TestData.f64(1, 4, 5);
        Tensor y = d.call(x);
        assertArrayEquals(new int[] {4, 3}, y.shape());
        assertEquals(DType.FLOAT64, d.kernel().dtype());
        double[] w = d.kernel().value().toDoubleArray(), xv = x.toDoubleArray();
        double[] expected = new double[12];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0.25;
                for (int k = 0; k < 5; k++) s += xv[i * 5 + k] * w[k * 3 + j];
                expected[i * 3 + j] = Math.max(0, s);
            }
        assertClose(expected, y.toDoubleArray(), 1e-12);
    }

    @Test
    void denseBuildsLazilyAndAppliesToLastAxis() {
        Dense d = new Dense(2);
        assertFalse(d.isBuilt());
        assertNull(d.kernel());
        Tensor y = d.call(TestData.f32(2, 3, 4, 6));
        assertTrue(d.isBuilt());
        assertArrayEquals(new int[] {6, 2}, d.kernel().shape());
        assertArrayEquals(new int[] {3, 4, 2}, y.shape());
        assertEquals(DType.FLOAT32, y.dtype());
        assertEquals(14, d.countParams());
        // a float32 layer casts float64 inputs (Keras' autocasting)
        assertEquals(DType.FLOAT32, d.call(TestData.f64(2, 3, 6)).dtype());
        assertEquals(DType.FLOAT32, d.kernel().dtype());
        assertEquals(2, d.trainableVariables().size());
    }

    @Test
    void denseErrorsNameTheLayerAndShapes() {
        Dense d = new Dense(2);
        d.setName("head");
        var e = assertThrows(IllegalArgumentException.class, () -> d.call(Tensor.vector(1, 2, 3)));
        assertTrue(e.getMessage().contains("'head'") && e.getMessage().contains("[3]"), e.getMessage());
        d.call(TestData.f32(1, 2, 4));
        var e2 = assertThrows(IllegalArgumentException.class, () -> d.call(TestData.f32(1, 2, 5)));
        assertTrue(e2.getMessage().contains("'head'") && e2.getMessage().contains("[2,5]") && e2.getMessage().contains("[4,2]"), e2.getMessage());
    }

    @Test
    void denseWithoutBias() {
        Dense d = new Dense(3).useBias(false);
        d.call(TestData.f32(1, 2, 4));
        assertNull(d.bias());
        assertEquals(12, d.countParams());
    }

    /** Direct convolution with TensorFlow's SAME/VALID padding. */
    static double[] conv(double[] x, int n, int h, int w, int c, double[] k, int kh, int kw, int f,
                         int sh, int sw, int dh, int dw, boolean same, double[] bias, int[] outShape) {
        int oh, ow, padTop = 0, padLeft = 0;
        int ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
        if (same) {
            oh = (h + sh - 1) / sh;
            ow = (w + sw - 1) / sw;
            padTop = Math.max((oh - 1) * sh + ekh - h, 0) / 2;
            padLeft = Math.max((ow - 1) * sw + ekw - w, 0) / 2;
        } else {
            oh = (h - ekh) / sh + 1;
            ow = (w - ekw) / sw + 1;
        }
        outShape[0] = n; outShape[1] = oh; outShape[2] = ow; outShape[3] = f;
        double[] out = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int o = 0; o < f; o++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int p = 0; p < kh; p++)
                            for (int q = 0; q < kw; q++) {
                                int yi = i * sh + p * dh - padTop, xj = j * sw + q * dw - padLeft;
                                if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
                                for (int ci = 0; ci < c; ci++)
                                    s += x[((b * h + yi) * w + xj) * c + ci] * k[((p * kw + q) * c + ci) * f + o];
                            }
                        out[((b * oh + i) * ow + j) * f + o] = s;
                    }
        return out;
    }

    private void checkConv(Conv2D layer, int sh, int sw, int dh, int dw, boolean same) {
        Tensor x = TestData.f64(3, 2, 6, 5, 3);
        Tensor y = layer.call(x);
        double[] bias = layer.bias() == null ? null : layer.bias().value().toDoubleArray();
        int[] outShape = new int[4];
        double[] expected = conv(x.toDoubleArray(), 2, 6, 5, 3, layer.kernel().value().toDoubleArray(), 3, 2, 4, sh, sw, dh, dw, same, bias, outShape);
        assertArrayEquals(outShape, y.shape());
        assertClose(expected, y.toDoubleArray(), 1e-10);
    }

    @Test
    void conv2dMatchesLoops() {
        checkConv(dbl(new Conv2D(4, 3, 2).biasInitializer(Initializers.randomNormal(0, 1, 3L))), 1, 1, 1, 1, false);
        checkConv(dbl(new Conv2D(4, 3, 2).padding("same").strides(2, 1)), 2, 1, 1, 1, true);
        checkConv(dbl(new Conv2D(4, 3, 2).padding(NnOps.Padding.SAME).dilation(2).useBias(false)), 1, 1, 2, 2, true);
    }

    @Test
    void conv2dParamsAndErrors() {
        Conv2D c = new Conv2D(8, 3).useBias(false);
        c.setName("c1");
        c.call(TestData.f32(1, 1, 5, 5, 2));
        assertEquals(3 * 3 * 2 * 8, c.countParams());
        var e = assertThrows(IllegalArgumentException.class, () -> c.call(TestData.f32(1, 1, 5, 5, 3)));
        assertTrue(e.getMessage().contains("'c1'") && e.getMessage().contains("[1,5,5,3]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Conv2D(2, 3).call(TestData.f32(1, 4, 4)));
        assertTrue(e2.getMessage().contains("rank 4"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(2, 3).padding("full"));
    }

    @Test
    void conv2dActivationByObject() {
        Conv2D c = dbl(new Conv2D(2, 1).activation(Activation.tanh()));
        Tensor x = TestData.f64(4, 1, 2, 2, 1);
        Tensor y = c.call(x);
        double[] k = c.kernel().value().toDoubleArray(), xv = x.toDoubleArray(), yv = y.toDoubleArray();
        for (int p = 0; p < 4; p++)
            for (int o = 0; o < 2; o++) assertEquals(Math.tanh(xv[p] * k[o]), yv[p * 2 + o], 1e-12);
    }

    @Test
    void denseGradientsMatchFiniteDifferences() {
        Dense d = dbl(new Dense(3, "tanh").biasInitializer(Initializers.randomNormal(0, 0.5, 2L)));
        Tensor x = TestData.f64(5, 4, 3);
        Tensor r = TestData.f64(6, 4, 3);
        d.call(x);
        TestData.checkGradients(() -> d.call(x).mul(r).sum(), d.trainableVariables(), 1e-6);
    }

    @Test
    void conv2dGradientsMatchFiniteDifferences() {
        Conv2D c = dbl(new Conv2D(2, 2).padding("same").strides(2).biasInitializer(Initializers.randomNormal(0, 0.5, 2L)));
        Tensor x = TestData.f64(7, 1, 5, 4, 2);
        c.call(x);
        Tensor r = TestData.f64(8, c.call(x).shape());
        TestData.checkGradients(() -> c.call(x).mul(r).sum(), c.trainableVariables(), 1e-6);
    }

    @Test
    void trainableFlagMovesWeights() {
        Dense d = new Dense(2);
        d.call(TestData.f32(1, 1, 3));
        d.setTrainable(false);
        assertEquals(List.of(), d.trainableVariables());
        assertEquals(2, d.nonTrainableVariables().size());
        d.setTrainable(true);
        assertEquals(2, d.trainableVariables().size());
    }
}
