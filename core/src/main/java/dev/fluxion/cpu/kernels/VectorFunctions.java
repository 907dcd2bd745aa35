package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector bodies of the float32 unary kernels that graph functions' generated loops also call: one place for each
 * function's lane arithmetic, so a fused loop gives the bits of {@link UnaryKernels} (its array loops call these too).
 * Each takes and returns one vector of {@link KernelConfig#FLOATS}; C2 inlines them into the calling loop.
 */
public final class VectorFunctions {
    private VectorFunctions() {}

    /** e^x ({@link FloatExp}). */
    public static FloatVector exp(FloatVector x) {
        return FloatExp.exp(x);
    }

    /** e^x - 1 ({@link FloatExp}). */
    public static FloatVector expm1(FloatVector x) {
        return FloatExp.expm1(x);
    }

    /** The natural logarithm ({@link FloatLog}). */
    public static FloatVector log(FloatVector x) {
        return FloatLog.log(x);
    }

    /** 1 / (1 + e^-x), from e^-|x| so that neither branch overflows. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        FloatVector e = FloatExp.exp(x.abs().neg());
        FloatVector den = e.add(one);
        return one.div(den).blend(e.div(den), x.compare(VectorOperators.LT, 0f));
    }

    /** max(x, 0): x <= 0 is false for NaN, so NaN passes through; -0.0 becomes +0.0. */
    public static FloatVector relu(FloatVector x) {
        return x.blend(0f, x.compare(VectorOperators.LE, 0f));
    }

    /**
     * x if x > 0 else e^x - 1: the lanes above 0 keep x whatever e^x - 1 gave there; NaN fails the compare and stays
     * NaN.
     */
    public static FloatVector elu(FloatVector x) {
        return FloatExp.expm1NonPositive(x).blend(x, x.compare(VectorOperators.GT, 0f));
    }

    /** 1 where x > 0, else 0; NaN stays NaN. */
    public static FloatVector step(FloatVector x) {
        FloatVector zero = FloatVector.zero(x.species());
        return zero.blend(1f, x.compare(VectorOperators.GT, 0f)).blend(x, x.test(VectorOperators.IS_NAN));
    }
}
