package dev.fluxion.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS through {@code java.lang.foreign}: one handle bound to a stream, (strided batched) SGEMM and DGEMM in
 * cuBLAS's column-major convention, the bfloat16-input GEMM of mixed precision, and the math mode (TF32 tensor
 * cores for float32). Every cublasStatus_t is checked and named (cublasGetStatusName). Device pointers are passed as
 * 64-bit integers.
 */
public final class Cublas implements AutoCloseable {
    /** cublasOperation_t. */
    public static final int OP_N = 0, OP_T = 1;
    /** cublasMath_t: default FP32, and TF32 tensor-op math. */
    public static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;

    /** cudaDataType_t of the mixed-precision GEMM, cublasComputeType_t and cublasGemmAlgo_t. */
    static final int R_32F = 0, R_16F = 2, R_16BF = 14, COMPUTE_32F = 68, GEMM_DEFAULT = -1;

    private final MethodHandle create, destroy, setStream, setMathMode, sgemm, dgemm, sgemmBatched, dgemmBatched, gemmEx, statusName;
    private final MemorySegment handle;
    private final Arena scalars = Arena.ofShared();
    private final MemorySegment oneF, zeroF, oneD, zeroD;

    public Cublas(Path path) {
        NativeBinder.preloadCompanions(path, "libcublasLt.so");
        NativeBinder b = new NativeBinder(path);
        create = b.bind("cublasCreate_v2", JAVA_INT, ADDRESS);
        destroy = b.bind("cublasDestroy_v2", JAVA_INT, ADDRESS);
        setStream = b.bind("cublasSetStream_v2", JAVA_INT, ADDRESS, ADDRESS);
        setMathMode = b.bind("cublasSetMathMode", JAVA_INT, ADDRESS, JAVA_INT);
        sgemm = b.bind("cublasSgemm_v2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        dgemm = b.bind("cublasDgemm_v2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        sgemmBatched = b.bind("cublasSgemmStridedBatched", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
        dgemmBatched = b.bind("cublasDgemmStridedBatched", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
        gemmEx = b.bind("cublasGemmStridedBatchedEx", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
        statusName = b.bind("cublasGetStatusName", ADDRESS, JAVA_INT);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cublasCreate_v2", CudaDriver.call(() -> (int) create.invokeExact(out)));
            handle = out.get(ADDRESS, 0);
        }
        // host pointer mode (the default): alpha and beta are read from host memory at call time
        oneF = scalars.allocateFrom(JAVA_FLOAT, 1f);
        zeroF = scalars.allocateFrom(JAVA_FLOAT, 0f);
        oneD = scalars.allocateFrom(JAVA_DOUBLE, 1.0);
        zeroD = scalars.allocateFrom(JAVA_DOUBLE, 0.0);
    }

    public void setStream(MemorySegment stream) {
        check("cublasSetStream_v2", CudaDriver.call(() -> (int) setStream.invokeExact(handle, stream)));
    }

    /** {@link #TF32_TENSOR_OP_MATH} trades float32 mantissa bits for tensor-core speed, as PyTorch's allow_tf32. */
    public void setMathMode(int mode) {
        check("cublasSetMathMode", CudaDriver.call(() -> (int) setMathMode.invokeExact(handle, mode)));
    }

    /**
     * C = op(A) op(B) for {@code batch} matrices in column-major order (cuBLAS's convention; a row-major product
     * C = A B is computed as Cᵀ = Bᵀ Aᵀ by swapping the operands, see {@link CudaMatmul}).
     */
    public void gemmStridedBatched(boolean doublePrecision, int transA, int transB, int m, int n, int k,
                                   long a, int lda, long strideA, long b, int ldb, long strideB,
                                   long c, int ldc, long strideC, int batch) {
        if (batch == 1) {
            int rc = doublePrecision
                    ? CudaDriver.call(() -> (int) dgemm.invokeExact(handle, transA, transB, m, n, k, oneD, a, lda, b, ldb, zeroD, c, ldc))
                    : CudaDriver.call(() -> (int) sgemm.invokeExact(handle, transA, transB, m, n, k, oneF, a, lda, b, ldb, zeroF, c, ldc));
            check(doublePrecision ? "cublasDgemm_v2" : "cublasSgemm_v2", rc);
            return;
        }
        int rc = doublePrecision
                ? CudaDriver.call(() -> (int) dgemmBatched.invokeExact(handle, transA, transB, m, n, k, oneD, a, lda, strideA, b, ldb, strideB, zeroD, c, ldc, strideC, batch))
                : CudaDriver.call(() -> (int) sgemmBatched.invokeExact(handle, transA, transB, m, n, k, oneF, a, lda, strideA, b, ldb, strideB, zeroF, c, ldc, strideC, batch));
        check(doublePrecision ? "cublasDgemmStridedBatched" : "cublasSgemmStridedBatched", rc);
    }

    /**
     * C (float32) = op(A) op(B) with A and B in a 16-bit type ({@link #R_16BF} or {@link #R_16F}), products
     * accumulated in float32: the mixed-precision GEMM; same conventions as {@link #gemmStridedBatched}.
     */
    public void gemmStridedBatchedHalf(int halfType, int transA, int transB, int m, int n, int k, long a, int lda, long strideA,
                                       long b, int ldb, long strideB, long c, int ldc, long strideC, int batch) {
        int rc = CudaDriver.call(() -> (int) gemmEx.invokeExact(handle, transA, transB, m, n, k, oneF, a, halfType, lda, strideA,
                b, halfType, ldb, strideB, zeroF, c, R_32F, ldc, strideC, batch, COMPUTE_32F, GEMM_DEFAULT));
        check("cublasGemmStridedBatchedEx", rc);
    }

    private void check(String call, int status) {
        if (status == 0) return;
        throw new CudaException(call, status, NativeBinder.statusName(statusName, status, "cublasStatus"), null);
    }

    @Override
    public void close() {
        check("cublasDestroy_v2", CudaDriver.call(() -> (int) destroy.invokeExact(handle)));
        scalars.close();
    }
}
