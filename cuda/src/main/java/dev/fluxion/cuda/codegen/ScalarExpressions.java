package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.UnaryFn;

/**
 * The CUDA C expression of each elementwise primitive on one element. The standalone kernels and the fused kernels
 * both use these, so a primitive has exactly one GPU definition. Floating math uses the dtype's own functions
 * ({@code expf} for float32, {@code exp} for float64); pow and floored modulo on float32 go through double, as the
 * CPU backend computes them, so both round once from the same float64 value.
 */
public final class ScalarExpressions {
    private ScalarExpressions() {}

    /** Whether {@code fn} is defined on dtype {@code t} (mirrors {@code Op.Unary}'s shape rule). */
    public static boolean supports(UnaryFn fn, DType t) {
        if (fn == UnaryFn.NOT) return t == DType.BOOL;
        return t.isFloating() || (t.isInteger() && fn.acceptsIntegers());
    }

    /** Whether {@code fn} is defined on inputs of dtype {@code t} (mirrors {@code Op.Binary} and the CPU kernels). */
    public static boolean supports(BinaryFn fn, DType t) {
        if (fn.isLogical()) return t == DType.BOOL;
        if (t == DType.BOOL) return fn == BinaryFn.EQ || fn == BinaryFn.NE;
        return !(fn == BinaryFn.ATAN2 && t.isInteger());
    }

    /** Result dtype of a binary function on inputs of dtype {@code t}. */
    public static DType resultType(BinaryFn fn, DType t) {
        return fn.isPredicate() ? DType.BOOL : t;
    }

    public static String unary(UnaryFn fn, DType t, String x) {
        if (!supports(fn, t)) throw new IllegalArgumentException(fn.name().toLowerCase() + ": no CUDA kernel for " + t);
        String c = CudaTypes.c(t);
        if (t.isInteger()) {
            return switch (fn) {
                case NEG -> "fx_wneg(" + x + ")";
                case ABS -> "(" + x + " < 0 ? fx_wneg(" + x + ") : " + x + ")";
                case SIGN -> "(" + c + ")((" + x + " > 0) - (" + x + " < 0))";
                case SQUARE -> "fx_wmul(" + x + ", " + x + ")";
                case RELU -> "(" + x + " > 0 ? " + x + " : (" + c + ")0)";
                case STEP -> "(" + c + ")(" + x + " > 0)";
                default -> throw new IllegalStateException(fn + " on " + t);
            };
        }
        if (t == DType.BOOL) return "(unsigned char)(" + x + " == 0)"; // NOT
        String f = t == DType.FLOAT32 ? "f" : "";
        String one = t == DType.FLOAT32 ? "1.0f" : "1.0";
        return switch (fn) {
            case NEG -> "(-" + x + ")";
            case ABS -> "fabs" + f + "(" + x + ")";
            case SIGN -> "fx_sign(" + x + ")";
            case EXP -> "exp" + f + "(" + x + ")";
            case EXPM1 -> "expm1" + f + "(" + x + ")";
            case LOG -> "log" + f + "(" + x + ")";
            case LOG1P -> "log1p" + f + "(" + x + ")";
            case SQRT -> "sqrt" + f + "(" + x + ")";
            case RSQRT -> "(" + one + " / sqrt" + f + "(" + x + "))";
            case RECIPROCAL -> "(" + one + " / " + x + ")";
            case SQUARE -> "(" + x + " * " + x + ")";
            case SIN -> "sin" + f + "(" + x + ")";
            case COS -> "cos" + f + "(" + x + ")";
            case TANH -> "tanh" + f + "(" + x + ")";
            // the stable form of the reference: exp of a non-positive number only
            case SIGMOID -> "(" + x + " >= 0 ? " + one + " / (" + one + " + exp" + f + "(-" + x + ")) : exp" + f + "(" + x + ") / (" + one
                    + " + exp" + f + "(" + x + ")))";
            case RELU -> "fx_relu(" + x + ")";
            case ELU -> "(" + x + " > 0 ? " + x + " : expm1" + f + "(" + x + "))";
            case STEP -> "fx_step(" + x + ")";
            case ERF -> "erf" + f + "(" + x + ")";
            case FLOOR -> "floor" + f + "(" + x + ")";
            case CEIL -> "ceil" + f + "(" + x + ")";
            case ROUND -> "rint" + f + "(" + x + ")";
            case NOT -> throw new IllegalStateException("not on " + t);
        };
    }

    public static String binary(BinaryFn fn, DType t, String a, String b) {
        if (!supports(fn, t)) throw new IllegalArgumentException(fn.name().toLowerCase() + ": no CUDA kernel for " + t);
        String c = CudaTypes.c(t);
        if (fn.isPredicate()) {
            String e = switch (fn) {
                case EQ -> a + " == " + b;
                case NE -> a + " != " + b;
                case LT -> a + " < " + b;
                case LE -> a + " <= " + b;
                case GT -> a + " > " + b;
                case GE -> a + " >= " + b;
                case AND -> "(" + a + " != 0) && (" + b + " != 0)";
                case OR -> "(" + a + " != 0) || (" + b + " != 0)";
                case XOR -> "(" + a + " != 0) != (" + b + " != 0)";
                default -> throw new IllegalStateException(fn.name());
            };
            return "(unsigned char)(" + e + ")";
        }
        if (t.isInteger()) {
            return switch (fn) {
                case ADD -> "fx_wadd(" + a + ", " + b + ")";
                case SUB -> "fx_wsub(" + a + ", " + b + ")";
                case MUL -> "fx_wmul(" + a + ", " + b + ")";
                case DIV -> "fx_floordiv<" + c + ">(" + a + ", " + b + ")";
                case MOD -> "fx_floormod<" + c + ">(" + a + ", " + b + ")";
                case POW -> "fx_ipow<" + c + ">(" + a + ", " + b + ")";
                case MAX -> "fx_max(" + a + ", " + b + ")";
                case MIN -> "fx_min(" + a + ", " + b + ")";
                default -> throw new IllegalStateException(fn + " on " + t);
            };
        }
        String f = t == DType.FLOAT32 ? "f" : "";
        String round = t == DType.FLOAT32 ? "(float)" : "";
        return switch (fn) {
            case ADD -> "(" + a + " + " + b + ")";
            case SUB -> "(" + a + " - " + b + ")";
            case MUL -> "(" + a + " * " + b + ")";
            case DIV -> "(" + a + " / " + b + ")";
            case POW -> round + "pow((double)" + a + ", (double)" + b + ")";
            case MOD -> round + "fx_fmod_floor((double)" + a + ", (double)" + b + ")";
            case MAX -> "fx_max<" + c + ">(" + a + ", " + b + ")";
            case MIN -> "fx_min<" + c + ">(" + a + ", " + b + ")";
            case ATAN2 -> "atan2" + f + "(" + a + ", " + b + ")";
            default -> throw new IllegalStateException(fn + " on " + t);
        };
    }

    /** Conversion between dtypes: floats to integers truncate toward zero and saturate (NaN gives 0); nonzero is true. */
    public static String cast(DType from, DType to, String x) {
        if (from == to) return x;
        if (to == DType.BOOL) return "(unsigned char)(" + x + " != 0)";
        if (from.isFloating() && to == DType.INT32) return "fx_to_i32(" + x + ")";
        if (from.isFloating() && to == DType.INT64) return "fx_to_i64(" + x + ")";
        return "(" + CudaTypes.c(to) + ")(" + x + ")";
    }

    public static String where(String condition, String a, String b) {
        return "(" + condition + " ? " + a + " : " + b + ")";
    }
}
