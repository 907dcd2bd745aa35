package dev.fluxion.cuda;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.ConvKernels;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PoolingKernels;
import dev.fluxion.ops.Op;

/**
 * Convolution and pooling on CUDA tensors: contiguous NHWC operands (views are copied first) into the direct
 * kernels of {@link ConvKernels} and {@link PoolingKernels}, one thread per output element. Compiled here; not yet
 * run on a GPU.
 */
final class CudaNn {
    private CudaNn() {}

    static Tensor conv2d(CudaContext ctx, Op.Conv2D op, Tensor x, Tensor f, TensorType out) {
        int[] g = ConvKernels.geometry(x.shape(), f.shape(), out.shape(), op.window());
        return run(ctx, ConvKernels.forward(out.dtype()), g, out, x, f);
    }

    static Tensor conv2dBackpropInput(CudaContext ctx, Op.Conv2DBackpropInput op, Tensor dy, Tensor f, TensorType out) {
        int[] g = ConvKernels.geometry(out.shape(), f.shape(), dy.shape(), op.window());
        return run(ctx, ConvKernels.backpropInput(out.dtype()), g, out, dy, f);
    }

    static Tensor conv2dBackpropFilter(CudaContext ctx, Op.Conv2DBackpropFilter op, Tensor x, Tensor dy, TensorType out) {
        int[] g = ConvKernels.geometry(x.shape(), out.shape(), dy.shape(), op.window());
        Tensor result = CudaKernels.allocate(ctx, out);
        if (out.size() == 0) return result;
        Tensor xc = CudaKernels.contiguous(ctx, x), dyc = CudaKernels.contiguous(ctx, dy);
        // one block per filter element (up to enough blocks to fill the device), each reducing over every pixel
        int grid = (int) Math.min(out.size(), (long) ctx.multiprocessors() * 8);
        CudaKernels.launch(ctx, ConvKernels.backpropFilter(out.dtype()), grid, ConvKernels.FILTER_GRAD_THREADS, args -> args
                .addPointer(CudaKernels.storage(xc).address(xc.offset())).addPointer(CudaKernels.storage(dyc).address(dyc.offset()))
                .addPointer(CudaKernels.storage(result).address(0)).addIntStruct(g));
        java.lang.ref.Reference.reachabilityFence(xc); // contiguous copies must outlive the launch
        java.lang.ref.Reference.reachabilityFence(dyc);
        return result;
    }

    static Tensor pool(CudaContext ctx, Op.Pool2D p, Tensor x, TensorType out) {
        int[] g = PoolingKernels.geometry(p, x.shape(), out.shape());
        return run(ctx, p.max() ? PoolingKernels.maxPool(out.dtype()) : PoolingKernels.avgPool(out.dtype()), g, out, x);
    }

    /** Max pooling's gradient takes (x, dy), average pooling's (dy) alone, as the op's inputs. */
    static Tensor poolGrad(CudaContext ctx, Op.Pool2DGrad op, Tensor[] in, TensorType out) {
        Op.Pool2D p = op.forward();
        int[] g = PoolingKernels.geometry(p, out.shape(), in[in.length - 1].shape());
        return run(ctx, p.max() ? PoolingKernels.maxPoolGrad(out.dtype()) : PoolingKernels.avgPoolGrad(out.dtype()), g, out, in);
    }

    static Tensor maxPoolSelect(CudaContext ctx, Op.MaxPoolSelect m, Tensor x, Tensor gx, TensorType out) {
        int[] g = PoolingKernels.geometry(m.forward(), x.shape(), out.shape());
        return run(ctx, PoolingKernels.maxPoolSelect(out.dtype()), g, out, x, gx);
    }

    /**
     * Every kernel here but the filter gradient takes its inputs, then the output, then the geometry struct, and has
     * one thread per output element.
     */
    private static Tensor run(CudaContext ctx, KernelSource kernel, int[] geometry, TensorType out, Tensor... inputs) {
        Tensor result = CudaKernels.allocate(ctx, out);
        Tensor[] dense = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) dense[i] = CudaKernels.contiguous(ctx, inputs[i]);
        CudaKernels.launch(ctx, kernel, out.size(), args -> {
            for (Tensor t : dense) args.addPointer(CudaKernels.storage(t).address(t.offset()));
            args.addPointer(CudaKernels.storage(result).address(0)).addIntStruct(geometry);
        });
        java.lang.ref.Reference.reachabilityFence(dense); // contiguous copies must outlive the launch
        return result;
    }
}
