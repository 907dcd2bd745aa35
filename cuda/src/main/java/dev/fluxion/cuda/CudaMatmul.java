package dev.fluxion.cuda;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.ops.Op;

import java.util.Arrays;

/**
 * Batched matmul through cuBLAS (S/DGEMM, strided batched). cuBLAS is column-major, and a row-major matrix read as
 * column-major is its transpose, so C = op(A) op(B) (row-major) is computed as Cᵀ = op(B)ᵀ op(A)ᵀ: the operands
 * swap places, m and n swap, and each keeps its own transpose flag with the leading dimension of its stored rows.
 * Batch dimensions that broadcast from size 1 use batch stride 0; any other broadcast is materialized first.
 * Float32 products follow the device's {@link MatmulPrecision}: with bfloat16 or float16, both operands are rounded
 * to 16-bit copies first and cuBLAS accumulates and stores in float32.
 */
final class CudaMatmul {
    private CudaMatmul() {}

    static Tensor matmul(CudaContext ctx, Op.MatMul op, Tensor a, Tensor b, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        matmulInto(ctx, op, a, b, result);
        return result;
    }

    /** The product written into an existing contiguous {@code result}. */
    static void matmulInto(CudaContext ctx, Op.MatMul op, Tensor a, Tensor b, Tensor result) {
        TensorType out = result.type();
        int[] os = out.shape();
        int rank = os.length;
        int m = os[rank - 2], n = os[rank - 1];
        int[] as = a.shape(), bs = b.shape();
        int k = as[as.length - (op.transposeA() ? 2 : 1)];
        int[] batch = Arrays.copyOf(os, rank - 2);
        int batchCount = Shapes.size(batch);
        if (out.size() == 0) return;
        if (k == 0) { // an empty inner dimension: the product is zeros
            ctx.makeCurrent();
            ctx.driver().memsetAsync(CudaKernels.storage(result).address(result.offset()), (byte) 0, (long) out.size() * out.dtype().byteSize(), ctx.stream());
            return;
        }
        Operand pa = operand(ctx, a, batch), pb = operand(ctx, b, batch);
        int lda = as[as.length - 1], ldb = bs[bs.length - 1];
        boolean f64 = out.dtype() == dev.fluxion.DType.FLOAT64;
        MatmulPrecision precision = ctx.matmulPrecision();
        if (!f64 && (precision == MatmulPrecision.BFLOAT16 || precision == MatmulPrecision.FLOAT16)) {
            boolean bf16 = precision == MatmulPrecision.BFLOAT16;
            CudaStorage a16 = half(ctx, pa.tensor, bf16), b16 = half(ctx, pb.tensor, bf16);
            ctx.makeCurrent();
            ctx.cublas().gemmStridedBatchedHalf(bf16 ? Cublas.R_16BF : Cublas.R_16F,
                    op.transposeB() ? Cublas.OP_T : Cublas.OP_N, op.transposeA() ? Cublas.OP_T : Cublas.OP_N,
                    n, m, k, b16.address(0), ldb, pb.batchStride, a16.address(0), lda, pa.batchStride,
                    CudaKernels.storage(result).address(result.offset()), n, (long) m * n, batchCount);
            // the 16-bit copies must not go back to the cache (GC fallback) before the GEMM is issued
            java.lang.ref.Reference.reachabilityFence(a16);
            java.lang.ref.Reference.reachabilityFence(b16);
            return;
        }
        ctx.makeCurrent();
        ctx.cublas().gemmStridedBatched(f64,
                op.transposeB() ? Cublas.OP_T : Cublas.OP_N, op.transposeA() ? Cublas.OP_T : Cublas.OP_N,
                n, m, k,
                pb.address, ldb, pb.batchStride,
                pa.address, lda, pa.batchStride,
                CudaKernels.storage(result).address(result.offset()), n, (long) m * n, batchCount);
        // the operands' temporary copies must not go back to the cache (GC fallback) before the GEMM is issued
        java.lang.ref.Reference.reachabilityFence(pa);
        java.lang.ref.Reference.reachabilityFence(pb);
    }

    /**
     * A bfloat16 or float16 copy of a contiguous float32 operand, in device memory sized in int32 words (core has no
     * 16-bit dtype; two values per word). It belongs to the current allocation scope like any temporary.
     */
    private static CudaStorage half(CudaContext ctx, Tensor contiguous, boolean bfloat16) {
        int n = contiguous.size();
        CudaStorage half = new CudaStorage(ctx, dev.fluxion.DType.INT32, (n + 1) / 2);
        var convert = bfloat16 ? dev.fluxion.cuda.codegen.MovementKernels.toBfloat16() : dev.fluxion.cuda.codegen.MovementKernels.toFloat16();
        CudaKernels.launch(ctx, convert, n, args -> args.addInt(n)
                .addPointer(CudaKernels.storage(contiguous).address(contiguous.offset())).addPointer(half.address(0)));
        return half;
    }

    /** A matmul operand as cuBLAS reads it: contiguous matrices, a batch stride (0 when broadcast from one matrix). */
    private record Operand(Tensor tensor, long address, long batchStride) {}

    private static Operand operand(CudaContext ctx, Tensor t, int[] batch) {
        int[] s = t.shape();
        int matrix = s[s.length - 2] * s[s.length - 1];
        int own = Shapes.size(Arrays.copyOf(s, s.length - 2));
        Tensor c;
        long stride;
        if (own == 1) { // one matrix shared by every batch entry
            c = CudaKernels.contiguous(ctx, t);
            stride = 0;
        } else {
            int[] full = Arrays.copyOf(batch, batch.length + 2);
            full[batch.length] = s[s.length - 2];
            full[batch.length + 1] = s[s.length - 1];
            Tensor expanded = Arrays.equals(s, full) ? t
                    : Tensor.wrap(t.storage(), full, dev.fluxion.cpu.Layouts.broadcastStrides(s, t.strides(), full), t.offset());
            c = CudaKernels.contiguous(ctx, expanded);
            stride = matrix;
        }
        return new Operand(c, CudaKernels.storage(c).address(c.offset()), stride);
    }
}
