package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 2x2 max pooling inside fused passes: a pass pools each of its tiles right after computing it, and the passes that
 * read a pooling gradient route it per tile instead of reading it whole; both give the eager bits, ties included.
 */
class PoolFusionTest {
    private static final int[] SPATIAL = {0, 1, 2};

    /** A batch-norm block in miniature, forward and backward: {pooled, dx, sum(dx * x)}. */
    private static List<Tensor> block(Tensor x, Tensor scale, Tensor w) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Ops.unary(UnaryFn.ELU, x.mul(scale).add(0.25f));
            Tensor pooled = NnOps.maxPool2d(y, 2, 2, 2, 2, Padding.VALID);
            Tensor dx = tape.gradient(Ops.sum(pooled.mul(w)), x)[0];
            return List.of(pooled, dx, dx.mul(x).sum(SPATIAL, false));
        }
    }

    /** Few distinct values, so that windows have ties and the first maximum must take the gradient. */
    private static Tensor random(Random r, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextInt(9) - 4) * 0.25f;
        return Tensor.of(v, shape);
    }

    private static List<CpuFusion.Step> plan(Graph g) {
        boolean[] pinned = new boolean[g.nodes.size()];
        for (Node o : g.outputs) pinned[o.id] = true;
        return CpuFusion.plan(g.nodes.toArray(Node[]::new), pinned);
    }

    /** Runs the block eagerly and as a graph function on x of this shape; returns the graph's CPU plan. */
    private static List<CpuFusion.Step> assertBlockMatchesEager(int... shape) {
        Random r = new Random(Arrays.hashCode(shape));
        Tensor x = random(r, shape), scale = random(r, shape[3]).add(1.5f);
        Tensor w = random(r, NnOps.maxPool2d(x, 2, 2, 2, 2, Padding.VALID).shape());
        List<Tensor> eager = block(x, scale, w);
        var f = Fx.function("block", PoolFusionTest::block);
        for (int call = 0; call < 2; call++) {
            List<Tensor> graph = f.call(x, scale, w);
            for (int i = 0; i < eager.size(); i++)
                assertArrayEquals(eager.get(i).toFloatArray(), graph.get(i).toFloatArray(), 0f,
                        "output " + i + " for x " + Arrays.toString(shape) + ", call " + call);
        }
        return plan(f.lastGraph());
    }

    /** The plan as text for failure messages: each step's nodes. */
    private static String describe(List<CpuFusion.Step> steps) {
        StringBuilder sb = new StringBuilder();
        for (CpuFusion.Step s : steps)
            switch (s) {
                case CpuFusion.Single single -> sb.append('\n').append(single.node());
                case CpuFusion.BiasEpilogue e -> sb.append('\n').append(e.product()).append(" with bias");
                case CpuFusion.Fused f -> sb.append("\nfused ").append(Arrays.toString(f.members())).append(" reducing ")
                        .append(Arrays.toString(f.reductions())).append(", pool ").append(f.pool()).append(", per tile ")
                        .append(Arrays.toString(f.tileInputs()));
            }
        return sb.toString();
    }

    private static boolean anySingle(List<CpuFusion.Step> steps, Class<? extends Op> op) {
        return steps.stream().anyMatch(s -> s instanceof CpuFusion.Single single && op.isInstance(single.node().op));
    }

    @Test
    void poolingAndItsGradientRunInsideTheFusedPasses() {
        // tiles of whole row pairs: interpreted (small) and generated loops (32K elements), an odd width
        for (int[] shape : new int[][] {{2, 6, 6, 3}, {4, 16, 16, 32}, {2, 8, 7, 5}}) {
            List<CpuFusion.Step> steps = assertBlockMatchesEager(shape);
            String where = Arrays.toString(shape) + ": " + describe(steps);
            // the activation is read only by the pooling and its gradient: the pass keeps each window's cell instead
            assertTrue(steps.stream().anyMatch(s -> s instanceof CpuFusion.Fused f && f.pool() != null && f.routed()
                    && !f.materialized()[Arrays.asList(f.members()).indexOf(f.pool().inputs()[0])]), where);
            assertTrue(steps.stream().anyMatch(s -> s instanceof CpuFusion.Fused f && f.tileInputs().length == 1), where);
            assertFalse(anySingle(steps, Op.Pool2D.class), where);
            assertFalse(anySingle(steps, Op.Pool2DGrad.class), where);
        }
    }

    @Test
    void tilesThatSplitRowPairsPoolTheWholeTensorInsteadWithTheSameBits() {
        // the gradient's pass folds a reduction in tiles of 64 rows: 12-column images pair rows across tiles
        List<CpuFusion.Step> steps = assertBlockMatchesEager(2, 4, 12, 16);
        assertTrue(steps.stream().anyMatch(s -> s instanceof CpuFusion.Fused f && f.tileInputs().length == 1
                && f.reductions().length == 1), describe(steps));
        CpuFusion.Fused withReduction = (CpuFusion.Fused) steps.stream()
                .filter(s -> s instanceof CpuFusion.Fused f && f.reductions().length == 1).findFirst().orElseThrow();
        assertNotEquals(0, (64 * 16) % (2 * 12 * 16), "the case must split row pairs: " + describe(steps));
    }

    @Test
    void aPassWhoseBroadcastPeriodOutgrowsATileOfRowPairsPoolsAfterwards() {
        // an operand repeating every image (600 x 9 x 7 = 37,800 elements) and row pairs of 126: no common tile fits
        Random r = new Random(6);
        Tensor x = random(r, 2, 600, 9, 7), perImage = random(r, 600, 9, 7);
        Fx.Fn2<Tensor> forward = (xs, bs) -> NnOps.maxPool2d(Ops.unary(UnaryFn.ELU, xs.mul(bs)), 2, 2, 2, 2, Padding.VALID);
        var f = Fx.function("large period", forward);
        for (int call = 0; call < 2; call++) assertArrayEquals(forward.apply(x, perImage).toFloatArray(), f.call(x, perImage).toFloatArray(), 0f);
        List<CpuFusion.Step> steps = plan(f.lastGraph());
        assertTrue(steps.stream().anyMatch(s -> s instanceof CpuFusion.Fused p && p.pool() != null), describe(steps));
        // and with the gradient: the cells are recorded from the whole activation, and routed whole
        Fx.Fn2<List<Tensor>> both = (xs, bs) -> {
            try (GradientTape tape = new GradientTape()) {
                tape.watch(xs);
                Tensor pooled = forward.apply(xs, bs);
                return List.of(pooled, tape.gradient(Ops.sum(pooled.mul(pooled)), xs)[0].mul(bs));
            }
        };
        var g = Fx.function("large period, gradient", both);
        List<Tensor> eager = both.apply(x, perImage), graph = g.call(x, perImage);
        for (int i = 0; i < 2; i++) assertArrayEquals(eager.get(i).toFloatArray(), graph.get(i).toFloatArray(), 0f);
        steps = plan(g.lastGraph());
        assertTrue(steps.stream().anyMatch(s -> s instanceof CpuFusion.Fused p && p.routed()), describe(steps));
    }

    @Test
    void anOddHeightLeavesPoolingToItsKernels() {
        List<CpuFusion.Step> steps = assertBlockMatchesEager(2, 7, 6, 3);
        assertTrue(anySingle(steps, Op.Pool2D.class), describe(steps));
        assertTrue(anySingle(steps, Op.Pool2DGrad.class), describe(steps));
    }

    @Test
    void aPooledActivationReadByNothingElseIsNotWrittenOut() {
        Random r = new Random(4);
        Tensor x = random(r, 4, 16, 16, 32);
        Fx.Fn1<Tensor> forward = xs -> NnOps.maxPool2d(Ops.unary(UnaryFn.ELU, xs.mul(2f)), 2, 2, 2, 2, Padding.VALID);
        var f = Fx.function("inference", forward);
        assertArrayEquals(forward.apply(x).toFloatArray(), f.call(x).toFloatArray(), 0f);
        List<CpuFusion.Step> steps = plan(f.lastGraph());
        assertEquals(1, steps.stream().filter(s -> s instanceof CpuFusion.Fused).count(), describe(steps));
        CpuFusion.Fused pass = (CpuFusion.Fused) steps.stream().filter(s -> s instanceof CpuFusion.Fused).findFirst().orElseThrow();
        assertNotNull(pass.pool());
        for (boolean m : pass.materialized()) assertFalse(m, "only the pooled tensor leaves the pass: " + pass);
    }

    /** y = f(x) and the gradient of sum(max_pool(y) * w) with respect to x, given to {@code outputs}. */
    private static List<Tensor> pooledGradient(Tensor xs, Tensor ws, java.util.function.UnaryOperator<Tensor> f,
                                               java.util.function.BinaryOperator<Tensor> second) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(xs);
            Tensor y = f.apply(xs);
            Tensor g = tape.gradient(Ops.sum(NnOps.maxPool2d(y, 2, 2, 2, 2, Padding.VALID).mul(ws)), xs)[0];
            return List.of(y, g, second.apply(y, g));
        }
    }

    /** Runs body eagerly and as a graph function, asserts the same bits for every output, and returns the plan. */
    private static List<CpuFusion.Step> assertMatchesEager(Fx.Fn2<List<Tensor>> body, Tensor x, Tensor w) {
        var f = Fx.function("pooled gradient", body);
        List<Tensor> eager = body.apply(x, w), graph = f.call(x, w);
        for (int i = 0; i < eager.size(); i++)
            assertArrayEquals(eager.get(i).toFloatArray(), graph.get(i).toFloatArray(), 0f, "output " + i);
        return plan(f.lastGraph());
    }

    @Test
    void anActivationAlsoReadElsewhereIsStoredAndStillPooledInItsPass() {
        Random r = new Random(7);
        Tensor x = random(r, 4, 16, 16, 32), w = random(r, 4, 8, 8, 32);
        // y is an output too
        List<CpuFusion.Step> steps = assertMatchesEager((xs, ws) -> pooledGradient(xs, ws,
                v -> Ops.unary(UnaryFn.ELU, v.mul(2f)), (y, g) -> y), x, w);
        CpuFusion.Fused pass = (CpuFusion.Fused) steps.stream().filter(s -> s instanceof CpuFusion.Fused p && p.pool() != null)
                .findFirst().orElseThrow(() -> new AssertionError(describe(steps)));
        assertTrue(pass.materialized()[Arrays.asList(pass.members()).indexOf(pass.pool().inputs()[0])], describe(steps));
    }

    @Test
    void aPoolingGradientThatIsAnOutputIsComputedWhole() {
        Random r = new Random(5);
        Tensor x = random(r, 2, 6, 6, 3), w = random(r, 2, 3, 3, 3);
        // with y = x the gradient is the pooling gradient itself, an output
        List<CpuFusion.Step> steps = assertMatchesEager((xs, ws) -> pooledGradient(xs, ws, v -> v, (y, g) -> g.mul(xs)), x, w);
        assertTrue(anySingle(steps, Op.Pool2DGrad.class), describe(steps));
        // with y = 3x it is read by an elementwise op only, even though that op's result is an output
        steps = assertMatchesEager((xs, ws) -> pooledGradient(xs, ws, v -> v.mul(3f), (y, g) -> g.mul(xs)), x, w);
        assertFalse(anySingle(steps, Op.Pool2DGrad.class), describe(steps));
    }
}
