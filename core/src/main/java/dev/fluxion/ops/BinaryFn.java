package dev.fluxion.ops;

/**
 * The elementwise binary functions of the {@code Binary} primitive, with NumPy broadcasting. Each constant carries
 * its scalar float64 reference. Comparisons produce bool tensors; the others keep the (common) input dtype.
 */
public enum BinaryFn {
    ADD((a, b) -> a + b),
    SUB((a, b) -> a - b),
    MUL((a, b) -> a * b),
    /** True division for floating dtypes; for integer dtypes it floors, as Python's {@code //} and TF's floordiv. */
    DIV((a, b) -> a / b),
    POW(Math::pow),
    /** NaN-propagating maximum, as {@code tf.maximum}. */
    MAX((a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b)),
    MIN((a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b)),
    /** Floored modulo with the sign of the divisor, as Python and {@code tf.math.floormod}. */
    MOD((a, b) -> a - Math.floor(a / b) * b),
    ATAN2(Math::atan2),
    EQ((a, b) -> a == b ? 1 : 0),
    NE((a, b) -> a != b ? 1 : 0),
    LT((a, b) -> a < b ? 1 : 0),
    LE((a, b) -> a <= b ? 1 : 0),
    GT((a, b) -> a > b ? 1 : 0),
    GE((a, b) -> a >= b ? 1 : 0),
    AND((a, b) -> a != 0 && b != 0 ? 1 : 0),
    OR((a, b) -> a != 0 || b != 0 ? 1 : 0),
    XOR((a, b) -> (a != 0) != (b != 0) ? 1 : 0);

    private final java.util.function.DoubleBinaryOperator reference;

    BinaryFn(java.util.function.DoubleBinaryOperator reference) {
        this.reference = reference;
    }

    /** The float64 reference value of this function. */
    public double apply(double a, double b) {
        return reference.applyAsDouble(a, b);
    }

    /** Comparisons and logical functions: their result dtype is bool. */
    public boolean isPredicate() {
        return ordinal() >= EQ.ordinal();
    }

    /** Logical functions: their inputs must be bool. */
    public boolean isLogical() {
        return this == AND || this == OR || this == XOR;
    }
}
