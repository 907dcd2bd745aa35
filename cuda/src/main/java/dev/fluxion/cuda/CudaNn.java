package dev.fluxion.cuda;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.ConvKernels;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PoolingKernels;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.Window2d;

/**
 * Convolution and pooling on CUDA tensors: contiguous NHWC operands (views are copied first), results written into
 * a given contiguous tensor (the {@code ...Into} forms a compiled plan uses) or a new one. In compiled plans with
 * TF32 products ({@link MatmulPrecision#TF32}), float32 convolutions run on cuDNN where it is installed and takes
 * the geometry ({@link Cudnn}); otherwise they are cuBLAS GEMMs on the patch matrix ({@link ConvKernels#im2col}),
 * which beat cuDNN's exact-float32 NHWC algorithms by 1.8× on the seed model's epoch on an H200. Pooling runs the
 * direct kernels of {@link PoolingKernels}, one thread per output element.
 */
final class CudaNn {
    private CudaNn() {}

    // Convolutions as GEMMs on the patch matrix (im2col): cols [n·oh·ow, kh·kw·c] times the HWIO filter read as a
    // [kh·kw·c, o] matrix gives y as [n·oh·ow, o]; both gradients are the two other products of the same three
    // matrices, the input gradient then gathered back from patch space (col2im). cuBLAS does the arithmetic.

    static void conv2dInto(CudaContext ctx, Op.Conv2D op, Tensor x, Tensor f, Tensor y, boolean compiled) {
        int[] g = ConvKernels.geometry(x.shape(), f.shape(), y.shape(), op.window());
        if (y.size() == 0) return;
        Cudnn.Plan plan = !compiled ? null : cudnnPlan(ctx, Cudnn.Direction.FORWARD, op.window(), x.shape(), f.shape(), y.shape(), y.dtype());
        if (plan != null) {
            Tensor xc = CudaKernels.contiguous(ctx, x), fo = hwioToOhwi(ctx, f);
            runCudnn(ctx, plan, xc, fo, y);
            return;
        }
        Tensor cols = im2col(ctx, x, g, y.dtype());
        CudaMatmul.matmulInto(ctx, new Op.MatMul(false, false), cols, matrix(ctx, f, taps(g), g[6]), matrix(y, pixels(g), g[6]));
    }

    static void conv2dBackpropInputInto(CudaContext ctx, Op.Conv2DBackpropInput op, Tensor dy, Tensor f, Tensor dx, boolean compiled) {
        int[] g = ConvKernels.geometry(dx.shape(), f.shape(), dy.shape(), op.window());
        if (dx.size() == 0) return;
        Cudnn.Plan plan = !compiled ? null : cudnnPlan(ctx, Cudnn.Direction.BACKWARD_DATA, op.window(), dx.shape(), f.shape(), dy.shape(), dx.dtype());
        if (plan != null) {
            Tensor fo = hwioToOhwi(ctx, f), dyc = CudaKernels.contiguous(ctx, dy);
            runCudnn(ctx, plan, fo, dyc, dx);
            return;
        }
        Tensor dcols = CudaKernels.allocate(ctx, new TensorType(dx.dtype(), new int[] {pixels(g), taps(g)}, ctx.device()));
        CudaMatmul.matmulInto(ctx, new Op.MatMul(false, true), matrix(ctx, dy, pixels(g), g[6]), matrix(ctx, f, taps(g), g[6]), dcols);
        runInto(ctx, ConvKernels.col2im(dx.dtype()), g, dx, dcols);
    }

    static void conv2dBackpropFilterInto(CudaContext ctx, Op.Conv2DBackpropFilter op, Tensor x, Tensor dy, Tensor df, boolean compiled) {
        int[] g = ConvKernels.geometry(x.shape(), df.shape(), dy.shape(), op.window());
        if (df.size() == 0) return;
        Cudnn.Plan plan = !compiled ? null : cudnnPlan(ctx, Cudnn.Direction.BACKWARD_FILTER, op.window(), x.shape(), df.shape(), dy.shape(), df.dtype());
        if (plan != null) {
            int[] s = df.shape(); // [kh, kw, c, o]; cuDNN writes [o, kh, kw, c]
            Tensor ohwi = CudaKernels.allocate(ctx, new TensorType(df.dtype(), new int[] {s[3], s[0], s[1], s[2]}, ctx.device()));
            runCudnn(ctx, plan, CudaKernels.contiguous(ctx, x), CudaKernels.contiguous(ctx, dy), ohwi);
            Tensor hwio = Tensor.wrap(ohwi.storage(), s, new int[] {s[1] * s[2], s[2], 1, s[0] * s[1] * s[2]}, 0);
            PlanLaunches.copy(ctx, hwio, df);
            return;
        }
        Tensor cols = im2col(ctx, x, g, df.dtype());
        CudaMatmul.matmulInto(ctx, new Op.MatMul(true, false), cols, matrix(ctx, dy, pixels(g), g[6]), matrix(df, taps(g), g[6]));
    }

    /**
     * The cuDNN plan for a convolution, or null where the im2col path runs it: no cuDNN, not float32, products not
     * in TF32, an empty dimension, padding cuDNN cannot express (it pads both sides alike, which gives
     * the same result whenever the output size is the one that padding gives), or no algorithm for the geometry.
     * Shapes are the forward op's: input x, HWIO filter f, output y.
     */
    private static Cudnn.Plan cudnnPlan(CudaContext ctx, Cudnn.Direction direction, Window2d w, int[] x, int[] f, int[] y, DType t) {
        if (t != DType.FLOAT32 || ctx.matmulPrecision() != MatmulPrecision.TF32) return null;
        for (int[] shape : new int[][] {x, f, y}) if (Shapes.size(shape) == 0) return null;
        if (y[1] != symmetricOutput(x[1], f[0], w.padTop(), w.strideH(), w.dilationH())
                || y[2] != symmetricOutput(x[2], f[1], w.padLeft(), w.strideW(), w.dilationW())) return null;
        Cudnn cudnn = ctx.cudnn();
        if (cudnn == null) return null;
        return cudnn.plan(direction, new Cudnn.Geometry(x[0], x[1], x[2], x[3], f[3], f[0], f[1], y[1], y[2], w.padTop(), w.padLeft(),
                w.strideH(), w.strideW(), w.dilationH(), w.dilationW()), true);
    }

    /** The output size cuDNN gives with {@code pad} on both sides. */
    static int symmetricOutput(int size, int taps, int pad, int stride, int dilation) {
        int span = (taps - 1) * dilation + 1;
        return size + 2 * pad < span ? 0 : (size + 2 * pad - span) / stride + 1;
    }

    /** Runs a cuDNN plan on contiguous operands with a workspace from the current allocation scope. */
    private static void runCudnn(CudaContext ctx, Cudnn.Plan plan, Tensor a, Tensor b, Tensor out) {
        CudaStorage workspace = plan.workspace() == 0 ? null
                : new CudaStorage(ctx, DType.INT32, Math.toIntExact((plan.workspace() + 3) / 4));
        ctx.makeCurrent();
        ctx.cudnn().run(plan, address(a), address(b), address(out), workspace == null ? 0 : workspace.address(0));
        // the workspace and contiguous copies must not go back to the cache (GC fallback) before the call is issued
        java.lang.ref.Reference.reachabilityFence(workspace);
        java.lang.ref.Reference.reachabilityFence(a);
        java.lang.ref.Reference.reachabilityFence(b);
    }

    private static long address(Tensor t) {
        return CudaKernels.storage(t).address(t.offset());
    }

    /** The HWIO filter [kh, kw, c, o] as a contiguous OHWI [o, kh, kw, c] (cuDNN's NHWC filter layout). */
    private static Tensor hwioToOhwi(CudaContext ctx, Tensor f) {
        Tensor fc = CudaKernels.contiguous(ctx, f);
        int[] s = f.shape();
        return CudaKernels.contiguous(ctx, Tensor.wrap(fc.storage(), new int[] {s[3], s[0], s[1], s[2]},
                new int[] {1, s[1] * s[2] * s[3], s[2] * s[3], s[3]}, fc.offset()));
    }

    /** Output pixels n·oh·ow and taps kh·kw·c of a geometry ({@link ConvKernels#geometry}'s field order). */
    private static int pixels(int[] g) {
        return Math.multiplyExact(Math.multiplyExact(g[0], g[7]), g[8]);
    }

    private static int taps(int[] g) {
        return Math.multiplyExact(Math.multiplyExact(g[4], g[5]), g[3]);
    }

    private static Tensor im2col(CudaContext ctx, Tensor x, int[] g, DType t) {
        Tensor cols = CudaKernels.allocate(ctx, new TensorType(t, new int[] {pixels(g), taps(g)}, ctx.device()));
        runInto(ctx, ConvKernels.im2col(t), g, cols, x);
        return cols;
    }

    /** A contiguous tensor seen as a [rows, columns] matrix (no copy). */
    private static Tensor matrix(Tensor contiguous, int rows, int columns) {
        return Tensor.wrap(contiguous.storage(), new int[] {rows, columns}, new int[] {columns, 1}, contiguous.offset());
    }

    private static Tensor matrix(CudaContext ctx, Tensor t, int rows, int columns) {
        return matrix(CudaKernels.contiguous(ctx, t), rows, columns);
    }

    static void poolInto(CudaContext ctx, Op.Pool2D p, Tensor x, Tensor out) {
        int[] g = PoolingKernels.geometry(p, x.shape(), out.shape());
        runInto(ctx, p.max() ? PoolingKernels.maxPool(out.dtype()) : PoolingKernels.avgPool(out.dtype()), g, out, x);
    }

    /** Max pooling's gradient takes (x, dy), average pooling's (dy) alone, as the op's inputs. */
    static void poolGradInto(CudaContext ctx, Op.Pool2DGrad op, Tensor[] in, Tensor out) {
        Op.Pool2D p = op.forward();
        int[] g = PoolingKernels.geometry(p, out.shape(), in[in.length - 1].shape());
        runInto(ctx, p.max() ? PoolingKernels.maxPoolGrad(out.dtype()) : PoolingKernels.avgPoolGrad(out.dtype()), g, out, in);
    }

    static void maxPoolSelectInto(CudaContext ctx, Op.MaxPoolSelect m, Tensor x, Tensor gx, Tensor out) {
        int[] g = PoolingKernels.geometry(m.forward(), x.shape(), out.shape());
        runInto(ctx, PoolingKernels.maxPoolSelect(out.dtype()), g, out, x, gx);
    }

    /** A convolution or pooling op's result in a new tensor. */
    static Tensor run(CudaContext ctx, Op op, Tensor[] in, TensorType out) {
        Tensor result = CudaKernels.allocate(ctx, out);
        if (!into(ctx, op, in, result, false)) throw new IllegalArgumentException(op.name() + " is not a convolution or pooling op");
        return result;
    }

    /**
     * Writes {@code op}'s result into the contiguous {@code out} when it is a convolution or pooling op and says
     * whether it did. Only a {@code compiled} plan's convolutions may go to cuDNN: each cuDNN call costs enough host
     * time that eager steps ran slower with it than with im2col (on an H200, the cnn's eager epoch with TF32
     * products took 559 ms on cuDNN against 286 ms in float32 on im2col), while a captured CUDA graph pays that
     * cost once.
     */
    static boolean into(CudaContext ctx, Op op, Tensor[] in, Tensor out, boolean compiled) {
        switch (op) {
            case Op.Conv2D c -> conv2dInto(ctx, c, in[0], in[1], out, compiled);
            case Op.Conv2DBackpropInput c -> conv2dBackpropInputInto(ctx, c, in[0], in[1], out, compiled);
            case Op.Conv2DBackpropFilter c -> conv2dBackpropFilterInto(ctx, c, in[0], in[1], out, compiled);
            case Op.Pool2D p -> poolInto(ctx, p, in[0], out);
            case Op.Pool2DGrad g -> poolGradInto(ctx, g, in, out);
            case Op.MaxPoolSelect m -> maxPoolSelectInto(ctx, m, in[0], in[1], out);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Every kernel here takes its inputs, then the output, then the geometry struct, with one thread per output element. */
    private static void runInto(CudaContext ctx, KernelSource kernel, int[] geometry, Tensor result, Tensor... inputs) {
        Tensor[] dense = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) dense[i] = CudaKernels.contiguous(ctx, inputs[i]);
        CudaKernels.launch(ctx, kernel, result.size(), args -> {
            for (Tensor t : dense) args.addPointer(CudaKernels.storage(t).address(t.offset()));
            args.addPointer(address(result)).addIntStruct(geometry);
        });
        java.lang.ref.Reference.reachabilityFence(dense); // contiguous copies must outlive the launch
    }
}
