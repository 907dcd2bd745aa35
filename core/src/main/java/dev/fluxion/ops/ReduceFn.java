package dev.fluxion.ops;

/** The reductions of the {@code Reduce} primitive; mean, variance and logsumexp are composites over these. */
public enum ReduceFn {
    SUM(0.0),
    PROD(1.0),
    MAX(Double.NEGATIVE_INFINITY),
    MIN(Double.POSITIVE_INFINITY);

    private final double identity;

    ReduceFn(double identity) {
        this.identity = identity;
    }

    /** The value of a reduction over zero elements (NumPy raises for max/min of nothing; TF returns these). */
    public double identity() {
        return identity;
    }

    /** Folds one more value into an accumulator; max and min propagate NaN. */
    public double combine(double acc, double x) {
        return switch (this) {
            case SUM -> acc + x;
            case PROD -> acc * x;
            case MAX -> Double.isNaN(acc) || Double.isNaN(x) ? Double.NaN : Math.max(acc, x);
            case MIN -> Double.isNaN(acc) || Double.isNaN(x) ? Double.NaN : Math.min(acc, x);
        };
    }
}
