package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** A graph function called inside a recording tape: gradients flow through it (tf.function under a GradientTape). */
class FunctionUnderTapeTest {
    @Test
    void gradientFlowsThroughAFunctionOfAWatchedTensor() {
        AtomicInteger bodyRuns = new AtomicInteger();
        var f = Fx.function("sum_of_squares", (Tensor t) -> {
            bodyRuns.incrementAndGet();
            return t.mul(t).sum();
        });
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        assertEquals(14.0, f.call(x).item(), 1e-6); // traced and compiled
        assertEquals(1, bodyRuns.get());
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = f.call(x);
            assertEquals(14.0, y.item(), 1e-6);
            assertArrayEquals(new float[] {2, 4, 6}, tape.gradient(y, x)[0].toFloatArray());
        }
        assertEquals(2, bodyRuns.get(), "under the tape the body ran eagerly, so the tape saw its operations");
    }

    @Test
    void gradientFlowsToTrainableVariablesTheFunctionReads() {
        Variable w = new Variable(Tensor.of(new float[] {1, -2}, 2), "w");
        Variable frozen = new Variable(Tensor.of(new float[] {3, 4}, 2), "frozen", false);
        var f = Fx.function("weighted", (Tensor t) -> t.mul(w.value()).mul(frozen.value()).sum());
        Tensor x = Tensor.of(new float[] {5, 6}, 2);
        f.call(x); // traced outside any tape
        List<Tensor> g;
        try (var tape = new GradientTape()) {
            g = tape.gradient(f.call(x), List.of(w, frozen));
        }
        assertArrayEquals(new float[] {15, 24}, g.get(0).toFloatArray());
        assertNull(g.get(1), "a non-trainable variable is not watched");
    }

    @Test
    void aCallTheTapeWouldNotRecordRunsCompiled() {
        AtomicInteger bodyRuns = new AtomicInteger();
        var f = Fx.function("double_it", (Tensor t) -> {
            bodyRuns.incrementAndGet();
            return t.mul(2);
        });
        Tensor x = Tensor.of(new float[] {1, 2}, 2), watched = Tensor.of(new float[] {1}, 1);
        f.call(x);
        try (var tape = new GradientTape()) {
            tape.watch(watched);
            assertArrayEquals(new float[] {2, 4}, f.call(x).toFloatArray());
        }
        assertEquals(1, bodyRuns.get(), "an unwatched argument and no variables: the compiled graph runs");
    }

    @Test
    void pastItsTraceLimitAFunctionRunsNewSignaturesEagerly() {
        AtomicInteger bodyRuns = new AtomicInteger();
        var f = Fx.function("limited", (Tensor t) -> {
            bodyRuns.incrementAndGet();
            return t.mul(3).sum();
        }).withTraceLimit(2);
        for (int n = 1; n <= 4; n++)
            for (int call = 0; call < 2; call++)
                assertEquals(3.0 * n, f.call(Tensor.of(new float[n], n).add(1)).item(), 1e-6);
        assertEquals(2, f.tracingCount());
        assertEquals(2 + 2 * 2, bodyRuns.get(), "two traces, then the body on each call with a third or fourth shape");
        var e = assertThrows(IllegalArgumentException.class, () -> f.withTraceLimit(-1));
        assertTrue(e.getMessage().contains("limited"), e.getMessage());
    }

    @Test
    void aTraceLimitOfZeroRunsEveryCallEagerly() {
        AtomicInteger bodyRuns = new AtomicInteger();
        var f = Fx.function("never_traced", (Tensor t) -> {
            bodyRuns.incrementAndGet();
            return t.mul(3).sum();
        }).withTraceLimit(0);
        for (int call = 0; call < 2; call++) assertEquals(6.0, f.call(Tensor.of(new float[] {1, 1}, 2)).item(), 1e-6);
        assertEquals(0, f.tracingCount());
        assertEquals(2, bodyRuns.get());
        assertTrue(f.signatures().isEmpty(), f.signatures().toString());
    }

    @Test
    void aNonPersistentTapeStopsRecordingOnceItsGradientIsTaken() {
        // the usual step: the optimizer update runs inside the tape's block after the gradient; it must run compiled
        Variable w = new Variable(Tensor.of(new float[] {1, 2}, 2), "w");
        AtomicInteger bodyRuns = new AtomicInteger();
        var update = Fx.function("update", (Tensor g) -> {
            bodyRuns.incrementAndGet();
            w.assign(w.value().sub(g.mul(0.5)));
            return null;
        });
        for (int step = 0; step < 3; step++)
            try (var tape = new GradientTape()) {
                Tensor loss = w.value().square().sum();
                Tensor g = tape.gradient(loss, w.value())[0];
                update.call(g);
            }
        assertEquals(1, bodyRuns.get(), "traced once, then compiled on every step");
        assertArrayEquals(new float[] {0, 0}, w.value().toFloatArray(), "w - 0.5 * 2w = 0 after one step");
        try (var tape = GradientTape.persistent()) {
            Tensor loss = w.value().add(1).square().sum();
            tape.gradient(loss, w.value());
            update.call(Tensor.of(new float[] {0, 0}, 2));
        }
        assertEquals(2, bodyRuns.get(), "a persistent tape still records, so the update ran eagerly under it");
    }
}
