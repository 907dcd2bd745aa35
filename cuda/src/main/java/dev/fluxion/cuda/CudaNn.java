package dev.fluxion.cuda;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.ConvKernels;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PoolingKernels;
import dev.fluxion.ops.Op;

/**
 * Convolution and pooling on CUDA tensors: contiguous NHWC operands (views are copied first). Convolutions are
 * cuBLAS GEMMs on the patch matrix ({@link ConvKernels#im2col}); pooling runs the direct kernels of
 * {@link PoolingKernels}, one thread per output element.
 */
final class CudaNn {
    private CudaNn() {}

    // Convolutions are GEMMs on the patch matrix (im2col): cols [n·oh·ow, kh·kw·c] times the HWIO filter read as a
    // [kh·kw·c, o] matrix gives y as [n·oh·ow, o]; both gradients are the two other products of the same three
    // matrices, the input gradient then gathered back from patch space (col2im). cuBLAS does the arithmetic.

    static Tensor conv2d(CudaContext ctx, Op.Conv2D op, Tensor x, Tensor f, TensorType out) {
        int[] g = ConvKernels.geometry(x.shape(), f.shape(), out.shape(), op.window());
        Tensor y = CudaKernels.allocate(ctx, out);
        if (out.size() == 0) return y;
        Tensor cols = im2col(ctx, x, g, out.dtype());
        CudaMatmul.matmulInto(ctx, new Op.MatMul(false, false), cols, matrix(ctx, f, taps(g), g[6]), matrix(y, pixels(g), g[6]));
        return y;
    }

    static Tensor conv2dBackpropInput(CudaContext ctx, Op.Conv2DBackpropInput op, Tensor dy, Tensor f, TensorType out) {
        int[] g = ConvKernels.geometry(out.shape(), f.shape(), dy.shape(), op.window());
        if (out.size() == 0) return CudaKernels.allocate(ctx, out);
        Tensor dcols = CudaKernels.allocate(ctx, new TensorType(out.dtype(), new int[] {pixels(g), taps(g)}, ctx.device()));
        CudaMatmul.matmulInto(ctx, new Op.MatMul(false, true), matrix(ctx, dy, pixels(g), g[6]), matrix(ctx, f, taps(g), g[6]), dcols);
        return run(ctx, ConvKernels.col2im(out.dtype()), g, out, dcols);
    }

    static Tensor conv2dBackpropFilter(CudaContext ctx, Op.Conv2DBackpropFilter op, Tensor x, Tensor dy, TensorType out) {
        int[] g = ConvKernels.geometry(x.shape(), out.shape(), dy.shape(), op.window());
        Tensor df = CudaKernels.allocate(ctx, out);
        if (out.size() == 0) return df;
        Tensor cols = im2col(ctx, x, g, out.dtype());
        CudaMatmul.matmulInto(ctx, new Op.MatMul(true, false), cols, matrix(ctx, dy, pixels(g), g[6]), matrix(df, taps(g), g[6]));
        return df;
    }

    /** Output pixels n·oh·ow and taps kh·kw·c of a geometry ({@link ConvKernels#geometry}'s field order). */
    private static int pixels(int[] g) {
        return Math.multiplyExact(Math.multiplyExact(g[0], g[7]), g[8]);
    }

    private static int taps(int[] g) {
        return Math.multiplyExact(Math.multiplyExact(g[4], g[5]), g[3]);
    }

    private static Tensor im2col(CudaContext ctx, Tensor x, int[] g, dev.fluxion.DType t) {
        TensorType type = new TensorType(t, new int[] {pixels(g), taps(g)}, ctx.device());
        return run(ctx, ConvKernels.im2col(t), g, type, x);
    }

    /** A contiguous tensor seen as a [rows, columns] matrix (no copy). */
    private static Tensor matrix(Tensor contiguous, int rows, int columns) {
        return Tensor.wrap(contiguous.storage(), new int[] {rows, columns}, new int[] {columns, 1}, contiguous.offset());
    }

    private static Tensor matrix(CudaContext ctx, Tensor t, int rows, int columns) {
        return matrix(CudaKernels.contiguous(ctx, t), rows, columns);
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

    /** Every kernel here takes its inputs, then the output, then the geometry struct, with one thread per output element. */
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
