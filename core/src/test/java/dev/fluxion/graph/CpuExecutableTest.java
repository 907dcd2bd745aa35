package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.UnconnectedGradients;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU executable's bookkeeping of arrays: every array a step takes from the pool (a fused bias epilogue's, a
 * pass's pooling, the routes of a pooling gradient) goes back to it after its last reader, so that a call in the
 * steady state allocates nothing that does not escape; a view keeps its operand's array alive; and the plan's summary
 * counts its parallel stages.
 */
class CpuExecutableTest {
    /**
     * A block of every kind of step: ELU then 2x2 max pooling fused into one pass, the pooling gradient routed per
     * tile, a dense layer with bias and relu, and a reduction over batch, rows and columns fused into the pass
     * computing its operand. Only a scalar escapes; x is read first and only by the first pass.
     */
    private static Tensor block(Tensor x, Tensor scale, Tensor w, Tensor dense, Tensor bias) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Ops.unary(UnaryFn.ELU, x.mul(scale).add(0.25f));
            Tensor pooled = NnOps.maxPool2d(y, 2, 2, 2, 2, Padding.VALID);
            Tensor dx = tape.gradient(pooled, new Tensor[] {x}, w, UnconnectedGradients.NONE)[0]; // of sum(pooled * w)
            Tensor h = scale.reshape(512, 16).matmul(dense).add(bias).relu();
            Tensor perChannel = dx.square().sum(new int[] {0, 1, 2}, false);
            return Ops.sum(h).add(Ops.sum(pooled.mul(pooled))).add(Ops.sum(perChannel.mul(perChannel)));
        }
    }

    @Test
    void fromTheSecondCallACallAllocatesOnlyItsResult() {
        Rng rng = new Rng(41);
        Tensor x = rng.normal(new int[] {2, 16, 16, 16}, 0, 1), scale = rng.normal(new int[] {2, 16, 16, 16}, 1, 0.2);
        Tensor w = rng.normal(new int[] {2, 8, 8, 16}, 0, 1), dense = rng.normal(new int[] {16, 32}, 0, 0.3);
        Tensor bias = rng.normal(new int[] {32}, 0, 0.5);
        double expected = block(x, scale, w, dense, bias).item();
        // every array is pooled, however small: the fused reduction's values too
        String previous = System.setProperty("fluxion.graph.minPooledElements", "1");
        var f = Fx.function("block", (Tensor xs, Tensor ss, Tensor ws) -> block(xs, ss, ws, dense, bias));
        try {
            assertEquals(expected, f.call(x, scale, w).item(), Math.abs(expected) * 1e-5);
        } finally {
            if (previous == null) System.clearProperty("fluxion.graph.minPooledElements");
            else System.setProperty("fluxion.graph.minPooledElements", previous);
        }
        String plan = f.describe();
        assertTrue(plan.contains("1 matmuls or convolutions with fused bias/relu") && !plan.contains(" 0 reductions"), plan);
        long[] before = f.bufferStats();
        for (int call = 2; call <= 3; call++) {
            assertEquals(expected, f.call(x, scale, w).item(), Math.abs(expected) * 1e-5, "call " + call);
            long[] after = f.bufferStats();
            assertEquals(4, after[0] - before[0], "call " + call + " allocates only its float32 scalar result\n" + plan);
            assertTrue(after[1] - before[1] >= 3 * 2 * 8 * 8 * 16 * 4, "call " + call + " reuses the arrays: " + (after[1] - before[1]));
            before = after;
        }
    }

    /**
     * A pass reading a per-channel scale (repeated within a tile) and a per-image, per-channel shift (expanded to the
     * pass's shape) copies both for the call; the copies go back to the pool, so later calls allocate only the result.
     */
    @Test
    void broadcastOperandsCopiedForAPassAreRecycled() {
        Rng rng = new Rng(42);
        Tensor x = rng.normal(new int[] {2, 16, 16, 16}, 0, 1), scale = rng.normal(new int[] {16}, 1, 0.2);
        Tensor shift = rng.normal(new int[] {2, 1, 1, 16}, 0, 0.5);
        Fx.Fn3<Tensor> body = (xs, ss, hs) -> Ops.sum(Ops.unary(UnaryFn.ELU, xs.mul(ss).add(hs)).square());
        double expected = body.apply(x, scale, shift).item();
        String previous = System.setProperty("fluxion.graph.minPooledElements", "1");
        var f = Fx.function("scaled", body);
        try {
            assertEquals(expected, f.call(x, scale, shift).item(), Math.abs(expected) * 1e-5);
        } finally {
            if (previous == null) System.clearProperty("fluxion.graph.minPooledElements");
            else System.setProperty("fluxion.graph.minPooledElements", previous);
        }
        long[] before = f.bufferStats();
        for (int call = 2; call <= 3; call++) {
            assertEquals(expected, f.call(x, scale, shift).item(), Math.abs(expected) * 1e-5, "call " + call);
            long[] after = f.bufferStats();
            assertEquals(4, after[0] - before[0], "call " + call + " allocates only its float32 scalar result\n" + f.describe());
            before = after;
        }
    }

    /**
     * y is still to be read when its reshaped view dies: the view must not hand y's array back, or the product made
     * next would take it and overwrite y.
     */
    @Test
    void aViewDyingFirstKeepsItsOperandsArray() {
        Rng rng = new Rng(43);
        Tensor m = rng.normal(new int[] {32, 32}, 0, 0.2);
        Fx.Fn1<Tensor> body = x -> {
            Tensor y = x.mul(2f);
            Tensor a = y.reshape(32, 64).mul(3f);
            Tensor b = a.reshape(64, 32).matmul(m);
            return b.add(y);
        };
        Tensor x = rng.normal(new int[] {64, 32}, 0, 1);
        float[] eager = body.apply(x).toFloatArray();
        var f = Fx.function("view", body);
        for (int call = 0; call < 2; call++) assertArrayEquals(eager, f.call(x).toFloatArray(), 0f, "call " + call);
    }

    /** Normalization and a gradient-like pass in miniature: x - mean is read by three passes. */
    private static Tensor normalize(Tensor x, Tensor dy) {
        int[] axes = {0, 1, 2};
        Tensor centered = x.sub(x.mean(axes, true));
        Tensor variance = centered.square().mean(axes, true);
        return centered.mul(Ops.rsqrt(variance.add(1e-3f))).add(centered.mul(dy.mul(centered).sum(axes, true)));
    }

    /** Bytes of new arrays the first call of {@code normalize} takes, with the recompute switch set to {@code recompute}. */
    private static long firstCallAllocation(String recompute, Tensor x, Tensor dy, float[] eager) {
        String previous = recompute == null ? System.clearProperty("fluxion.graph.recompute") : System.setProperty("fluxion.graph.recompute", recompute);
        try {
            var f = Fx.function("normalize", CpuExecutableTest::normalize);
            assertArrayEquals(eager, f.call(x, dy).toFloatArray(), 0f, "recompute=" + recompute);
            return f.bufferStats()[0];
        } finally {
            if (previous == null) System.clearProperty("fluxion.graph.recompute");
            else System.setProperty("fluxion.graph.recompute", previous);
        }
    }

    /** By default a broadcast operand that several passes read is recomputed in each of them, never written out. */
    @Test
    void sharedBroadcastOperandsAreRecomputedUnlessSwitchedOff() {
        Rng rng = new Rng(53);
        Tensor x = rng.normal(new int[] {8, 16, 16, 16}, 0, 1), dy = rng.normal(new int[] {8, 16, 16, 16}, 0, 1);
        float[] eager = normalize(x, dy).toFloatArray();
        long recomputed = firstCallAllocation(null, x, dy, eager), stored = firstCallAllocation("false", x, dy, eager);
        // storing x - mean takes an array of x's size (less what the first call's own scratch happens to reuse)
        assertTrue(stored - recomputed >= x.size() * 4L / 2, "x - mean is not stored: " + recomputed + " bytes, not " + stored);
    }

    @Test
    void thePlanSummaryCountsOnlyStagesOfSeveralSteps() {
        Rng rng = new Rng(47);
        Tensor w1 = rng.normal(new int[] {32, 32}, 0, 0.3), w2 = rng.normal(new int[] {32, 32}, 0, 0.3);
        Tensor a = rng.normal(new int[] {32, 32}, 0, 1), b = rng.normal(new int[] {32, 32}, 0, 1);
        var branches = Fx.function("two_branches", (Tensor as, Tensor bs) -> as.matmul(w1).add(bs.matmul(w2)));
        branches.call(a, b);
        assertTrue(branches.describe().contains(" 1 parallel stages running 2 steps"), branches.describe());
        var chain = Fx.function("chain", (Tensor as, Tensor bs) -> as.matmul(w1).matmul(w2).add(bs));
        chain.call(a, b);
        assertTrue(chain.describe().contains(" 0 parallel stages running 0 steps"), chain.describe());
    }
}
