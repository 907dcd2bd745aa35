package dev.fluxion.cuda.codegen;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void theTwoPassColumnReductionMatchesTheCpuBackend() throws Exception {
        Random r = new Random(29);
        HostCheck check = new HostCheck();
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
            // a contiguous [7,40,37] reduced over its first two axes (37 outputs: two column blocks, the second
            // partial), and a view stepping over every other row of a base, so the reduced rows are strided
            Tensor contiguous = HostCheck.base(t, new int[] {7, 40, 37}, r, false, false);
            Tensor stepBase = HostCheck.base(t, new int[] {60, 33}, r, false, false), stepped = ArrayOps.slice(stepBase, 0, 1, 60, 2);
            for (ReduceFn fn : ReduceFn.values()) {
                columns(check, fn, contiguous, contiguous, new int[] {0, 1}, 3);
                columns(check, fn, stepped, stepBase, new int[] {0}, 4);
            }
        }
        check.runAndCompare(1e-5, 1e-13);
    }

    /** The column kernel over {@code splits} splits of the rows into a partial buffer, then the generic kernel over the splits. */
    private static void columns(HostCheck check, ReduceFn fn, Tensor view, Tensor base, int[] axes, int splits) {
        Tensor cpu = dev.fluxion.Dispatcher.apply(new Op.Reduce(fn, axes, false), view);
        ReducePlan plan = ReducePlan.of(view.shape(), view.strides(), axes);
        int nOut = plan.outputs(), nRed = plan.reducedCount(), rowsPerSplit = (nRed + splits - 1) / splits;
        assertEquals(1, plan.kept().rank());
        assertEquals(1, plan.kept().strides()[0][0], "the column kernel needs outputs side by side");
        KernelSource first = ReductionKernels.columns(fn, view.dtype()), second = ReductionKernels.reduce(fn, view.dtype());
        HostKernelRunner.Buffer partial = HostKernelRunner.output(view.dtype(), splits * nOut);
        ReducePlan combine = ReducePlan.of(new int[] {splits, nOut}, new int[] {nOut, 1}, new int[] {0});
        check.launches(List.of(first, second), first.name() + " " + view.type(), List.of(
                new HostKernelRunner.Call(first.name(), List.of(new HostKernelRunner.View(HostKernelRunner.input(base), view.offset()), partial,
                        new HostKernelRunner.IntArg(nOut), new HostKernelRunner.IntArg(nRed), new HostKernelRunner.IntArg(rowsPerSplit),
                        new HostKernelRunner.IntArg(splits), new HostKernelRunner.ShapeArg(plan.reduced()), new HostKernelRunner.StridesArg(plan.reduced(), 0))),
                new HostKernelRunner.Call(second.name(), List.of(new HostKernelRunner.Reads(partial), HostKernelRunner.output(view.dtype(), nOut),
                        new HostKernelRunner.IntArg(nOut), new HostKernelRunner.IntArg(splits),
                        new HostKernelRunner.ShapeArg(combine.kept()), new HostKernelRunner.StridesArg(combine.kept(), 0),
                        new HostKernelRunner.ShapeArg(combine.reduced()), new HostKernelRunner.StridesArg(combine.reduced(), 0)))),
                cpu, 1);
    }
}
