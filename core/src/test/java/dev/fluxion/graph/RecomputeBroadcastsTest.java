package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link CpuFusion#recomputeBroadcastOperands}: batch normalization's {@code x - mean}, read by several fused passes, is
 * recomputed in each instead of written out, with the same bits.
 */
class RecomputeBroadcastsTest {
    private static final int[] STATISTICS_AXES = {0, 1, 2};

    /** Batch normalization's forward and its closed-form gradient's passes in miniature: x - mean read by four. */
    private static Tensor normalizeAndBack(Tensor x, Tensor dy) {
        Tensor mean = x.mean(STATISTICS_AXES, true);
        Tensor centered = x.sub(mean);                                           // the shared broadcast operand
        Tensor variance = centered.square().mean(STATISTICS_AXES, true);        // pass 1: statistics
        Tensor y = NnOps.elu(centered.mul(Ops.unary(dev.fluxion.ops.UnaryFn.RSQRT, variance.add(1e-3f))));        // pass 2: normalization
        Tensor dyXhat = dy.mul(centered).sum(STATISTICS_AXES, true);            // pass 3: a gradient's reduction
        return y.add(centered.mul(dyXhat));                                      // pass 4: the gradient itself
    }

    private static long count(Graph g, BinaryFn fn) {
        return g.nodes.stream().filter(n -> n.kind == Node.Kind.OP && n.op instanceof Op.Binary b && b.fn() == fn).count();
    }

    private static boolean[] pinned(Graph g) {
        boolean[] pinned = new boolean[g.nodes.size()];
        for (Node o : g.outputs) pinned[o.id] = true;
        return pinned;
    }

    @Test
    void sharedShiftIsCopiedIntoEachPassAndNeverStored() {
        Rng rng = new Rng(11);
        Tensor x = rng.normal(new int[] {6, 9, 9, 32}, 0.5, 2), dy = rng.normal(new int[] {6, 9, 9, 32}, 0, 1);
        var f = Fx.function("bn", RecomputeBroadcastsTest::normalizeAndBack);
        Tensor traced = f.call(x, dy);
        assertArrayEquals(normalizeAndBack(x, dy).toFloatArray(), traced.toFloatArray(), 0f, "the eager bits");

        Graph before = f.lastGraph(), after = CpuFusion.recomputeBroadcastOperands(before);
        assertEquals(1, count(before, BinaryFn.SUB));
        assertEquals(4, count(after, BinaryFn.SUB), "one copy per pass:\n" + after);
        after.verify();
        for (CpuFusion.Step step : CpuFusion.plan(after.nodes.toArray(Node[]::new), pinned(after))) {
            if (step instanceof CpuFusion.Fused fused)
                for (int i = 0; i < fused.members().length; i++)
                    if (fused.members()[i].op instanceof Op.Binary b && b.fn() == BinaryFn.SUB)
                        assertFalse(fused.materialized()[i], "x - mean written out: " + step);
            if (step instanceof CpuFusion.Single single && single.node().op instanceof Op.Binary b)
                assertNotEquals(BinaryFn.SUB, b.fn(), "x - mean computed alone: " + step);
        }
    }

    @Test
    void leavesTheNodeAloneWhenAReaderCannotTakeACopy() {
        Rng rng = new Rng(12);
        Tensor x = rng.normal(new int[] {16, 8}, 0, 1), w = rng.normal(new int[] {8, 8}, 0, 1);
        // the matmul must read the stored value anyway, so copies for the other readers would only add work
        Fx.Fn2<Tensor> body = (xs, ws) -> {
            Tensor centered = xs.sub(xs.mean(new int[] {0}, true));
            return centered.square().add(centered.matmul(ws)).add(centered.mul(2f));
        };
        var f = Fx.function("matmul reader", body);
        assertArrayEquals(body.apply(x, w).toFloatArray(), f.call(x, w).toFloatArray(), 0f);
        Graph g = f.lastGraph();
        assertSame(g, CpuFusion.recomputeBroadcastOperands(g));
    }

    @Test
    void aReaderThatUsesTheNodeTwiceGetsOneCopy() {
        Rng rng = new Rng(13);
        Tensor x = rng.normal(new int[] {64, 32}, 0, 1);
        Fx.Fn1<Tensor> body = xs -> {
            Tensor centered = xs.sub(xs.mean(new int[] {0}, true));
            Tensor variance = centered.square().mean(new int[] {0}, true);
            return centered.mul(centered).mul(variance);
        };
        var f = Fx.function("twice", body);
        assertArrayEquals(body.apply(x).toFloatArray(), f.call(x).toFloatArray(), 0f);
        Graph after = CpuFusion.recomputeBroadcastOperands(f.lastGraph());
        assertEquals(2, count(after, BinaryFn.SUB), after.toString());
        List<Node> muls = after.nodes.stream().filter(n -> n.op instanceof Op.Binary b && b.fn() == BinaryFn.MUL && n.inputs[0] == n.inputs[1]).toList();
        assertEquals(1, muls.size(), "centered * centered reads one copy: " + after);
    }
}
