package dev.fluxion.ops;

/**
 * The elementwise unary functions of the {@code Unary} primitive. Each constant carries its scalar float64
 * reference, the executable spec that tests and the scalar kernels agree with. Gradients live in
 * {@code dev.fluxion.autodiff.Gradients}, never here.
 */
public enum UnaryFn {
    NEG(x -> -x),
    ABS(Math::abs),
    SIGN(Math::signum),
    EXP(Math::exp),
    EXPM1(Math::expm1),
    LOG(Math::log),
    LOG1P(Math::log1p),
    SQRT(Math::sqrt),
    RSQRT(x -> 1.0 / Math.sqrt(x)),
    RECIPROCAL(x -> 1.0 / x),
    SQUARE(x -> x * x),
    SIN(Math::sin),
    COS(Math::cos),
    TANH(Math::tanh),
    SIGMOID(x -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x))),
    RELU(x -> x > 0 ? x : (x == 0 ? 0.0 : (Double.isNaN(x) ? x : 0.0))),
    /**
     * The exponential linear unit with alpha 1 (x > 0 ? x : e^x - 1), Keras's default {@code elu}: one pass where
     * the composite (compare, expm1, select) takes three, and a gradient that needs only the output.
     */
    ELU(x -> x > 0 ? x : Math.expm1(x)),
    /** Heaviside step at 0 (x > 0 ? 1 : 0): the derivative of relu, used by its gradient rule. */
    STEP(x -> x > 0 ? 1.0 : (Double.isNaN(x) ? x : 0.0)),
    ERF(UnaryFn::erf),
    FLOOR(Math::floor),
    CEIL(Math::ceil),
    /** Round half to even, as NumPy and TensorFlow do. */
    ROUND(Math::rint),
    /** Logical not on bool tensors (0 becomes 1, anything else 0). */
    NOT(x -> x == 0 ? 1.0 : 0.0);

    private final java.util.function.DoubleUnaryOperator reference;

    UnaryFn(java.util.function.DoubleUnaryOperator reference) {
        this.reference = reference;
    }

    /** The float64 reference value of this function at {@code x}. */
    public double apply(double x) {
        return reference.applyAsDouble(x);
    }

    /** Functions whose result is integral and whose derivative is zero almost everywhere. */
    public boolean isPiecewiseConstant() {
        return this == SIGN || this == STEP || this == FLOOR || this == CEIL || this == ROUND || this == NOT;
    }

    /** Functions defined on integer tensors too (others require a floating dtype). */
    public boolean acceptsIntegers() {
        return this == NEG || this == ABS || this == SIGN || this == SQUARE || this == RELU || this == STEP;
    }

    /**
     * erf with about 1e-15 relative accuracy: a Taylor series near zero and a continued fraction of erfc in the
     * tails, so gelu's float64 reference is trustworthy.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            double r = sum * 2.0 / Math.sqrt(Math.PI);
            return x < 0 ? -r : r;
        }
        if (ax > 6.5) return x < 0 ? -1.0 : 1.0;
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated bottom-up
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        double r = 1.0 - erfc;
        return x < 0 ? -r : r;
    }
}
