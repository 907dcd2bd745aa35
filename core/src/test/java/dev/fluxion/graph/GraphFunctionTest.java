package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class GraphFunctionTest {
    @Test
    void sameSignatureDoesNotRetraceNewShapeDoes() {
        AtomicInteger javaCalls = new AtomicInteger();
        var f = Fx.function("square_sum", (Tensor x) -> {
            javaCalls.incrementAndGet();
            return x.square().sum();
        });
        assertEquals(14.0, f.call(Tensor.vector(1, 2, 3)).item());
        assertEquals(77.0, f.call(Tensor.vector(4, 5, 6)).item());
        assertEquals(1, f.tracingCount());
        assertEquals(1, javaCalls.get(), "the Java body runs only while tracing");
        assertEquals(4.0, f.call(Tensor.vector(2)).item());
        assertEquals(2, f.tracingCount());
        assertEquals(2, f.signatures().size());
        f.call(Tensor.of(new double[] {1, 2, 3}, 3));
        assertEquals(3, f.tracingCount(), "a new dtype retraces");
    }

    @Test
    void plainJavaArgumentsArePartOfTheSignature() {
        var f = Fx.functionOf("scale", args -> ((Tensor) args[0]).mul(((Number) args[1]).doubleValue()));
        assertArrayEquals(new float[] {2, 4}, ((Tensor) f.call(Tensor.vector(1, 2), 2.0)).toFloatArray());
        assertArrayEquals(new float[] {3, 6}, ((Tensor) f.call(Tensor.vector(1, 2), 3.0)).toFloatArray());
        assertEquals(2, f.tracingCount());
        f.call(Tensor.vector(5, 6), 2.0);
        assertEquals(2, f.tracingCount());
    }

    @Test
    void javaSideEffectsHappenOnlyWhileTracingButFxPrintRunsEveryCall() {
        String out = printed(() -> {
            var f = Fx.function("printing", (Tensor x) -> {
                System.out.println("tracing!");
                return Fx.print("value:", x.add(1));
            });
            f.call(Tensor.vector(1));
            f.call(Tensor.vector(2));
            f.call(Tensor.vector(3));
        });
        assertEquals(1, out.split("tracing!", -1).length - 1, out);
        assertEquals(3, out.split("value:", -1).length - 1, out);
        assertTrue(out.contains("4.0"), out);
    }

    @Test
    void variablesAreCapturedByReference() {
        Variable counter = new Variable(Tensor.zeros(2), "counter");
        var inc = Fx.function("inc", (Tensor x) -> {
            counter.assignAdd(x);
            return counter.value().sum();
        });
        assertEquals(3.0, inc.call(Tensor.vector(1, 2)).item());
        assertEquals(6.0, inc.call(Tensor.vector(1, 2)).item());
        assertArrayEquals(new float[] {2, 4}, counter.value().toFloatArray());
        counter.assign(Tensor.vector(10, 10));
        assertEquals(23.0, inc.call(Tensor.vector(1, 2)).item(), "the graph reads the variable's current value");
    }

    @Test
    void creatingVariablesAfterTheFirstTraceIsAnError() {
        var f = Fx.function("make", (Tensor x) -> new Variable(Tensor.zeros(1), "late").value().add(x.sum()));
        f.call(Tensor.vector(1));
        var e = assertThrows(IllegalStateException.class, () -> f.call(Tensor.vector(1, 2)));
        assertTrue(e.getMessage().contains("created on a call after the first"), e.getMessage());
    }

    @Test
    void askingASymbolicTensorForItsValueExplainsWhy() {
        var f = Fx.function("peek", (Tensor x) -> Tensor.scalar((float) x.sum().item()));
        var e = assertThrows(IllegalStateException.class, () -> f.call(Tensor.vector(1)));
        assertTrue(e.getMessage().contains("symbolic tensor") && e.getMessage().contains("Fx.print"), e.getMessage());
        assertTrue(e.getMessage().contains("GraphFunctionTest"), "names the user's line: " + e.getMessage());
    }

    @Test
    void shapeErrorsWhileTracingNameTheOpAndTheLine() {
        var f = Fx.function("bad", (Tensor x) -> x.matmul(Tensor.zeros(5, 2)));
        var e = assertThrows(IllegalArgumentException.class, () -> f.call(Tensor.zeros(3, 4)));
        assertTrue(e.getMessage().contains("matmul: cannot multiply [3,4] by [5,2]"), e.getMessage());
        assertTrue(e.getMessage().contains("GraphFunctionTest.lambda"), e.getMessage());
    }

    @Test
    void runtimeNumericErrorsNameTheOpAndTheLine() {
        var f = Fx.function("checked", (Tensor x) -> Fx.checkNumerics(x.log(), "log of input"));
        assertEquals(0.0, f.call(Tensor.vector(1)).sum().item());
        var e = assertThrows(ArithmeticException.class, () -> f.call(Tensor.vector(-1)));
        assertTrue(e.getMessage().contains("check_numerics") && e.getMessage().contains("GraphFunctionTest"), e.getMessage());
    }

    @Test
    void tapeInsideGraphGivesGradientsIncludingSecondOrder() {
        var f = Fx.function("grads", (Tensor x) -> {
            Tensor dy, d2y;
            try (var outer = new GradientTape()) {
                outer.watch(x);
                try (var inner = new GradientTape()) {
                    inner.watch(x);
                    dy = inner.gradient(x.mul(x).mul(x).sum(), x)[0];
                }
                d2y = outer.gradient(dy, x)[0];
            }
            return new Tensor[] {dy, d2y};
        });
        Tensor[] r = f.call(Tensor.of(new double[] {1, 2}, 2));
        assertArrayEquals(new double[] {3, 12}, r[0].toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {6, 12}, r[1].toDoubleArray(), 1e-12);
    }

    @Test
    void randomNumbersDifferPerCallAndMatchEagerSequence() {
        Rng eager = new Rng(42), traced = new Rng(42);
        var f = Fx.function("noise", (Tensor x) -> x.add(traced.uniform(x.shape(), DType.FLOAT32)));
        Tensor zero = Tensor.zeros(5);
        float[] a = f.call(zero).toFloatArray(), b = f.call(zero).toFloatArray();
        assertFalse(java.util.Arrays.equals(a, b), "each call draws fresh numbers");
        assertArrayEquals(eager.uniform(new int[] {5}, DType.FLOAT32).toFloatArray(), a);
        assertArrayEquals(eager.uniform(new int[] {5}, DType.FLOAT32).toFloatArray(), b);
    }

    @Test
    void condAndWhileLoopWorkEagerAndTraced() {
        var f = Fx.function("collatz_steps", (Tensor n) -> {
            Tensor[] out = Fx.whileLoop(v -> v[0].gt(Tensor.scalar(1f)),
                    v -> new Tensor[] {Fx.cond(Ops.equal(Ops.mod(v[0], Tensor.scalar(2f)), Tensor.scalar(0f)),
                            () -> v[0].div(2), () -> v[0].mul(3).add(1)), v[1].add(1)},
                    new Tensor[] {n, Tensor.scalar(0f)}, 20);
            return out[1];
        });
        assertEquals(7.0, f.call(Tensor.scalar(3f)).item()); // 3 10 5 16 8 4 2 1
        assertEquals(0.0, f.call(Tensor.scalar(1f)).item());
        assertThrows(ArithmeticException.class, () -> f.call(Tensor.scalar(27f)), "27 needs 111 steps > 20");
    }

    @Test
    void optimizationRemovesDeadCodeAndMergesDuplicates() {
        var f = Fx.function("dup", (Tensor x) -> {
            Tensor unused = x.exp().mul(3);
            Tensor a = x.square().add(1), b = x.square().add(1);
            return a.mul(b).mul(1);
        });
        f.call(Tensor.vector(1, 2));
        Graph g = f.lastGraph();
        g.verify();
        assertEquals(3, g.opCount(), f.describe()); // square, add, mul
        assertTrue(f.describe().contains("optimized"), f.describe());
    }

    @Test
    void printsOfConstantsAndRepeatedPrintsRunOnEveryCall() {
        String out = printed(() -> {
            Tensor seven = Tensor.scalar(7f);
            var f = Fx.function("printing_twice", (Tensor x) -> {
                Fx.print("constant:", seven);
                Fx.print("again:", x);
                Fx.print("again:", x);
                return x;
            });
            f.call(Tensor.vector(1));
            f.call(Tensor.vector(2));
        });
        assertEquals(2, out.split("constant:", -1).length - 1, out);
        assertEquals(4, out.split("again:", -1).length - 1, out);
    }

    @Test
    void addingZeroAndMultiplyingByOneLeaveNoOps() {
        var f = Fx.function("identities", (Tensor x) -> {
            Tensor zero = Tensor.scalar(0f), one = Tensor.scalar(1f);
            return zero.add(one.mul(x.add(0).sub(0).mul(1).div(1)));
        });
        Tensor x = Tensor.vector(-1.5f, 0f, 2.25f);
        assertArrayEquals(x.toFloatArray(), f.call(x).toFloatArray(), 0f);
        assertEquals(0, f.lastGraph().opCount(), f.describe());
    }

    @Test
    void identitiesOnTheOtherSideOrWithOtherConstantsAreKept() {
        // 0 - x, 1 / x, x + 1, x - 1, x * 0, 0 * x, x / 2 are not x
        var f = Fx.function("not_identities", (Tensor x) -> {
            Tensor zero = Tensor.scalar(0f), one = Tensor.scalar(1f);
            return new Tensor[] {zero.sub(x), one.div(x), x.add(1), x.sub(1), x.mul(0), zero.mul(x), x.div(2)};
        });
        Tensor x = Tensor.vector(-2f, 4f);
        Tensor[] got = f.call(x);
        float[][] expected = {{2, -4}, {-0.5f, 0.25f}, {-1, 5}, {-3, 3}, {-0f, 0}, {-0f, 0}, {-1, 2}};
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], got[i].toFloatArray(), 0f, "output " + i);
    }

    @Test
    void identitiesThatBroadcastKeepTheBroadcastShape() {
        var f = Fx.function("broadcasting_identities", (Tensor x) -> {
            Tensor zeros = Tensor.zeros(1, 1), ones = Tensor.ones(1, 1);
            return new Tensor[] {x.add(zeros), zeros.add(x), x.sub(zeros), x.mul(ones), ones.mul(x), x.div(ones)};
        });
        Tensor x = Tensor.vector(3f, -1f, 0.5f);
        Tensor[] got = f.call(x);
        for (int i = 0; i < got.length; i++) {
            assertArrayEquals(new int[] {1, 3}, got[i].shape(), "output " + i);
            assertArrayEquals(x.toFloatArray(), got[i].toFloatArray(), 0f, "output " + i);
        }
    }

    @Test
    void trainingStepGivesSameWeightsEagerAndTraced() {
        float[] eager = train(false), traced = train(true);
        assertArrayEquals(eager, traced, 1e-6f);
    }

    @Test
    void steadyStateCallsAllocateOnlyWhatEscapes() {
        Rng rng = new Rng(3);
        Tensor w1 = rng.normal(new int[] {32, 48}, 0, 0.2), w2 = rng.normal(new int[] {48, 16}, 0, 0.2);
        // every array here has at least BufferPool.MIN_POOLED_ELEMENTS elements (smaller ones are not pooled)
        var f = Fx.function("mlp_forward", (Tensor x) -> x.matmul(w1).relu().mul(0.5).matmul(w2).tanh());
        Tensor x = rng.normal(new int[] {64, 32}, 0, 1);
        Tensor expected = f.call(x);
        long[] first = f.bufferStats();
        Tensor second = f.call(x);
        long[] after2 = f.bufferStats();
        f.call(x);
        long[] after3 = f.bufferStats();
        assertArrayEquals(expected.toFloatArray(), second.toFloatArray(), "a call on recycled arrays computes the same");
        long escaping = 64 * 16 * 4; // the float32[64,16] result
        assertEquals(escaping, after2[0] - first[0], "second call allocates only its result");
        assertEquals(escaping, after3[0] - after2[0], "and so does every later call");
        assertTrue(after3[1] - after2[1] >= 2 * 64 * 48 * 4, "the intermediates come from recycled arrays: " + (after3[1] - after2[1]));
    }

    private static float[] train(boolean graph) {
        Rng rng = new Rng(7);
        Variable w = new Variable(rng.normal(new int[] {4, 3}, 0, 0.5), "w");
        Variable b = new Variable(Tensor.zeros(3), "b");
        Tensor x = rng.normal(new int[] {8, 4}, 0, 1);
        Tensor y = dev.fluxion.ArrayOps.oneHot(Tensor.of(new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 8), 3);
        Fx.Fn2<Tensor> step = (xs, ys) -> {
            try (var tape = new GradientTape()) {
                Tensor logits = xs.matmul(w.value()).add(b.value());
                Tensor loss = ys.mul(logits.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
                List<Tensor> g = tape.gradient(loss, List.of(w, b));
                w.assignSub(g.get(0).mul(0.5));
                b.assignSub(g.get(1).mul(0.5));
                return loss;
            }
        };
        var compiled = Fx.function("step", step);
        for (int i = 0; i < 20; i++) {
            if (graph) compiled.call(x, y);
            else step.apply(x, y);
        }
        return w.value().toFloatArray();
    }

    @Test
    void profileNeedsTheSwitchAndCanBeReset() {
        var f = Fx.function("square", (Tensor x) -> x.mul(x).add(1));
        assertTrue(f.profile().contains("not traced yet"), f.profile());
        f.call(Tensor.vector(1, 2));
        f.resetProfile();
        assertTrue(f.profile().contains("profiling is off: run with -Dfluxion.graph.profile=true"), f.profile());
    }

    /** What {@code body} printed to System.out. */
    static String printed(Runnable body) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString();
    }
}
