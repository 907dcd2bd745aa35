package dev.fluxion.cpu.kernels;

import static dev.fluxion.cpu.kernels.GemmMicroKernels.S;
import static dev.fluxion.cpu.kernels.GemmMicroKernels.V;

import jdk.incubator.vector.FloatVector;

/**
 * Matrix-vector products (sgemm with m == 1 or n == 1). The blocked engine would pack a whole operand to use it once
 * and fill 1 of the micro-tile's rows or columns; these stream the matrix once instead. Each output element is
 * always computed by the same code in the same order, whatever the thread count.
 */
final class GemmVector {
    private GemmVector() {}

    /** Outputs per parallel chunk; below {@link #PARALLEL_MIN_MACS} multiply-adds everything runs on the caller. */
    private static final int CHUNK = 256;
    private static final long PARALLEL_MIN_MACS = 1L << 20;

    /**
     * C = op(A) · op(B) (+ C) when m == 1 or n == 1, with the layout conventions of {@link Sgemm#sgemm}; the caller
     * has validated the bounds and checked that k > 0.
     */
    static void gemv(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
                     int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        if (m == 1) {
            // c[0, j] = sum_p a(0, p) * B(p, j)
            float[] v = contiguous(a, aOff, transA ? lda : 1, k);
            int vOff = v == a ? aOff : 0;
            if (transB) dotRows(n, k, b, bOff, ldb, v, vOff, c, cOff, 1, accumulate, threads);
            else axpyRows(n, k, b, bOff, ldb, v, vOff, c, cOff, 1, accumulate, threads);
        } else {
            // c[i, 0] = sum_p A(i, p) * b(p, 0)
            float[] v = contiguous(b, bOff, transB ? 1 : ldb, k);
            int vOff = v == b ? bOff : 0;
            if (transA) axpyRows(m, k, a, aOff, lda, v, vOff, c, cOff, ldc, accumulate, threads);
            else dotRows(m, k, a, aOff, lda, v, vOff, c, cOff, ldc, accumulate, threads);
        }
    }

    /** The k values x[off + p * stride], as the array itself when already contiguous, else as a copy. */
    private static float[] contiguous(float[] x, int off, int stride, int k) {
        if (stride == 1 || k == 1) return x;
        float[] v = new float[k];
        for (int p = 0; p < k; p++) v[p] = x[off + p * stride];
        return v;
    }

    /** out[j * os] (+)= sum_p v[p] * M[p, j] for j in [0, count), M row-major with leading dimension ld. */
    private static void axpyRows(int count, int k, float[] mat, int mOff, int ld, float[] v, int vOff, float[] out,
                                 int oOff, int os, boolean accumulate, int threads) {
        Parallel.RangeBody body = (j0, j1) -> {
            float[] tmp = os == 1 ? null : new float[4 * V];
            int j = j0;
            for (; j + 4 * V <= j1; j += 4 * V) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(S, v[vOff + p]);
                    int r = mOff + p * ld + j;
                    a0 = x.fma(FloatVector.fromArray(S, mat, r), a0);
                    a1 = x.fma(FloatVector.fromArray(S, mat, r + V), a1);
                    a2 = x.fma(FloatVector.fromArray(S, mat, r + 2 * V), a2);
                    a3 = x.fma(FloatVector.fromArray(S, mat, r + 3 * V), a3);
                }
                // (vector methods only on fresh vectors, see GemmMicroKernels.store)
                if (os == 1) {
                    write(out, oOff + j, a0, accumulate);
                    write(out, oOff + j + V, a1, accumulate);
                    write(out, oOff + j + 2 * V, a2, accumulate);
                    write(out, oOff + j + 3 * V, a3, accumulate);
                } else {
                    FloatVector.broadcast(S, -0.0f).add(a0).intoArray(tmp, 0);
                    FloatVector.broadcast(S, -0.0f).add(a1).intoArray(tmp, V);
                    FloatVector.broadcast(S, -0.0f).add(a2).intoArray(tmp, 2 * V);
                    FloatVector.broadcast(S, -0.0f).add(a3).intoArray(tmp, 3 * V);
                    for (int e = 0; e < 4 * V; e++) {
                        int o = oOff + (j + e) * os;
                        out[o] = accumulate ? out[o] + tmp[e] : tmp[e];
                    }
                }
            }
            for (; j < j1; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) s = Math.fma(v[vOff + p], mat[mOff + p * ld + j], s);
                int o = oOff + j * os;
                out[o] = accumulate ? out[o] + s : s;
            }
        };
        run(count, k, body, threads);
    }

    /** out[i * os] (+)= sum_p M[i, p] * v[p] for i in [0, count), M row-major with leading dimension ld. */
    private static void dotRows(int count, int k, float[] mat, int mOff, int ld, float[] v, int vOff, float[] out,
                                int oOff, int os, boolean accumulate, int threads) {
        int kv = k - k % (2 * V);
        Parallel.RangeBody body = (i0, i1) -> {
            float[] lanes = new float[V];
            for (int i = i0; i < i1; i++) {
                int r = mOff + i * ld;
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                for (int p = 0; p < kv; p += 2 * V) {
                    a0 = FloatVector.fromArray(S, mat, r + p).fma(FloatVector.fromArray(S, v, vOff + p), a0);
                    a1 = FloatVector.fromArray(S, mat, r + p + V).fma(FloatVector.fromArray(S, v, vOff + p + V), a1);
                }
                // lanes summed in a fixed order: reduceLanes(ADD) may associate differently once JIT-compiled
                FloatVector.broadcast(S, -0.0f).add(a0).add(a1).intoArray(lanes, 0);
                float s = lanes[0];
                for (int e = 1; e < V; e++) s += lanes[e];
                for (int p = kv; p < k; p++) s = Math.fma(mat[r + p], v[vOff + p], s);
                int o = oOff + i * os;
                out[o] = accumulate ? out[o] + s : s;
            }
        };
        run(count, k, body, threads);
    }

    private static void write(float[] out, int o, FloatVector acc, boolean accumulate) {
        if (accumulate) FloatVector.fromArray(S, out, o).add(acc).intoArray(out, o);
        else FloatVector.broadcast(S, -0.0f).add(acc).intoArray(out, o);
    }

    private static void run(int count, int k, Parallel.RangeBody body, int threads) {
        if (threads > 1 && (long) count * k >= PARALLEL_MIN_MACS) Parallel.forRange(count, CHUNK, threads, body);
        else body.run(0, count);
    }
}
