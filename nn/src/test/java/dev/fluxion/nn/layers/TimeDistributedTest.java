package dev.fluxion.nn.layers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeDistributedTest {
    @Test
    void appliesOneLayerToEveryStepWithSharedWeights() {
        Tensor x = TestData.f64(3, 2, 4, 5);
        Dense dense = TestData.dbl(new Dense(3));
        TimeDistributed td = TestData.dbl(new TimeDistributed(dense));
        Tensor y = td.call(x);
        assertArrayEquals(new int[] {2, 4, 3}, y.shape());
        assertEquals(5 * 3 + 3, td.countParams(), "one set of weights for all steps");
        assertSame(dense.kernel(), td.trainableVariables().get(0));
        // float64 reference: x[b, t] · kernel + bias for every step
        double[] xs = x.toDoubleArray(), k = dense.kernel().value().toDoubleArray(), bias = dense.bias().value().toDoubleArray();
        double[] want = new double[2 * 4 * 3];
        for (int bt = 0; bt < 8; bt++)
            for (int o = 0; o < 3; o++) {
                double acc = bias[o];
                for (int i = 0; i < 5; i++) acc += xs[bt * 5 + i] * k[i * 3 + o];
                want[bt * 3 + o] = acc;
            }
        assertClose(want, y.toDoubleArray(), 1e-12);
        // gradients reach the shared weights from every step
        Variable in = new Variable(x, "x");
        TestData.checkGradients(() -> td.call(in.value()).square().sum(), List.of(in, dense.kernel(), dense.bias()), 1e-6);
    }

    @Test
    void framesOfAVideoThroughAConvolutionAndMasksPassOn() {
        Sequential model = Sequential.of(Input.shape(3, 6, 6, 2), new TimeDistributed(new Conv2D(4, 3)), new TimeDistributed(new Flatten()));
        assertArrayEquals(new int[] {-1, 3, 4 * 4 * 4}, model.outputShape());
        Tensor frames = TestData.f32(5, 2, 3, 6, 6, 2);
        Tensor y = model.call(frames);
        Conv2D conv = (Conv2D) ((TimeDistributed) model.layers().get(0)).layer();
        for (int t = 0; t < 3; t++) {
            Tensor frame = ArrayOps.slice(frames, 1, t, t + 1, 1).reshape(2, 6, 6, 2);
            assertClose(conv.call(frame).reshape(2, -1).toDoubleArray(), ArrayOps.slice(y, 1, t, t + 1, 1).reshape(2, -1).toDoubleArray(), 1e-6);
        }
        Tensor masked = Masks.attach(TestData.f32(1, 2, 3, 4), Tensor.of(new boolean[] {true, false, true, true, true, false}, 2, 3));
        assertArrayEquals(Masks.of(masked).toBooleanArray(), Masks.of(new TimeDistributed(new Dense(2)).call(masked)).toBooleanArray());
        TimeDistributed bad = new TimeDistributed(new Dense(2));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> bad.call(Tensor.ones(2, 3))), "TimeDistributed", "of Dense", "rank 3", "[2,3]");
    }
}
