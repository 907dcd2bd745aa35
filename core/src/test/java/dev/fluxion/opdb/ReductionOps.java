package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.opdb.OpInfo.Args;
import dev.fluxion.opdb.OpInfo.Builder;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import static dev.fluxion.DType.*;
import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Layout.*;
import static dev.fluxion.opdb.OpInfo.op;
import static dev.fluxion.opdb.Samples.s;

/** Reductions over axes (sum, prod, max, min), mean, variance, std, logsumexp, argmax and argmin. */
final class ReductionOps {
    private ReductionOps() {}

    static List<OpInfo> ops() {
        List<OpInfo> ops = new ArrayList<>();
        Gen g = new Gen("reductions");
        // float32 tolerances: sums of up to 105 values accumulate rounding (about n * eps relative to sum |x|, and
        // more relative to a result that cancels), so sums, products, means, variances and logsumexp use
        // rtol 1e-4 / atol 1e-5 (products atol 1e-6: no cancellation); max/min are exact and keep the defaults
        ops.add(reduce("reduce_sum", ReduceFn.SUM, Nd::sum, g::any).tol32(1e-4, 1e-5).build());
        ops.add(reduce("reduce_prod", ReduceFn.PROD, Nd::prod, sh -> g.away(0.6, 1.4, sh)).tol32(1e-4, 1e-6).build());
        Nd nan = Nd.of(s(2, 3), 1, Double.NaN, 3, 4, 5, Double.POSITIVE_INFINITY);
        ops.add(reduce("reduce_max", ReduceFn.MAX, Nd::max, g::distinct)
                .sample(Sample.of("nan propagates", axes(new int[] {1}, false), f(nan)).forwardOnly())
                .sample(Sample.of("nan propagates, all axes", axes(null, false), f(nan, TRANSPOSED)).forwardOnly()).build());
        ops.add(reduce("reduce_min", ReduceFn.MIN, Nd::min, g::distinct)
                .sample(Sample.of("nan propagates", axes(new int[] {1}, false), f(nan)).forwardOnly())
                .sample(Sample.of("nan propagates, all axes", axes(null, false), f(nan, TRANSPOSED)).forwardOnly()).build());
        ops.add(floating("mean", (x, a) -> Ops.mean(x, a.ints("axes"), a.b("keepDims")), Ref::mean, g::any, false).build());
        ops.add(floating("variance", (x, a) -> Ops.variance(x, a.ints("axes"), a.b("keepDims")), Ref::variance, g::any, false).build());
        // std has an infinite derivative where the variance is 0 (one-element reductions): those are forward-only
        ops.add(floating("std", (x, a) -> Ops.std(x, a.ints("axes"), a.b("keepDims")), v -> Math.sqrt(Ref.variance(v)), g::any, true).build());
        Nd big = Nd.of(s(2, 3), 1000, 1001, 1002, -1000, -1001, -999.5);
        Nd inf = Nd.of(s(2, 3), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 1);
        ops.add(floating("logsumexp", (x, a) -> Ops.logSumExp(x, a.ints("axes"), a.b("keepDims")), Ref::logSumExp, g::any, false)
                .sample(Sample.of("large magnitudes", Args.of("axes", new int[] {1}, "keepDims", false), f(big)))
                .sample(Sample.of("-inf lanes", Args.of("axes", new int[] {1}, "keepDims", true), f(inf)).forwardOnly())
                .build());
        ops.add(arg("argmax", true, g));
        ops.add(arg("argmin", false, g));
        return ops;
    }

    static Args axes(int[] axes, boolean keepDims) {
        return Args.of("axes", axes, "keepDims", keepDims);
    }

    /** Samples of a reduction: single, several, negative and all axes, keepDims, 0-d, empty, prime and views. */
    static List<Sample> samples(Function<int[], Nd> dom) {
        List<Sample> out = new ArrayList<>();
        out.add(Sample.of("axis 1", axes(new int[] {1}, false), f(dom.apply(s(2, 3, 4)))));
        out.add(Sample.of("axis -1, keepDims", axes(new int[] {-1}, true), f(dom.apply(s(2, 3, 4)))));
        out.add(Sample.of("axes 0 and 2", axes(new int[] {0, 2}, false), f(dom.apply(s(2, 3, 4)))));
        out.add(Sample.of("axes -1 and 0, keepDims", axes(new int[] {-1, 0}, true), f(dom.apply(s(2, 3, 4)))));
        out.add(Sample.of("all axes (null)", axes(null, false), f(dom.apply(s(2, 3, 4)))));
        out.add(Sample.of("no axes (empty list): x itself", axes(new int[0], false), f(dom.apply(s(3, 4)))));
        out.add(Sample.of("no axes (empty list), keepDims, view", axes(new int[0], true), f(dom.apply(s(3, 4)), TRANSPOSED)));
        out.add(Sample.of("0-d", axes(null, false), f(dom.apply(s()))));
        out.add(Sample.of("0-d, keepDims", axes(new int[0], true), f(dom.apply(s()))));
        out.add(Sample.of("prime 13", axes(new int[] {0}, false), f(dom.apply(s(13)))));
        out.add(Sample.of("transposed view, axis 0", axes(new int[] {0}, false), f(dom.apply(s(3, 5)), TRANSPOSED)));
        out.add(Sample.of("strided view, axis 1, keepDims", axes(new int[] {1}, true), f(dom.apply(s(4, 6)), STRIDED)));
        out.add(Sample.of("reversed view, all axes", axes(null, false), f(dom.apply(s(5, 3)), REVERSED)));
        out.add(Sample.of("empty reduced axis", axes(new int[] {0}, false), f(dom.apply(s(0, 3)))));
        out.add(Sample.of("empty kept axis", axes(new int[] {1}, false), f(dom.apply(s(0, 3)))));
        out.add(Sample.of("empty, all axes", axes(null, true), f(dom.apply(s(3, 0)))));
        out.add(Sample.of("prime 97", axes(new int[] {0}, false), f(dom.apply(s(97)))));
        out.add(Sample.of("7x13, axis 0", axes(new int[] {0}, false), f(dom.apply(s(7, 13)))));
        out.add(Sample.of("7x13 strided view, all axes", axes(null, false), f(dom.apply(s(7, 13)), STRIDED)));
        out.add(Sample.of("rank 4, middle axes", axes(new int[] {1, 2}, false), f(dom.apply(s(2, 3, 2, 5)))));
        out.add(Sample.of("rank 4 transposed view, axes 0 and 3", axes(new int[] {0, 3}, true), f(dom.apply(s(2, 3, 2, 5)), TRANSPOSED)));
        out.add(Sample.of("rank 5, axes 1 and 3", axes(new int[] {1, 3}, false), f(dom.apply(s(2, 2, 3, 2, 2)), STRIDED)));
        out.add(Sample.of("broadcast (stride 0) view, axis 0", axes(new int[] {0}, false), f(Samples.repeated(dom, 4, 5), EXPANDED)).forwardOnly());
        out.add(Sample.of("broadcast (stride 0) view, axis 1", axes(new int[] {1}, true), f(Samples.repeated(dom, 4, 5), EXPANDED)).forwardOnly());
        // above the kernels' block sizes and parallel threshold (65536 elements)
        out.add(Sample.of("large 263x257, axis 0", axes(new int[] {0}, false), f(dom.apply(s(263, 257)))));
        out.add(Sample.of("large 263x257, axis 1, keepDims", axes(new int[] {1}, true), f(dom.apply(s(263, 257)))));
        out.add(Sample.of("large 263x257, all axes", axes(null, false), f(dom.apply(s(263, 257)))));
        out.add(Sample.of("large 5x13109 strided view, axis 1", axes(new int[] {1}, false), f(dom.apply(s(5, 13109)), STRIDED)));
        out.add(Sample.of("large 3x4099x7 transposed view, axis 1", axes(new int[] {1}, false), f(dom.apply(s(3, 4099, 7)), TRANSPOSED)));
        return out;
    }

    private static Builder reduce(String name, ReduceFn fn, ToDoubleFunction<double[]> ref, Function<int[], Nd> dom) {
        return op(name, "reduction")
                .fn1((in, a) -> Ops.reduce(fn, in[0], a.ints("axes"), a.b("keepDims")))
                .ref1((in, a) -> in[0].reduce(a.ints("axes"), a.b("keepDims"), ref))
                .samples(samples(dom)).secondOrder().dtypes(FLOAT32, FLOAT64, INT32, INT64).intExact()
                .iae("axis out of range", "^" + name + ": axis 2 is out of range for a tensor of rank 2",
                        () -> Ops.reduce(fn, Tensor.zeros(2, 3), new int[] {2}, false))
                .iae("negative axis out of range", "^" + name + ": axis -3 is out of range for a tensor of rank 2",
                        () -> Ops.reduce(fn, Tensor.zeros(2, 3), new int[] {-3}, false))
                .iae("repeated axis", "^" + name + ": axis 1 repeated",
                        () -> Ops.reduce(fn, Tensor.zeros(2, 3), new int[] {1, -1}, false))
                .iae("bool input", "^" + name + ": does not support bool",
                        () -> Ops.reduce(fn, Tensor.zeros(BOOL, 2, 3), null, false));
    }

    private interface AxesFn {
        Tensor apply(Tensor x, Args a);
    }

    private static Builder floating(String name, AxesFn api, ToDoubleFunction<double[]> ref, Function<int[], Nd> dom, boolean oneElementSingular) {
        List<Sample> samples = new ArrayList<>();
        for (Sample sm : samples(dom)) {
            int[] ax = sm.args().ints("axes");
            boolean oneElement = sm.inputs().get(0).values().rank() == 0 || (ax != null && ax.length == 0); // lanes of one
            samples.add(oneElementSingular && oneElement ? sm.forwardOnly() : sm);
        }
        return op(name, "reduction").fn1((in, a) -> api.apply(in[0], a))
                .ref1((in, a) -> in[0].reduce(a.ints("axes"), a.b("keepDims"), ref))
                .samples(samples).secondOrder().tol32(1e-4, 1e-5)
                .iae("int32 input", "^" + name + ": needs float32 or float64, got int32",
                        () -> api.apply(Tensor.zeros(INT32, 2, 3), Args.of("axes", null, "keepDims", false)))
                .iae("axis out of range", "^" + name + ": axis 3 is out of range for a tensor of rank 2",
                        () -> api.apply(Tensor.zeros(2, 3), Args.of("axes", new int[] {3}, "keepDims", false)));
    }

    private static OpInfo arg(String name, boolean max, Gen g) {
        Nd ties = Nd.of(s(3, 4), 1, 3, 3, 0, 2, 2, 1, 2, -1, -1, 5, -1);
        return op(name, "reduction")
                .fn1((in, a) -> max ? Ops.argmax(in[0], a.i("axis"), a.b("keepDims")) : Ops.argmin(in[0], a.i("axis"), a.b("keepDims")))
                .ref1((in, a) -> {
                    Nd lanes = in[0].lanes(a.i("axis"), 1, v -> new double[] {Ref.argExtreme(v, max)});
                    if (a.b("keepDims")) return lanes;
                    int ax = Nd.axis(a.i("axis"), in[0].rank());
                    int[] sh = new int[in[0].rank() - 1];
                    for (int i = 0, j = 0; i < in[0].rank(); i++) if (i != ax) sh[j++] = in[0].shape[i];
                    return lanes.reshape(sh);
                })
                .sample("axis 1", Args.of("axis", 1, "keepDims", false), f(g.distinct(2, 3, 4)))
                .sample("axis -1, keepDims", Args.of("axis", -1, "keepDims", true), f(g.distinct(2, 3, 4)))
                .sample("axis 0", Args.of("axis", 0, "keepDims", false), f(g.distinct(2, 3, 4)))
                .sample("prime 13", Args.of("axis", 0, "keepDims", false), f(g.distinct(13)))
                .sample("transposed view", Args.of("axis", 0, "keepDims", false), f(g.distinct(3, 5), TRANSPOSED))
                .sample("strided view", Args.of("axis", 1, "keepDims", true), f(g.distinct(4, 6), STRIDED))
                .sample("reversed view", Args.of("axis", 1, "keepDims", false), f(g.distinct(7, 13), REVERSED))
                .sample("prime 97", Args.of("axis", 0, "keepDims", false), f(g.distinct(97)))
                .sample("large 263x257, axis 0", Args.of("axis", 0, "keepDims", false), f(g.distinct(263, 257)))
                .sample("large 263x257 transposed view, axis 1", Args.of("axis", 1, "keepDims", false), f(g.distinct(263, 257), TRANSPOSED))
                .sample("large 3x30011, axis 1", Args.of("axis", 1, "keepDims", true), f(g.distinct(3, 30011)))
                .sample("rank 5, axis 3", Args.of("axis", 3, "keepDims", false), f(g.distinct(2, 2, 3, 2, 2), TRANSPOSED))
                .sample("broadcast (stride 0) view, axis 0", Args.of("axis", 0, "keepDims", false), f(Samples.repeated(g::distinct, 4, 5), EXPANDED))
                .sample("broadcast (stride 0) view, axis 1", Args.of("axis", 1, "keepDims", false), f(Samples.repeated(g::distinct, 4, 5), EXPANDED))
                .sample("empty kept axis", Args.of("axis", 1, "keepDims", false), f(g.distinct(0, 3)))
                .sample("ties pick the first", Args.of("axis", 1, "keepDims", false), f(ties))
                .sample("ties along axis 0", Args.of("axis", 0, "keepDims", false), f(ties))
                .notDifferentiable().dtypes(FLOAT32, FLOAT64, INT32, INT64, BOOL).intExact().outDType((t, a) -> DType.INT64)
                .iae("empty axis", "^" + name + ": cannot take " + name + " over an empty axis of \\[0,3\\]",
                        () -> (max ? Ops.argmax(Tensor.zeros(0, 3), 0, false) : Ops.argmin(Tensor.zeros(0, 3), 0, false)))
                .iae("axis out of range", "^" + name + ": axis 2 is out of range for a tensor of rank 2",
                        () -> (max ? Ops.argmax(Tensor.zeros(2, 3), 2, false) : Ops.argmin(Tensor.zeros(2, 3), 2, false)))
                .iae("0-d input", "^" + name + ": axis 0 is out of range for a tensor of rank 0",
                        () -> (max ? Ops.argmax(Tensor.scalar(1f), 0, false) : Ops.argmin(Tensor.scalar(1f), 0, false)))
                .build();
    }
}
