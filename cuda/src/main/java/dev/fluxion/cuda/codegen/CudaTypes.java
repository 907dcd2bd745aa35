package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;

/** How each dtype is spelled in generated CUDA C, and its short suffix in kernel names. */
public final class CudaTypes {
    private CudaTypes() {}

    /** The C type of an element; bool is one byte holding 0 or 1, as the CPU backend and safetensors store it. */
    public static String c(DType t) {
        return switch (t) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT32 -> "int";
            case INT64 -> "long long";
            case BOOL -> "unsigned char";
        };
    }

    /** The suffix that makes kernel names unique per dtype: f32, f64, i32, i64, b8. */
    public static String suffix(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BOOL -> "b8";
        };
    }

    /** A C literal of {@code value} in dtype {@code t} (infinities and NaN spelled with CUDA's macros). */
    public static String literal(double value, DType t) {
        return switch (t) {
            case FLOAT32 -> Double.isNaN(value) ? "__int_as_float(0x7fc00000)" : Double.isInfinite(value)
                    ? (value > 0 ? "__int_as_float(0x7f800000)" : "__int_as_float(0xff800000)") : Float.toString((float) value) + "f";
            case FLOAT64 -> Double.isNaN(value) ? "__longlong_as_double(0x7ff8000000000000LL)" : Double.isInfinite(value)
                    ? (value > 0 ? "__longlong_as_double(0x7ff0000000000000LL)" : "__longlong_as_double(0xfff0000000000000LL)")
                    : Double.toString(value);
            case INT32 -> value == Double.NEGATIVE_INFINITY ? "(-2147483647 - 1)" : value == Double.POSITIVE_INFINITY ? "2147483647"
                    : Integer.toString((int) value);
            case INT64 -> value == Double.NEGATIVE_INFINITY ? "(-9223372036854775807LL - 1)" : value == Double.POSITIVE_INFINITY
                    ? "9223372036854775807LL" : Long.toString((long) value) + "LL";
            case BOOL -> value != 0 ? "1" : "0";
        };
    }
}
