package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.opdb.OpInfo.Args;
import dev.fluxion.opdb.OpInfo.Builder;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static dev.fluxion.DType.*;
import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Input.fixed;
import static dev.fluxion.opdb.OpInfo.Layout.*;
import static dev.fluxion.opdb.OpInfo.op;
import static dev.fluxion.opdb.Samples.s;

/** Elementwise ops: every UnaryFn and BinaryFn, where, cast and clip. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    private static final DType[] NUMERIC = {FLOAT32, FLOAT64, INT32, INT64};
    private static final DType[] ALL = {FLOAT32, FLOAT64, INT32, INT64, BOOL};

    static List<OpInfo> ops() {
        List<OpInfo> ops = new ArrayList<>();
        unaryOps(ops);
        binaryOps(ops);
        ops.add(where());
        for (DType to : DType.values()) ops.add(cast(to));
        ops.add(clip());
        // an identity forward; its zero gradient is checked in OpGradientTest (finite differences would see 1)
        ops.add(op("stop_gradient", "elementwise").fn1((in, a) -> Ops.stopGradient(in[0])).ref1((in, a) -> in[0])
                .samples(Samples.unary(new Gen("stop_gradient")::any)).notDifferentiable().dtypes(ALL).intExact().cannotFail().build());
        return ops;
    }

    static Tensor i32(int... v) {
        return Tensor.of(v, v.length);
    }

    static Tensor f32(int... shape) {
        return Tensor.zeros(shape);
    }

    // ------------------------------------------------------------------ unary

    private static Builder unary(String name, UnaryOperator<Tensor> api, DoubleUnaryOperator ref, Function<int[], Nd> domain) {
        Builder b = op(name, "unary").fn1((in, a) -> api.apply(in[0])).ref1((in, a) -> in[0].map(ref))
                .samples(Samples.unary(domain)).secondOrder();
        return b;
    }

    /** A float-only unary op: rejects int32 naming itself. */
    private static Builder floatUnary(String name, UnaryOperator<Tensor> api, DoubleUnaryOperator ref, Function<int[], Nd> domain) {
        return unary(name, api, ref, domain)
                .iae("int32 input", "^" + name + ": does not support dtype int32", () -> api.apply(i32(1, 2)));
    }

    /** A unary op defined on integers too: rejects bool naming itself. */
    private static Builder intUnary(String name, UnaryOperator<Tensor> api, DoubleUnaryOperator ref, Function<int[], Nd> domain) {
        return unary(name, api, ref, domain).dtypes(NUMERIC).intExact()
                .iae("bool input", "^" + name + ": does not support dtype bool",
                        () -> api.apply(Tensor.of(new boolean[] {true, false}, 2)));
    }

    private static Sample extremes(double... v) {
        return Sample.of("extreme values", Args.NONE, f(Nd.of(s(v.length), v))).forwardOnly();
    }

    private static void unaryOps(List<OpInfo> ops) {
        Gen g = new Gen("unary");
        ops.add(intUnary("neg", Ops::neg, x -> -x, g::any).build());
        ops.add(intUnary("abs", Ops::abs, Math::abs, g::awayFromZero).build());
        ops.add(intUnary("sign", Ops::sign, Math::signum, g::awayFromZero)
                .sample(Sample.of("zeros", Args.NONE, f(Nd.of(s(5), -2, -0.0, 0, 3, 1e-30))).forwardOnly()).build());
        ops.add(floatUnary("exp", Ops::exp, Math::exp, g::any)
                .sample(extremes(-100, -20, -1e-8, 0, 20, 88, 100)).build());
        ops.add(floatUnary("expm1", Ops::expm1, Math::expm1, g::any).build());
        // relative accuracy near 0 is the point of expm1 and log1p: no absolute tolerance for these entries
        ops.add(unary("expm1 near 0", Ops::expm1, Math::expm1, sh -> g.away(1e-9, 1e-3, sh))
                .tol32(1e-5, 0).tol64(1e-12, 0).errorName("expm1").cannotFail().build());
        ops.add(floatUnary("log", Ops::log, Math::log, g::pos)
                .sample(extremes(0, 1e-30, 1e30, 1, -1)).build());
        ops.add(floatUnary("log1p", Ops::log1p, Math::log1p, sh -> g.uniform(-0.5, 2.5, sh))
                .sample(extremes(-1, -0.999, 1e30, -2)).build());
        ops.add(unary("log1p near 0", Ops::log1p, Math::log1p, sh -> g.away(1e-9, 1e-3, sh))
                .tol32(1e-5, 0).tol64(1e-12, 0).errorName("log1p").cannotFail().build());
        ops.add(floatUnary("sqrt", Ops::sqrt, Math::sqrt, g::pos)
                .sample(extremes(0, 1e-30, 1e30, -1)).build());
        ops.add(floatUnary("rsqrt", Ops::rsqrt, x -> 1 / Math.sqrt(x), g::pos)
                .sample(extremes(0, 1e-30, 1e30, -1)).build());
        ops.add(floatUnary("reciprocal", Ops::reciprocal, x -> 1 / x, sh -> g.away(0.3, 2.5, sh))
                .sample(extremes(0, -0.0, 1e30, -1e-30)).build());
        ops.add(intUnary("square", Ops::square, x -> x * x, g::any).build());
        ops.add(floatUnary("sin", Ops::sin, Math::sin, sh -> g.uniform(-4, 4, sh)).build());
        ops.add(floatUnary("cos", Ops::cos, Math::cos, sh -> g.uniform(-4, 4, sh)).build());
        ops.add(floatUnary("tanh", Ops::tanh, Math::tanh, g::any)
                .sample(extremes(-30, -1e-8, 0, 1e-8, 30, 1000)).build());
        ops.add(floatUnary("sigmoid", Ops::sigmoid, Ref::sigmoid, g::any)
                .sample(extremes(-1000, -100, -30, 0, 30, 100, 1000)).build());
        ops.add(intUnary("relu", x -> Ops.unary(UnaryFn.RELU, x), x -> Math.max(x, 0), g::awayFromZero).build());
        ops.add(intUnary("step", x -> Ops.unary(UnaryFn.STEP, x), x -> x > 0 ? 1 : 0, g::awayFromZero).build());
        ops.add(floatUnary("erf", Ops::erf, Ref::erf, sh -> g.uniform(-3, 3, sh))
                .sample(extremes(-7, -4, 0, 1e-8, 4, 7)).build());
        ops.add(floatUnary("floor", Ops::floor, Math::floor, g::nonInteger).build());
        ops.add(floatUnary("ceil", Ops::ceil, Math::ceil, g::nonInteger).build());
        ops.add(floatUnary("round", Ops::round, Math::rint, g::nonInteger)
                .sample(Sample.of("halves round to even", Args.NONE,
                        f(Nd.of(s(8), -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 1e7 + 0.5))).forwardOnly()).build());
        ops.add(op("not", "unary").fn1((in, a) -> Ops.logicalNot(in[0])).ref1((in, a) -> in[0].map(x -> x == 0 ? 1 : 0))
                .sample("0-d", fixed(Nd.scalar(1), BOOL))
                .sample("vector", fixed(g.bools(13), BOOL))
                .sample("empty", fixed(g.bools(0, 2), BOOL))
                .sample("transposed view", fixed(g.bools(3, 4), BOOL, TRANSPOSED))
                .sample("strided view", fixed(g.bools(97), BOOL, STRIDED))
                .dtypes(BOOL).notDifferentiable()
                .iae("float32 input", "^not: does not support dtype float32 \\(needs bool\\)", () -> Ops.logicalNot(f32(2)))
                .build());
    }

    // ------------------------------------------------------------------ binary

    private static Builder binary(String name, BinaryOperator<Tensor> api, DoubleBinaryOperator ref, List<Sample> samples) {
        return op(name, "binary").fn1((in, a) -> api.apply(in[0], in[1])).ref1((in, a) -> Nd.zip(in[0], in[1], ref))
                .samples(samples)
                .iae("dtypes differ", "^" + name + ": dtypes differ: float32\\[2,3\\] and int32\\[2,3\\]",
                        () -> api.apply(f32(2, 3), Tensor.zeros(INT32, 2, 3)))
                .iae("shapes do not broadcast", "^" + name + ": cannot broadcast shapes \\[2,3\\] and \\[4\\]",
                        () -> api.apply(f32(2, 3), f32(4)));
    }

    private static Builder arithmetic(String name, BinaryOperator<Tensor> api, DoubleBinaryOperator ref, List<Sample> samples) {
        return binary(name, api, ref, samples).secondOrder().dtypes(NUMERIC)
                .iae("bool inputs", "^" + name + ": does not support bool inputs",
                        () -> api.apply(Tensor.of(new boolean[] {true}, 1), Tensor.of(new boolean[] {false}, 1)));
    }

    private static void binaryOps(List<OpInfo> ops) {
        Gen g = new Gen("binary");
        Samples.Pair any = Samples.pair(g::any, g::any);
        ops.add(arithmetic("add", Ops::add, Double::sum, Samples.binary(any, false)).intExact().build());
        ops.add(arithmetic("sub", Ops::sub, (a, b) -> a - b, Samples.binary(any, false)).intExact().build());
        ops.add(arithmetic("mul", Ops::mul, (a, b) -> a * b, Samples.binary(any, false)).intExact().build());
        ops.add(arithmetic("div", Ops::div, (a, b) -> a / b,
                Samples.binary(Samples.pair(g::any, sh -> g.away(0.5, 2.5, sh)), false))
                .sample(Sample.of("division by zero", Args.NONE, f(Nd.of(s(4), 1, -1, 0, 2)), f(Nd.of(s(4), 0, 0, 0, -0.0))).forwardOnly())
                .build());
        ops.add(op("floordiv (integers)", "binary").fn1((in, a) -> Ops.div(in[0], in[1]))
                .ref1((in, a) -> Nd.zip(in[0], in[1], (x, y) -> Math.floor(x / y)))
                .sample("int32, signs", fixed(Nd.of(s(8), 7, -7, 7, -7, 6, -6, 0, 1), INT32), fixed(Nd.of(s(8), 2, 2, -2, -2, 3, 3, 5, 7), INT32))
                .sample("int64, broadcast", fixed(g.ints(-20, 20, 3, 13), INT64), fixed(Nd.of(s(13), 1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 7, 11, -13), INT64))
                .sample("int32, prime 97 views", fixed(g.ints(-100, 100, 97), INT32, STRIDED), fixed(g.ints(1, 9, 97), INT32, REVERSED))
                .dtypes(INT32, INT64).notDifferentiable().errorName("div")
                .iae("int32 by int64", "^div: dtypes differ: int32\\[2\\] and int64\\[2\\]", () -> Ops.div(i32(1, 2), Tensor.of(new long[] {1, 2}, 2)))
                .build());
        ops.add(arithmetic("pow", Ops::pow, Math::pow, List.of())
                // first (so the dtype-claim test uses it): exponents that round to 1..3, valid for integers too
                .sample("small positive exponents", f(g.uniform(0.6, 2.4, 2, 3)), f(g.uniform(0.6, 3.4, 2, 3)))
                .samples(Samples.binary(Samples.pair(g::pos, sh -> g.uniform(-2, 2, sh)), false))
                .iae("integer to a negative power", "^pow: integers to negative integer powers are not allowed",
                        () -> Ops.pow(i32(2, 3), i32(1, -1)).toIntArray())
                .sample(Sample.of("special values", Args.NONE, f(Nd.of(s(7), 0, 0, -2, -2, 2, 4, 1)), f(Nd.of(s(7), 0, 2, 3, 0.5, -1, 0.5, 1e30))).forwardOnly())
                .build());
        Samples.Pair separated = Samples.pair(g::lowFraction, g::highFraction); // |a - b| >= 0.2 everywhere: no ties
        ops.add(arithmetic("max", Ops::maximum, Math::max, Samples.binary(separated, false)).intExact()
                .sample(Sample.of("nan propagates", Args.NONE, f(Nd.of(s(3), Double.NaN, 1, Double.NaN)), f(Nd.of(s(3), 1, Double.NaN, Double.NaN))).forwardOnly())
                .build());
        ops.add(arithmetic("min", Ops::minimum, Math::min, Samples.binary(separated, false)).intExact()
                .sample(Sample.of("nan propagates", Args.NONE, f(Nd.of(s(3), Double.NaN, 1, Double.NaN)), f(Nd.of(s(3), 1, Double.NaN, Double.NaN))).forwardOnly())
                .build());
        // mod: a = q * b with frac(q) in (0.2, 0.8), so floor(a / b) is far from a jump (see modSamples)
        ops.add(arithmetic("mod", Ops::mod, Ref::floorMod, modSamples(g))
                .sample(Sample.of("signs of operands", Args.NONE, f(Nd.of(s(8), -7, 7, -7, 7, 5.5, -5.5, 6, -6)), f(Nd.of(s(8), 3, 3, -3, -3, 2, 2, 3, 3))).forwardOnly())
                .intExact().build());
        ops.add(arithmetic("atan2", Ops::atan2, Math::atan2, Samples.binary(Samples.pair(sh -> g.away(0.3, 2, sh), sh -> g.away(0.3, 2, sh)), false))
                .sample(Sample.of("axes and zeros", Args.NONE, f(Nd.of(s(6), 0, 0, 1, -1, 0, -0.0)), f(Nd.of(s(6), 1, -1, 0, 0, 0, -1))).forwardOnly())
                .dtypes(FLOAT32, FLOAT64)
                .iae("int32 inputs", "^atan2: not defined for integer dtypes", () -> Ops.atan2(i32(1), i32(2)).toIntArray())
                .build());

        Samples.Pair ties = Samples.pair(sh -> g.ints(-2, 2, sh), sh -> g.ints(-2, 2, sh)); // many equal pairs
        comparison(ops, "equal", Ops::equal, (a, b) -> a == b, ties, true);
        comparison(ops, "not_equal", Ops::notEqual, (a, b) -> a != b, ties, true);
        comparison(ops, "less", Ops::less, (a, b) -> a < b, ties, false);
        comparison(ops, "less_equal", Ops::lessEqual, (a, b) -> a <= b, ties, false);
        comparison(ops, "greater", Ops::greater, (a, b) -> a > b, ties, false);
        comparison(ops, "greater_equal", Ops::greaterEqual, (a, b) -> a >= b, ties, false);

        logical(ops, "and", Ops::logicalAnd, (a, b) -> a != 0 && b != 0, g);
        logical(ops, "or", Ops::logicalOr, (a, b) -> a != 0 || b != 0, g);
        logical(ops, "xor", Ops::logicalXor, (a, b) -> (a != 0) != (b != 0), g);
    }

    private static List<Sample> modSamples(Gen g) {
        List<Sample> out = new ArrayList<>();
        int[][][] shapes = {{s(2, 3), s(2, 3)}, {s(2, 3), s(3)}, {s(3, 4), s(3, 1)}, {s(2, 3), s()}, {s(), s()},
                {s(0, 3), s(3)}, {s(13), s(13)}, {s(97), s(97)}, {s(263, 257), s(257)}};
        for (int[][] sh : shapes) {
            Nd b = g.away(0.5, 2, sh[1]);
            Nd q = g.uniform(0.2, 0.8, sh[0]).map(x -> x + Math.floor(6 * x) - 3); // frac stays in (0.2, 0.8)
            Nd a = Nd.zip(q, b, (x, y) -> x * y);
            out.add(Sample.of(java.util.Arrays.toString(sh[0]) + " mod " + java.util.Arrays.toString(sh[1]), Args.NONE, f(a), f(b)));
        }
        Nd b = g.away(0.5, 2, s(3, 4));
        Nd a = Nd.zip(g.uniform(1.2, 1.8, s(3, 4)), b, (x, y) -> x * y);
        out.add(Sample.of("transposed and strided views", Args.NONE, f(a, TRANSPOSED), f(b, STRIDED)));
        return out;
    }

    private interface Pred {
        boolean test(double a, double b);
    }

    private static void comparison(List<OpInfo> ops, String name, BinaryOperator<Tensor> api, Pred p, Samples.Pair d, boolean boolOk) {
        String prim = switch (name) {
            case "equal" -> "eq";
            case "not_equal" -> "ne";
            case "less" -> "lt";
            case "less_equal" -> "le";
            case "greater" -> "gt";
            default -> "ge";
        };
        Builder b = binary(prim, api, (x, y) -> p.test(x, y) ? 1 : 0, Samples.binary(d, false))
                .notDifferentiable().intExact().outDType((t, a) -> BOOL)
                .sample(Sample.of("nan and infinities", Args.NONE,
                        f(Nd.of(s(6), Double.NaN, 1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0)),
                        f(Nd.of(s(6), 1, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, 1, -0.0))).forwardOnly());
        if (boolOk) b.dtypes(ALL);
        else b.dtypes(NUMERIC).iae("bool inputs", "^" + prim + ": does not support bool inputs",
                () -> api.apply(Tensor.of(new boolean[] {true}, 1), Tensor.of(new boolean[] {false}, 1)));
        ops.add(b.build());
    }

    private static void logical(List<OpInfo> ops, String name, BinaryOperator<Tensor> api, Pred p, Gen g) {
        ops.add(op(name, "binary").fn1((in, a) -> api.apply(in[0], in[1])).ref1((in, a) -> Nd.zip(in[0], in[1], (x, y) -> p.test(x, y) ? 1 : 0))
                .sample("same shape", fixed(g.bools(2, 3), BOOL), fixed(g.bools(2, 3), BOOL))
                .sample("broadcast", fixed(g.bools(4, 1), BOOL), fixed(g.bools(1, 5), BOOL))
                .sample("0-d", fixed(Nd.scalar(1), BOOL), fixed(g.bools(7), BOOL))
                .sample("empty", fixed(g.bools(0, 3), BOOL), fixed(g.bools(3), BOOL))
                .sample("views", fixed(g.bools(3, 4), BOOL, TRANSPOSED), fixed(g.bools(3, 4), BOOL, STRIDED))
                .sample("prime 97", fixed(g.bools(97), BOOL, REVERSED), fixed(g.bools(97), BOOL))
                .dtypes(BOOL).notDifferentiable()
                .iae("float inputs", "^" + name + ": needs bool inputs, got float32", () -> api.apply(f32(2), f32(2)))
                .iae("shapes do not broadcast", "^" + name + ": cannot broadcast shapes \\[2,3\\] and \\[4\\]",
                        () -> api.apply(Tensor.zeros(BOOL, 2, 3), Tensor.zeros(BOOL, 4)))
                .build());
    }

    // ------------------------------------------------------------------ where, cast, clip

    private static OpInfo where() {
        Gen g = new Gen("where");
        return op("where", "elementwise").fn1((in, a) -> Ops.where(in[0], in[1], in[2]))
                .ref1((in, a) -> Nd.zip3(in[0], in[1], in[2], (c, x, y) -> c != 0 ? x : y))
                .sample("same shape", fixed(g.bools(2, 3), BOOL), f(g.any(2, 3)), f(g.any(2, 3)))
                .sample("broadcast condition", fixed(g.bools(3), BOOL), f(g.any(2, 3)), f(g.any()))
                .sample("broadcast all", fixed(g.bools(2, 1), BOOL), f(g.any(1, 3)), f(g.any(2, 3)))
                .sample("0-d condition", fixed(Nd.scalar(0), BOOL), f(g.any(4)), f(g.any(4)))
                .sample("empty", fixed(g.bools(0, 2), BOOL), f(g.any(0, 2)), f(g.any(2)))
                .sample("views", fixed(g.bools(3, 4), BOOL, TRANSPOSED), f(g.any(3, 4), STRIDED), f(g.any(3, 4), REVERSED))
                .sample("prime 97", fixed(g.bools(97), BOOL), f(g.any(97)), f(g.any(97), STRIDED))
                .secondOrder().dtypes(ALL).intExact()
                .iae("float condition", "^where: condition must be bool, got float32", () -> Ops.where(f32(2), f32(2), f32(2)))
                .iae("dtypes differ", "^where: dtypes differ", () -> Ops.where(Tensor.zeros(BOOL, 2), f32(2), Tensor.zeros(FLOAT64, 2)))
                .iae("shapes do not broadcast", "^where: cannot broadcast shapes", () -> Ops.where(Tensor.zeros(BOOL, 3), f32(2, 3), f32(4)))
                .build();
    }

    private static OpInfo cast(DType to) {
        Gen g = new Gen("cast" + to);
        DoubleUnaryOperator ref = switch (to) {
            case FLOAT32, FLOAT64 -> x -> x;
            case INT32, INT64 -> x -> (double) (long) x; // truncation toward zero
            case BOOL -> x -> x != 0 ? 1 : 0;
        };
        Nd mixed = Nd.of(s(2, 5), -2.7, -1.5, -0.5, -0.0, 0, 0.5, 1.5, 2.7, 100.25, -100.75);
        return op("cast to " + to, "elementwise").fn1((in, a) -> Ops.cast(in[0], to)).ref1((in, a) -> in[0].map(ref))
                .sample("fractions and signs", f(mixed))
                .sample("0-d", f(Nd.scalar(-3.75)))
                .sample("empty", f(g.any(0, 3)))
                .sample("views", f(mixed, TRANSPOSED))
                .sample("prime 97 strided", f(g.uniform(-50, 50, 97), STRIDED))
                .sample("from int32", fixed(g.ints(-1000, 1000, 13), INT32))
                .sample("from int64", fixed(g.ints(-1000, 1000, 3, 7), INT64, REVERSED))
                .sample("from bool", fixed(g.bools(2, 5), BOOL, TRANSPOSED))
                .sample("int32 prime 97", fixed(g.ints(-5, 5, 97), INT32, STRIDED))
                .dtypes(ALL).intExact().notDifferentiable().outDType((t, a) -> to).cannotFail()
                .build();
    }

    private static OpInfo clip() {
        Gen g = new Gen("clip");
        // values at least 0.05 away from the bounds (kinks)
        Function<int[], Nd> dom = sh -> g.uniform(-3, 3, sh).map(x -> Math.abs(x + 1) < 0.05 || Math.abs(x - 2) < 0.05 ? x + 0.1 : x);
        List<Sample> samples = new ArrayList<>();
        for (Sample sm : Samples.unary(dom)) samples.add(new Sample(sm.label(), Args.of("lo", -1.0, "hi", 2.0), sm.inputs(), sm.grad()));
        samples.add(Sample.of("lo == hi", Args.of("lo", 0.5, "hi", 0.5), f(g.any(2, 3))).forwardOnly());
        samples.add(Sample.of("fractional bounds", Args.of("lo", -0.75, "hi", 1.25), f(g.any(3, 4), STRIDED)));
        return op("clip", "elementwise").fn1((in, a) -> Ops.clip(in[0], a.d("lo"), a.d("hi")))
                .ref1((in, a) -> in[0].map(x -> Math.min(Math.max(x, a.d("lo")), a.d("hi"))))
                .samples(samples).secondOrder().dtypes(NUMERIC).intExact()
                .iae("lower bound above upper bound", "^clip: lower bound 2\\.0 exceeds upper bound 1\\.0", () -> Ops.clip(f32(2), 2, 1))
                .build();
    }
}
