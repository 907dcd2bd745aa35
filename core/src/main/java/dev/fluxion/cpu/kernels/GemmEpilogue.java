package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.S;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.V;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * What {@link Sgemm#sgemm(boolean, boolean, int, int, int, float[], int, int, float[], int, int, float[], int, int,
 * boolean, GemmEpilogue)} does to C after the product: C = activation(op(A)·op(B) [+ C] + bias), with an optional
 * per-column bias (n values, added to every row) and an activation. The blocked kernel applies it to each C tile
 * right after the tile's last k-block, while the tile is still in L1, so a Dense layer (x·W + b, relu) is one pass
 * over its output.
 *
 * <p>The result is bitwise that of the unfused ops: the product as {@code sgemm} stores it, then one float addition of
 * the bias, then the activation with the same rule as the element-wise kernels. Immutable.
 */
public final class GemmEpilogue {
    /** Activations the epilogue can apply (room is left for more). */
    public enum Activation {
        /** The identity. */
        NONE,
        /** max(x, 0) with the element-wise kernel's rule: NaN passes through, -0.0 becomes +0.0. */
        RELU
    }

    /** Nothing: plain sgemm. */
    public static final GemmEpilogue NONE = new GemmEpilogue(null, 0, Activation.NONE);

    private final float[] bias;
    private final int biasOff;
    private final Activation activation;

    private GemmEpilogue(float[] bias, int biasOff, Activation activation) {
        this.bias = bias;
        this.biasOff = biasOff;
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    /**
     * An epilogue adding {@code bias[biasOff + j]} to column j of C (when {@code bias} is not null), then applying
     * {@code activation}. The bias array is read when the product runs, not copied.
     */
    public static GemmEpilogue of(float[] bias, int biasOff, Activation activation) {
        if (bias != null && biasOff < 0) {
            throw new IllegalArgumentException("GemmEpilogue: negative bias offset " + biasOff);
        }
        return bias == null && activation == Activation.NONE ? NONE : new GemmEpilogue(bias, biasOff, activation);
    }

    /** Adds {@code bias[biasOff + j]} to column j. */
    public static GemmEpilogue bias(float[] bias, int biasOff) {
        return of(Objects.requireNonNull(bias, "bias"), biasOff, Activation.NONE);
    }

    /** This epilogue with another activation. */
    public GemmEpilogue withActivation(Activation a) {
        return of(bias, biasOff, a);
    }

    public float[] bias() {
        return bias;
    }

    public int biasOffset() {
        return biasOff;
    }

    public Activation activation() {
        return activation;
    }

    /** Whether this epilogue leaves C as the product made it. */
    public boolean isIdentity() {
        return bias == null && activation == Activation.NONE;
    }

    /** Validates the bias against n columns (called by Sgemm before any work). */
    void check(String kernel, int n) {
        if (bias != null && n > 0 && (long) biasOff + n > bias.length) {
            throw new IllegalArgumentException(kernel + ": bias of " + bias.length + " values at offset " + biasOff
                    + " is too short for n=" + n + " columns");
        }
    }

    /** The scalar rule for element (any row, column j) holding the product value x. */
    float apply(float x, int j) {
        float v = bias == null ? x : x + bias[biasOff + j];
        return activation == Activation.RELU ? (v > 0 || v != v ? v : 0f) : v;
    }

    /** Applies the scalar rule to rows [0, rows) x columns [j0, j0 + cols) of C at {@code c[ci]} (column j0). */
    void applyScalar(float[] c, int ci, int ldc, int rows, int j0, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = ci + r * ldc;
            for (int j = 0; j < cols; j++) c[o + j] = apply(c[o + j], j0 + j);
        }
    }

    /**
     * As {@link #applyScalar} with the Vector API: the same two operations per element, so the same bits. Called on
     * each C tile right after its last k-block (a few rows of up to NR columns).
     */
    void applyVector(float[] c, int ci, int ldc, int rows, int j0, int cols) {
        if (isIdentity()) return;
        int cv = cols - cols % V;
        boolean relu = activation == Activation.RELU;
        // one straight-line loop per case: no vector flows through a phi (which can make C2 box it)
        for (int r = 0; r < rows; r++) {
            int o = ci + r * ldc, j = 0;
            if (bias == null) {
                for (; j < cv; j += V) {
                    FloatVector x = FloatVector.fromArray(S, c, o + j);
                    x.blend(0f, x.compare(VectorOperators.LE, 0f)).intoArray(c, o + j);
                }
            } else if (relu) {
                for (; j < cv; j += V) {
                    FloatVector x = FloatVector.fromArray(S, c, o + j)
                            .add(FloatVector.fromArray(S, bias, biasOff + j0 + j));
                    x.blend(0f, x.compare(VectorOperators.LE, 0f)).intoArray(c, o + j);
                }
            } else {
                for (; j < cv; j += V) {
                    FloatVector.fromArray(S, c, o + j).add(FloatVector.fromArray(S, bias, biasOff + j0 + j))
                            .intoArray(c, o + j);
                }
            }
            for (; j < cols; j++) c[o + j] = apply(c[o + j], j0 + j);
        }
    }
}
