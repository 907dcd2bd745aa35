package dev.fluxion.cuda;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.MovementKernels;
import dev.fluxion.ops.Op;

/**
 * pad, concat, gather and scatter_add on CUDA tensors. pad fills the output then copies the input (any view) into
 * its interior; concat copies each input view into its slice; gather and scatter_add read contiguous operands.
 * Out-of-range indices cannot throw in a kernel: gather writes 0 and scatter_add skips them (see the README).
 */
final class CudaMovement {
    private CudaMovement() {}

    static Tensor pad(CudaContext ctx, Op.Pad p, Tensor x, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        int n = out.size();
        CudaKernels.launch(ctx, MovementKernels.fill(out.dtype()), n, args -> args.addInt(n)
                .addPointer(CudaKernels.storage(result).address(0)).addScalar(MovementKernels.scalarBytes(out.dtype(), p.value())));
        copyInto(ctx, x, result, MovementKernels.padInterior(x.shape(), x.strides(), out.shape(), p.before()));
        return result;
    }

    static Tensor concat(CudaContext ctx, Tensor[] xs, int axis, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        int start = 0;
        for (Tensor x : xs) {
            copyInto(ctx, x, result, MovementKernels.concatPart(x.shape(), x.strides(), out.shape(), axis, start));
            start += x.shape()[axis];
        }
        return result;
    }

    /** The strided copy of a view into part of a contiguous output (nothing for an empty view). */
    private static void copyInto(CudaContext ctx, Tensor src, Tensor dst, MovementKernels.CopyPlan plan) {
        int n = src.size();
        CudaKernels.launch(ctx, MovementKernels.stridedCopy(src.dtype()), n, args -> args.addInt(n).addShape(plan.plan())
                .addPointer(CudaKernels.storage(src).address(src.offset())).addStrides(plan.plan(), 0)
                .addPointer(CudaKernels.storage(dst).address(plan.dstOffset())).addStrides(plan.plan(), 1));
    }

    static Tensor gather(CudaContext ctx, Tensor params, Tensor indices, int axis, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        Tensor p = CudaKernels.contiguous(ctx, params), idx = CudaKernels.contiguous(ctx, indices);
        MovementKernels.AxisLayout l = MovementKernels.AxisLayout.of(p.shape(), axis, idx.size());
        CudaKernels.launch(ctx, MovementKernels.gather(p.dtype(), idx.dtype()), out.size(), args -> axisArgs(args, p, idx, result, l));
        java.lang.ref.Reference.reachabilityFence(p); // contiguous copies must outlive the launch
        java.lang.ref.Reference.reachabilityFence(idx);
        return result;
    }

    static Tensor scatterAdd(CudaContext ctx, Tensor updates, Tensor indices, Op.ScatterAdd op, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        if (out.size() == 0) return result;
        ctx.makeCurrent();
        ctx.driver().memsetAsync(CudaKernels.storage(result).address(0), (byte) 0, (long) out.size() * out.dtype().byteSize(), ctx.stream());
        Tensor u = CudaKernels.contiguous(ctx, updates), idx = CudaKernels.contiguous(ctx, indices);
        MovementKernels.AxisLayout l = MovementKernels.AxisLayout.of(out.shape(), op.axis(), idx.size());
        CudaKernels.launch(ctx, MovementKernels.scatterAdd(u.dtype(), idx.dtype()), u.size(), args -> axisArgs(args, u, idx, result, l));
        java.lang.ref.Reference.reachabilityFence(u);
        java.lang.ref.Reference.reachabilityFence(idx);
        return result;
    }

    /** {@code (data, indices, out, outer, dim, count, inner)}: the signature of gather and scatter_add. */
    private static void axisArgs(KernelArgs args, Tensor data, Tensor indices, Tensor out, MovementKernels.AxisLayout l) {
        args.addPointer(CudaKernels.storage(data).address(data.offset())).addPointer(CudaKernels.storage(indices).address(indices.offset()))
                .addPointer(CudaKernels.storage(out).address(0)).addInt(l.outer()).addInt(l.dim()).addInt(l.count()).addInt(l.inner());
    }
}
