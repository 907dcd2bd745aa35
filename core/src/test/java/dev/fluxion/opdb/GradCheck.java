package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.UnconnectedGradients;
import dev.fluxion.opdb.OpInfo.Input;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Gradient checking in the style of PyTorch's gradcheck/gradgradcheck, in float64:
 * <ul>
 *   <li>first order: with a random cotangent v, the tape's d/dx sum(v * f(x)) against central differences of
 *       sum(v * f(x)) (computed in double here, not with Fluxion ops);</li>
 *   <li>second order: with nested tapes, g(x) = d/dx sum(v * f(x)) from the inner tape and d/dx sum(u * g(x))
 *       from the outer one, against central differences of sum(u * g(x)) using the inner tape only.</li>
 * </ul>
 * The floating inputs of a sample are the differentiated ones; fixed-dtype inputs (indices, conditions) are
 * constants.
 */
final class GradCheck {
    private GradCheck() {}

    static final double EPS = 1e-6;

    /** The positions of a sample's floating (differentiated) inputs. */
    static int[] floatingInputs(Sample s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < s.inputs().size(); i++) if (s.inputs().get(i).floating()) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Inputs as tensors of dtype {@code t} for the floating ones, built from (possibly perturbed) values. */
    static Tensor[] tensors(Sample s, Nd[] values, DType t) {
        Tensor[] out = new Tensor[values.length];
        for (int i = 0; i < values.length; i++) {
            Input in = s.inputs().get(i);
            out[i] = Harness.make(values[i], Harness.dtypeOf(in, t), in.layout());
        }
        return out;
    }

    /** Shapes of the op's outputs on these inputs. */
    static int[][] outputShapes(OpInfo op, Sample s, Nd[] x) {
        Tensor[] ys = op.fn().apply(tensors(s, x, DType.FLOAT64), s.args());
        int[][] out = new int[ys.length][];
        for (int k = 0; k < ys.length; k++) out[k] = ys[k].shape();
        return out;
    }

    /** sum_k sum(v_k * y_k) built with Fluxion ops (so tapes record it). */
    static Tensor weightedSum(Tensor[] ys, Nd[] v) {
        Tensor total = null;
        for (int k = 0; k < ys.length; k++) {
            Tensor w = Ops.cast(Tensor.of(v[k].data.clone(), v[k].shape), ys[k].dtype());
            Tensor term = Ops.mul(ys[k], w).sum();
            total = total == null ? term : Ops.add(total, term);
        }
        return total;
    }

    /** The tape's gradients of sum(v * f(x)) with respect to the floating inputs (zeros when unconnected). */
    static Tensor[] gradient(OpInfo op, Sample s, Nd[] x, Nd[] v, DType t) {
        Tensor[] in = tensors(s, x, t);
        int[] fi = floatingInputs(s);
        Tensor[] sources = new Tensor[fi.length];
        for (int i = 0; i < fi.length; i++) sources[i] = in[fi[i]];
        try (GradientTape tape = new GradientTape()) {
            tape.watch(sources);
            Tensor loss = weightedSum(op.fn().apply(in, s.args()), v);
            return tape.gradient(loss, sources, null, UnconnectedGradients.ZERO);
        }
    }

    /** sum(v * f(x)) evaluated in double. */
    static double loss(OpInfo op, Sample s, Nd[] x, Nd[] v) {
        return Harness.dot(v, op.fn().apply(tensors(s, x, DType.FLOAT64), s.args()));
    }

    /** Central differences of {@code fn} with respect to every element of every floating input. */
    static Nd[] numeric(Sample s, Nd[] x, java.util.function.ToDoubleFunction<Nd[]> fn) {
        int[] fi = floatingInputs(s);
        Nd[] out = new Nd[fi.length];
        for (int i = 0; i < fi.length; i++) {
            Nd xi = x[fi[i]];
            out[i] = Nd.zeros(xi.shape);
            for (int j = 0; j < xi.size(); j++) {
                Nd[] plus = x.clone(), minus = x.clone();
                plus[fi[i]] = xi.copy();
                minus[fi[i]] = xi.copy();
                plus[fi[i]].data[j] += EPS;
                minus[fi[i]].data[j] -= EPS;
                out[i].data[j] = (fn.applyAsDouble(plus) - fn.applyAsDouble(minus)) / (2 * EPS);
            }
        }
        return out;
    }

    /** Asserts that analytic gradients have the inputs' shapes and dtype and match the numeric ones. */
    static void compare(String ctx, Sample s, Nd[] x, Tensor[] analytic, Nd[] numeric, double rtol, double atol) {
        int[] fi = floatingInputs(s);
        for (int i = 0; i < fi.length; i++) {
            String c = ctx + " / d input " + fi[i];
            assertNotNull(analytic[i], c + ": no gradient");
            assertArrayEquals(x[fi[i]].shape, analytic[i].shape(),
                    c + ": gradient shape " + Arrays.toString(analytic[i].shape()) + " is not the input's " + Arrays.toString(x[fi[i]].shape));
            assertEquals(DType.FLOAT64, analytic[i].dtype(), c + ": gradient dtype");
            Harness.assertValues(c + " (analytic vs central differences)", numeric[i], analytic[i].toDoubleArray(), DType.FLOAT64, rtol, atol);
        }
    }

    /** Random cotangents shaped like the given shapes, seeded by the test name. */
    static Nd[] cotangents(String seed, int[][] shapes) {
        Gen g = new Gen(seed);
        Nd[] out = new Nd[shapes.length];
        for (int k = 0; k < shapes.length; k++) out[k] = g.normal(shapes[k]);
        return out;
    }

    // ------------------------------------------------------------------ first order

    static void firstOrder(OpInfo op, Sample s) {
        String ctx = op.name() + " / " + s;
        Nd[] x = Harness.refInputs(s, DType.FLOAT64);
        Nd[] v = cotangents(ctx, outputShapes(op, s, x));
        Tensor[] analytic = gradient(op, s, x, v, DType.FLOAT64);
        Nd[] numeric = numeric(s, x, xs -> loss(op, s, xs, v));
        compare(ctx, s, x, analytic, numeric, op.gradRtol(), op.gradAtol());
        // reentrant and deterministic: a second backward pass gives bit-identical gradients
        Tensor[] again = gradient(op, s, x, v, DType.FLOAT64);
        for (int i = 0; i < analytic.length; i++)
            assertArrayEquals(analytic[i].toDoubleArray(), again[i].toDoubleArray(), 0, ctx + ": backward is not reentrant/deterministic");
    }

    /**
     * float32 gradients against float64 gradients at the same (float32-representable) point, JAX's float32
     * tolerance (2e-3): catches float32-only kernel bugs in the backward pass.
     */
    static void float32MatchesFloat64(OpInfo op, Sample s) {
        String ctx = op.name() + " / " + s + " / float32";
        Nd[] x = Harness.refInputs(s, DType.FLOAT32); // float32-representable values
        int[][] shapes = outputShapes(op, s, x);
        Nd[] v = cotangents(ctx, shapes);
        for (int k = 0; k < v.length; k++) v[k] = Harness.rounded(v[k], DType.FLOAT32);
        Tensor[] g64 = gradient(op, s, x, v, DType.FLOAT64);
        Tensor[] g32 = gradient(op, s, x, v, DType.FLOAT32);
        int[] fi = floatingInputs(s);
        for (int i = 0; i < fi.length; i++) {
            assertEquals(DType.FLOAT32, g32[i].dtype(), ctx + ": gradient dtype of input " + fi[i]);
            assertArrayEquals(x[fi[i]].shape, g32[i].shape(), ctx + ": gradient shape of input " + fi[i]);
            Harness.assertValues(ctx + " / d input " + fi[i], Harness.nd(g64[i]), g32[i].toDoubleArray(), DType.FLOAT32, 2e-3, 2e-3);
        }
    }

    // ------------------------------------------------------------------ second order

    /** Inner gradients g(x) of sum(v * f(x)), computed with one tape. */
    static Tensor[] innerGradient(OpInfo op, Sample s, Tensor[] in, Nd[] v) {
        return innerGradient(op, s, in, ys -> weightedSum(ys, v));
    }

    /** Inner gradients of {@code loss(f(x))}, computed with one tape. */
    static Tensor[] innerGradient(OpInfo op, Sample s, Tensor[] in, java.util.function.Function<Tensor[], Tensor> loss) {
        int[] fi = floatingInputs(s);
        Tensor[] sources = new Tensor[fi.length];
        for (int i = 0; i < fi.length; i++) sources[i] = in[fi[i]];
        try (GradientTape inner = new GradientTape()) {
            inner.watch(sources);
            return inner.gradient(loss.apply(op.fn().apply(in, s.args())), sources, null, UnconnectedGradients.ZERO);
        }
    }

    /**
     * Second order with respect to the cotangent, as gradgradcheck also checks its grad_outputs: d/dv sum(u * g(x, v))
     * runs the gradient rules of the backward ops themselves with respect to their incoming gradient (a convolution's
     * input and filter gradients, average pooling's gradient, gather's scatter), which differentiating with respect to
     * x leaves out wherever g does not depend on x. g is linear in v, so central differences are exact but for
     * rounding. Samples with non-floating outputs are skipped, and so are empty inputs: their reductions (a mean over
     * nothing) output NaN, and its derivative through the division by a count of zero is NaN rather than the zero of
     * the empty sum, as in the forward pass.
     */
    static void secondOrderInCotangent(OpInfo op, Sample s) {
        String ctx = op.name() + " / " + s + " / second order in the cotangent";
        Nd[] x = Harness.refInputs(s, DType.FLOAT64);
        for (int i : floatingInputs(s)) if (x[i].size() == 0) return;
        Tensor[] in = tensors(s, x, DType.FLOAT64);
        for (Tensor y : op.fn().apply(in, s.args())) if (!y.dtype().isFloating()) return;
        Nd[] v = cotangents(ctx, outputShapes(op, s, x));
        int[] fi = floatingInputs(s);
        int[][] inShapes = new int[fi.length][];
        for (int i = 0; i < fi.length; i++) inShapes[i] = x[fi[i]].shape;
        Nd[] u = cotangents(ctx + " u", inShapes);

        Tensor[] vt = new Tensor[v.length];
        for (int k = 0; k < v.length; k++) vt[k] = Tensor.of(v[k].data.clone(), v[k].shape);
        Tensor[] analytic;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(vt);
            Tensor[] g = innerGradient(op, s, in, ys -> {
                Tensor total = null;
                for (int k = 0; k < ys.length; k++) {
                    Tensor term = Ops.mul(ys[k], vt[k]).sum();
                    total = total == null ? term : Ops.add(total, term);
                }
                return total;
            });
            analytic = outer.gradient(weightedSum(g, u), vt, null, UnconnectedGradients.ZERO);
        }
        for (int k = 0; k < v.length; k++) {
            Nd numeric = Nd.zeros(v[k].shape);
            for (int j = 0; j < v[k].size(); j++) {
                Nd[] plus = v.clone(), minus = v.clone();
                plus[k] = v[k].copy();
                minus[k] = v[k].copy();
                plus[k].data[j] += EPS;
                minus[k].data[j] -= EPS;
                numeric.data[j] = (Harness.dot(u, innerGradient(op, s, in, plus)) - Harness.dot(u, innerGradient(op, s, in, minus))) / (2 * EPS);
            }
            String c = ctx + " / d cotangent " + k;
            assertArrayEquals(v[k].shape, analytic[k].shape(), c + ": gradient shape");
            Harness.assertValues(c + " (analytic vs central differences)", numeric, analytic[k].toDoubleArray(), DType.FLOAT64,
                    op.gradRtol(), op.gradAtol());
        }
    }

    static void secondOrder(OpInfo op, Sample s) {
        String ctx = op.name() + " / " + s + " / second order";
        Nd[] x = Harness.refInputs(s, DType.FLOAT64);
        Nd[] v = cotangents(ctx, outputShapes(op, s, x));
        int[] fi = floatingInputs(s);
        int[][] inShapes = new int[fi.length][];
        for (int i = 0; i < fi.length; i++) inShapes[i] = x[fi[i]].shape;
        Nd[] u = cotangents(ctx + " u", inShapes);

        Tensor[] in = tensors(s, x, DType.FLOAT64);
        Tensor[] sources = new Tensor[fi.length];
        for (int i = 0; i < fi.length; i++) sources[i] = in[fi[i]];
        Tensor[] analytic;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(sources);
            Tensor[] g = innerGradient(op, s, in, v);
            Tensor m = weightedSum(g, u);
            analytic = outer.gradient(m, sources, null, UnconnectedGradients.ZERO);
        }
        Nd[] numeric = numeric(s, x, xs -> Harness.dot(u, innerGradient(op, s, tensors(s, xs, DType.FLOAT64), v)));
        compare(ctx, s, x, analytic, numeric, op.gradRtol(), op.gradAtol());
    }
}
