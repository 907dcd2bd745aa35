package dev.fluxion.nn.layers;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.KerasTensor;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleBinaryOperator;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Subtract, Multiply, Average, Maximum, Minimum and Dot against float64 loops: Keras' broadcasting of the
 * non-batch dimensions, gradients by finite differences, symbolic output shapes, masks as Keras 3 passes them, and
 * every refused input.
 */
class MergeLayersTest {
    private static Tensor call(Layer layer, Tensor... xs) {
        return layer.call(List.of(xs), false);
    }

    /** Folds the inputs elementwise with {@code op} (same shapes). */
    private static double[] fold(DoubleBinaryOperator op, Tensor... xs) {
        double[] out = xs[0].toDoubleArray().clone();
        for (int k = 1; k < xs.length; k++) {
            double[] v = xs[k].toDoubleArray();
            for (int i = 0; i < out.length; i++) out[i] = op.applyAsDouble(out[i], v[i]);
        }
        return out;
    }

    @Test
    void elementwiseMergesMatchLoops() {
        Tensor a = TestData.f64(1, 2, 3), b = TestData.f64(2, 2, 3), c = TestData.f64(3, 2, 3);
        assertClose(fold((x, y) -> x - y, a, b), call(dbl(new Subtract()), a, b).toDoubleArray(), 1e-15);
        assertClose(fold((x, y) -> x * y, a, b, c), call(dbl(new Multiply()), a, b, c).toDoubleArray(), 1e-15);
        double[] sum = fold(Double::sum, a, b, c);
        for (int i = 0; i < sum.length; i++) sum[i] /= 3;
        assertClose(sum, call(dbl(new Average()), a, b, c).toDoubleArray(), 1e-15);
        assertClose(fold(Math::max, a, b, c), call(dbl(new Maximum()), a, b, c).toDoubleArray(), 0);
        assertClose(fold(Math::min, a, b, c), call(dbl(new Minimum()), a, b, c).toDoubleArray(), 0);
        Tensor y = call(dbl(new Maximum()), a, b);
        assertArrayEquals(new int[] {2, 3}, y.shape());
    }

    @Test
    void nonBatchDimensionsBroadcastFromTheRightAfterTheBatch() {
        // [2, 4, 3] with [2, 3] (taken as [2, 1, 3]) and [2, 4, 1]
        Tensor a = TestData.f64(4, 2, 4, 3), b = TestData.f64(5, 2, 3), c = TestData.f64(6, 2, 4, 1);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), cv = c.toDoubleArray();
        double[] prod = new double[24], diff = new double[24], max = new double[24];
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 3; j++) {
                    int at = (n * 4 + i) * 3 + j;
                    prod[at] = av[at] * bv[n * 3 + j] * cv[n * 4 + i];
                    diff[at] = av[at] - bv[n * 3 + j];
                    max[at] = Math.max(Math.max(av[at], bv[n * 3 + j]), cv[n * 4 + i]);
                }
        Tensor y = call(dbl(new Multiply()), a, b, c);
        assertArrayEquals(new int[] {2, 4, 3}, y.shape());
        assertClose(prod, y.toDoubleArray(), 1e-14);
        assertClose(diff, call(dbl(new Subtract()), a, b).toDoubleArray(), 1e-15);
        assertClose(max, call(dbl(new Maximum()), a, b, c).toDoubleArray(), 0);
        // a lower-rank input first: [2, 3] - [2, 4, 3]
        double[] rev = new double[24];
        for (int i = 0; i < 24; i++) rev[i] = -diff[i];
        Tensor r = call(dbl(new Subtract()), b, a);
        assertArrayEquals(new int[] {2, 4, 3}, r.shape());
        assertClose(rev, r.toDoubleArray(), 1e-15);
        // [2, 1] against [2, 3]
        Tensor col = TestData.f64(7, 2, 1), row = TestData.f64(8, 2, 3);
        double[] colv = col.toDoubleArray(), rowv = row.toDoubleArray(), avg = new double[6];
        for (int i = 0; i < 6; i++) avg[i] = (colv[i / 3] + rowv[i]) / 2;
        assertClose(avg, call(dbl(new Average()), col, row).toDoubleArray(), 1e-15);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Variable a = new Variable(TestData.f64(11, 2, 4, 3), "a"), b = new Variable(TestData.f64(12, 2, 3), "b"),
                c = new Variable(TestData.f64(13, 2, 4, 3), "c");
        Tensor r = TestData.f64(14, 2, 4, 3);
        for (Layer layer : List.of(new Subtract(), new Multiply(), new Average(), new Maximum(), new Minimum())) {
            Layer l = dbl(layer);
            List<Variable> vars = l instanceof Subtract ? List.of(a, b) : List.of(a, b, c);
            TestData.checkGradients(() -> l.call(vars.stream().map(Variable::value).toList(), true).mul(r).sum(), vars, 1e-6);
        }
        Variable x = new Variable(TestData.f64(15, 2, 3, 4), "x"), y = new Variable(TestData.f64(16, 2, 5, 4), "y");
        Tensor rd = TestData.f64(17, 2, 3, 5);
        for (boolean normalize : new boolean[] {false, true}) {
            Dot dot = dbl(new Dot(2).normalize(normalize));
            TestData.checkGradients(() -> dot.call(List.of(x.value(), y.value()), true).mul(rd).sum(), List.of(x, y), 1e-6);
        }
    }

    @Test
    void dotContractsTheGivenAxesPerExample() {
        Tensor x = TestData.f64(21, 2, 3, 4), y = TestData.f64(22, 2, 5, 4);
        double[] xv = x.toDoubleArray(), yv = y.toDoubleArray(), ref = new double[2 * 3 * 5];
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++)
                    for (int k = 0; k < 4; k++) ref[(n * 3 + i) * 5 + j] += xv[(n * 3 + i) * 4 + k] * yv[(n * 5 + j) * 4 + k];
        Tensor z = call(dbl(new Dot(2)), x, y);
        assertArrayEquals(new int[] {2, 3, 5}, z.shape());
        assertClose(ref, z.toDoubleArray(), 1e-14);
        assertClose(ref, call(dbl(new Dot(-1)), x, y).toDoubleArray(), 1e-14);
        assertClose(ref, call(dbl(new Dot(2, -1)), x, y).toDoubleArray(), 1e-14);
        // axis 1 of x [2, 4, 3] against axis 2 of y [2, 5, 4]: out[n, i, j] = sum_k x[n, k, i] y[n, j, k]
        Tensor xt = TestData.f64(23, 2, 4, 3);
        double[] tv = xt.toDoubleArray(), ref2 = new double[30];
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++)
                    for (int k = 0; k < 4; k++) ref2[(n * 3 + i) * 5 + j] += tv[(n * 4 + k) * 3 + i] * yv[(n * 5 + j) * 4 + k];
        Dot mixed = dbl(new Dot(1, 2));
        assertArrayEquals(new int[] {1, 2}, mixed.axes());
        assertClose(ref2, call(mixed, xt, y).toDoubleArray(), 1e-14);
        // the other way round: axis 2 of y against axis 1 of x gives [2, 5, 3]
        Tensor swapped = call(dbl(new Dot(2, 1)), y, xt);
        assertArrayEquals(new int[] {2, 5, 3}, swapped.shape());
        double[] sv = swapped.toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++) assertEquals(ref2[(n * 3 + i) * 5 + j], sv[(n * 5 + j) * 3 + i], 1e-14);
    }

    @Test
    void dotOfVectorsIsAColumnAndNormalizeGivesTheCosine() {
        double[] xv = {1, 2, 2, 0, 0, 0, 3, 4}, yv = {2, 0, 1, 0, 5, 5, 0, 0};
        Tensor x = Tensor.of(xv, 2, 4), y = Tensor.of(yv, 2, 4);
        Tensor z = call(dbl(new Dot(1)), x, y);
        assertArrayEquals(new int[] {2, 1}, z.shape(), "Keras' batch_dot keeps a column for vectors");
        assertClose(new double[] {1 * 2 + 2 * 1, 0}, z.toDoubleArray(), 1e-15);
        Dot cos = dbl(new Dot(1).normalize(true));
        assertTrue(cos.normalize());
        assertFalse(new Dot(1).normalize());
        Tensor c = call(cos, x, y);
        double n0 = Math.sqrt(1 + 4 + 4) * Math.sqrt(4 + 1), expected0 = 4 / n0;
        // example 1: x = [0, 0, 3, 4], y = [5, 5, 0, 0]: orthogonal
        assertClose(new double[] {expected0, 0}, c.toDoubleArray(), 1e-15);
        // a zero vector is divided by the floor, not by 0
        Tensor zeros = call(cos, Tensor.of(new double[8], 2, 4), y);
        assertClose(new double[] {0, 0}, zeros.toDoubleArray(), 0);
        // and so is its gradient: below the floor x / epsilon is linear, d/dx = (y / ||y||) / epsilon
        Variable zero = new Variable(Tensor.of(new double[8], 2, 4), "zero");
        try (GradientTape tape = new GradientTape()) {
            tape.watch(zero);
            double[] g = tape.gradient(cos.call(List.of(zero.value(), y), true).sum(), List.of(zero)).get(0).toDoubleArray();
            double[] expected = new double[8];
            for (int n = 0; n < 2; n++) {
                double norm = 0;
                for (int k = 0; k < 4; k++) norm += yv[n * 4 + k] * yv[n * 4 + k];
                for (int k = 0; k < 4; k++) expected[n * 4 + k] = yv[n * 4 + k] / Math.sqrt(norm) / 1e-7;
            }
            assertClose(expected, g, 1e-9);
        }
    }

    @Test
    void symbolicShapesFollowTheBroadcastIncludingUnknownSteps() {
        KerasTensor steps = Input.shape(-1, 3), steps2 = Input.shape(-1, 3), grid = Input.shape(4, 3), vec = Input.shape(3);
        assertArrayEquals(new int[] {-1, -1, 3}, new Subtract().apply(steps, steps2).shape());
        assertArrayEquals(new int[] {-1, 4, 3}, new Multiply().apply(grid, vec).shape());
        assertArrayEquals(new int[] {-1, -1, 3}, new Maximum().apply(steps, vec, steps2).shape());
        assertArrayEquals(new int[] {-1, 4, 3}, new Average().apply(vec, grid).shape());
        assertArrayEquals(new int[] {-1, -1, 3}, new Minimum().apply(steps, Input.shape(1, 3)).shape());
        assertArrayEquals(new int[] {-1, -1, 5}, new Dot(2).apply(Input.shape(-1, 4), Input.shape(5, 4)).shape());
        assertArrayEquals(new int[] {-1, 4, 4}, new Dot(1).apply(Input.shape(-1, 4), Input.shape(-1, 4)).shape(), "contracting the unknown axis");
        assertArrayEquals(new int[] {-1, 1}, new Dot(1).apply(vec, Input.shape(3)).shape());
    }

    private static Tensor masked(Tensor x, boolean... mask) {
        return Masks.attach(x, Tensor.of(mask, 1, mask.length));
    }

    @Test
    void subtractAndAverageAndTheMasksOfAll() {
        Tensor a = masked(TestData.f64(31, 1, 3, 2), true, true, false), b = masked(TestData.f64(32, 1, 3, 2), true, false, true);
        for (Layer l : List.of(new Subtract(), new Average()))
            assertArrayEquals(new boolean[] {true, false, false}, Masks.of(call(dbl(l), a, b)).toBooleanArray(), l.getClass().getSimpleName());
        assertArrayEquals(new boolean[] {true, true, false}, Masks.of(call(dbl(new Average()), a, TestData.f64(33, 1, 3, 2))).toBooleanArray(),
                "an input without a mask counts as all real");
        assertNull(Masks.of(call(dbl(new Average()), TestData.f64(34, 1, 3, 2), TestData.f64(33, 1, 3, 2))));
        assertNull(Masks.of(call(dbl(new Dot(2)), a, b)), "Dot drops masks (Keras)");
    }

    @Test
    void multiplyTreatsMaskedStepsAsOne() {
        double[] av = {1, 2, 3, 4, 5, 6}, bv = {-1, 3, 0.5, 2, 7, 8};
        Tensor a = masked(Tensor.of(av, 1, 3, 2), true, false, false), b = masked(Tensor.of(bv, 1, 3, 2), true, true, false);
        Tensor y = call(dbl(new Multiply()), a, b);
        // step 0 both real: the product; step 1 only b: b's value; step 2 neither: 0
        assertClose(new double[] {-1, 6, 0.5, 2, 0, 0}, y.toDoubleArray(), 0);
        assertArrayEquals(new boolean[] {true, true, false}, Masks.of(y).toBooleanArray(), "all masked: the masks ORed");
        // only one input masked: its padded steps count as 1, and the output mask is its own
        Tensor c = masked(Tensor.of(av, 1, 3, 2), true, false, true);
        Tensor z = call(dbl(new Multiply()), c, Tensor.of(bv, 1, 3, 2));
        assertClose(new double[] {-1, 6, 0.5, 2, 35, 48}, z.toDoubleArray(), 0);
        assertArrayEquals(new boolean[] {true, false, true}, Masks.of(z).toBooleanArray());
    }

    @Test
    void maximumAndMinimumLetOnlyRealValuesCompete() {
        double[] av = {1, 2, 3, 4, 5, 6}, bv = {-1, 3, 0.5, 2, 7, 8};
        Tensor a = masked(Tensor.of(av, 1, 3, 2), true, false, false), b = masked(Tensor.of(bv, 1, 3, 2), false, true, false);
        // step 0 only a real: a; step 1 only b: b; step 2 neither: the first input's values
        Tensor hi = call(dbl(new Maximum()), a, b), lo = call(dbl(new Minimum()), a, b);
        assertClose(new double[] {1, 2, 0.5, 2, 5, 6}, hi.toDoubleArray(), 0);
        assertClose(new double[] {1, 2, 0.5, 2, 5, 6}, lo.toDoubleArray(), 0);
        assertArrayEquals(new boolean[] {true, true, false}, Masks.of(hi).toBooleanArray());
        // both real everywhere: the plain extremum
        Tensor a2 = masked(Tensor.of(av, 1, 3, 2), true, true, true), b2 = masked(Tensor.of(bv, 1, 3, 2), true, true, true);
        assertClose(new double[] {-1, 2, 0.5, 2, 5, 6}, call(dbl(new Minimum()), a2, b2).toDoubleArray(), 0);
        // one input masked: its padded steps take the other's value, the output mask is its own
        Tensor c = masked(Tensor.of(av, 1, 3, 2), true, false, true);
        Tensor m = call(dbl(new Minimum()), c, Tensor.of(bv, 1, 3, 2));
        assertClose(new double[] {-1, 2, 0.5, 2, 5, 6}, m.toDoubleArray(), 0);
        assertArrayEquals(new boolean[] {true, false, true}, Masks.of(m).toBooleanArray());
    }

    @Test
    void refusedInputsNameTheLayerAndTheShapes() {
        Tensor a = TestData.f64(41, 2, 3), b = TestData.f64(42, 2, 4), c = TestData.f64(43, 3, 3);
        Subtract sub = new Subtract();
        Exception e = assertThrows(IllegalArgumentException.class, () -> call(sub, a, a, a));
        assertMentions(e, "Subtract '" + sub.name() + "'", "exactly 2 inputs, got 3", "[2,3]");
        Multiply mul = new Multiply();
        e = assertThrows(IllegalArgumentException.class, () -> mul.call(a));
        assertMentions(e, "Multiply '" + mul.name() + "'", "at least 2 inputs, got 1", "[2,3]");
        Maximum max = new Maximum();
        e = assertThrows(IllegalArgumentException.class, () -> call(max, a, b));
        assertMentions(e, "Maximum '" + max.name() + "'", "do not broadcast", "[2,3]", "[2,4]", "input 1 has 4 where another has 3");
        Minimum min = new Minimum();
        e = assertThrows(IllegalArgumentException.class, () -> call(min, a, c));
        assertMentions(e, "Minimum '" + min.name() + "'", "same batch size", "[2,3] (input 0)", "[3,3] (input 1)");
        Average avg = new Average();
        e = assertThrows(IllegalArgumentException.class, () -> call(avg, Tensor.of(new double[] {1}), Tensor.of(new double[] {2})));
        assertMentions(e, "Average '" + avg.name() + "'", "batch axis", "[[], []]");
        e = assertThrows(IllegalArgumentException.class, () -> new Multiply().apply(Input.shape(4, 3), Input.shape(5, 3)));
        assertMentions(e, "Multiply", "do not broadcast", "[1,4,3]", "[1,5,3]");

        Dot dot = new Dot(1);
        e = assertThrows(IllegalArgumentException.class, () -> call(dot, a, a, a));
        assertMentions(e, "Dot '" + dot.name() + "'", "exactly 2 inputs, got 3");
        e = assertThrows(IllegalArgumentException.class, () -> call(dot, a, b));
        assertMentions(e, "Dot '" + dot.name() + "'", "contracted sizes differ", "3 (axis 1 of [2,3])", "4 (axis 1 of [2,4])");
        e = assertThrows(IllegalArgumentException.class, () -> call(dot, a, c));
        assertMentions(e, "Dot '" + dot.name() + "'", "same batch size", "[2,3]", "[3,3]");
        e = assertThrows(IllegalArgumentException.class, () -> call(dot, Tensor.of(new double[] {1, 2}, 2), Tensor.of(new double[] {1, 2}, 2)));
        assertMentions(e, "Dot '" + dot.name() + "'", "at least one more", "[2]");
        Dot far = new Dot(1, 3);
        e = assertThrows(IllegalArgumentException.class, () -> call(far, a, a));
        assertMentions(e, "Dot '" + far.name() + "'", "axis 3 is out of range for input 1 of shape [2,3]");
        Dot batch = new Dot(0);
        e = assertThrows(IllegalArgumentException.class, () -> call(batch, a, a));
        assertMentions(e, "Dot '" + batch.name() + "'", "cannot contract the batch axis", "axis 0 of input 0 of shape [2,3]");
        Dot negBatch = new Dot(1, -2);
        e = assertThrows(IllegalArgumentException.class, () -> call(negBatch, a, a));
        assertMentions(e, "cannot contract the batch axis", "axis -2 of input 1");
    }
}
