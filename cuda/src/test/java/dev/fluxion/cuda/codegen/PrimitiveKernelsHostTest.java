package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every generated elementwise and reduction kernel, executed on the host with g++ ({@link HostKernelRunner}), gives
 * the CPU backend's results on views with broadcasting and transposes, NaN, infinities, signed zeros and integer
 * edge cases. Float tolerances cover the C library's transcendentals against the CPU's; everything else is exact.
 */
class PrimitiveKernelsHostTest {
    private static final DType[] NUMERIC = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64};

    @Test
    void unaryBinaryWhereAndCastKernelsMatchTheCpuBackend() throws Exception {
        Random r = new Random(17);
        HostCheck check = new HostCheck();
        for (DType t : DType.values()) {
            // a: [3,5] transposed view of a [5,3] base; b: [5] broadcast along rows
            Tensor aBase = HostCheck.base(t, new int[] {5, 3}, r, false, false), a = aBase.transpose();
            for (UnaryFn fn : UnaryFn.values())
                if (ScalarExpressions.supports(fn, t)) check.elementwise(PrimitiveKernels.unary(fn, t), new Op.Unary(fn), new Tensor[] {a}, new Tensor[] {aBase});
            for (BinaryFn fn : BinaryFn.values()) {
                if (!ScalarExpressions.supports(fn, t)) continue;
                boolean intDivision = t.isInteger() && (fn == BinaryFn.DIV || fn == BinaryFn.MOD);
                boolean intPow = t.isInteger() && fn == BinaryFn.POW; // the CPU rejects zero divisors and negative exponents
                Tensor b = HostCheck.base(t, new int[] {5}, r, intDivision, intPow);
                check.elementwise(PrimitiveKernels.binary(fn, t), new Op.Binary(fn), new Tensor[] {a, b}, new Tensor[] {aBase, b});
            }
            Tensor cond = HostCheck.base(DType.BOOL, new int[] {3, 5}, r, false, false), other = HostCheck.base(t, new int[0], r, false, false);
            check.elementwise(PrimitiveKernels.where(t), new Op.Where(), new Tensor[] {cond, a, other}, new Tensor[] {cond, aBase, other});
            for (DType to : DType.values())
                check.elementwise(PrimitiveKernels.cast(t, to), new Op.Cast(to), new Tensor[] {a}, new Tensor[] {aBase});
        }
        assertTrue(check.size() > 100, "expected every (op, dtype), got " + check.size());
        check.runAndCompare(2e-6, 1e-14);
    }

    @Test
    void integerDivisionByZeroAndNegativePowersGiveZeroOnTheDevice() throws Exception {
        // the CPU throws here; a kernel cannot, and documents 0 instead: pin that down
        KernelSource div = PrimitiveKernels.binary(BinaryFn.DIV, DType.INT32), pow = PrimitiveKernels.binary(BinaryFn.POW, DType.INT64);
        Tensor a = Tensor.of(new int[] {7, -7, Integer.MIN_VALUE}, 3), zero = Tensor.of(new int[] {0, 0, -1}, 3);
        Tensor base = Tensor.of(new long[] {2, 3, 1}, 3), exp = Tensor.of(new long[] {-1, 62, 3}, 3);
        IndexPlan plan = IndexPlan.elementwise(new int[] {3}, new int[][] {{3}, {3}}, new int[][] {{1}, {1}});
        var out = HostKernelRunner.run(java.util.List.of(div, pow), java.util.List.of(
                call(div.name(), plan, a, zero, DType.INT32), call(pow.name(), plan, base, exp, DType.INT64)));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 0, Integer.MIN_VALUE}, // MIN / -1 wraps, as Java's floorDiv
                HostKernelRunner.tensor(DType.INT32, out.get(0).getFirst(), new int[] {3}).toIntArray());
        long threeTo62 = 1;
        for (int i = 0; i < 62; i++) threeTo62 *= 3; // wrapping, as the CPU's pow
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {0, threeTo62, 1},
                HostKernelRunner.tensor(DType.INT64, out.get(1).getFirst(), new int[] {3}).toLongArray());
    }

    private static HostKernelRunner.Call call(String name, IndexPlan plan, Tensor a, Tensor b, DType out) {
        return new HostKernelRunner.Call(name, java.util.List.of(new HostKernelRunner.IntArg(3), new HostKernelRunner.ShapeArg(plan),
                HostKernelRunner.input(a), new HostKernelRunner.StridesArg(plan, 0), HostKernelRunner.input(b), new HostKernelRunner.StridesArg(plan, 1),
                HostKernelRunner.output(out, 3)));
    }

    @Test
    void reductionKernelsMatchTheCpuBackendOverAnyAxes() throws Exception {
        Random r = new Random(23);
        HostCheck check = new HostCheck();
        int[][] axesList = {{0}, {1}, {2}, {0, 2}, {0, 1, 2}, {}};
        for (DType t : DType.values()) {
            // x: [4,3,5] view permuting a [5,4,3] base
            Tensor base = HostCheck.base(t, new int[] {5, 4, 3}, r, false, false), x = base.transpose(1, 2, 0);
            if (ReductionKernels.supports(t))
                for (ReduceFn fn : ReduceFn.values())
                    for (int[] axes : axesList)
                        check.reduce(ReductionKernels.reduce(fn, t), new Op.Reduce(fn, axes, false), x, base, axes);
            for (int axis = 0; axis < 3; axis++)
                for (boolean max : new boolean[] {true, false})
                    check.reduce(ReductionKernels.argReduce(max, t), new Op.ArgReduce(max, axis, false), x, base, new int[] {axis});
        }
        // ties and NaN: the first extreme wins, the first NaN beats everything
        Tensor ties = Tensor.of(new float[] {1, 3, 3, Float.NaN, 2, Float.NaN, 0, -1}, 8);
        for (boolean max : new boolean[] {true, false})
            check.reduce(ReductionKernels.argReduce(max, DType.FLOAT32), new Op.ArgReduce(max, 0, false), ties, ties, new int[] {0});
        Tensor tied = Tensor.of(new int[] {2, 5, 5, -4, -4}, 5);
        for (boolean max : new boolean[] {true, false})
            check.reduce(ReductionKernels.argReduce(max, DType.INT32), new Op.ArgReduce(max, 0, false), tied, tied, new int[] {0});
        check.runAndCompare(1e-5, 1e-13);
    }
}
