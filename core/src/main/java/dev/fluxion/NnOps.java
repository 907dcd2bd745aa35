package dev.fluxion;

import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.ops.Window2d;
import dev.fluxion.random.Rng;

/**
 * Neural-network functions: activations, softmax, convolution, pooling and dropout. Composites of the primitives
 * except convolution and pooling, which are primitives so backends can run them as one kernel.
 */
public final class NnOps {
    private NnOps() {}

    /** Padding schemes of convolution and pooling, with TensorFlow's meaning. */
    public enum Padding { VALID, SAME }

    // ------------------------------------------------------------------ activations

    public static Tensor relu(Tensor x) { return Ops.unary(UnaryFn.RELU, x); }

    /** min(max(x, 0), 6). */
    public static Tensor relu6(Tensor x) {
        if (x.dtype() == DType.BOOL) throw new IllegalArgumentException("relu6: does not support bool; cast to a numeric dtype first");
        return Ops.clip(x, 0, 6);
    }

    /** x if x > 0 else alpha * x. */
    public static Tensor leakyRelu(Tensor x, double alpha) {
        Ops.requireFloating("leaky_relu", x);
        return Ops.where(x.gt(Ops.zerosOf(x)), x, x.mul(alpha));
    }

    /** x if x > 0 else alpha * (exp(x) - 1). */
    public static Tensor elu(Tensor x, double alpha) {
        Ops.requireFloating("elu", x);
        if (alpha == 1.0) return Ops.unary(UnaryFn.ELU, x); // the primitive: one pass, output-only gradient
        Tensor positive = x.gt(Ops.zerosOf(x));
        // expm1 of min(x, 0) keeps the unused branch finite, so its gradient is not nan
        Tensor negative = Ops.expm1(Ops.minimum(x, Ops.zerosOf(x))).mul(alpha);
        return Ops.where(positive, x, negative);
    }

    public static Tensor elu(Tensor x) { return elu(x, 1.0); }

    /** Scaled ELU with the self-normalizing constants of Klambauer et al. (as Keras). */
    public static Tensor selu(Tensor x) {
        Ops.requireFloating("selu", x);
        return elu(x, 1.6732632423543772848170429916717).mul(1.0507009873554804934193349852946);
    }

    /** log(1 + exp(x)), stable for large |x|: max(x, 0) + log1p(exp(-|x|)). */
    public static Tensor softplus(Tensor x) {
        Ops.requireFloating("softplus", x);
        return Ops.maximum(x, Ops.zerosOf(x)).add(Ops.log1p(Ops.exp(x.abs().neg())));
    }

    /** x / (1 + |x|). */
    public static Tensor softsign(Tensor x) {
        Ops.requireFloating("softsign", x);
        return x.div(x.abs().add(1));
    }

    /** x * sigmoid(x). */
    public static Tensor swish(Tensor x) {
        Ops.requireFloating("swish", x);
        return x.mul(x.sigmoid());
    }

    /** Exact GELU, x * Φ(x) (Keras' default, approximate = false). */
    public static Tensor gelu(Tensor x) {
        Ops.requireFloating("gelu", x);
        return x.mul(Ops.erf(x.mul(1 / Math.sqrt(2))).add(1)).mul(0.5);
    }

    /** GELU with the tanh approximation (approximate = true). */
    public static Tensor geluTanh(Tensor x) {
        Ops.requireFloating("gelu_tanh", x);
        Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(inner.tanh().add(1)).mul(0.5);
    }

    /** Softmax along an axis, shifted by the (gradient-stopped) max for stability. */
    public static Tensor softmax(Tensor x, int axis) {
        Ops.requireFloating("softmax", x);
        int a = Shapes.axis("softmax", axis, x.rank());
        Tensor e = x.sub(Ops.stopGradient(x.max(a, true))).exp();
        return e.div(e.sum(new int[] {a}, true));
    }

    /** log(softmax(x)) along an axis, computed as x - logsumexp(x). */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Ops.requireFloating("log_softmax", x);
        int a = Shapes.axis("log_softmax", axis, x.rank());
        return x.sub(Ops.logSumExp(x, new int[] {a}, true));
    }

    // ------------------------------------------------------------------ convolution and pooling

    /** 2-D convolution, x NHWC and filter HWIO, stride 1, no dilation. */
    public static Tensor conv2d(Tensor x, Tensor filter, Padding padding) {
        return conv2d(x, filter, 1, 1, padding, 1, 1);
    }

    /** 2-D convolution, x NHWC and filter HWIO. */
    public static Tensor conv2d(Tensor x, Tensor filter, int strideH, int strideW, Padding padding, int dilationH, int dilationW) {
        if (x.rank() != 4 || filter.rank() != 4)
            throw new IllegalArgumentException("conv2d: needs input NHWC and filter HWIO of rank 4, got " + Shapes.format(x.shape()) + " and " + Shapes.format(filter.shape()));
        Window2d w = window("conv2d", padding, x.dim(1), x.dim(2), filter.dim(0), filter.dim(1), strideH, strideW, dilationH, dilationW);
        return Dispatcher.apply(new Op.Conv2D(w), x, filter);
    }

    /** Max pooling over kh x kw windows of an NHWC tensor. */
    public static Tensor maxPool2d(Tensor x, int kh, int kw, int strideH, int strideW, Padding padding) {
        return pool(true, x, kh, kw, strideH, strideW, padding);
    }

    /** Average pooling over kh x kw windows of an NHWC tensor (SAME padding excludes padded cells). */
    public static Tensor avgPool2d(Tensor x, int kh, int kw, int strideH, int strideW, Padding padding) {
        return pool(false, x, kh, kw, strideH, strideW, padding);
    }

    private static Tensor pool(boolean max, Tensor x, int kh, int kw, int sh, int sw, Padding padding) {
        String name = max ? "max_pool2d" : "avg_pool2d";
        if (x.rank() != 4) throw new IllegalArgumentException(name + ": needs an NHWC input of rank 4, got " + Shapes.format(x.shape()));
        Window2d w = window(name, padding, x.dim(1), x.dim(2), kh, kw, sh, sw, 1, 1);
        return Dispatcher.apply(new Op.Pool2D(max, kh, kw, w), x);
    }

    private static Window2d window(String op, Padding padding, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw) {
        if (sh <= 0 || sw <= 0) throw new IllegalArgumentException(op + ": strides must be positive, got " + sh + "x" + sw);
        if (dh <= 0 || dw <= 0) throw new IllegalArgumentException(op + ": dilations must be positive, got " + dh + "x" + dw);
        if (padding == null) throw new IllegalArgumentException(op + ": padding must be VALID or SAME, got null");
        return padding == Padding.SAME ? Window2d.same(h, w, kh, kw, sh, sw, dh, dw) : Window2d.valid(sh, sw, dh, dw);
    }

    // ------------------------------------------------------------------ regularization

    /**
     * Inverted dropout: zeroes each element with probability {@code rate} and scales the rest by 1/(1-rate), so
     * the expected value is unchanged. The identity when rate is 0.
     */
    public static Tensor dropout(Tensor x, double rate, Rng rng) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate);
        if (rate == 0) return x;
        Tensor u = rng.uniform(x.shape(), x.dtype(), x.device());
        Tensor keep = Ops.greaterEqual(u, Ops.constantLike(rate, u));
        return Ops.where(keep, x.mul(1 / (1 - rate)), Ops.zerosOf(x));
    }
}
