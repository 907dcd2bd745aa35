package dev.fluxion.nn.layers;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.Summary;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

class Conv2DTransposeTest {
    /**
     * The transposed convolution as a scatter, written independently of the conv2d kernels: every input cell adds
     * {@code x · kernel[p, q, o, c]} at output cell {@code (i·s + p - padTop, j·s + q - padLeft)}.
     */
    static double[] transposedConv(double[] x, int n, int h, int w, int c, double[] k, int kh, int kw, int f,
                                   int sh, int sw, int oh, int ow, boolean same, double[] bias) {
        int padTop = same ? Math.max((h - 1) * sh + kh - oh, 0) / 2 : 0;
        int padLeft = same ? Math.max((w - 1) * sw + kw - ow, 0) / 2 : 0;
        double[] out = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int o = 0; o < f; o++) out[((b * oh + i) * ow + j) * f + o] = bias == null ? 0 : bias[o];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int ci = 0; ci < c; ci++)
                        for (int p = 0; p < kh; p++)
                            for (int q = 0; q < kw; q++) {
                                int yi = i * sh + p - padTop, xj = j * sw + q - padLeft;
                                if (yi < 0 || yi >= oh || xj < 0 || xj >= ow) continue;
                                for (int o = 0; o < f; o++)
                                    out[((b * oh + yi) * ow + xj) * f + o] += x[((b * h + i) * w + j) * c + ci] * k[((p * kw + q) * f + o) * c + ci];
                            }
        return out;
    }

    private void check(Conv2DTranspose layer, int kh, int kw, int sh, int sw, boolean same, int oh, int ow) {
        Tensor x = TestData.f64(5, 2, 4, 3, 3);
        Tensor y = layer.call(x);
        assertArrayEquals(new int[] {2, oh, ow, 5}, y.shape());
        assertArrayEquals(new int[] {kh, kw, 5, 3}, layer.kernel().shape(), "Keras' kernel layout [kh, kw, filters, in]");
        double[] bias = layer.bias() == null ? null : layer.bias().value().toDoubleArray();
        double[] expected = transposedConv(x.toDoubleArray(), 2, 4, 3, 3, layer.kernel().value().toDoubleArray(), kh, kw, 5, sh, sw, oh, ow, same, bias);
        assertClose(expected, y.toDoubleArray(), 1e-10);
    }

    @Test
    void matchesScatterReferenceInFloat64() {
        // SAME: in * stride; VALID: in * stride + max(k - stride, 0)
        check(dbl(new Conv2DTranspose(5, 3).strides(2).padding("same").biasInitializer(Initializers.randomNormal(0, 1, 4L))), 3, 3, 2, 2, true, 8, 6);
        check(dbl(new Conv2DTranspose(5, 3, 2).strides(2, 1)), 3, 2, 2, 1, false, 9, 4);
        check(dbl(new Conv2DTranspose(5, 4).strides(2).padding("same").useBias(false)), 4, 4, 2, 2, true, 8, 6);
        check(dbl(new Conv2DTranspose(5, 2).strides(3)), 2, 2, 3, 3, false, 12, 9);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Conv2DTranspose layer = dbl(new Conv2DTranspose(2, 3).strides(2).padding("same").activation("tanh")
                .biasInitializer(Initializers.randomNormal(0, 0.5, 9L)));
        Variable input = new Variable(TestData.f64(6, 1, 3, 2, 2), "input");
        Tensor target = TestData.f64(7, 1, 6, 4, 2);
        layer.call(input.value());
        TestData.checkGradients(() -> layer.call(input.value()).sub(target).square().sum(),
                List.of(layer.kernel(), layer.bias(), input), 1e-6);
    }

    @Test
    void shapeInferenceAndSummaryCountParameters() {
        Sequential model = Sequential.of(Input.shape(7, 7, 16),
                new Conv2DTranspose(8, 4).strides(2).padding("same"),
                new Conv2DTranspose(1, 3).strides(2).padding("same").activation("tanh"));
        assertArrayEquals(new int[] {-1, 28, 28, 1}, model.outputShape());
        int[] hidden = model.layers().get(0).outputShape();
        assertArrayEquals(new int[] {14, 14, 8}, java.util.Arrays.copyOfRange(hidden, 1, 4));
        int params = 4 * 4 * 8 * 16 + 8 + 3 * 3 * 1 * 8 + 1;
        assertEquals(params, model.countParams());
        String s = Summary.render(model);
        assertTrue(s.contains("(Conv2DTranspose)") && s.contains("(None, 14, 14, 8)") && s.contains("(None, 28, 28, 1)")
                && s.contains("Total params: " + Summary.thousands(params)), s);
        Tensor y = model.call(TestData.f32(8, 3, 7, 7, 16));
        assertArrayEquals(new int[] {3, 28, 28, 1}, y.shape());
        assertEquals(DType.FLOAT32, y.dtype());
    }

    @Test
    void rejectsWrongInputs() {
        Conv2DTranspose c = new Conv2DTranspose(2, 3);
        c.setName("up");
        var e = assertThrows(IllegalArgumentException.class, () -> c.call(TestData.f32(1, 4, 4, 3)));
        assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
        c.call(TestData.f32(1, 1, 4, 4, 3));
        var e2 = assertThrows(IllegalArgumentException.class, () -> c.call(TestData.f32(1, 1, 4, 4, 2)));
        assertTrue(e2.getMessage().contains("'up'") && e2.getMessage().contains("[1,4,4,2]"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(2, 3).strides(0));
    }
}
