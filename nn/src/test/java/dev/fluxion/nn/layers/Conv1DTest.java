package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conv1D against a direct float64 convolution written out here: outputs and the input and kernel gradients. */
class Conv1DTest {
    /** {out, dx, dk} for sum(conv(x) * w) with x [n, len, c], kernel [k, c, f], given left padding and output length. */
    private static double[][] reference(double[] x, int n, int len, int c, double[] kernel, int k, int f, double[] bias,
            int stride, int dilation, int left, int outLen, double[] w) {
        double[] out = new double[n * outLen * f], dx = new double[x.length], dk = new double[kernel.length];
        for (int b = 0; b < n; b++)
            for (int t = 0; t < outLen; t++)
                for (int o = 0; o < f; o++) {
                    double acc = bias[o];
                    double g = w[(b * outLen + t) * f + o];
                    for (int j = 0; j < k; j++) {
                        int at = t * stride + j * dilation - left;
                        if (at < 0 || at >= len) continue; // zero padding
                        for (int i = 0; i < c; i++) {
                            acc += x[(b * len + at) * c + i] * kernel[(j * c + i) * f + o];
                            dx[(b * len + at) * c + i] += g * kernel[(j * c + i) * f + o];
                            dk[(j * c + i) * f + o] += g * x[(b * len + at) * c + i];
                        }
                    }
                    out[(b * outLen + t) * f + o] = acc;
                }
        return new double[][] {out, dx, dk};
    }

    /** Checks one configuration; padding "valid", "same" or "causal". */
    private static void check(String padding, int len, int k, int stride, int dilation) {
        int n = 2, c = 3, f = 4, span = (k - 1) * dilation + 1;
        int outLen = switch (padding) {
            case "valid" -> (len - span) / stride + 1;
            case "same" -> (len + stride - 1) / stride;
            default -> (len - 1) / stride + 1;
        };
        int left = switch (padding) {
            case "valid" -> 0;
            case "same" -> Math.max((outLen - 1) * stride + span - len, 0) / 2;
            default -> span - 1;
        };
        Conv1D layer = TestData.dbl(new Conv1D(f, k).strides(stride).dilation(dilation).padding(padding)
                .biasInitializer(dev.fluxion.nn.initializers.Initializers.randomNormal(0, 1, 5L)));
        Tensor x = TestData.f64(1, n, len, c);
        Tensor w = TestData.f64(2, n, outLen, f);
        Variable xv = new Variable(x, "x");
        Tensor out, dx, dk;
        try (var tape = new GradientTape()) {
            out = layer.call(xv.value(), true);
            var grads = tape.gradient(out.mul(w).sum(), List.of(xv, layer.kernel()));
            dx = grads.get(0);
            dk = grads.get(1);
        }
        String what = padding + " len " + len + " k " + k + " stride " + stride + " dilation " + dilation;
        assertArrayEquals(new int[] {n, outLen, f}, out.shape(), what);
        assertArrayEquals(new int[] {k, c, f}, layer.kernel().shape(), what);
        double[][] want = reference(x.toDoubleArray(), n, len, c, layer.kernel().value().toDoubleArray(), k, f,
                layer.bias().value().toDoubleArray(), stride, dilation, left, outLen, w.toDoubleArray());
        assertClose(want[0], out.toDoubleArray(), 1e-10);
        assertClose(want[1], dx.toDoubleArray(), 1e-10);
        assertClose(want[2], dk.toDoubleArray(), 1e-10);
    }

    @Test
    void matchesTheDirectConvolution() {
        check("valid", 9, 3, 1, 1);
        check("valid", 10, 3, 2, 1);
        check("valid", 11, 2, 3, 2);
        check("same", 9, 3, 1, 1);
        check("same", 10, 4, 2, 1);
        check("same", 7, 3, 2, 2);
        check("causal", 9, 3, 1, 1);
        check("causal", 10, 2, 1, 3);
        check("causal", 9, 4, 2, 1);
        check("valid", 5, 1, 1, 1);
    }

    @Test
    void causalStepsSeeOnlyThePast() {
        Conv1D layer = TestData.dbl(new Conv1D(1, 3).padding("causal").useBias(false)
                .kernelInitializer(dev.fluxion.nn.initializers.Initializers.ones()));
        Tensor x = Tensor.of(new double[] {1, 10, 100, 1000, 10000}, 1, 5, 1);
        assertArrayEquals(new double[] {1, 11, 111, 1110, 11100}, layer.call(x).toDoubleArray(), "a running sum of three");
    }

    @Test
    void buildsInAModelAndNamesBadInputs() {
        Sequential model = Sequential.of(Input.shape(20, 8), new Conv1D(16, 5).padding("same").activation("relu"),
                new GlobalMaxPooling1D(), new Dense(2));
        assertArrayEquals(new int[] {-1, 2}, model.outputShape());
        assertArrayEquals(new int[] {3, 2}, model.predict(TestData.f32(4, 3, 20, 8), 3).shape());
        Conv1D conv = new Conv1D(4, 3);
        conv.setName("conv");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> conv.call(Tensor.ones(2, 5, 5, 3))),
                "Conv1D", "'conv'", "rank 3 [batch, steps, channels]", "[2,5,5,3]");
        conv.call(Tensor.ones(2, 5, 3));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> conv.call(Tensor.ones(2, 5, 2))),
                "Conv1D", "with 3 channels", "[2,5,2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Conv1D(4, 3).dilation(0)), "Conv1D", "dilation must be positive, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Conv1D(4, 3).padding("full")), "Conv1D", "full");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Conv1D(0, 3)), "Conv1D", "filters must be positive");
    }
}
