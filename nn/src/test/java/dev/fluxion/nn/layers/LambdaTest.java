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
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

class LambdaTest {
    @Test
    void appliesTheFunctionWithItsGradient() {
        Lambda square = new Lambda(x -> x.mul(x));
        Variable x = new Variable(Tensor.of(new double[] {1, -2, 3}, 3), "x");
        Tensor y, dx;
        try (var tape = new GradientTape()) {
            y = square.call(x.value());
            dx = tape.gradient(y.sum(), List.of(x)).get(0);
        }
        assertArrayEquals(new double[] {1, 4, 9}, y.toDoubleArray());
        assertArrayEquals(new double[] {2, -4, 6}, dx.toDoubleArray());
    }

    @Test
    void shapesFlowThroughAModelThatTrains() {
        Sequential model = Sequential.of(Input.shape(4, 3), new Lambda(x -> x.reshape(-1, 12).mul(0.5), "halve"), new Dense(2));
        assertArrayEquals(new int[] {-1, 2}, model.outputShape());
        assertTrue(dev.fluxion.nn.Summary.render(model).contains("halve (Lambda)"), dev.fluxion.nn.Summary.render(model));
        model.compile(new dev.fluxion.nn.optimizers.SGD(0.1), new dev.fluxion.nn.losses.MeanSquaredError());
        Tensor xs = TestData.f32(1, 8, 4, 3), ys = TestData.f32(2, 8, 2);
        var h = model.fit(xs, ys, dev.fluxion.nn.training.Fit.epochs(3).batchSize(8).verbose(0));
        assertTrue(h.get("loss").get(2) < h.get("loss").get(0), "loss " + h.get("loss"));
        Dense dense = (Dense) model.layers().get(1);
        double[] want = xs.reshape(8, 12).mul(0.5).matmul(dense.kernel().value()).add(dense.bias().value()).toDoubleArray();
        assertClose(want, model.predict(xs, 8).toDoubleArray(), 1e-6);
    }

    @Test
    void aNullResultIsNamed() {
        Lambda broken = new Lambda(x -> null, "broken");
        assertMentions(assertThrows(IllegalStateException.class, () -> broken.call(Tensor.ones(2, 3))), "Lambda 'broken'", "returned null", "[2,3]");
        assertThrows(NullPointerException.class, () -> new Lambda(null));
        assertEquals("broken", broken.name());
    }
}
