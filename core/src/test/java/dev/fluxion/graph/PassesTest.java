package dev.fluxion.graph;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.NnOps.Padding;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BinaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Which factors of a max-pooling gradient {@link Passes#maskBeforeMaxPoolGradient} moves to the pooled side: a ReLU
 * step of the pooled tensor y with any windows; with disjoint windows any elementwise function of y and scalars, up to
 * eight ops deep; nothing that reads another tensor, a larger constant, or y rearranged. Moved or not, the compiled
 * function gives the eager values.
 */
class PassesTest {
    /** The gradient of a max pooling of y, times {@code mask(y, z)}. */
    private static Tensor poolGradientTimes(Tensor y, Tensor w, Tensor z, int k, int stride, BinaryOperator<Tensor> mask) {
        try (GradientTape tape = new GradientTape()) {
            tape.watch(y);
            Tensor loss = Ops.sum(NnOps.maxPool2d(y, k, k, stride, stride, Padding.VALID).mul(w));
            return tape.gradient(loss, y)[0].mul(mask.apply(y, z));
        }
    }

    private static Tensor random(Random r, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        // few distinct values, so windows have ties; about half negative
        for (int i = 0; i < v.length; i++) v[i] = (r.nextInt(9) - 4) * 0.25f;
        return Tensor.of(v, shape);
    }

    /**
     * Checks that the compiled function gives the eager values (zeros' signs aside) for k x k windows of the given
     * stride on h x h images, and returns whether the mask moved: the optimized graph then ends in the pooling gradient.
     */
    private static boolean movesAndMatchesEager(int k, int stride, int h, BinaryOperator<Tensor> mask) {
        int[] shape = {2, h, h, 3}, pooled = {2, (h - k) / stride + 1, (h - k) / stride + 1, 3};
        Random r = new Random(31L * h + k);
        Tensor y = random(r, shape), z = random(r, shape), w = random(r, pooled);
        String where = k + "x" + k + " stride " + stride + " on " + h + "x" + h;
        Tensor eager = poolGradientTimes(y, w, z, k, stride, mask);
        var f = Fx.function("masked", (Tensor a, Tensor b, Tensor c) -> poolGradientTimes(a, b, c, k, stride, mask));
        assertArrayEquals(eager.toFloatArray(), f.call(y, w, z).toFloatArray(), 0f, where);
        Graph g = PoolGradientPassTest.optimized(in -> new Tensor[] {poolGradientTimes(in[0], in[1], in[2], k, stride, mask)},
                shape, pooled, shape);
        return g.outputs[0].op instanceof Op.Pool2DGrad;
    }

    @Test
    void aReluStepOfYMovesEvenWhereWindowsOverlap() {
        BinaryOperator<Tensor> stepOfY = (y, z) -> Ops.unary(UnaryFn.STEP, y);
        assertTrue(movesAndMatchesEager(3, 2, 7, stepOfY));
        assertTrue(movesAndMatchesEager(2, 2, 6, stepOfY));
        // with overlapping windows nothing else moves, not even a step of another tensor or another function of y
        assertFalse(movesAndMatchesEager(3, 2, 7, (y, z) -> Ops.unary(UnaryFn.STEP, z)));
        assertFalse(movesAndMatchesEager(3, 2, 7, (y, z) -> y.mul(0.5f).add(1f)));
    }

    @Test
    void everyKindOfElementwiseFunctionOfYMovesAcrossDisjointWindows() {
        // a unary, binaries with scalars, a comparison, a where and a cast from bool: all computed on pooled tensors
        BinaryOperator<Tensor> mixed = (y, z) -> Ops.where(y.gt(Tensor.scalar(0f)), y.exp(), y.lt(Tensor.scalar(-0.5f)).cast(DType.FLOAT32).add(0.5f));
        for (int h : new int[] {6, 7}) assertTrue(movesAndMatchesEager(2, 2, h, mixed), "h=" + h);
        BinaryOperator<Tensor> unaryOnly = (y, z) -> y.exp();
        assertTrue(movesAndMatchesEager(2, 2, 6, unaryOnly));
        // a subexpression read twice is rebuilt once on the pooled side
        assertTrue(movesAndMatchesEager(2, 2, 6, (y, z) -> {
            Tensor a = y.add(1f);
            return a.mul(a).sub(a);
        }));
    }

    @Test
    void masksReadingMoreThanYAndScalarsStay() {
        Tensor full = random(new Random(5), 2, 6, 6, 3); // a constant as large as y
        BinaryOperator<Tensor> other = (y, z) -> z;
        BinaryOperator<Tensor> product = (y, z) -> y.mul(z);
        BinaryOperator<Tensor> largeConstant = (y, z) -> y.mul(full).add(1f);
        BinaryOperator<Tensor> transposed = (y, z) -> y.transpose(0, 2, 1, 3).mul(2f); // same shape, other cells
        BinaryOperator<Tensor> transposedOnly = (y, z) -> y.transpose(0, 2, 1, 3);
        for (BinaryOperator<Tensor> mask : java.util.List.of(other, product, largeConstant, transposed, transposedOnly))
            assertFalse(movesAndMatchesEager(2, 2, 6, mask));
    }

    /** A chain of n ops on y, alternating a product and a sum with scalars. */
    private static Tensor chain(Tensor y, int n) {
        for (int i = 0; i < n; i++) y = i % 2 == 0 ? y.mul(0.5f) : y.add(0.25f);
        return y;
    }

    @Test
    void masksMoveUpToEightOpsDeep() {
        assertTrue(movesAndMatchesEager(2, 2, 6, (y, z) -> chain(y, 8)));
        assertFalse(movesAndMatchesEager(2, 2, 6, (y, z) -> chain(y, 9)));
    }
}
