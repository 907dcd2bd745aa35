package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fused passes at their edges: one-element groups, strided inputs larger than a tile, pooling spread over several
 * tiles, reductions whose identity is not zero or whose axes are not leading, and plans that must keep groups apart.
 * Each compiled function gives the eager bits.
 */
class FusionEdgeCasesTest {
    private static void assertSameBits(List<Tensor> eager, List<Tensor> traced, String what) {
        assertEquals(eager.size(), traced.size(), what);
        for (int i = 0; i < eager.size(); i++) {
            assertArrayEquals(eager.get(i).shape(), traced.get(i).shape(), what + " output " + i);
            assertArrayEquals(eager.get(i).toFloatArray(), traced.get(i).toFloatArray(), 0f, what + " output " + i);
        }
    }

    private static Tensor f32(Tensor t) {
        return t.cast(DType.FLOAT32);
    }

    /** Casts, logical not and a boolean where over one-element inputs, which the pass reads with stride 0. */
    private static List<Tensor> scalarLogic(Tensor x, Tensor b) {
        Tensor positive = x.cast(DType.BOOL);                               // float to bool of the input itself
        Tensor notB = Ops.logicalNot(b);                                    // not of the input itself
        Tensor picked = Ops.where(b, positive, notB);                       // bool where over members
        return List.of(f32(b).add(x), f32(notB).mul(x.add(2f)), f32(picked).sub(f32(positive)), f32(positive));
    }

    @Test
    void oneElementGroupsCastAndNegateTheirStrideZeroOperands() {
        for (int[] shape : new int[][] {{1}, {1, 1}, {7}, {3, 5}}) {
            for (float v : new float[] {0f, -2.5f, 3f}) {
                for (boolean flag : new boolean[] {false, true}) {
                    float[] xs = new float[Arrays.stream(shape).reduce(1, (a, c) -> a * c)];
                    boolean[] bs = new boolean[xs.length];
                    for (int i = 0; i < xs.length; i++) { xs[i] = i % 2 == 0 ? v : -v + i; bs[i] = flag ^ (i % 3 == 1); }
                    Tensor x = Tensor.of(xs, shape), b = Tensor.of(bs, shape);
                    var f = Fx.function("scalar_logic", FusionEdgeCasesTest::scalarLogic);
                    List<Tensor> eager = scalarLogic(x, b);
                    for (int call = 0; call < 2; call++)
                        assertSameBits(eager, f.call(x, b), Arrays.toString(shape) + " v=" + v + " b=" + flag);
                }
            }
        }
    }

    /** A transposed input is as large as the group but not contiguous: it is expanded whole, not repeated per tile. */
    @Test
    void transposedInputsLargerThanATileAreReadInFull() {
        Rng rng = new Rng(21);
        for (int[] s : new int[][] {{5, 7}, {60, 50}, {130, 131}}) {
            Tensor a = rng.normal(new int[] {s[0], s[1]}, 0, 1), b = rng.normal(new int[] {s[1], s[0]}, 0, 1);
            Fx.Fn2<Tensor> body = (as, bs) -> as.transpose().mul(bs).add(1f).tanh();
            var f = Fx.function("transposed", body);
            float[] eager = body.apply(a, b).toFloatArray();
            for (int call = 0; call < 2; call++)
                assertArrayEquals(eager, f.call(a, b).toFloatArray(), 0f, Arrays.toString(s));
        }
    }

    /**
     * An input broadcast along a middle axis repeats with the period of the whole group, so it is expanded whole, not
     * repeated per tile.
     */
    @Test
    void inputsBroadcastAlongAMiddleAxisAreExpandedWhole() {
        Rng rng = new Rng(22);
        for (int[] s : new int[][] {{5, 3, 7}, {60, 2, 50}, {130, 2, 131}}) {
            Tensor a = rng.normal(new int[] {s[0], 1, s[2]}, 0, 1), b = rng.normal(s, 0, 1);
            Fx.Fn2<Tensor> body = (as, bs) -> bs.mul(as).add(1f).tanh();
            var f = Fx.function("middle_axis", body);
            float[] eager = body.apply(a, b).toFloatArray();
            for (int call = 0; call < 2; call++)
                assertArrayEquals(eager, f.call(a, b).toFloatArray(), 0f, Arrays.toString(s));
        }
    }

    /** A broadcast row longer than the largest tile repeats with a period no tile holds: it is expanded whole. */
    @Test
    void broadcastRowsLongerThanAnyTileAreExpandedWhole() {
        Rng rng = new Rng(28);
        Tensor a = rng.normal(new int[] {40_000}, 0, 1), b = rng.normal(new int[] {2, 40_000}, 0, 1);
        Fx.Fn2<Tensor> body = (as, bs) -> bs.sub(as).mul(as).add(0.5f);
        var f = Fx.function("long_row", body);
        float[] eager = body.apply(a, b).toFloatArray();
        for (int call = 0; call < 2; call++) assertArrayEquals(eager, f.call(a, b).toFloatArray(), 0f);
    }

    /** A pass that reads two pooling gradients, each routed per tile into its own tile buffer. */
    private static List<Tensor> twoPoolGradients(Tensor x, Tensor s, Tensor w) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y1 = NnOps.maxPool2d(x.mul(s), 2, 2, 2, 2, Padding.VALID);
            Tensor y2 = NnOps.maxPool2d(x.add(0.5f).mul(-2f), 2, 2, 2, 2, Padding.VALID);
            Tensor dx = tape.gradient(Ops.sum(y1.mul(w)).add(Ops.sum(y2.mul(w).mul(-3f))), x)[0];
            return List.of(dx.mul(x).add(1f));
        }
    }

    @Test
    void passesReadingTwoPoolingGradientsRouteEachIntoItsOwnBuffer() {
        Rng rng = new Rng(24);
        for (int[] shape : new int[][] {{2, 16, 16, 8}, {1, 4, 6, 3}, {3, 34, 10, 24}}) {
            Tensor x = rng.normal(shape, 0, 1), s = rng.normal(new int[] {shape[3]}, 0, 1);
            Tensor w = rng.normal(new int[] {shape[0], shape[1] / 2, shape[2] / 2, shape[3]}, 0, 1);
            var f = Fx.function("two_pool_gradients", FusionEdgeCasesTest::twoPoolGradients);
            List<Tensor> eager = twoPoolGradients(x, s, w);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x, s, w), Arrays.toString(shape));
        }
    }

    /** A pooling gradient read by a broadcasting op of a larger shape is computed whole, not per tile of that op. */
    private static List<Tensor> poolGradientBroadcast(Tensor x, Tensor z, Tensor w) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor dx = tape.gradient(Ops.sum(NnOps.maxPool2d(x, 2, 2, 2, 2, Padding.VALID).mul(w)), x)[0];
            return List.of(dx.add(z).mul(1.5f));
        }
    }

    @Test
    void poolingGradientsReadByALargerBroadcastingOpAreComputedWhole() {
        Rng rng = new Rng(26);
        for (int[] shape : new int[][] {{1, 4, 6, 3}, {1, 16, 16, 8}}) {
            Tensor x = rng.normal(shape, 0, 1), z = rng.normal(new int[] {3, shape[1], shape[2], shape[3]}, 0, 1);
            Tensor w = rng.normal(new int[] {1, shape[1] / 2, shape[2] / 2, shape[3]}, 0, 1);
            var f = Fx.function("pool_gradient_broadcast", FusionEdgeCasesTest::poolGradientBroadcast);
            List<Tensor> eager = poolGradientBroadcast(x, z, w);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x, z, w), Arrays.toString(shape));
        }
    }

    /** A pass that pools its tiles as it goes, over many tiles: each tile pools its own rows of the output. */
    @Test
    void poolingInsideAPassOfManyTilesPoolsEachTilesOwnRows() {
        Rng rng = new Rng(23);
        for (int[] shape : new int[][] {{2, 16, 16, 8}, {3, 34, 10, 24}, {1, 4, 6, 3}}) {
            Tensor x = rng.normal(shape, 0, 1), s = rng.normal(new int[] {shape[3]}, 0, 1);
            Fx.Fn2<Tensor> body = (xs, ss) -> NnOps.maxPool2d(xs.mul(ss).sub(0.5f), 2, 2, 2, 2, Padding.VALID);
            var f = Fx.function("pooled", body);
            float[] eager = body.apply(x, s).toFloatArray();
            for (int call = 0; call < 2; call++)
                assertArrayEquals(eager, f.call(x, s).toFloatArray(), 0f, Arrays.toString(shape));
        }
    }

    /** Reductions folded by the pass: max of negative values, min of positive ones, kept dims, and a last axis. */
    private static List<Tensor> reductions(Tensor x) {
        Tensor negative = x.abs().neg().sub(1f), positive = x.abs().add(1f);
        return List.of(Ops.reduce(ReduceFn.MAX, negative, new int[] {0}, false),
                Ops.reduce(ReduceFn.MIN, positive, new int[] {0}, true),
                positive.sum(new int[] {1}, false),
                negative.mul(x).sum(new int[] {-1}, true));
    }

    @Test
    void fusedReductionsStartFromTheirIdentityAndOnlyFoldLeadingAxes() {
        Rng rng = new Rng(25);
        for (int[] shape : new int[][] {{200, 32}, {64, 48}, {67, 17}, {3, 1000}}) {
            Tensor x = rng.normal(shape, 0, 2);
            var f = Fx.function("reductions", FusionEdgeCasesTest::reductions);
            List<Tensor> eager = reductions(x);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x), Arrays.toString(shape));
        }
    }

    /** Two groups folding reductions of different block sizes, then read together: the passes stay apart. */
    private static List<Tensor> twoReductionGroups(Tensor x) {
        Tensor a = x.mul(2f).sub(0.25f), b = x.add(1f).abs();
        Tensor ra = a.sum(new int[] {0}, false), rb = Ops.reduce(ReduceFn.MAX, b, new int[] {0, 1}, false);
        return List.of(ra, rb, a.mul(b));
    }

    @Test
    void groupsFoldingReductionsOfDifferentBlocksAreNotMerged() {
        Rng rng = new Rng(27);
        for (int[] shape : new int[][] {{8, 4, 32}, {5, 8, 16}}) {
            Tensor x = rng.normal(shape, 0, 1);
            var f = Fx.function("two_groups", FusionEdgeCasesTest::twoReductionGroups);
            List<Tensor> eager = twoReductionGroups(x);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x), Arrays.toString(shape));
        }
    }

    /** One group with reductions of two block sizes: its pass folds the first, the other runs on its own. */
    private static List<Tensor> reductionsOfTwoBlocks(Tensor x) {
        Tensor a = x.mul(2f).sub(0.25f);
        return List.of(a.sum(new int[] {0}, false), Ops.reduce(ReduceFn.MIN, a, new int[] {0, 1}, false), a.mul(3f));
    }

    @Test
    void aPassFoldsOnlyReductionsOfOneBlockSize() {
        Rng rng = new Rng(31);
        for (int[] shape : new int[][] {{8, 4, 32}, {5, 8, 16}}) {
            Tensor x = rng.normal(shape, 0, 1);
            var f = Fx.function("two_blocks", FusionEdgeCasesTest::reductionsOfTwoBlocks);
            List<Tensor> eager = reductionsOfTwoBlocks(x);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x), Arrays.toString(shape));
        }
    }

    /** A product with a fused bias and relu whose operand and bias come from elementwise groups still open. */
    @Test
    void productEpiloguesRunAfterTheGroupsComputingTheirOperands() {
        Rng rng = new Rng(29);
        Tensor x = rng.normal(new int[] {5, 7}, 0, 1), w = rng.normal(new int[] {7, 11}, 0, 1), b = rng.normal(new int[] {11}, 0, 1);
        Fx.Fn3<Tensor> body = (xs, ws, bs) -> xs.mul(1.5f).tanh().matmul(ws).add(bs.mul(2f).sub(0.5f)).relu();
        var f = Fx.function("epilogue", body);
        float[] eager = body.apply(x, w, b).toFloatArray();
        for (int call = 0; call < 2; call++) assertArrayEquals(eager, f.call(x, w, b).toFloatArray(), 0f);
    }

    /** Only a relu that is the bias addition's one reader joins the epilogue: not another unary, not an output's. */
    @Test
    void productEpiloguesAbsorbOnlyAReluOfAnAdditionNoOneElseReads() {
        Rng rng = new Rng(33);
        Tensor x = rng.normal(new int[] {6, 5}, 0, 1), w = rng.normal(new int[] {5, 9}, 0, 1), b = rng.normal(new int[] {9}, 0, 1);
        List<Fx.Fn3<List<Tensor>>> bodies = List.of(
                (xs, ws, bs) -> List.of(xs.matmul(ws).add(bs).tanh()),
                (xs, ws, bs) -> List.of(xs.matmul(ws).add(bs).neg()),
                (xs, ws, bs) -> {
                    Tensor z = xs.matmul(ws).add(bs);
                    return List.of(z, z.relu());
                });
        for (Fx.Fn3<List<Tensor>> body : bodies) {
            var f = Fx.function("epilogue_reader", body);
            List<Tensor> eager = body.apply(x, w, b);
            for (int call = 0; call < 2; call++) assertSameBits(eager, f.call(x, w, b), f.describe());
        }
    }

    /** A product over an empty inner dimension is zeros: with its bias and relu it is relu(bias) in every row. */
    @Test
    void productOverAnEmptyInnerDimensionWithBiasIsTheBias() {
        Tensor x = Tensor.of(new float[0], 3, 0), w = Tensor.of(new float[0], 0, 4), b = Tensor.of(new float[] {1f, -2f, 0.5f, -0f}, 4);
        Fx.Fn3<Tensor> body = (xs, ws, bs) -> xs.matmul(ws).add(bs).relu();
        var f = Fx.function("empty_product", body);
        float[] expected = {1f, 0f, 0.5f, 0f, 1f, 0f, 0.5f, 0f, 1f, 0f, 0.5f, 0f};
        assertArrayEquals(expected, body.apply(x, w, b).toFloatArray(), 0f);
        for (int call = 0; call < 2; call++) assertArrayEquals(expected, f.call(x, w, b).toFloatArray(), 0f);
    }
}
