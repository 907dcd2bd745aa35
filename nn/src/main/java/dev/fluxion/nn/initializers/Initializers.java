package dev.fluxion.nn.initializers;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;

/**
 * Keras' initializers. Unseeded ones draw from {@link Rng#global()} (deterministic after {@code Rng.setGlobalSeed});
 * a seeded one gives the same values on every call, as in Keras 3.
 *
 * <p>Fans follow Keras: a kernel of shape [in, out] has fanIn = in and fanOut = out; a convolution kernel
 * [h, w, in, out] has fanIn = h*w*in and fanOut = h*w*out; a vector [n] has fanIn = fanOut = n.
 */
public final class Initializers {
    private Initializers() {}

    /** Stddev of a standard normal truncated to [-2, 2] (Keras uses it to correct truncated-normal scaling). */
    private static final double TRUNCATED_STD = 0.87962566103423978;

    public static Initializer zeros() {
        return (shape, dtype) -> Tensor.zeros(dtype, shape);
    }

    public static Initializer ones() {
        return (shape, dtype) -> Tensor.ones(dtype, shape);
    }

    public static Initializer constant(double value) {
        return (shape, dtype) -> Tensor.full(value, dtype, shape);
    }

    public static Initializer randomNormal(double mean, double stddev) {
        return randomNormal(mean, stddev, null);
    }

    public static Initializer randomNormal(double mean, double stddev, Long seed) {
        return (shape, dtype) -> rng(seed).normal(shape, mean, stddev, dtype);
    }

    /** Keras' default RandomNormal: mean 0, stddev 0.05. */
    public static Initializer randomNormal() {
        return randomNormal(0, 0.05);
    }

    public static Initializer randomUniform(double minval, double maxval) {
        return randomUniform(minval, maxval, null);
    }

    public static Initializer randomUniform(double minval, double maxval, Long seed) {
        if (!(maxval > minval)) throw new IllegalArgumentException("randomUniform: needs minval < maxval, got [" + minval + ", " + maxval + ")");
        return (shape, dtype) -> rng(seed).uniform(shape, dtype).mul(maxval - minval).add(minval);
    }

    /** Keras' default RandomUniform: [-0.05, 0.05). */
    public static Initializer randomUniform() {
        return randomUniform(-0.05, 0.05);
    }

    /** Normal truncated to two standard deviations around the mean. */
    public static Initializer truncatedNormal(double mean, double stddev, Long seed) {
        return (shape, dtype) -> rng(seed).truncatedNormal(shape, mean, stddev, dtype);
    }

    public static Initializer truncatedNormal(double mean, double stddev) {
        return truncatedNormal(mean, stddev, null);
    }

    public static Initializer truncatedNormal() {
        return truncatedNormal(0, 0.05);
    }

    /** Which fan divides the scale in {@link #varianceScaling}. */
    public enum Mode { FAN_IN, FAN_OUT, FAN_AVG }

    /** Which distribution {@link #varianceScaling} draws from. */
    public enum Distribution { TRUNCATED_NORMAL, UNTRUNCATED_NORMAL, UNIFORM }

    /** Keras' VarianceScaling: variance scale / n, n chosen by the mode. */
    public static Initializer varianceScaling(double scale, Mode mode, Distribution distribution, Long seed) {
        if (!(scale > 0)) throw new IllegalArgumentException("varianceScaling: scale must be positive, got " + scale);
        return (shape, dtype) -> {
            double[] fans = fans(shape);
            double n = switch (mode) {
                case FAN_IN -> fans[0];
                case FAN_OUT -> fans[1];
                case FAN_AVG -> (fans[0] + fans[1]) / 2;
            };
            double s = scale / Math.max(1, n);
            Rng rng = rng(seed);
            return switch (distribution) {
                case TRUNCATED_NORMAL -> rng.truncatedNormal(shape, 0, Math.sqrt(s) / TRUNCATED_STD, dtype);
                case UNTRUNCATED_NORMAL -> rng.normal(shape, 0, Math.sqrt(s), dtype);
                case UNIFORM -> {
                    double limit = Math.sqrt(3 * s);
                    yield rng.uniform(shape, dtype).mul(2 * limit).sub(limit);
                }
            };
        };
    }

    /** Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). Keras' default for kernels. */
    public static Initializer glorotUniform() { return glorotUniform(null); }

    public static Initializer glorotUniform(Long seed) {
        return varianceScaling(1, Mode.FAN_AVG, Distribution.UNIFORM, seed);
    }

    /** Glorot normal: truncated normal with stddev sqrt(2 / (fanIn + fanOut)). */
    public static Initializer glorotNormal() { return glorotNormal(null); }

    public static Initializer glorotNormal(Long seed) {
        return varianceScaling(1, Mode.FAN_AVG, Distribution.TRUNCATED_NORMAL, seed);
    }

    /** He normal: truncated normal with stddev sqrt(2 / fanIn). */
    public static Initializer heNormal() { return heNormal(null); }

    public static Initializer heNormal(Long seed) {
        return varianceScaling(2, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL, seed);
    }

    /** He uniform: U(-l, l) with l = sqrt(6 / fanIn). */
    public static Initializer heUniform() { return heUniform(null); }

    public static Initializer heUniform(Long seed) {
        return varianceScaling(2, Mode.FAN_IN, Distribution.UNIFORM, seed);
    }

    /** LeCun normal: truncated normal with stddev sqrt(1 / fanIn) (pairs with selu). */
    public static Initializer lecunNormal() { return lecunNormal(null); }

    public static Initializer lecunNormal(Long seed) {
        return varianceScaling(1, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL, seed);
    }

    /** LeCun uniform: U(-l, l) with l = sqrt(3 / fanIn). */
    public static Initializer lecunUniform() { return lecunUniform(null); }

    public static Initializer lecunUniform(Long seed) {
        return varianceScaling(1, Mode.FAN_IN, Distribution.UNIFORM, seed);
    }

    /** Keras' Orthogonal with gain 1: the recurrent kernels' default. */
    public static Initializer orthogonal() { return orthogonal(1, null); }

    /**
     * Keras' Orthogonal: a matrix with orthonormal rows or columns (whichever are fewer), times {@code gain}. Shapes
     * of rank 3 or more are flattened to [product of the leading dims, last dim]. Drawn as the Q of the QR
     * decomposition of a standard normal matrix, signs fixed by R's diagonal, so it is uniform over such matrices.
     */
    public static Initializer orthogonal(double gain, Long seed) {
        return (shape, dtype) -> {
            if (shape.length < 2) throw new IllegalArgumentException("orthogonal: needs a shape of rank 2 or more, got " + java.util.Arrays.toString(shape));
            int cols = shape[shape.length - 1], rows = 1;
            for (int i = 0; i < shape.length - 1; i++) rows = Math.multiplyExact(rows, shape[i]);
            boolean tall = rows >= cols;
            int m = tall ? rows : cols, n = tall ? cols : rows; // orthonormalize n columns of length m
            double[] a = rng(seed).normal(new int[] {n, m}, 0, 1, DType.FLOAT64).toDoubleArray(); // column j at a[j*m ..]
            for (int j = 0; j < n; j++) { // modified Gram-Schmidt; R's diagonal is the norm, positive by construction
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += a[k * m + i] * a[j * m + i];
                    for (int i = 0; i < m; i++) a[j * m + i] -= dot * a[k * m + i];
                }
                double norm = 0;
                for (int i = 0; i < m; i++) norm += a[j * m + i] * a[j * m + i];
                norm = Math.sqrt(norm);
                for (int i = 0; i < m; i++) a[j * m + i] /= norm;
            }
            double[] out = new double[rows * cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? a[c * m + r] : a[r * m + c]);
            return Tensor.of(out, shape).cast(dtype);
        };
    }

    /** Looks an initializer up by its Keras name (glorot_uniform, he_normal, zeros, ...). */
    public static Initializer get(String name) {
        return switch (name.toLowerCase()) {
            case "zeros" -> zeros();
            case "ones" -> ones();
            case "glorot_uniform", "glorotuniform" -> glorotUniform();
            case "glorot_normal", "glorotnormal" -> glorotNormal();
            case "he_normal", "henormal" -> heNormal();
            case "he_uniform", "heuniform" -> heUniform();
            case "lecun_normal", "lecunnormal" -> lecunNormal();
            case "lecun_uniform", "lecununiform" -> lecunUniform();
            case "random_normal", "randomnormal" -> randomNormal();
            case "random_uniform", "randomuniform", "uniform" -> randomUniform();
            case "truncated_normal", "truncatednormal" -> truncatedNormal();
            case "orthogonal" -> orthogonal();
            default -> throw new IllegalArgumentException("unknown initializer '" + name + "'; known: zeros, ones, glorot_uniform, "
                    + "glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform, random_normal, random_uniform (uniform), truncated_normal, orthogonal");
        };
    }

    /** {fanIn, fanOut} of a weight shape, as Keras computes them. */
    public static double[] fans(int[] shape) {
        if (shape.length == 0) return new double[] {1, 1};
        if (shape.length == 1) return new double[] {shape[0], shape[0]};
        if (shape.length == 2) return new double[] {shape[0], shape[1]};
        double receptive = 1;
        for (int i = 0; i < shape.length - 2; i++) receptive *= shape[i];
        return new double[] {receptive * shape[shape.length - 2], receptive * shape[shape.length - 1]};
    }

    private static Rng rng(Long seed) {
        return seed == null ? Rng.global() : new Rng(seed);
    }
}
