package dev.fluxion.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.random.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Fused elementwise groups compiled into one generated loop ({@link CpuFusedLoops}) give the bits of the tile
 * interpreter that runs their members kernel by kernel: every op with a vector form, one-element and periodic
 * inputs, bool members stored and read, NaN, infinities and signed zeros, and sizes around the vector length and
 * the tile (a tile's last partial vector runs on padded copies).
 */
class CompiledLoopTest {
    /** An Adam-like update, every supported binary op, comparisons feeding where and casts, a materialized mask. */
    private static Tensor[] body(Tensor x, Tensor y, Tensor rowScale) {
        Tensor s = Tensor.scalar(0.3f); // one element: broadcast
        Tensor m = x.add(y.sub(x).mul(0.1));
        Tensor v = x.mul(0.999).add(y.square().mul(0.001));
        Tensor update = x.sub(m.mul(s).div(v.abs().sqrt().add(1e-7)));
        Tensor mixed = Ops.maximum(x, y.mul(rowScale)).sub(Ops.minimum(x.neg(), y)).add(Ops.reciprocal(y)).add(Ops.rsqrt(x.abs()));
        Tensor lt = x.lt(y), ge = Ops.greaterEqual(x, s), ne = Ops.notEqual(y, x);
        Tensor chosen = Ops.where(lt, mixed, update.neg()).add(Ops.cast(ge, DType.FLOAT32)).sub(Ops.cast(ne, DType.FLOAT32));
        Tensor eqLe = Ops.where(x.eq(y), y, Ops.where(Ops.lessEqual(x, rowScale), x, y.mul(2))).add(Ops.where(x.gt(Tensor.scalar(0f)), x, s));
        return new Tensor[] {update, chosen, eqLe, lt, v};
    }

    /** The unary functions whose loops call the kernels' vector bodies, chained as activations and gradients are. */
    private static Tensor[] transcendentals(Tensor x, Tensor y, Tensor rowScale) {
        Tensor shifted = x.mul(rowScale).add(y); // a periodic input feeding them
        Tensor elu = NnOps.elu(shifted), relu = NnOps.relu(x.sub(y)), sigmoid = x.sigmoid().mul(y);
        Tensor exps = Ops.exp(x.mul(0.5)).add(Ops.expm1(y.neg())).sub(Ops.log(x.abs().add(1e-3)));
        Tensor step = Ops.unary(UnaryFn.STEP, shifted).mul(elu.add(1)); // ELU's gradient from its output
        return new Tensor[] {elu, relu, sigmoid, exps, step};
    }

    private static Tensor awkward(Rng rng, int[] shape) {
        Tensor t = rng.normal(shape, 0, 1);
        float[] v = t.toFloatArray();
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE};
        for (int i = 0; i < v.length; i += 13) v[i] = specials[(i / 13) % specials.length];
        return Tensor.of(v, shape);
    }

    @org.junit.jupiter.api.BeforeAll
    static void compileLoopsForEverySize() {
        // loops are Vector API code: with the scalar kernels (-Dfluxion.simd=false) every group stays on the interpreter
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.fluxion.cpu.kernels.KernelConfig.SIMD, "SIMD kernels are off");
        System.setProperty("fluxion.graph.minLoopElements", "1");
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreTheSizeThreshold() {
        System.clearProperty("fluxion.graph.minLoopElements");
    }

    @Test
    void generatedLoopsGiveTheInterpretersBits() {
        checkAgainstTheInterpreter(CompiledLoopTest::body);
    }

    @Test
    void loopsCallingTheKernelsVectorBodiesGiveTheInterpretersBits() {
        checkAgainstTheInterpreter(CompiledLoopTest::transcendentals);
    }

    /**
     * Batch norm's statistics and gradient sums over the leading axes, each fed by a chain (with ELU): groups whose
     * loops store the reduced member into a tile buffer that the reduction kernel folds.
     */
    private static Tensor[] statistics(Tensor x, Tensor y, Tensor rowScale) {
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        Tensor mean = Ops.mean(x, axes, true), centered = x.sub(mean);
        Tensor variance = centered.square().mean(axes, true);
        Tensor activated = NnOps.elu(centered.mul(Ops.rsqrt(variance.add(1e-3))).mul(rowScale));
        Tensor dyCentered = Ops.reduce(dev.fluxion.ops.ReduceFn.SUM, y.mul(activated).mul(centered), axes, true);
        return new Tensor[] {variance, dyCentered, activated.add(dyCentered)};
    }

    @Test
    void loopsFeedingFusedReductionsGiveTheInterpretersBits() {
        Rng rng = new Rng(5);
        for (int[] shape : new int[][] {{5, 13, 11, 32}, {130, 64}, {3, 7, 100}}) {
            int c = shape[shape.length - 1];
            Tensor x = awkward(rng, shape), y = rng.normal(shape, 0, 1), rowScale = rng.normal(new int[] {c}, 1, 0.2);
            var compiled = Fx.function("loops", CompiledLoopTest::statistics);
            Tensor[] withLoops = compiled.call(x, y, rowScale);
            String previous = System.setProperty("fluxion.graph.compiledLoops", "false");
            Tensor[] interpreted;
            try {
                interpreted = Fx.function("kernels", CompiledLoopTest::statistics).call(x, y, rowScale);
            } finally {
                if (previous == null) System.clearProperty("fluxion.graph.compiledLoops");
                else System.setProperty("fluxion.graph.compiledLoops", previous);
            }
            String where = Arrays.toString(shape) + ": " + compiled.describe();
            // every group is a loop, those that fold the reductions included
            assertTrue(compiled.describe().matches("(?s).* (\\d+) fused groups \\(\\1 as generated loops\\).*")
                    && !compiled.describe().contains(" 0 reductions"), where);
            for (int o = 0; o < withLoops.length; o++)
                assertArrayEquals(bits(interpreted[o]), bits(withLoops[o]), where + " output " + o);
        }
    }

    private static void checkAgainstTheInterpreter(Fx.Fn3<Tensor[]> body) {
        Rng rng = new Rng(11);
        int[][] shapes = {{1}, {7}, {8}, {9}, {2047}, {2049}, {3, 5000}, {5, 3}, {700, 3}};
        for (int[] shape : shapes) {
            Tensor x = awkward(rng, shape), y = awkward(rng, shape);
            Tensor rowScale = rng.normal(new int[] {shape[shape.length - 1]}, 0, 1); // periodic along the flat index
            var compiled = Fx.function("loops", body);
            Tensor[] withLoops = compiled.call(x, y, rowScale);
            String previous = System.setProperty("fluxion.graph.compiledLoops", "false");
            Tensor[] interpreted;
            var plain = Fx.function("kernels", body);
            try {
                interpreted = plain.call(x, y, rowScale);
            } finally {
                if (previous == null) System.clearProperty("fluxion.graph.compiledLoops");
                else System.setProperty("fluxion.graph.compiledLoops", previous);
            }
            String where = Arrays.toString(shape);
            assertTrue(compiled.describe().matches("(?s).*fused groups \\([1-9]\\d* as generated loops\\).*"), where + ": " + compiled.describe());
            assertTrue(plain.describe().contains("(0 as generated loops)"), plain.describe());
            for (int o = 0; o < withLoops.length; o++) {
                assertEquals(interpreted[o].dtype(), withLoops[o].dtype());
                if (withLoops[o].dtype() == DType.BOOL)
                    assertArrayEquals(interpreted[o].toBooleanArray(), withLoops[o].toBooleanArray(), where + " output " + o);
                else
                    assertArrayEquals(bits(interpreted[o]), bits(withLoops[o]), where + " output " + o);
            }
            // and both are what eager mode computes, up to NaN payloads
            Tensor[] eager = body.apply(x, y, rowScale);
            for (int o = 0; o < eager.length; o++)
                if (eager[o].dtype() != DType.BOOL) assertArrayEquals(eager[o].toFloatArray(), withLoops[o].toFloatArray(), 0f, where + " eager " + o);
        }
    }

    /** Runs {@code body} compiled: it makes {@code loops} generated loops and gives the eager values. */
    private static void assertLoopsGiveEagerValues(int loops, Fx.Fn2<Tensor> body, Tensor x, Tensor y) {
        var compiled = Fx.function("loops", body);
        Tensor withLoops = compiled.call(x, y), eager = body.apply(x, y);
        assertTrue(compiled.describe().contains("(" + loops + " as generated loops)"), compiled.describe());
        assertEquals(eager.dtype(), withLoops.dtype());
        if (eager.dtype() == DType.BOOL) assertArrayEquals(eager.toBooleanArray(), withLoops.toBooleanArray(), compiled.describe());
        else assertArrayEquals(eager.toFloatArray(), withLoops.toFloatArray(), 0f, compiled.describe());
    }

    /** A cast from bool has a vector form; so has a reciprocal square root that is the group's only unary op. */
    @Test
    void castsFromBoolAndALoneReciprocalSquareRootRunAsLoops() {
        Rng rng = new Rng(17);
        Tensor x = awkward(rng, new int[] {3, 700}), y = awkward(rng, new int[] {3, 700});
        assertLoopsGiveEagerValues(1, (a, b) -> a.lt(b).cast(DType.FLOAT32).mul(a), x, y);
        assertLoopsGiveEagerValues(1, (a, b) -> Ops.rsqrt(a).mul(b), x, y);
    }

    /** Comparisons of bools, and casts to bool, have no vector form here: their groups run on the interpreter. */
    @Test
    void groupsComparingBoolsOrCastingToBoolStayOnTheInterpreter() {
        Rng rng = new Rng(19);
        Tensor x = awkward(rng, new int[] {3, 700}), y = awkward(rng, new int[] {3, 700});
        assertLoopsGiveEagerValues(0, (a, b) -> a.lt(b).eq(b.lt(a)), x, y);
        assertLoopsGiveEagerValues(0, (a, b) -> Ops.notEqual(a.lt(b), b.gt(a.mul(2f))), x, y);
        assertLoopsGiveEagerValues(0, (a, b) -> a.mul(b).cast(DType.BOOL), x, y);
    }

    @Test
    void groupsWithAnOpWithoutAVectorFormStayOnTheInterpreter() {
        var f = Fx.function("tanh", (Tensor x) -> x.mul(2).tanh().add(1));
        f.call(Tensor.ones(100));
        assertTrue(f.describe().contains("(0 as generated loops)"), f.describe());
    }

    /**
     * The values' bits, every NaN as the canonical one: a NaN's sign and payload depend on the JIT tier running the
     * Vector API (a fresh loop starts interpreted while the kernels are compiled) and Java leaves them unspecified.
     */
    private static int[] bits(Tensor t) {
        float[] v = t.toFloatArray();
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToIntBits(v[i]);
        return b;
    }
}
