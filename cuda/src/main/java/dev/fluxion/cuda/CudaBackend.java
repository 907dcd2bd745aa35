package dev.fluxion.cuda;

import dev.fluxion.Device;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.backend.Backend;
import dev.fluxion.cuda.codegen.ReductionKernels;
import dev.fluxion.cpu.Layouts;
import dev.fluxion.cuda.graph.CudaExecutable;
import dev.fluxion.graph.Executable;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.GraphCompiler;
import dev.fluxion.ops.Op;

/**
 * The CUDA backend of one device: every primitive runs on the device, nothing falls back to the CPU. Elementwise
 * primitives, reductions, random numbers, convolutions, pooling, pad, concat, gather and scatter_add run as
 * NVRTC-compiled generated kernels ({@link CudaKernels}, {@link CudaNn}, {@link CudaMovement}), matmul through
 * cuBLAS, and layout ops (reshape, transpose, broadcast, slice) are views as on the CPU.
 *
 * <p>Status: this class compiles and its kernels compile with nvcc, but none of it has run on a GPU yet; the
 * "gpu" test suite (see the module README) is what checks it against the CPU backend on a GPU machine.
 */
public final class CudaBackend implements Backend, GraphCompiler {
    private final CudaContext ctx;

    CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** The backend of {@code device}, opening its context. */
    public static CudaBackend open(Device device) {
        if (!device.kind().equals("cuda")) throw new IllegalArgumentException("not a CUDA device: " + device);
        return new CudaBackend(new CudaContext(CudaRuntime.get(), device));
    }

    @Override
    public Device device() {
        return ctx.device();
    }

    /** The device's context (allocator statistics, synchronization, scopes). */
    public CudaContext context() {
        return ctx;
    }

    @Override
    public Tensor execute(Op op, Tensor[] in, TensorType out) {
        return switch (op) {
            case Op.Unary u -> CudaKernels.primitive(ctx, op, in, out);
            case Op.Binary b -> CudaKernels.primitive(ctx, op, in, out);
            case Op.Where w -> CudaKernels.primitive(ctx, op, in, out);
            case Op.Cast c -> CudaKernels.primitive(ctx, op, in, out);
            case Op.StopGradient s -> view(in[0]);
            case Op.Size z -> {
                long n = 1;
                for (int a : z.axes()) n *= in[0].shape()[a];
                yield copyFrom(Tensor.full(n, out.dtype()));
            }
            case Op.Print p -> {
                Tensor host = toHost(in[0]);
                System.out.println(p.label().isEmpty() ? host.toString() : p.label() + " " + host);
                yield view(in[0]);
            }
            case Op.CheckNumerics c -> {
                // a host round trip: simple and exact; a device-side flag would avoid the synchronization
                double[] v = toHost(in[0]).toDoubleArray();
                for (int i = 0; i < v.length; i++)
                    if (!Double.isFinite(v[i]))
                        throw new ArithmeticException("check_numerics: " + c.message() + ": " + (Double.isNaN(v[i]) ? "NaN" : "Inf")
                                + " at flat index " + i + " of a " + in[0].dtype() + Shapes.format(in[0].shape()) + " tensor on " + device());
                yield view(in[0]);
            }
            case Op.Reduce r -> CudaKernels.reduce(ctx, r, in[0], out);
            case Op.ArgReduce a -> CudaKernels.reduce(ctx, a, in[0], out);
            case Op.Reshape r -> { // a view of any contiguous tensor, offset or not; other views are copied first
                Tensor c = in[0].isContiguous() ? in[0] : CudaKernels.contiguous(ctx, in[0]);
                yield Tensor.wrap(c.storage(), out.shape(), Shapes.contiguousStrides(out.shape()), c.offset());
            }
            case Op.Permute p -> {
                int[] st = in[0].strides(), ps = new int[p.perm().length];
                for (int i = 0; i < ps.length; i++) ps[i] = st[p.perm()[i]];
                yield Tensor.wrap(in[0].storage(), out.shape(), ps, in[0].offset());
            }
            case Op.Expand e -> Tensor.wrap(in[0].storage(), out.shape(), Layouts.broadcastStrides(in[0].shape(), in[0].strides(), out.shape()), in[0].offset());
            case Op.Slice s -> {
                int[] st = in[0].strides(), ns = new int[st.length];
                int off = in[0].offset();
                for (int i = 0; i < st.length; i++) {
                    ns[i] = st[i] * s.step()[i];
                    if (out.dim(i) > 0) off += st[i] * s.begin()[i];
                }
                yield Tensor.wrap(in[0].storage(), out.shape(), ns, out.size() == 0 ? 0 : off);
            }
            case Op.MatMul m -> CudaMatmul.matmul(ctx, m, in[0], in[1], out);
            case Op.Random r -> CudaKernels.random(ctx, r, in[0], out);
            case Op.Pad p -> CudaMovement.pad(ctx, p, in[0], out);
            case Op.Concat c -> CudaMovement.concat(ctx, in, c.axis(), out);
            case Op.Conv2D _, Op.Conv2DBackpropInput _, Op.Conv2DBackpropFilter _, Op.Pool2D _, Op.Pool2DGrad _, Op.MaxPoolSelect _ ->
                    CudaNn.run(ctx, op, in, out);
            case Op.Gather g -> CudaMovement.gather(ctx, in[0], in[1], g.axis(), out);
            case Op.ScatterAdd s -> CudaMovement.scatterAdd(ctx, in[0], in[1], s, out);
        };
    }

    private static Tensor view(Tensor t) {
        return Tensor.wrap(t.storage(), t.shape(), t.strides(), t.offset());
    }

    /** Graph functions on this device run as one launch plan over a static arena, replayed as a CUDA graph. */
    @Override
    public Executable compile(String name, Graph optimized) {
        return new CudaExecutable(this, name, optimized);
    }

    @Override
    public Tensor copyFrom(Tensor source) {
        return CudaTransfers.toDevice(ctx, source);
    }

    @Override
    public Tensor toHost(Tensor source) {
        return CudaTransfers.toHost(ctx, source);
    }

    @Override
    public String toString() {
        return "CudaBackend[" + ctx + "]";
    }
}
