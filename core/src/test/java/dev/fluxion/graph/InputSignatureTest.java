package dev.fluxion.graph;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** An input signature with an unknown batch dimension: one trace serves every batch size. */
class InputSignatureTest {
    @Test
    void oneTraceServesEveryBatchSize() {
        AtomicInteger javaRuns = new AtomicInteger();
        var f = Fx.function("row_means", (Tensor x) -> {
            javaRuns.incrementAndGet();
            return Ops.mean(x.mul(2).add(1), new int[] {0}, false); // a mean over the unknown batch axis
        }).withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3));
        Rng rng = new Rng(1);
        for (int batch : new int[] {4, 1, 7, 4}) {
            Tensor x = rng.normal(new int[] {batch, 3}, 0, 1);
            Tensor expected = Ops.mean(x.mul(2).add(1), new int[] {0}, false);
            assertArrayEquals(expected.toFloatArray(), f.call(x).toFloatArray(), 1e-6f, "batch " + batch);
        }
        assertEquals(1, f.tracingCount());
        assertEquals(1, javaRuns.get(), "the Java body ran once");
    }

    @Test
    void callsThatDoNotMatchTheSignatureAreRejected() {
        var f = Fx.function("id", (Tensor x) -> x.add(1)).withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("float32[2,4]") && e.getMessage().contains("float32[None,3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(DType.FLOAT64, 2, 3)));
    }

    @Test
    void everyUnknownDimensionOfOneArgumentTakesTheSameSize() {
        var f = Fx.function("square_batch", (Tensor x) -> x.mul(2)).withInputSignature(TensorSpec.of(DType.FLOAT32, -1, -1));
        assertArrayEquals(new float[] {2, 4, 6, 8}, f.call(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("square_batch") && e.getMessage().contains("float32[2,3]"), e.getMessage());
    }

    @Test
    void tensorSpecsCompareByDtypeAndShape() {
        TensorSpec a = TensorSpec.of(DType.FLOAT32, -1, 3);
        assertEquals(a, TensorSpec.of(DType.FLOAT32, -1, 3));
        assertEquals(a.hashCode(), TensorSpec.of(DType.FLOAT32, -1, 3).hashCode());
        assertNotEquals(a, TensorSpec.of(DType.FLOAT64, -1, 3));
        assertNotEquals(a, TensorSpec.of(DType.FLOAT32, 2, 3));
        assertNotEquals(a, "TensorSpec(float32[None,3])");
        assertEquals("TensorSpec(float32[None,3])", a.toString());
    }

    @Test
    void sizingANewTensorByTheUnknownBatchExplainsWhatToDo() {
        var f = Fx.function("bad", (Tensor x) -> x.add(Tensor.zeros(x.dim(0), 3)))
                .withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("unknown batch dimension") && e.getMessage().contains("zerosLike"), e.getMessage());
    }

    @Test
    void trainingStepMatchesEagerForEveryBatchSizeWithOneTrace() {
        Model eager = new Model(), traced = new Model();
        var step = Fx.function("step", traced::step)
                .withInputSignature(TensorSpec.of(DType.FLOAT32, -1, 2, 2, 1), TensorSpec.of(DType.INT32, -1));
        Rng data = new Rng(9);
        for (int batch : new int[] {8, 8, 5, 8, 3}) {
            Tensor x = data.uniform(new int[] {batch, 2, 2, 1}, DType.FLOAT32);
            Tensor y = Tensor.arange(batch).cast(DType.INT32).mul(Tensor.full(7, DType.INT32)).add(Tensor.full(1, DType.INT32));
            y = Ops.mod(y, Tensor.full(3, DType.INT32));
            double expected = eager.step(x, y).item(), got = step.call(x, y).item();
            assertEquals(expected, got, 1e-5, "loss at batch " + batch);
        }
        assertEquals(1, step.tracingCount());
        assertArrayEquals(eager.w.value().toFloatArray(), traced.w.value().toFloatArray(), 1e-5f);
    }

    /** Flatten → dense → dropout → softmax cross-entropy → SGD, written with core ops. */
    private static final class Model {
        final Rng rng = new Rng(3);
        final Variable w = new Variable(new Rng(5).normal(new int[] {4, 3}, 0, 0.5), "w");

        Tensor step(Tensor x, Tensor y) {
            try (var tape = new GradientTape()) {
                Tensor h = NnOps.dropout(x.reshape(-1, 4), 0.25, rng).matmul(w.value());
                Tensor loss = ArrayOps.oneHot(y, 3).mul(h.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
                List<Tensor> g = tape.gradient(loss, List.of(w));
                w.assignSub(g.get(0).mul(0.1));
                return loss;
            }
        }
    }
}
