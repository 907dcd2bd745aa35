package dev.fluxion.nn.layers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.TestData.assertClose;
import static dev.fluxion.nn.TestData.dbl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * RepeatVector, Permute, UpSampling1D, ZeroPadding1D and Cropping1D against index loops, with finite-difference
 * gradients, symbolic shapes (unknown steps included), dropped masks and every refused argument or input.
 */
class SequenceReshapingTest {
    private static final int N = 2, T = 5, C = 3;

    /** x[n, t, c] of a [N, T, C] array. */
    private static double at(double[] x, int n, int t, int c) {
        return x[(n * T + t) * C + c];
    }

    @Test
    void repeatVectorCopiesTheFeaturesToEveryStep() {
        Tensor x = TestData.f64(1, N, C);
        double[] xv = x.toDoubleArray(), ref = new double[N * 4 * C];
        for (int n = 0; n < N; n++)
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < C; c++) ref[(n * 4 + r) * C + c] = xv[n * C + c];
        RepeatVector layer = dbl(new RepeatVector(4));
        assertEquals(4, layer.n());
        Tensor y = layer.call(x);
        assertArrayEquals(new int[] {N, 4, C}, y.shape());
        assertClose(ref, y.toDoubleArray(), 0);
    }

    @Test
    void permuteReordersTheNonBatchAxes() {
        Tensor x = TestData.f64(2, N, T, C);
        double[] xv = x.toDoubleArray(), ref = new double[N * C * T];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int t = 0; t < T; t++) ref[(n * C + c) * T + t] = at(xv, n, t, c);
        Permute swap = dbl(new Permute(2, 1));
        assertArrayEquals(new int[] {2, 1}, swap.dims());
        Tensor y = swap.call(x);
        assertArrayEquals(new int[] {N, C, T}, y.shape());
        assertClose(ref, y.toDoubleArray(), 0);
        // rank 4: dims (3, 1, 2) puts input axis 3 first: out[n, k, i, j] = x[n, i, j, k]
        Tensor z = TestData.f64(3, 2, 3, 4, 5);
        double[] zv = z.toDoubleArray();
        Tensor p = dbl(new Permute(3, 1, 2)).call(z);
        assertArrayEquals(new int[] {2, 5, 3, 4}, p.shape());
        double[] pv = p.toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    for (int k = 0; k < 5; k++) assertEquals(zv[((n * 3 + i) * 4 + j) * 5 + k], pv[((n * 5 + k) * 3 + i) * 4 + j]);
    }

    @Test
    void upSampling1DRepeatsEachStep() {
        Tensor x = TestData.f64(4, N, T, C);
        double[] xv = x.toDoubleArray(), ref = new double[N * T * 3 * C];
        for (int n = 0; n < N; n++)
            for (int s = 0; s < T * 3; s++)
                for (int c = 0; c < C; c++) ref[(n * T * 3 + s) * C + c] = at(xv, n, s / 3, c);
        UpSampling1D layer = dbl(new UpSampling1D(3));
        assertEquals(3, layer.size());
        Tensor y = layer.call(x);
        assertArrayEquals(new int[] {N, 3 * T, C}, y.shape());
        assertClose(ref, y.toDoubleArray(), 0);
        assertEquals(2, new UpSampling1D().size(), "Keras' default size");
    }

    @Test
    void zeroPadding1DAndCropping1DAddAndCutSteps() {
        Tensor x = TestData.f64(5, N, T, C);
        double[] xv = x.toDoubleArray();
        int left = 1, right = 2, padded = left + T + right;
        double[] ref = new double[N * padded * C];
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++)
                for (int c = 0; c < C; c++) ref[(n * padded + t + left) * C + c] = at(xv, n, t, c);
        Tensor y = dbl(new ZeroPadding1D(left, right)).call(x);
        assertArrayEquals(new int[] {N, padded, C}, y.shape());
        assertClose(ref, y.toDoubleArray(), 0);
        assertArrayEquals(new int[] {N, T + 2, C}, new ZeroPadding1D().call(x).shape(), "Keras' default: one step each end");
        assertArrayEquals(new int[] {N, T + 6, C}, new ZeroPadding1D(3).call(x).shape());

        int kept = T - left - right;
        double[] crop = new double[N * kept * C];
        for (int n = 0; n < N; n++)
            for (int t = 0; t < kept; t++)
                for (int c = 0; c < C; c++) crop[(n * kept + t) * C + c] = at(xv, n, t + left, c);
        Tensor z = dbl(new Cropping1D(left, right)).call(x);
        assertArrayEquals(new int[] {N, kept, C}, z.shape());
        assertClose(crop, z.toDoubleArray(), 0);
        assertArrayEquals(new int[] {N, T - 2, C}, new Cropping1D().call(x).shape(), "Keras' default: one step each end");
        assertArrayEquals(new int[] {N, T - 4, C}, new Cropping1D(2).call(x).shape());
        assertArrayEquals(new int[] {N, T, C}, new Cropping1D(0, 0).call(x).shape());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Variable seq = new Variable(TestData.f64(6, N, T, C), "seq"), vec = new Variable(TestData.f64(7, N, C), "vec");
        List<Layer> layers = List.of(new Permute(2, 1), new UpSampling1D(2), new ZeroPadding1D(2, 1), new Cropping1D(1, 2));
        for (Layer layer : layers) {
            Layer l = dbl(layer);
            Tensor r = TestData.f64(8, l.call(seq.value()).shape());
            TestData.checkGradients(() -> l.call(seq.value(), true).mul(r).sum(), List.of(seq), 1e-6);
        }
        RepeatVector rep = dbl(new RepeatVector(3));
        Tensor r = TestData.f64(9, N, 3, C);
        TestData.checkGradients(() -> rep.call(vec.value(), true).mul(r).sum(), List.of(vec), 1e-6);
    }

    @Test
    void symbolicShapesKeepUnknownStepsUnknown() {
        assertArrayEquals(new int[] {-1, 3, 5}, Sequential.of(Input.shape(5), new RepeatVector(3)).outputShape());
        assertArrayEquals(new int[] {-1, 4, -1}, Sequential.of(Input.shape(-1, 4), new Permute(2, 1)).outputShape());
        assertArrayEquals(new int[] {-1, -1, 4}, Sequential.of(Input.shape(-1, 4), new UpSampling1D(3)).outputShape());
        assertArrayEquals(new int[] {-1, 15, 4}, Sequential.of(Input.shape(5, 4), new UpSampling1D(3)).outputShape());
        assertArrayEquals(new int[] {-1, -1, 4}, Sequential.of(Input.shape(-1, 4), new ZeroPadding1D(1, 2)).outputShape());
        assertArrayEquals(new int[] {-1, 8, 4}, Sequential.of(Input.shape(5, 4), new ZeroPadding1D(1, 2)).outputShape());
        assertArrayEquals(new int[] {-1, -1, 4}, Sequential.of(Input.shape(-1, 4), new Cropping1D(2, 1)).outputShape());
        assertArrayEquals(new int[] {-1, 3, 4}, Sequential.of(Input.shape(6, 4), new Cropping1D(2, 1)).outputShape());
    }

    @Test
    void masksAreDroppedAsKerasDoes() {
        Tensor x = Masks.attach(TestData.f64(10, N, T, C), Tensor.of(new boolean[] {true, true, true, false, false, true, true, true, true, true}, N, T));
        for (Layer l : List.of(new Permute(2, 1), new UpSampling1D(), new ZeroPadding1D(), new Cropping1D()))
            assertNull(Masks.of(l.call(x)), l.getClass().getSimpleName());
        Tensor v = Masks.attach(TestData.f64(11, N, C), Tensor.of(new boolean[] {true, false}, N));
        assertNull(Masks.of(new RepeatVector(2).call(v)));
    }

    @Test
    void refusedArgumentsAndInputsNameTheLayer() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new RepeatVector(0)), "RepeatVector", "n must be positive, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Permute(1, 1)), "Permute", "permutation of 1..2", "[1, 1]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Permute(0, 1)), "Permute", "batch axis 0", "[0, 1]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Permute(2, 3)), "Permute", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Permute()), "Permute", "at least one axis");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new UpSampling1D(0)), "UpSampling1D", "size must be positive, got 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ZeroPadding1D(-1)), "ZeroPadding1D", "padding must be >= 0", "left -1, right -1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Cropping1D(0, -2)), "Cropping1D", "cropping must be >= 0", "left 0, right -2");

        Tensor seq = TestData.f64(12, N, T, C), vec = TestData.f64(13, N, C);
        RepeatVector rep = new RepeatVector(2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rep.call(seq)), "RepeatVector '" + rep.name() + "'", "rank 2", "[2,5,3]");
        Permute perm = new Permute(2, 1);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> perm.call(vec)), "Permute '" + perm.name() + "'", "[2, 1]", "rank 3", "[2,3]");
        for (Layer l : List.of(new UpSampling1D(), new ZeroPadding1D(), new Cropping1D()))
            assertMentions(assertThrows(IllegalArgumentException.class, () -> l.call(vec)), l.getClass().getSimpleName() + " '" + l.name() + "'",
                    "rank 3", "[2,3]");
        Cropping1D crop = new Cropping1D(3, 2);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> crop.call(seq)), "Cropping1D '" + crop.name() + "'", "3+2 steps", "[2,5,3]");
    }
}
