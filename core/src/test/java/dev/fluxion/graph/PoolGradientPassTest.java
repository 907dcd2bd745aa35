package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Passes#maskBeforeMaxPoolGradient}: a ReLU's derivative moves to the pooled side of max pooling and sums of
 * the pooling gradient become sums of its pooled side, with the eager results.
 */
class PoolGradientPassTest {
    /** conv-bias-relu-maxpool's backward in miniature: returns {dx, dbias}, as a layer's gradients would be. */
    private static Tensor[] reluPoolGradients(Tensor x, Tensor bias, Tensor weights, int k, int stride, Padding padding) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x, bias);
            Tensor pooled = NnOps.maxPool2d(x.add(bias).relu(), k, k, stride, stride, padding);
            Tensor loss = Ops.sum(pooled.mul(weights));
            return tape.gradient(loss, x, bias);
        }
    }

    /** batchnorm-elu-maxpool's backward in miniature (a scale for the normalization): returns dx. */
    private static Tensor eluPoolGradient(Tensor x, Tensor scale, Tensor weights, int k, int stride, Padding padding) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(x);
            Tensor y = Ops.unary(dev.fluxion.ops.UnaryFn.ELU, x.mul(scale));
            Tensor loss = Ops.sum(NnOps.maxPool2d(y, k, k, stride, stride, padding).mul(weights));
            return tape.gradient(loss, x)[0];
        }
    }

    private static Tensor random(Random r, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        // few distinct values, so windows have ties; about half negative, so the mask matters
        for (int i = 0; i < v.length; i++) v[i] = (r.nextInt(9) - 4) * 0.25f;
        return Tensor.of(v, shape);
    }

    private static void assertGraphMatchesEager(int k, int stride, Padding padding, int h) {
        Random r = new Random(k * 100 + stride * 10 + h);
        Tensor x = random(r, 2, h, h, 3), bias = random(r, 3);
        Tensor pooledShape = NnOps.maxPool2d(x, k, k, stride, stride, padding);
        Tensor weights = random(r, pooledShape.shape());
        Tensor[] eager = reluPoolGradients(x, bias, weights, k, stride, padding);
        var f = Fx.function("relu_pool", (Tensor a, Tensor b, Tensor w) -> List.of(reluPoolGradients(a, b, w, k, stride, padding)));
        List<Tensor> graph = f.call(x, bias, weights);
        String where = k + "x" + k + " stride " + stride + " " + padding + " on " + h + "x" + h;
        if (k == stride) assertArrayEquals(eager[0].toFloatArray(), graph.get(0).toFloatArray(), "dx, " + where);
        else assertArrayEquals(eager[0].toFloatArray(), graph.get(0).toFloatArray(), 0f, "dx up to zeros' signs, " + where);
        assertArrayEquals(eager[1].toFloatArray(), graph.get(1).toFloatArray(), 1e-5f, "dbias, " + where);
        assertTrue(f.describe().contains("max_pool2d_grad"), where);
    }

    @Test
    void reluMaskedPoolGradientsMatchEagerWithTiesOddSizesAndOverlappingWindows() {
        assertGraphMatchesEager(2, 2, Padding.VALID, 6);
        assertGraphMatchesEager(2, 2, Padding.VALID, 7); // a last row and column in no window
        assertGraphMatchesEager(3, 2, Padding.VALID, 7); // overlapping windows: a cell can be several windows' maximum
        assertGraphMatchesEager(3, 2, Padding.SAME, 6);
    }

    @Test
    void anEluDerivativeMovesToThePooledSideOfDisjointWindowsWithTheEagerResult() {
        int[] x = {4, 8, 8, 16}, s = {16}, w = {4, 4, 4, 16};
        Graph g = optimized(in -> new Tensor[] {eluPoolGradient(in[0], in[1], in[2], 2, 2, Padding.VALID)}, x, s, w);
        // ELU's derivative, min(y, 0) + 1, is computed on pooled tensors only
        assertEquals(0, count(g, n -> n.op instanceof Op.Binary b && b.fn() == dev.fluxion.ops.BinaryFn.MIN
                && n.type.size() == 4 * 8 * 8 * 16), g.toString());
        assertEquals(1, count(g, n -> n.op instanceof Op.Binary b && b.fn() == dev.fluxion.ops.BinaryFn.MIN
                && n.type.size() == 4 * 4 * 4 * 16), g.toString());
        for (int[] kStrideH : new int[][] {{2, 2, 6}, {2, 2, 7}, {3, 2, 7}}) { // the last overlaps: left as it is
            int k = kStrideH[0], stride = kStrideH[1], h = kStrideH[2];
            Random r = new Random(h * 10 + k);
            Tensor xs = random(r, 2, h, h, 3), scale = random(r, 3).add(0.1);
            Tensor ws = random(r, NnOps.maxPool2d(xs, k, k, stride, stride, Padding.VALID).shape());
            Tensor eager = eluPoolGradient(xs, scale, ws, k, stride, Padding.VALID);
            var f = Fx.function("elu_pool", (Tensor a, Tensor b, Tensor c) -> eluPoolGradient(a, b, c, k, stride, Padding.VALID));
            assertArrayEquals(eager.toFloatArray(), f.call(xs, scale, ws).toFloatArray(), 0f,
                    "dx up to zeros' signs, " + k + "x" + k + " stride " + stride + " on " + h + "x" + h);
        }
    }

    /** The optimized graph of {@code body} traced for inputs of the given types. */
    static Graph optimized(Function<Tensor[], Tensor[]> body, int[]... shapes) {
        Tracer tracer = new Tracer("f", true);
        Tensor[] symbolic = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) symbolic[i] = tracer.input(i, new TensorType(DType.FLOAT32, shapes[i], Device.CPU));
        Tensor[] out = Dispatcher.with(tracer, () -> body.apply(symbolic));
        return Passes.optimize(tracer.finish(out));
    }

    private static long count(Graph g, java.util.function.Predicate<Node> p) {
        return g.nodes.stream().filter(n -> n.kind == Node.Kind.OP && p.test(n)).count();
    }

    @Test
    void theMaskIsAppliedToPooledTensorsAndTheBiasSumReadsThePooledSide() {
        int[] x = {4, 8, 8, 16}, b = {16}, w = {4, 4, 4, 16};
        Graph g = optimized(in -> reluPoolGradients(in[0], in[1], in[2], 2, 2, Padding.VALID), x, b, w);
        // every step and every sum reads a pooled-size tensor; no full-size product is left
        assertEquals(0, count(g, n -> n.op instanceof Op.Unary u && u.fn() == dev.fluxion.ops.UnaryFn.STEP && n.type.size() == 4 * 8 * 8 * 16), g.toString());
        assertEquals(0, count(g, n -> n.op instanceof Op.Reduce && n.inputs[0].type.size() == 4 * 8 * 8 * 16), g.toString());
        assertEquals(1, count(g, n -> n.op instanceof Op.Pool2D), "the forward's pooling is reused: " + g);
        assertEquals(1, count(g, n -> n.op instanceof Op.Pool2DGrad), g.toString());
    }

    @Test
    void aStepOfAnotherTensorTimesAPoolingGradientGivesTheEagerResult() {
        // overlapping windows: only a ReLU step of the pooled tensor itself may move to the pooled side
        Fx.Fn3<Tensor> body = (y, z, w) -> {
            try (GradientTape tape = new GradientTape()) {
                tape.watch(y);
                Tensor loss = Ops.sum(NnOps.maxPool2d(y, 3, 3, 2, 2, Padding.VALID).mul(w));
                return tape.gradient(loss, y)[0].mul(Ops.unary(dev.fluxion.ops.UnaryFn.STEP, z));
            }
        };
        Random r = new Random(17);
        Tensor y = random(r, 2, 7, 7, 3), z = random(r, 2, 7, 7, 3);
        Tensor w = random(r, NnOps.maxPool2d(y, 3, 3, 2, 2, Padding.VALID).shape());
        Tensor eager = body.apply(y, z, w);
        assertArrayEquals(eager.toFloatArray(), Fx.function("step_of_z", body).call(y, z, w).toFloatArray(), 0f);
    }

    @Test
    void aPoolingGradientThatIsAlsoReadElsewhereIsLeftAlone() {
        int[] x = {2, 4, 4, 3}, w = {2, 2, 2, 3};
        Graph g = optimized(in -> {
            try (GradientTape tape = new GradientTape()) {
                tape.watch(in[0]);
                Tensor y = in[0].relu();
                Tensor loss = Ops.sum(NnOps.maxPool2d(y, 2, 2, 2, 2, Padding.VALID).mul(in[1]));
                return tape.gradient(loss, in[0], y); // dy, the pooling gradient, is an output too
            }
        }, x, w);
        assertEquals(1, count(g, n -> n.op instanceof Op.Binary && n.type.size() == 2 * 4 * 4 * 3),
                "the full-size product stays: " + g);
    }
}
