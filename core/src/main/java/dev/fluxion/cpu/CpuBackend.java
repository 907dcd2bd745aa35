package dev.fluxion.cpu;

import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.backend.Backend;
import dev.fluxion.ops.Op;

/**
 * The CPU backend: every primitive on Java arrays, SIMD through the Vector API with scalar twins
 * ({@code -Dfluxion.simd=false}), multithreaded kernels whose results do not depend on the thread count.
 */
public final class CpuBackend implements Backend {
    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor execute(Op op, Tensor[] in, TensorType out) {
        return switch (op) {
            case Op.Unary u -> CpuElementwise.unary(u.fn(), in[0], out);
            case Op.Binary b -> CpuElementwise.binary(b.fn(), in[0], in[1], out);
            case Op.Where w -> CpuElementwise.where(in[0], in[1], in[2], out);
            case Op.Cast c -> CpuElementwise.cast(in[0], out);
            case Op.StopGradient s -> view(in[0]);
            case Op.Size z -> {
                long n = 1;
                for (int a : z.axes()) n *= in[0].shape()[a];
                yield Tensor.full(n, out.dtype());
            }
            case Op.Print p -> {
                System.out.println(p.label().isEmpty() ? in[0].toString() : p.label() + " " + in[0]);
                yield view(in[0]);
            }
            case Op.CheckNumerics c -> {
                CpuChecks.checkFinite(in[0], c.message());
                yield view(in[0]);
            }
            case Op.Reduce r -> CpuReductions.reduce(r.fn(), in[0], r.axes(), out);
            case Op.ArgReduce a -> CpuReductions.argReduce(a.max(), in[0], a.axis(), out);
            case Op.Reshape r -> CpuMovement.reshape(in[0], out);
            case Op.Permute p -> CpuMovement.permute(in[0], p.perm(), out);
            case Op.Expand e -> CpuMovement.expand(in[0], out);
            case Op.Slice s -> CpuMovement.slice(in[0], s, out);
            case Op.Pad p -> CpuMovement.pad(in[0], p, out);
            case Op.Concat c -> CpuMovement.concat(in, c.axis(), out);
            case Op.MatMul m -> CpuLinalg.matmul(in[0], in[1], m.transposeA(), m.transposeB(), out);
            case Op.Conv2D c -> CpuNn.conv2d(in[0], in[1], c.window(), out);
            case Op.Conv2DBackpropInput c -> CpuNn.conv2dBackpropInput(in[0], in[1], c.window(), out);
            case Op.Conv2DBackpropFilter c -> CpuNn.conv2dBackpropFilter(in[0], in[1], c.window(), out);
            case Op.Pool2D p -> CpuNn.pool(p, in[0], out);
            case Op.Pool2DGrad g -> CpuNn.poolGrad(g, in, out);
            case Op.MaxPoolSelect m -> CpuNn.maxPoolSelect(m, in[0], in[1], out);
            case Op.Gather g -> CpuMovement.gather(in[0], in[1], g.axis(), out);
            case Op.ScatterAdd s -> CpuMovement.scatterAdd(in[0], in[1], s, out);
            case Op.Random r -> CpuRandom.generate(r, in[0], out);
        };
    }

    /**
     * A 2-D float32 matmul with its bias addition (a vector of n values, or null) and optionally a relu fused into the
     * kernel's epilogue: what a graph runs for {@code relu(matmul(a, b) + bias)}, bitwise equal to the three ops.
     */
    public Tensor matmulBiasActivation(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor bias, boolean relu, TensorType out) {
        return CpuLinalg.matmulBiasActivation(a, b, transposeA, transposeB, bias, relu, out);
    }

    /** relu?(conv2d(x, filter) + bias), float32 NHWC, in one pass over the output; bitwise the unfused ops. */
    public Tensor conv2dBiasActivation(Tensor x, Tensor filter, Op.Conv2D op, Tensor bias, boolean relu, TensorType out) {
        return CpuNn.conv2dBiasActivation(x, filter, op.window(), bias, relu, out);
    }

    private static Tensor view(Tensor t) {
        return Tensor.wrap(t.storage(), t.shape(), t.strides(), t.offset());
    }

    @Override
    public Tensor copyFrom(Tensor source) {
        return Layouts.contiguous(source);
    }

    @Override
    public Tensor toHost(Tensor source) {
        return Layouts.contiguous(source);
    }
}
