package dev.fluxion.cuda;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PrimitiveKernels;
import dev.fluxion.cuda.codegen.ReductionKernels;
import dev.fluxion.ops.Op;

/**
 * The launches a compiled graph ({@link dev.fluxion.cuda.graph.CudaExecutable}) issues, into buffers its plan fixed
 * instead of new allocations: the same kernels, cuBLAS calls and copies the backend's per-op path uses. Everything
 * is issued on the context's stream and returns without waiting, so a whole plan can be captured as a CUDA graph;
 * only an {@link #upload} of more than 64 bytes synchronizes.
 */
public final class PlanLaunches {
    private PlanLaunches() {}

    /** A contiguous tensor of {@code type} at a fixed device address inside memory the caller owns and keeps alive. */
    public static Tensor at(CudaContext ctx, TensorType type, long address) {
        return Tensor.wrap(new CudaStorage(ctx, type.dtype(), type.size(), address), type.shape());
    }

    /** The device address of a CUDA tensor's first element. */
    public static long address(Tensor t) {
        return CudaKernels.storage(t).address(t.offset());
    }

    /** A generated elementwise kernel (see ElementwiseKernels) reading any views, writing contiguous outputs. */
    public static void elementwise(CudaContext ctx, KernelSource kernel, Tensor[] inputs, Tensor[] outputs) {
        CudaKernels.elementwiseInto(ctx, kernel, inputs, outputs);
    }

    /** Several independent elementwise groups in one launch (see ElementwiseKernels.multi). */
    public static void multiElementwise(CudaContext ctx, KernelSource kernel, java.util.List<Tensor[]> inputs, java.util.List<Tensor[]> outputs) {
        CudaKernels.multiElementwiseInto(ctx, kernel, inputs, outputs);
    }

    /** A phase of a sequence kernel: an elementwise group's operands, or a fused reduction's. */
    public sealed interface Phase permits ElementwisePhase, ReducePhase {}

    public record ElementwisePhase(Tensor[] inputs, Tensor[] outputs) implements Phase {}

    /** A fused reduction over {@code shape} (its reduced input's) along {@code op}'s axes. */
    public record ReducePhase(Op.Reduce op, int[] shape, Tensor[] inputs, Tensor[] sides, Tensor out) implements Phase {}

    /** A sequence kernel (see SequenceKernels): its phases run in order by one block, in one launch. */
    public static void sequence(CudaContext ctx, KernelSource kernel, java.util.List<Phase> phases) {
        CudaKernels.sequenceInto(ctx, kernel, phases.stream().map(p -> switch (p) {
            case ElementwisePhase e -> new CudaKernels.SequencePhase(e.inputs(), e.outputs(), null, null, null);
            case ReducePhase r -> new CudaKernels.SequencePhase(r.inputs(), new Tensor[] {r.out()}, r.shape(), r.op().axes(), r.sides());
        }).toList());
    }

    /** A reduction with its fused elementwise prologue (see {@link dev.fluxion.cuda.codegen.FusedReduction}). */
    public static void fusedReduce(CudaContext ctx, dev.fluxion.cuda.codegen.FusedReduction r, Op.Reduce op, int[] shape, Tensor[] inputs,
                                   Tensor[] sides, Tensor out) {
        CudaKernels.fusedReduceInto(ctx, r, shape, op.axes(), inputs, sides, out);
    }

    public static void matmul(CudaContext ctx, Op.MatMul op, Tensor a, Tensor b, Tensor out) {
        CudaMatmul.matmulInto(ctx, op, a, b, out);
    }

    /** A reduce or arg-reduce op over any view of {@code x}. */
    public static void reduce(CudaContext ctx, Op op, Tensor x, Tensor out) {
        CudaKernels.reduceInto(ctx, op, x, out);
    }

    /** Copies any view {@code src} into the contiguous {@code dst} of the same dtype and shape. */
    public static void copy(CudaContext ctx, Tensor src, Tensor dst) {
        if (src.dtype() != dst.dtype() || src.size() != dst.size() || !dst.isContiguous())
            throw new IllegalArgumentException("cannot copy " + src.type() + " into " + dst.type());
        if (src.size() == 0) return;
        if (src.isContiguous()) {
            ctx.makeCurrent();
            ctx.driver().copyDeviceToDeviceAsync(address(dst), address(src), (long) src.size() * src.dtype().byteSize(), ctx.stream());
        } else {
            CudaKernels.elementwiseInto(ctx, PrimitiveKernels.cast(src.dtype(), src.dtype()), new Tensor[] {src}, new Tensor[] {dst});
        }
    }

    /** A new contiguous tensor from the device's allocator, owned by the caller's scope. */
    public static Tensor allocate(CudaContext ctx, TensorType type) {
        return CudaKernels.allocate(ctx, type);
    }

    /** A new tensor from the device's allocator (owned by the caller's scope) holding a copy of {@code src}. */
    public static Tensor copyOf(CudaContext ctx, Tensor src) {
        Tensor out = CudaKernels.allocate(ctx, new TensorType(src.dtype(), src.shape(), ctx.device()));
        copy(ctx, src, out);
        return out;
    }

    /**
     * Writes the result of {@code op} straight into the contiguous {@code out} where the op has such a form
     * (convolutions, pooling, random numbers) and says whether it did; otherwise the caller runs the op and copies.
     * For compiled plans: their convolutions may run on cuDNN.
     */
    public static boolean into(CudaContext ctx, Op op, Tensor[] inputs, Tensor out) {
        if (op instanceof Op.Random r) {
            CudaKernels.randomInto(ctx, r, inputs[0], out);
            return true;
        }
        return CudaNn.into(ctx, op, inputs, out, true);
    }

    /** Copies a host tensor into {@code dst}; waits for the stream (not allowed while capturing). */
    public static void upload(CudaContext ctx, Tensor host, Tensor dst) {
        CudaTransfers.toDeviceInto(ctx, host, dst);
    }
}
