package dev.fluxion;

import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GradientTapeTest {
    private static Tensor d(double... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void firstAndSecondDerivativeOfSumOfCubes() {
        Tensor x = d(-2, -0.5, 0, 1, 3);
        Tensor dy, d2y;
        try (var outer = new GradientTape()) {
            outer.watch(x);
            try (var inner = new GradientTape()) {
                inner.watch(x);
                Tensor y = x.mul(x).mul(x).sum();
                dy = inner.gradient(y, x)[0];
            }
            d2y = outer.gradient(dy, x)[0];
        }
        assertArrayEquals(new double[] {12, 0.75, 0, 3, 27}, dy.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-12, -3, 0, 6, 18}, d2y.toDoubleArray(), 1e-12);
    }

    @Test
    void gradientRulesRunOnlyForInputsThatLeadToASource() {
        // an outer tape records what the inner gradient computes: with only the filter watched, the convolution's
        // input gradient and the dropout-style mask's gradient must not be computed at all
        Tensor x = Tensor.of(new float[2 * 4 * 4 * 3], 2, 4, 4, 3).add(0.5);
        Tensor w = Tensor.of(new float[3 * 3 * 3 * 2], 3, 3, 3, 2).add(0.25);
        Tensor mask = Tensor.of(new float[2 * 2 * 2 * 2], 2, 2, 2, 2).add(2);
        for (boolean watchX : new boolean[] {false, true})
            try (var outer = GradientTape.persistent()) {
                outer.watch(w);
                outer.watch(x);
                Tensor[] grads;
                try (var inner = new GradientTape()) {
                    inner.watch(w);
                    if (watchX) inner.watch(x);
                    Tensor y = NnOps.conv2d(x, w, NnOps.Padding.VALID).mul(mask).sum();
                    grads = watchX ? inner.gradient(y, x, w) : inner.gradient(y, w);
                }
                List<Op> ops = outer.recordedOps();
                long inputGrads = ops.stream().filter(o -> o instanceof Op.Conv2DBackpropInput).count();
                long filterGrads = ops.stream().filter(o -> o instanceof Op.Conv2DBackpropFilter).count();
                assertEquals(watchX ? 1 : 0, inputGrads, ops.toString());
                assertEquals(1, filterGrads, ops.toString());
                // the mask's gradient would be g * (conv output), recorded since the output is tracked; the product
                // that is needed, g * mask, involves nothing the outer tape tracks
                long muls = ops.stream().filter(o -> o instanceof Op.Binary b && b.fn() == BinaryFn.MUL).count();
                assertEquals(1, muls, "only the forward product: " + ops);
                assertArrayEquals(new int[] {3, 3, 3, 2}, grads[grads.length - 1].shape());
            }
    }

    @Test
    void trainableVariablesAreWatchedAutomatically() {
        Variable w = new Variable(Tensor.of(new float[] {1, 2, 3}, 3), "w");
        Variable frozen = new Variable(Tensor.of(new float[] {4, 5, 6}, 3), "frozen", false);
        List<Tensor> g;
        try (var tape = new GradientTape()) {
            Tensor loss = w.value().mul(frozen.value()).sum();
            g = tape.gradient(loss, List.of(w, frozen));
            assertEquals(List.of(w), tape.watchedVariables());
        }
        assertArrayEquals(new float[] {4, 5, 6}, g.get(0).toFloatArray());
        assertNull(g.get(1), "a non-trainable variable is not watched");
    }

    @Test
    void nonPersistentTapeAllowsOneGradientCall() {
        Tensor x = d(1, 2);
        var tape = new GradientTape();
        tape.watch(x);
        Tensor y = x.square().sum();
        tape.close();
        tape.gradient(y, x);
        var e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
        assertTrue(e.getMessage().contains("non-persistent"), e.getMessage());
    }

    @Test
    void nonPersistentTapeRecordsNothingAfterItsGradient() {
        Tensor x = d(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            tape.gradient(x.square().sum(), x);
            x.mul(3).sum();
            assertEquals(0, tape.recordedCount(), "the tape can never be used again: recording would only cost");
            tape.reset();
            tape.watch(x);
            x.mul(3).sum();
            assertEquals(2, tape.recordedCount(), "reset makes it a fresh tape");
        }
    }

    @Test
    void persistentTapeAllowsManyCalls() {
        Tensor x = d(1, 2);
        Tensor y, z;
        try (var tape = GradientTape.persistent()) {
            tape.watch(x);
            y = x.square().sum();
            z = x.mul(3).sum();
            assertArrayEquals(new double[] {2, 4}, tape.gradient(y, x)[0].toDoubleArray());
            assertArrayEquals(new double[] {3, 3}, tape.gradient(z, x)[0].toDoubleArray());
        }
    }

    @Test
    void nonScalarTargetGivesGradientOfItsSum() {
        Tensor x = d(1, 2, 3);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.mul(x); // not reduced
            assertArrayEquals(new double[] {2, 4, 6}, tape.gradient(y, x)[0].toDoubleArray());
        }
    }

    @Test
    void unconnectedSourcesGiveNullOrZeros() {
        Tensor x = d(1, 2), unrelated = d(5, 6, 7);
        try (var tape = GradientTape.persistent()) {
            tape.watch(x, unrelated);
            Tensor y = x.sum();
            assertNull(tape.gradient(y, x, unrelated)[1]);
            Tensor zero = tape.gradient(y, new Tensor[] {unrelated}, null, UnconnectedGradients.ZERO)[0];
            assertArrayEquals(new double[] {0, 0, 0}, zero.toDoubleArray());
        }
    }

    @Test
    void unwatchedTensorIsAConstant() {
        Tensor x = d(1, 2);
        try (var tape = new GradientTape()) {
            Tensor y = x.square().sum();
            assertNull(tape.gradient(y, x)[0]);
        }
    }

    @Test
    void stopGradientBlocksFlow() {
        Tensor x = d(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.mul(Ops.stopGradient(x)).sum(); // d/dx = stop(x)
            assertArrayEquals(new double[] {1, 2}, tape.gradient(y, x)[0].toDoubleArray());
        }
    }

    @Test
    void integerSourcesAreRejectedWithAClearError() {
        Tensor i = Tensor.of(new int[] {1, 2}, 2);
        Tensor x = d(1, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = x.sum();
            var e = assertThrows(IllegalArgumentException.class, () -> tape.gradient(y, i));
            assertTrue(e.getMessage().contains("int32"), e.getMessage());
        }
        var w = assertThrows(IllegalArgumentException.class, () -> {
            try (var tape = new GradientTape()) {
                tape.watch(i);
            }
        });
        assertTrue(w.getMessage().contains("watch"), w.getMessage());
    }

    @Test
    void broadcastGradientsAreSummedBackToInputShape() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = d(10, 20, 30);
        try (var tape = GradientTape.persistent()) {
            tape.watch(a, b);
            Tensor y = a.mul(b).sum();
            assertArrayEquals(new double[] {5, 7, 9}, tape.gradient(y, b)[0].toDoubleArray());
            assertArrayEquals(new int[] {3}, tape.gradient(y, b)[0].shape());
        }
    }

    @Test
    void gradientPenaltyStyleSecondOrderThroughMatmul() {
        // critic f(x) = sum(tanh(x W)); penalty = (|df/dx| - 1)^2; its gradient w.r.t. W needs second order
        Variable w = new Variable(Tensor.of(new double[] {0.3, -0.2, 0.5, 0.1, -0.4, 0.2}, 3, 2), "w");
        Tensor x = Tensor.of(new double[] {0.5, -1, 2}, 1, 3);
        Tensor penalty;
        List<Tensor> grads;
        try (var outer = new GradientTape()) {
            Tensor gx;
            try (var inner = new GradientTape()) {
                inner.watch(x);
                Tensor f = x.matmul(w.value()).tanh().sum();
                gx = inner.gradient(f, x)[0];
            }
            penalty = gx.square().sum().sqrt().sub(1).square();
            grads = outer.gradient(penalty, List.of(w));
        }
        assertNotNull(grads.get(0));
        // finite differences on W
        double eps = 1e-6;
        double[] wv = w.value().toDoubleArray();
        for (int i = 0; i < wv.length; i++) {
            double[] plus = wv.clone(), minus = wv.clone();
            plus[i] += eps;
            minus[i] -= eps;
            double numeric = (penaltyAt(x, plus) - penaltyAt(x, minus)) / (2 * eps);
            assertEquals(numeric, grads.get(0).toDoubleArray()[i], 1e-6, "dW[" + i + "]");
        }
    }

    private static double penaltyAt(Tensor x, double[] w) {
        Tensor wt = Tensor.of(w, 3, 2);
        try (var tape = new GradientTape()) {
            tape.watch(x);
            Tensor f = x.matmul(wt).tanh().sum();
            Tensor gx = tape.gradient(f, x)[0];
            return gx.square().sum().sqrt().sub(1).square().item();
        }
    }

    @Test
    void variableAssignKeepsRecordedValuesIntact() {
        Variable v = new Variable(Tensor.of(new double[] {1, 2}, 2), "v");
        Tensor before = v.value();
        v.assignAdd(Tensor.of(new double[] {10, 10}, 2));
        assertArrayEquals(new double[] {1, 2}, before.toDoubleArray());
        assertArrayEquals(new double[] {11, 12}, v.value().toDoubleArray());
        var e = assertThrows(IllegalArgumentException.class, () -> v.assign(Tensor.of(new double[] {1, 2, 3}, 3)));
        assertTrue(e.getMessage().contains("'v'") && e.getMessage().contains("[3]"), e.getMessage());
    }
}
