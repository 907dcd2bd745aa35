package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Fused elementwise groups compute what eager mode computes, for shapes around the tile size and with broadcasting. */
class FusionTest {
    private static Tensor chain(Tensor x, Tensor bias) {
        Tensor h = x.mul(1.5).add(bias).tanh();                       // broadcast bias inside the group
        Tensor mask = h.gt(Tensor.scalar(0f));                         // bool member
        Tensor y = Ops.where(mask, h.square(), h.neg().exp());         // where over members
        Tensor c = Ops.cast(mask, DType.FLOAT32).mul(y).add(NnOps.elu(x));
        return c.sum(new int[] {c.rank() - 1}, false).add(y.mean()); // reductions consume the group
    }

    @Test
    void fusedChainsMatchEager() {
        Rng rng = new Rng(3);
        for (int[] shape : new int[][] {{1}, {7}, {2047}, {2048}, {2049}, {3, 5000}, {64, 300}}) {
            Tensor x = rng.normal(shape, 0, 1);
            Tensor bias = rng.normal(new int[] {shape[shape.length - 1]}, 0, 1);
            var f = Fx.function("chain", FusionTest::chain);
            Tensor eager = chain(x, bias), traced = f.call(x, bias);
            assertArrayEquals(eager.shape(), traced.shape());
            float[] e = eager.toFloatArray(), t = traced.toFloatArray();
            for (int i = 0; i < e.length; i++)
                assertEquals(e[i], t[i], 1e-5f * Math.max(1, Math.abs(e[i])), "shape " + java.util.Arrays.toString(shape) + " at " + i);
        }
    }

    /** Batch-norm-like passes: per-channel and inner broadcasts that repeat within a tile give the eager bits. */
    @Test
    void periodicBroadcastInputsMatchEagerBitwise() {
        Rng rng = new Rng(5);
        int[][][] cases = {
            {{5, 11, 13, 32}, {1, 1, 1, 32}, {32}},   // period 32: NHWC statistics and gamma
            {{40, 7, 9}, {7, 1}, {9}},                // period 63: tile 2016, not 2048
            {{3000, 3}, {1, 3}, {3}},                 // period 3 over several tiles
            {{2, 3000}, {3000}, {1, 3000}},           // period 3000 > the tile: expanded whole
        };
        for (int[][] c : cases) {
            Tensor x = rng.normal(c[0], 0, 1), m = rng.normal(c[1], 0, 1), g = rng.normal(c[2], 0, 1);
            Fx.Fn3<Tensor> bn = (xs, ms, gs) -> NnOps.elu(xs.sub(ms).mul(gs).add(ms.gt(Tensor.scalar(0f)).cast(DType.FLOAT32)))
                    .add(dev.fluxion.ArrayOps.broadcastTo(gs, xs.shape()));   // a broadcast_to view: zero strides

            var f = Fx.function("bn", bn);
            float[] eager = bn.apply(x, m, g).toFloatArray();
            for (int call = 0; call < 2; call++)
                assertArrayEquals(eager, f.call(x, m, g).toFloatArray(), 0f, java.util.Arrays.deepToString(c));
        }
        assertEquals(32, CpuFusedRunner.period(new int[] {1, 1, 1, 32}, new int[] {5, 11, 13, 32}));
        assertEquals(63, CpuFusedRunner.period(new int[] {7, 1}, new int[] {40, 7, 9}));
        assertEquals(40 * 63, CpuFusedRunner.period(new int[] {40, 7, 9}, new int[] {40, 7, 9}));
    }

    /** Batch normalization with its gradients, written with core ops (as the nn layer is). */
    private static Tensor[] batchNormStep(Tensor x, Tensor gamma, Tensor beta) {
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        try (var tape = new dev.fluxion.GradientTape()) {
            tape.watch(x);
            tape.watch(gamma);
            tape.watch(beta);
            Tensor mean = Ops.mean(x, axes, true), centered = x.sub(mean);
            Tensor variance = centered.square().mean(axes, true);
            Tensor y = NnOps.elu(centered.mul(Ops.rsqrt(variance.add(1e-3))).mul(gamma).add(beta));
            Tensor loss = y.mul(y).sum();
            Tensor[] g = tape.gradient(loss, x, gamma, beta);
            return new Tensor[] {y, g[0], g[1], g[2], variance};
        }
    }

    /**
     * Reductions over leading axes run inside the elementwise pass that feeds them (the statistics of batch norm
     * and their gradients) and still give the reduction kernel's bits: rows around the 64-row block, several runs of
     * tiles, channel counts from 16 to 256, and 3 and 300 channels, too few and too many to fuse.
     */
    @Test
    void reductionsFusedIntoElementwisePassesGiveTheKernelsBits() {
        Rng rng = new Rng(11);
        for (int[] shape : new int[][] {{5, 13, 11, 32}, {3, 7, 100}, {200, 16}, {9, 64, 256}, {2, 300}, {64, 64}, {650, 3}}) {
            int c = shape[shape.length - 1];
            Tensor x = rng.normal(shape, 0.5, 2), gamma = rng.normal(new int[] {c}, 1, 0.2), beta = rng.normal(new int[] {c}, 0, 0.2);
            var f = Fx.function("batch_norm", FusionTest::batchNormStep);
            Tensor[] eager = batchNormStep(x, gamma, beta);
            for (int call = 0; call < 2; call++) {
                Tensor[] traced = f.call(x, gamma, beta);
                for (int k = 0; k < eager.length; k++)
                    assertArrayEquals(eager[k].toFloatArray(), traced[k].toFloatArray(), 0f, java.util.Arrays.toString(shape) + " output " + k);
            }
            boolean fusable = c * 64 >= CpuFusion.MIN_REDUCTION_TILE && c * 64 <= CpuFusion.MAX_REDUCTION_TILE;
            assertEquals(fusable, !f.describe().contains(" 0 reductions"), java.util.Arrays.toString(shape) + ": " + f.describe());
        }
    }

    /** A Conv2D layer's relu(conv2d(x, f) + b), same and strided valid padding, and one whose sum is used twice. */
    @Test
    void convolutionLayersRunWithTheirBiasAndReluFusedAndGiveTheEagerBits() {
        Rng rng = new Rng(9);
        Tensor x = rng.normal(new int[] {3, 9, 7, 5}, 0, 1), f = rng.normal(new int[] {3, 3, 5, 37}, 0, 0.3);
        Tensor b = rng.normal(new int[] {37}, 0, 1);
        Fx.Fn2<Tensor> same = (xs, bs) -> NnOps.conv2d(xs, f, NnOps.Padding.SAME).add(bs).relu();
        Fx.Fn2<Tensor> strided = (xs, bs) -> bs.add(NnOps.conv2d(xs, f, 2, 2, NnOps.Padding.VALID, 1, 1));
        Fx.Fn2<Tensor> twice = (xs, bs) -> {
            Tensor z = NnOps.conv2d(xs, f, NnOps.Padding.SAME).add(bs);
            return z.relu().add(z.mul(0.5));
        };
        for (Fx.Fn2<Tensor> body : java.util.List.of(same, strided, twice)) {
            var fn = Fx.function("conv", body);
            Tensor eager = body.apply(x, b);
            for (int call = 0; call < 2; call++) assertArrayEquals(eager.toFloatArray(), fn.call(x, b).toFloatArray(), 0f);
            assertTrue(fn.describe().contains("1 matmuls or convolutions with fused bias/relu"), fn.describe());
        }
    }

    @Test
    void planFusesTheElementwiseChain() {
        var f = Fx.function("chain", FusionTest::chain);
        Tensor x = Tensor.ones(4, 8), bias = Tensor.ones(8);
        f.call(x, bias);
        Graph g = f.lastGraph();
        boolean[] pinned = new boolean[g.nodes.size()];
        for (Node o : g.outputs) pinned[o.id] = true;
        var steps = CpuFusion.plan(g.nodes.toArray(Node[]::new), pinned);
        long fused = steps.stream().filter(s -> s instanceof CpuFusion.Fused).count();
        int largest = steps.stream().mapToInt(s -> s instanceof CpuFusion.Fused ff ? ff.members().length : 0).max().orElse(0);
        assertTrue(fused >= 1 && largest >= 8, "expected one large fused group, got " + steps);
    }

    /** relu(x·W + b), with W transposed or not, and x·W + b used twice (the bias fuses, the relu cannot). */
    @Test
    void denseLayersRunAsOneMatmulWithEpilogueAndGiveTheEagerBits() {
        Rng rng = new Rng(8);
        Tensor x = rng.normal(new int[] {37, 19}, 0, 1), w = rng.normal(new int[] {19, 23}, 0, 1), wt = rng.normal(new int[] {23, 19}, 0, 1);
        Tensor b = rng.normal(new int[] {23}, 0, 1);
        Fx.Fn2<Tensor> dense = (xs, bs) -> xs.matmul(w).add(bs).relu();
        Fx.Fn2<Tensor> denseT = (xs, bs) -> bs.add(Ops.matmul(xs, wt, false, true)).relu();
        Fx.Fn2<Tensor> twice = (xs, bs) -> {
            Tensor z = xs.matmul(w).add(bs);
            return z.relu().add(z.mul(0.5));
        };
        for (Fx.Fn2<Tensor> body : java.util.List.of(dense, denseT, twice)) {
            var f = Fx.function("dense", body);
            Tensor eager = body.apply(x, b);
            for (int call = 0; call < 2; call++) assertArrayEquals(eager.toFloatArray(), f.call(x, b).toFloatArray(), 0f);
            assertTrue(f.describe().contains("1 matmuls or convolutions with fused bias/relu"), f.describe());
        }
    }
}
