package dev.fluxion.opdb;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Second-order gradients (PyTorch's gradgradcheck, with respect to the inputs and to the incoming gradient) of the ops
 * the training layers rely on: matmul, conv2d, pooling, elementwise activations and arithmetic, reductions, softmax and
 * the movement ops used by their gradient rules.
 * To keep the suite fast, at most {@link #MAX_SAMPLES} samples per op with at most {@link #MAX_ELEMENTS} floating
 * input elements are used.
 */
class OpSecondOrderTest {
    static final int MAX_SAMPLES = 16, MAX_ELEMENTS = 40;

    @TestFactory
    Stream<DynamicNode> secondOrder() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.secondOrder()) continue;
            List<DynamicNode> tests = new ArrayList<>();
            int samples = 0;
            for (Sample s : op.samples()) {
                if (!s.grad() || !s.hasFloating() || samples >= MAX_SAMPLES) continue;
                int n = 0;
                for (var in : s.inputs()) if (in.floating()) n += in.values().size();
                if (n > MAX_ELEMENTS) continue;
                tests.add(DynamicTest.dynamicTest(s.toString(), () -> GradCheck.secondOrder(op, s)));
                tests.add(DynamicTest.dynamicTest(s + " / in the cotangent", () -> GradCheck.secondOrderInCotangent(op, s)));
                samples++;
            }
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    /** The hand-checked example: d/dx sum(x^3) = 3x^2 and d/dx sum(d/dx sum(x^3)) = 6x, with nested tapes. */
    @Test
    void cubeFirstAndSecondDerivatives() {
        double[] xs = {-2, -0.5, 0, 1, 3};
        Tensor x = Tensor.of(xs, xs.length);
        Tensor dy, d2y;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(x);
            try (GradientTape inner = new GradientTape()) {
                inner.watch(x);
                dy = inner.gradient(x.mul(x).mul(x).sum(), x)[0];
            }
            d2y = outer.gradient(dy, x)[0];
        }
        double[] first = new double[xs.length], second = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            first[i] = 3 * xs[i] * xs[i];
            second[i] = 6 * xs[i];
        }
        assertArrayEquals(first, dy.toDoubleArray(), 1e-12);
        assertArrayEquals(second, d2y.toDoubleArray(), 1e-12);
    }

    /**
     * Max pooling's gradient is differentiable again (routing fixed by x): for f = sum(maxpool(x)^2) the gradient is
     * 2*max at each window's argmax, and the gradient of its sum puts 2 per window on each argmax cell.
     */
    @Test
    void maxPoolingSecondOrderByHand() {
        Tensor x = Tensor.of(new double[] {1, 5, 2, 4, 3, 0, 7, 6, 8}, 1, 3, 3, 1);
        Tensor g, gg;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(x);
            try (GradientTape inner = new GradientTape()) {
                inner.watch(x);
                g = inner.gradient(dev.fluxion.NnOps.maxPool2d(x, 2, 2, 1, 1, dev.fluxion.NnOps.Padding.VALID).square().sum(), x)[0];
            }
            gg = outer.gradient(g.sum(), x)[0];
        }
        // windows' maxima: 5 at (0,1) twice, 7 at (2,0), 8 at (2,2)
        assertArrayEquals(new double[] {0, 20, 0, 0, 0, 0, 14, 0, 16}, g.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 4, 0, 0, 0, 0, 2, 0, 2}, gg.toDoubleArray(), 1e-12);
    }

    /**
     * And a third time, through the gradient of max pooling's second-order selection: with g = d/dx sum(maxpool(x)^3)
     * and overlapping 2x2 windows, a cell holding value a that wins k windows gets g = 3a^2 k, d/dx sum(g^2) = 36a^3 k^2
     * (its incoming gradient 2g depends on x, so the selection's own gradient rule runs next) and the derivative of that
     * sum 108a^2 k^2.
     */
    @Test
    void maxPoolingThirdOrderByHand() {
        Tensor x = Tensor.of(new double[] {1, 5, 2, 4, 3, 0, 7, 6, 8}, 1, 3, 3, 1);
        Tensor g, gg, ggg;
        try (GradientTape third = new GradientTape()) {
            third.watch(x);
            try (GradientTape second = new GradientTape()) {
                second.watch(x);
                try (GradientTape first = new GradientTape()) {
                    first.watch(x);
                    Tensor m = dev.fluxion.NnOps.maxPool2d(x, 2, 2, 1, 1, dev.fluxion.NnOps.Padding.VALID);
                    g = first.gradient(m.mul(m).mul(m).sum(), x)[0];
                }
                gg = second.gradient(g.mul(g).sum(), x)[0];
            }
            ggg = third.gradient(gg.sum(), x)[0];
        }
        // windows' maxima: 5 at (0,1) twice, 7 at (2,0), 8 at (2,2)
        assertArrayEquals(new double[] {0, 150, 0, 0, 0, 0, 147, 0, 192}, g.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 18000, 0, 0, 0, 0, 12348, 0, 18432}, gg.toDoubleArray(), 1e-9);
        assertArrayEquals(new double[] {0, 10800, 0, 0, 0, 0, 5292, 0, 6912}, ggg.toDoubleArray(), 1e-9);
    }

    /** The same with pow(x, 3) and float32: 3x^2 and 6x. */
    @Test
    void cubeThroughPowInFloat32() {
        Tensor x = Tensor.of(new float[] {-2f, -0.5f, 1f, 3f}, 4);
        Tensor dy, d2y;
        try (GradientTape outer = new GradientTape()) {
            outer.watch(x);
            try (GradientTape inner = new GradientTape()) {
                inner.watch(x);
                dy = inner.gradient(x.pow(3).sum(), x)[0];
            }
            d2y = outer.gradient(dy, x)[0];
        }
        assertArrayEquals(new float[] {12f, 0.75f, 3f, 27f}, dy.toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {-12f, -3f, 6f, 18f}, d2y.toFloatArray(), 1e-5f);
    }
}
