package dev.fluxion.graph;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link GraphFunction#callEach}: one call per slice of the stacked arguments, the same as calling in turn. */
class CallEachTest {
    /** A softmax-regression step with dropout noise and an in-place update: state, randomness and an output. */
    private static final class Model {
        final Rng noise = new Rng(11);
        final Variable w = new Variable(new Rng(3).normal(new int[] {6, 4}, 0, 0.5), "w");
        final Variable steps = new Variable(Tensor.scalar(0f), "steps");

        Map<String, Tensor> step(Tensor x, Tensor y) {
            try (var tape = new GradientTape()) {
                Tensor kept = noise.uniform(x.shape(), DType.FLOAT32).gt(Tensor.scalar(0.2f)).cast(DType.FLOAT32);
                Tensor logits = x.mul(kept).matmul(w.value());
                Tensor loss = y.mul(logits.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
                w.assignSub(tape.gradient(loss, List.of(w)).get(0).mul(0.3));
                steps.assignAdd(Tensor.scalar(1f));
                return Map.of("loss", loss, "logits", logits);
            }
        }
    }

    private static Tensor[] data(int steps) {
        Rng rng = new Rng(5);
        Tensor x = rng.normal(new int[] {steps, 8, 6}, 0, 1);
        Tensor labels = rng.uniform(new int[] {steps, 8}, 0, 4).cast(DType.INT32);
        return new Tensor[] {x, ArrayOps.oneHot(labels, 4)};
    }

    @Test
    void givesTheResultsUpdatesAndRandomNumbersOfCallingOnEachSliceInTurn() {
        Tensor[] d = data(5);
        Model one = new Model(), each = new Model();
        var single = Fx.function("step", one::step);
        var stepped = Fx.function("step", each::step);
        float[][] losses = new float[5][], logits = new float[5][];
        for (int i = 0; i < 5; i++) {
            Map<String, Tensor> r = single.call(d[0].get(i), d[1].get(i));
            losses[i] = r.get("loss").toFloatArray();
            logits[i] = r.get("logits").toFloatArray();
        }
        Map<String, Tensor> stacked = stepped.callEach(d[0], d[1]);
        assertArrayEquals(new int[] {5}, stacked.get("loss").shape());
        assertArrayEquals(new int[] {5, 8, 4}, stacked.get("logits").shape());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(losses[i], stacked.get("loss").get(i).toFloatArray(), "loss of step " + i);
            assertArrayEquals(logits[i], stacked.get("logits").get(i).toFloatArray(), "logits of step " + i);
        }
        assertArrayEquals(one.w.value().toFloatArray(), each.w.value().toFloatArray());
        assertEquals(5.0, each.steps.value().item());
        assertEquals(1, stepped.tracingCount(), "one trace, for the per-step signature");
        assertArrayEquals(new int[] {8, 6}, ((dev.fluxion.TensorType) stepped.signatures().getFirst().getFirst()).shape());
        // and the next call goes on from there, as the next calls in turn would
        Map<String, Tensor> r = single.call(d[0].get(0), d[1].get(0));
        assertArrayEquals(r.get("loss").toFloatArray(), stepped.callEach(d[0].slice(0, 1), d[1].slice(0, 1)).get("loss").toFloatArray());
    }

    @Test
    void plainArgumentsGoToEveryCallAndNothingReturnedIsNothing() {
        Variable total = new Variable(Tensor.scalar(0.0, DType.FLOAT64), "total");
        GraphFunction<Object> add = Fx.functionOf("add", args -> {
            total.assignAdd(((Tensor) args[0]).sum().mul((Double) args[1]));
            return null;
        });
        assertNull(add.callEach(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), 10.0));
        assertEquals(100.0, total.value().item(), 1e-12);
    }

    @Test
    void aRecordingTapeSeesEveryCallAndGetsGradients() {
        var f = Fx.function("square", (Tensor x) -> x.square().sum());
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor sums = f.callEach(x);
            assertArrayEquals(new double[] {5, 25, 61}, sums.toDoubleArray(), 1e-12);
            Tensor g = tape.gradient(sums.sum(), x)[0];
            assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, g.toDoubleArray(), 1e-12);
        }
        assertEquals(0, f.tracingCount(), "ran eagerly under the tape");
    }

    @Test
    void badStacksAreRejectedWithTheirShapes() {
        var f = Fx.function("pair", (Tensor a, Tensor b) -> a.add(b));
        var g = Fx.functionOf("scale", args -> Tensor.scalar((Double) args[0], DType.FLOAT32));
        var e = assertThrows(IllegalArgumentException.class, () -> f.callEach(Tensor.zeros(3, 2), Tensor.zeros(4, 2)));
        assertEquals("pair.callEach: tensor argument 1 of shape [4,2] has 4 steps on its first axis, argument 0 has 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.callEach(Tensor.zeros(0, 2), Tensor.zeros(3, 2)));
        assertEquals("pair.callEach: tensor argument 1 of shape [3,2] has 3 steps on its first axis, argument 0 has 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.callEach(Tensor.zeros(0, 2), Tensor.zeros(0, 2)));
        assertTrue(e.getMessage().contains("no steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.callEach(Tensor.scalar(1f), Tensor.zeros(1)));
        assertTrue(e.getMessage().contains("argument 0 is a scalar"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.callEach(2.0));
        assertTrue(e.getMessage().contains("scale.callEach: needs at least one tensor argument"), e.getMessage());
    }
}
