package dev.fluxion.cpu;

import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cpu.kernels.Conv2dGeometry;
import dev.fluxion.cpu.kernels.Conv2dKernels;
import dev.fluxion.cpu.kernels.GemmEpilogue;
import dev.fluxion.cpu.kernels.Pool2dGeometry;
import dev.fluxion.cpu.kernels.PoolKernels;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.Window2d;

/** Convolution and pooling primitives on the CPU: contiguous NHWC arrays into the kernels. */
final class CpuNn {
    private CpuNn() {}

    // The convolution and pooling kernels write every element of their outputs (padding cells included), so their
    // outputs skip clearing a recycled array; OpTracedTest serves them poisoned arrays to hold them to it.

    private static Conv2dGeometry conv(int[] x, int[] f, int[] y, Window2d w) {
        return new Conv2dGeometry(x[0], x[1], x[2], x[3], f[0], f[1], f[3], y[1], y[2],
                w.strideH(), w.strideW(), w.dilationH(), w.dilationW(), w.padTop(), w.padLeft());
    }

    static Tensor conv2d(Tensor x, Tensor f, Window2d w, TensorType out) {
        Conv2dGeometry g = conv(x.shape(), f.shape(), out.shape(), w);
        ArrayStorage y = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        switch (Layouts.data(x)) {
            case float[] xs -> Conv2dKernels.forward(g, xs, 0, (float[]) Layouts.data(f), 0, (float[]) y.array(), 0);
            case double[] xs -> Conv2dKernels.forward(g, xs, 0, (double[]) Layouts.data(f), 0, (double[]) y.array(), 0);
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(y, out.shape());
    }

    /** relu?(conv2d(x, f) + bias), float32, in one pass over the output (see {@link Conv2dKernels}). */
    static Tensor conv2dBiasActivation(Tensor x, Tensor f, Window2d w, Tensor bias, boolean relu, TensorType out) {
        Conv2dGeometry g = conv(x.shape(), f.shape(), out.shape(), w);
        ArrayStorage y = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        GemmEpilogue epilogue = GemmEpilogue.of((float[]) Layouts.data(bias), 0,
                relu ? GemmEpilogue.Activation.RELU : GemmEpilogue.Activation.NONE);
        Conv2dKernels.forward(g, (float[]) Layouts.data(x), 0, (float[]) Layouts.data(f), 0, (float[]) y.array(), 0, epilogue);
        return Tensor.wrap(y, out.shape());
    }

    static Tensor conv2dBackpropInput(Tensor dy, Tensor f, Window2d w, TensorType out) {
        Conv2dGeometry g = conv(out.shape(), f.shape(), dy.shape(), w);
        ArrayStorage dx = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        switch (Layouts.data(dy)) {
            case float[] d -> Conv2dKernels.backpropInput(g, d, 0, (float[]) Layouts.data(f), 0, (float[]) dx.array(), 0);
            case double[] d -> Conv2dKernels.backpropInput(g, d, 0, (double[]) Layouts.data(f), 0, (double[]) dx.array(), 0);
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dx, out.shape());
    }

    static Tensor conv2dBackpropFilter(Tensor x, Tensor dy, Window2d w, TensorType out) {
        Conv2dGeometry g = conv(x.shape(), out.shape(), dy.shape(), w);
        ArrayStorage dw = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        switch (Layouts.data(x)) {
            case float[] xs -> Conv2dKernels.backpropFilter(g, xs, 0, (float[]) Layouts.data(dy), 0, (float[]) dw.array(), 0);
            case double[] xs -> Conv2dKernels.backpropFilter(g, xs, 0, (double[]) Layouts.data(dy), 0, (double[]) dw.array(), 0);
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dw, out.shape());
    }

    private static Pool2dGeometry pool(Op.Pool2D p, int[] x, int[] y) {
        Window2d w = p.window();
        return new Pool2dGeometry(x[0], x[1], x[2], x[3], p.kh(), p.kw(), y[1], y[2], w.strideH(), w.strideW(), w.padTop(), w.padLeft());
    }

    static Tensor pool(Op.Pool2D p, Tensor x, TensorType out) {
        Pool2dGeometry g = pool(p, x.shape(), out.shape());
        ArrayStorage y = ArrayStorage.allocateForOverwrite(out.dtype(), out.size());
        switch (Layouts.data(x)) {
            case float[] xs -> {
                if (p.max()) PoolKernels.maxPoolForward(g, xs, 0, (float[]) y.array(), 0);
                else PoolKernels.avgPoolForward(g, xs, 0, (float[]) y.array(), 0);
            }
            case double[] xs -> {
                if (p.max()) PoolKernels.maxPoolForward(g, xs, 0, (double[]) y.array(), 0);
                else PoolKernels.avgPoolForward(g, xs, 0, (double[]) y.array(), 0);
            }
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(y, out.shape());
    }

    static Tensor poolGrad(Op.Pool2DGrad op, Tensor[] in, TensorType out) {
        Op.Pool2D p = op.forward();
        Tensor dy = in[in.length - 1];
        Pool2dGeometry g = pool(p, out.shape(), dy.shape());
        // the float32 max-pool kernels write every element of dx, zeros included: no need to clear a recycled array
        ArrayStorage dx = p.max() && out.dtype() == dev.fluxion.DType.FLOAT32
                ? ArrayStorage.allocateForOverwrite(out.dtype(), out.size()) : ArrayStorage.allocate(out.dtype(), out.size());
        switch (Layouts.data(dy)) {
            case float[] d -> {
                if (p.max()) PoolKernels.maxPoolBackward(g, (float[]) Layouts.data(in[0]), 0, d, 0, (float[]) dx.array(), 0);
                else PoolKernels.avgPoolBackward(g, d, 0, (float[]) dx.array(), 0);
            }
            case double[] d -> {
                if (p.max()) PoolKernels.maxPoolBackward(g, (double[]) Layouts.data(in[0]), 0, d, 0, (double[]) dx.array(), 0);
                else PoolKernels.avgPoolBackward(g, d, 0, (double[]) dx.array(), 0);
            }
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(dx, out.shape());
    }

    static Tensor maxPoolSelect(Op.MaxPoolSelect m, Tensor x, Tensor g, TensorType out) {
        Pool2dGeometry geometry = pool(m.forward(), x.shape(), out.shape());
        ArrayStorage y = ArrayStorage.allocate(out.dtype(), out.size());
        switch (Layouts.data(x)) {
            case float[] xs -> dev.fluxion.cpu.kernels.PoolSelectKernels.select(geometry, xs, (float[]) Layouts.data(g), (float[]) y.array());
            case double[] xs -> dev.fluxion.cpu.kernels.PoolSelectKernels.select(geometry, xs, (double[]) Layouts.data(g), (double[]) y.array());
            default -> throw new IllegalStateException();
        }
        return Tensor.wrap(y, out.shape());
    }
}
