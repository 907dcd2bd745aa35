package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.nn.TestData;
import dev.fluxion.nn.initializers.Initializers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

class NormalizationTest {
    private static final int N = 6, C = 3;

    private static double[][] stats(double[] x) {
        double[] mean = new double[C], var = new double[C];
        for (int i = 0; i < N; i++) for (int c = 0; c < C; c++) mean[c] += x[i * C + c] / N;
        for (int i = 0; i < N; i++) for (int c = 0; c < C; c++) var[c] += Math.pow(x[i * C + c] - mean[c], 2) / N;
        return new double[][] {mean, var};
    }

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesMovingAverages() {
        BatchNormalization bn = dbl(new BatchNormalization()
                .gammaInitializer(Initializers.randomNormal(1, 0.3, 1L)).betaInitializer(Initializers.randomNormal(0, 0.3, 2L)));
        Tensor x = TestData.f64(3, N, C).mul(2).add(5);
        double[] xv = x.toDoubleArray();
        Tensor y = bn.call(x, true);
        double[][] st = stats(xv);
        double[] g = bn.gamma().value().toDoubleArray(), b = bn.beta().value().toDoubleArray();
        double[] expected = new double[N * C];
        for (int i = 0; i < N; i++)
            for (int c = 0; c < C; c++) expected[i * C + c] = (xv[i * C + c] - st[0][c]) / Math.sqrt(st[1][c] + 1e-3) * g[c] + b[c];
        assertClose(expected, y.toDoubleArray(), 1e-10);
        double[] mm = new double[C], mv = new double[C];
        for (int c = 0; c < C; c++) {
            mm[c] = 0 * 0.99 + st[0][c] * 0.01;
            mv[c] = 1 * 0.99 + st[1][c] * 0.01;
        }
        assertClose(mm, bn.movingMean().value().toDoubleArray(), 1e-12);
        assertClose(mv, bn.movingVariance().value().toDoubleArray(), 1e-12);

        // inference: moving statistics, no update
        Tensor yi = bn.call(x, false);
        for (int i = 0; i < N; i++)
            for (int c = 0; c < C; c++) expected[i * C + c] = (xv[i * C + c] - mm[c]) / Math.sqrt(mv[c] + 1e-3) * g[c] + b[c];
        assertClose(expected, yi.toDoubleArray(), 1e-10);
        assertClose(mm, bn.movingMean().value().toDoubleArray(), 1e-12);
    }

    @Test
    void batchNormParamsAndFreezing() {
        BatchNormalization bn = new BatchNormalization();
        Tensor x = TestData.f32(4, 2, 3, 3, 5);
        bn.call(x, true);
        assertEquals(20, bn.countParams());
        assertEquals(2, bn.trainableVariables().size());
        assertEquals(2, bn.nonTrainableVariables().size());
        double[] before = bn.movingMean().value().toDoubleArray();
        bn.setTrainable(false);
        Tensor yFrozenTraining = bn.call(x, true);
        assertArrayEquals(before, bn.movingMean().value().toDoubleArray(), "frozen BN does not update");
        assertArrayEquals(bn.call(x, false).toFloatArray(), yFrozenTraining.toFloatArray(), "frozen BN runs in inference mode");
        assertEquals(0, bn.trainableVariables().size());
        assertEquals(4, bn.nonTrainableVariables().size());
    }

    @Test
    void batchNormOtherAxis() {
        BatchNormalization bn = new BatchNormalization().axis(1);
        Tensor y = bn.call(TestData.f32(5, 4, 2, 3), true);
        assertArrayEquals(new int[] {2}, bn.gamma().shape());
        assertArrayEquals(new int[] {4, 2, 3}, y.shape());
    }

    @Test
    void batchNormGradientsMatchFiniteDifferences() {
        BatchNormalization bn = dbl(new BatchNormalization()
                .gammaInitializer(Initializers.randomNormal(1, 0.3, 1L)).betaInitializer(Initializers.randomNormal(0, 0.3, 2L)));
        Tensor x = TestData.f64(6, N, C);
        Tensor r = TestData.f64(7, N, C);
        bn.call(x, true);
        TestData.checkGradients(() -> bn.call(x, true).mul(r).sum(), bn.trainableVariables(), 1e-6);
        // the gradient w.r.t. the input flows through the batch statistics too
        dev.fluxion.Variable xv = new dev.fluxion.Variable(x, "x");
        TestData.checkGradients(() -> bn.call(xv.value(), true).mul(r).square().sum(), List.of(xv), 1e-6);
        TestData.checkGradients(() -> bn.call(x, false).mul(r).square().sum(), bn.trainableVariables(), 1e-6);
    }

    @Test
    void batchNormClosedFormGradientMatchesTheOpsOwnRules() {
        // one tape: the closed-form rule; under a second recording tape the layer records op by op (an outer tape can
        // differentiate that), so both must give the same gradients, with and without gamma/beta, NHWC
        Tensor x = TestData.f64(21, 4, 3, 5, 6).mul(1.5).add(0.3), r = TestData.f64(22, 4, 3, 5, 6);
        for (boolean scale : new boolean[] {true, false})
            for (boolean center : new boolean[] {true, false}) {
                BatchNormalization bn = dbl(new BatchNormalization().scale(scale).center(center)
                        .gammaInitializer(Initializers.randomNormal(1, 0.3, 1L)).betaInitializer(Initializers.randomNormal(0, 0.3, 2L)));
                bn.call(x, true);
                dev.fluxion.Variable xv = new dev.fluxion.Variable(x, "x");
                List<dev.fluxion.Variable> vars = new java.util.ArrayList<>(bn.trainableVariables());
                vars.add(xv);
                List<Tensor> closed, byOps;
                try (var tape = new dev.fluxion.GradientTape()) {
                    closed = tape.gradient(bn.call(xv.value(), true).mul(r).square().sum(), vars);
                }
                try (var outer = new dev.fluxion.GradientTape(); var tape = new dev.fluxion.GradientTape()) {
                    byOps = tape.gradient(bn.call(xv.value(), true).mul(r).square().sum(), vars);
                }
                for (int k = 0; k < vars.size(); k++)
                    assertClose(byOps.get(k).toDoubleArray(), closed.get(k).toDoubleArray(), 1e-10);
                assertEquals((scale ? 1 : 0) + (center ? 1 : 0) + 1, vars.size());
            }
    }

    @Test
    void batchNormAndAnActivationInASequentialRunAsOnePairWithTheLayersResults() {
        // with one tape a Sequential runs BatchNormalization + Activation as one compiled closed form; under two
        // recording tapes each layer runs op by op: outputs, gradients and moving statistics must agree
        Tensor x = TestData.f64(31, 4, 3, 5, 6).mul(1.5).add(0.3), r = TestData.f64(32, 4, 3, 5, 6);
        for (String f : new String[] {"relu", "elu", "tanh"}) {
            BatchNormalization[] bn = new BatchNormalization[2];
            Activation[] act = new Activation[2];
            List<Tensor> out = new java.util.ArrayList<>();
            List<List<Tensor>> grads = new java.util.ArrayList<>();
            for (int run = 0; run < 2; run++) {
                bn[run] = new BatchNormalization().gammaInitializer(Initializers.randomNormal(1, 0.3, 1L))
                        .betaInitializer(Initializers.randomNormal(0, 0.3, 2L));
                act[run] = new Activation(f);
                dev.fluxion.nn.Sequential model = dbl(dev.fluxion.nn.Sequential.of(bn[run], act[run]));
                model.call(x, false); // builds
                dev.fluxion.Variable xv = new dev.fluxion.Variable(x, "x");
                List<dev.fluxion.Variable> vars = new java.util.ArrayList<>(bn[run].trainableVariables());
                vars.add(xv);
                if (run == 0) {
                    try (var tape = new dev.fluxion.GradientTape()) {
                        Tensor y = model.call(xv.value(), true);
                        out.add(y);
                        grads.add(tape.gradient(y.mul(r).square().sum(), vars));
                    }
                } else {
                    try (var outer = new dev.fluxion.GradientTape(); var tape = new dev.fluxion.GradientTape()) {
                        Tensor y = model.call(xv.value(), true);
                        out.add(y);
                        grads.add(tape.gradient(y.mul(r).square().sum(), vars));
                    }
                }
            }
            assertEquals(act[0].outputOnlyPrimitive(), bn[0].fusedActivation(), f + ": the pair's closed form ran");
            assertNull(bn[1].fusedActivation(), f + ": under two tapes the layers ran op by op");
            assertClose(out.get(1).toDoubleArray(), out.get(0).toDoubleArray(), 1e-12);
            for (int k = 0; k < grads.get(0).size(); k++)
                assertClose(grads.get(1).get(k).toDoubleArray(), grads.get(0).get(k).toDoubleArray(), 1e-10);
            assertClose(bn[1].movingMean().value().toDoubleArray(), bn[0].movingMean().value().toDoubleArray(), 1e-12);
            assertClose(bn[1].movingVariance().value().toDoubleArray(), bn[0].movingVariance().value().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void ghostBatchNormNormalizesSubBatchesSeparately() {
        BatchNormalization ghost = dbl(new BatchNormalization().virtualBatchSize(3));
        Tensor x = TestData.f64(11, N, C).mul(2).add(1);
        Tensor y = ghost.call(x, true);
        BatchNormalization plain = dbl(new BatchNormalization());
        double[] first = plain.call(x.slice(0, 3), true).toDoubleArray(), second = new double[9];
        double[] m1 = plain.movingMean().value().toDoubleArray();
        BatchNormalization plain2 = dbl(new BatchNormalization());
        second = plain2.call(x.slice(3, 6), true).toDoubleArray();
        double[] m2 = plain2.movingMean().value().toDoubleArray();
        double[] expected = new double[18];
        System.arraycopy(first, 0, expected, 0, 9);
        System.arraycopy(second, 0, expected, 9, 9);
        assertClose(expected, y.toDoubleArray(), 1e-10);
        double[] mm = new double[C];
        for (int c = 0; c < C; c++) mm[c] = (m1[c] + m2[c]) / 2;
        assertClose(mm, ghost.movingMean().value().toDoubleArray(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ghost.call(TestData.f64(1, 4, C), true));
        assertArrayEquals(new int[] {4, C}, ghost.call(TestData.f64(1, 4, C), false).shape(), "inference ignores virtual batches");
    }

    @Test
    void layerNormalizationMatchesReference() {
        LayerNormalization ln = dbl(new LayerNormalization());
        Tensor x = TestData.f64(9, 3, 4).mul(3).add(1);
        Tensor y = ln.call(x);
        double[] xv = x.toDoubleArray(), expected = new double[12];
        for (int i = 0; i < 3; i++) {
            double m = 0, v = 0;
            for (int j = 0; j < 4; j++) m += xv[i * 4 + j] / 4;
            for (int j = 0; j < 4; j++) v += Math.pow(xv[i * 4 + j] - m, 2) / 4;
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = (xv[i * 4 + j] - m) / Math.sqrt(v + 1e-3);
        }
        assertClose(expected, y.toDoubleArray(), 1e-10);
        assertEquals(8, ln.countParams());
        assertArrayEquals(y.toDoubleArray(), ln.call(x, true).toDoubleArray());
    }
}
