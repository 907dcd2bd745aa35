package dev.fluxion.cpu.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * General matrix products over row-major arrays: C = op(A) * op(B) (+ C), where op(A) is m x k (A is stored k x m
 * when transposed), op(B) is k x n (B stored n x k when transposed) and C is m x n. Element (i, j) of a matrix with
 * leading dimension ld starting at offset off is {@code x[off + i * ld + j]}.
 *
 * <p>{@link #sgemm} runs the blocked Vector API kernel ({@link GemmEngine}; matrix-vector shapes go to
 * {@link GemmVector}) on {@link KernelConfig#THREADS} threads, or its scalar twin {@link #sgemmScalar} when
 * {@link KernelConfig#SIMD} is off. Results are bitwise the same for any thread count. A {@link GemmEpilogue} fuses a
 * per-column bias and an activation into the product. {@link #dgemm} is a plain loop: float64 serves references and
 * gradient checks.
 */
public final class Sgemm {
    private Sgemm() {}

    /**
     * C = op(A) * op(B), plus the previous C when {@code accumulate}.
     *
     * @throws IllegalArgumentException if a size is negative, a leading dimension is smaller than its row, or an
     *                                  array is too short for its matrix
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, GemmEpilogue.NONE);
    }

    /**
     * C = epilogue(op(A) * op(B) [+ C]): the bias and activation of {@code epilogue} are applied to each tile of C
     * right after its product is complete, in the same pass (a Dense layer in one call). The result is bitwise that of
     * {@code sgemm} followed by the bias addition and the activation as separate element-wise ops.
     *
     * @throws IllegalArgumentException as {@link #sgemm(boolean, boolean, int, int, int, float[], int, int, float[],
     *                                  int, int, float[], int, int, boolean)}, or if the bias is shorter than n
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                             GemmEpilogue epilogue) {
        check("sgemm", transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        Objects.requireNonNull(epilogue, "sgemm: epilogue (use GemmEpilogue.NONE)").check("sgemm", n);
        if (KernelConfig.SIMD) gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                epilogue, KernelConfig.THREADS);
        else scalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, epilogue);
    }

    /** The scalar twin of {@link #sgemm}: a plain triple loop, the readable reference. */
    public static void sgemmScalar(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                                   int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                                   boolean accumulate) {
        sgemmScalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, GemmEpilogue.NONE);
    }

    /** The scalar twin of the fused {@link #sgemm}: the triple loop, then the epilogue row by row. */
    public static void sgemmScalar(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                                   int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                                   boolean accumulate, GemmEpilogue epilogue) {
        check("sgemmScalar", transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        Objects.requireNonNull(epilogue, "sgemmScalar: epilogue (use GemmEpilogue.NONE)").check("sgemmScalar", n);
        scalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, epilogue);
    }

    /** {@link #sgemm} in float64, as a plain loop. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, int lda,
                             double[] b, int bOff, int ldb, double[] c, int cOff, int ldc, boolean accumulate) {
        check("dgemm", transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) Arrays.fill(c, ci, ci + n, 0.0);
            if (transB) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                    c[ci + j] += s;
                }
            } else {
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * ars + p * acs];
                    int bp = bOff + p * brs;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }

    /** {@link #sgemm} on the SIMD path with an explicit thread count (tests compare 1 and N threads). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, GemmEpilogue.NONE,
                threads);
    }

    /** The fused {@link #sgemm} on the SIMD path with an explicit thread count. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                     GemmEpilogue epilogue, int threads) {
        if ((m == 1 || n == 1) && k > 0) {
            GemmVector.gemv(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
            // one row or one column: C is small and still in cache
            if (m > 0 && n > 0) epilogue.applyVector(c, cOff, ldc, m, 0, n);
            return;
        }
        GemmEngine.gemm(m, n, k, SgemmPacking.Left.of(transA, a, aOff, lda),
                SgemmPacking.Right.of(transB, b, bOff, ldb), c, cOff, ldc, accumulate, epilogue, threads);
    }

    private static void scalar(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                               GemmEpilogue epilogue) {
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
            if (transB) {
                // B's columns are contiguous: dot products
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int p = 0; p < k; p++) s += a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                    c[ci + j] += s;
                }
            } else {
                // B's rows are contiguous: add a multiple of each row
                for (int p = 0; p < k; p++) {
                    float aip = a[aOff + i * ars + p * acs];
                    int bp = bOff + p * brs;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
            epilogue.applyScalar(c, ci, ldc, 1, 0, n);
        }
    }

    private static long len(float[] x) {
        return x == null ? -1 : x.length;
    }

    private static long len(double[] x) {
        return x == null ? -1 : x.length;
    }

    /** Validates sizes, leading dimensions and array lengths (a length of -1 stands for a null array). */
    static void check(String kernel, boolean transA, boolean transB, int m, int n, int k, long aLen, int aOff,
                      int lda, long bLen, int bOff, int ldb, long cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(kernel + ": negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix(kernel, "A", transA ? k : m, transA ? m : k, transA, aLen, aOff, lda, m, n, k);
        checkMatrix(kernel, "B", transB ? n : k, transB ? k : n, transB, bLen, bOff, ldb, m, n, k);
        checkMatrix(kernel, "C", m, n, false, cLen, cOff, ldc, m, n, k);
    }

    private static void checkMatrix(String kernel, String name, int rows, int cols, boolean trans, long len, int off,
                                    int ld, int m, int n, int k) {
        if (rows == 0 || cols == 0) return;
        long need = off + (long) (rows - 1) * ld + cols;
        if (len >= 0 && off >= 0 && ld >= cols && need <= len) return; // the common case builds no message
        String what = kernel + ": " + name + " stored " + rows + "x" + cols + (trans ? " (transposed)" : "")
                + " with ld=" + ld + " at offset " + off;
        String sizes = " (m=" + m + ", n=" + n + ", k=" + k + ")";
        if (len < 0) throw new IllegalArgumentException(what + " is null" + sizes);
        if (off < 0) throw new IllegalArgumentException(what + ": negative offset" + sizes);
        if (ld < cols) throw new IllegalArgumentException(what + ": ld must be >= " + cols + sizes);
        throw new IllegalArgumentException(what + " needs an array of " + need + ", got " + len + sizes);
    }
}
