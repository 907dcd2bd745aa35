package dev.fluxion.cuda;

import dev.fluxion.DType;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.cuda.codegen.ElementwiseGroup;
import dev.fluxion.cuda.codegen.FusedReduction;
import dev.fluxion.cuda.codegen.IndexPlan;
import dev.fluxion.cuda.codegen.KernelSource;
import dev.fluxion.cuda.codegen.PrimitiveKernels;
import dev.fluxion.cuda.codegen.RandomKernels;
import dev.fluxion.cuda.codegen.ReducePlan;
import dev.fluxion.cuda.codegen.ReductionKernels;
import dev.fluxion.ops.Op;

import java.lang.foreign.Arena;
import java.util.List;

/**
 * Launches generated kernels on CUDA tensors: elementwise groups (single primitives and fused chains), strided
 * reductions and Philox random numbers. Inputs may be any view (offset, strides, broadcast); outputs are new
 * contiguous tensors from the device's caching allocator.
 */
final class CudaKernels {
    private CudaKernels() {}

    static final int THREADS = 256;

    static CudaStorage storage(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s))
            throw new IllegalArgumentException("expected a tensor on a CUDA device, got one on " + t.device());
        return s;
    }

    static Tensor allocate(CudaContext ctx, TensorType type) {
        return Tensor.wrap(new CudaStorage(ctx, type.dtype(), type.size()), type.shape());
    }

    /** Grid size for a grid-stride loop over {@code work} items: enough blocks to fill the device, no more. */
    static int grid(CudaContext ctx, long work, int threads) {
        long blocks = (work + threads - 1) / threads;
        return (int) Math.max(1, Math.min(blocks, (long) ctx.multiprocessors() * 32));
    }

    /**
     * Launches a grid-stride kernel over {@code work} items (nothing when there are none) with the arguments that
     * {@code arguments} adds, in the kernel's order.
     */
    static void launch(CudaContext ctx, KernelSource kernel, int work, java.util.function.Consumer<KernelArgs> arguments) {
        if (work == 0) return;
        launch(ctx, kernel, grid(ctx, work, THREADS), THREADS, arguments);
    }

    /** Launches {@code grid} blocks of {@code block} threads with the arguments that {@code arguments} adds. */
    static void launch(CudaContext ctx, KernelSource kernel, int grid, int block, java.util.function.Consumer<KernelArgs> arguments) {
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a);
            arguments.accept(args);
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), grid, block, 0, ctx.stream(), args.array());
        }
    }

    /** Runs an elementwise group over {@code outputs}' common shape; returns the output tensors. */
    static Tensor[] elementwise(CudaContext ctx, KernelSource kernel, Tensor[] inputs, TensorType[] outputs) {
        Tensor[] out = new Tensor[outputs.length];
        for (int k = 0; k < out.length; k++) out[k] = allocate(ctx, outputs[k]);
        elementwiseInto(ctx, kernel, inputs, out);
        return out;
    }

    /** Runs an elementwise kernel writing into existing contiguous {@code out} tensors of one shape. */
    static void elementwiseInto(CudaContext ctx, KernelSource kernel, Tensor[] inputs, Tensor[] out) {
        int n = Shapes.size(out[0].shape());
        if (n == 0) return;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a);
            addElementwise(args, inputs, out);
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), grid(ctx, n, THREADS), THREADS, 0, ctx.stream(), args.array());
        }
    }

    /** An elementwise kernel's arguments: n, the coalesced shape, each input's pointer and strides, each output's pointer. */
    private static void addElementwise(KernelArgs args, Tensor[] inputs, Tensor[] out) {
        int[] shape = out[0].shape();
        int[][] shapes = new int[inputs.length][], strides = new int[inputs.length][];
        for (int j = 0; j < inputs.length; j++) {
            shapes[j] = inputs[j].shape();
            strides[j] = inputs[j].strides();
        }
        IndexPlan plan = IndexPlan.elementwise(shape, shapes, strides);
        args.addInt(Shapes.size(shape)).addShape(plan);
        for (int j = 0; j < inputs.length; j++) args.addPointer(storage(inputs[j]).address(inputs[j].offset())).addStrides(plan, j);
        for (Tensor o : out) args.addPointer(storage(o).address(o.offset()));
    }

    /**
     * A multi-group kernel (ElementwiseKernels.multi): group q reads {@code inputs.get(q)} and writes the contiguous
     * {@code outputs.get(q)}, all in one launch over the groups' elements together.
     */
    static void multiElementwiseInto(CudaContext ctx, KernelSource kernel, List<Tensor[]> inputs, List<Tensor[]> outputs) {
        long total = 0;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a);
            for (int q = 0; q < inputs.size(); q++) {
                addElementwise(args, inputs.get(q), outputs.get(q));
                total += Shapes.size(outputs.get(q)[0].shape());
            }
            if (total == 0) return;
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), grid(ctx, total, THREADS), THREADS, 0, ctx.stream(), args.array());
        }
    }

    /** One elementwise primitive. */
    static Tensor primitive(CudaContext ctx, Op op, Tensor[] in, TensorType out) {
        KernelSource k = switch (op) {
            case Op.Unary u -> PrimitiveKernels.unary(u.fn(), in[0].dtype());
            case Op.Binary b -> PrimitiveKernels.binary(b.fn(), in[0].dtype());
            case Op.Where w -> PrimitiveKernels.where(out.dtype());
            case Op.Cast c -> PrimitiveKernels.cast(in[0].dtype(), c.to());
            default -> throw new IllegalArgumentException(op.name() + " is not elementwise");
        };
        return elementwise(ctx, k, in, new TensorType[] {out})[0];
    }

    /** A contiguous copy (the same-dtype cast kernel), or {@code t} itself when it already is contiguous at offset 0. */
    static Tensor contiguous(CudaContext ctx, Tensor t) {
        if (t.isContiguous() && t.offset() == 0) return t;
        return primitive(ctx, new Op.Cast(t.dtype()), new Tensor[] {t}, t.type());
    }

    /** Reduce or argmax/argmin over axes of any view. */
    static Tensor reduce(CudaContext ctx, Op op, Tensor x, TensorType out) {
        Tensor result = allocate(ctx, out);
        reduceInto(ctx, op, x, result);
        return result;
    }

    /**
     * A reduction ({@code Op.Reduce} or {@code Op.ArgReduce}) writing into an existing contiguous {@code result}.
     * Long reductions whose outputs lie side by side in the input take the two-pass column kernel.
     */
    static void reduceInto(CudaContext ctx, Op op, Tensor x, Tensor result) {
        switch (op) {
            case Op.Reduce r -> {
                ReducePlan plan = ReducePlan.of(x.shape(), x.strides(), r.axes());
                if (plan.outputs() > 0 && plan.reducedCount() >= COLUMN_REDUCTION_ROWS && plan.kept().rank() == 1 && plan.kept().strides()[0][0] == 1)
                    reduceColumns(ctx, r.fn(), x, plan, result);
                else
                    reduceGeneric(ctx, ReductionKernels.reduce(r.fn(), x.dtype()), x, r.axes(), result);
            }
            case Op.ArgReduce a -> reduceGeneric(ctx, ReductionKernels.argReduce(a.max(), x.dtype()), x, new int[] {a.axis()}, result);
            default -> throw new IllegalArgumentException(op.name() + " is not a reduction");
        }
    }

    /** Reductions at least this long with contiguous outputs go through {@link ReductionKernels#columns}. */
    static final int COLUMN_REDUCTION_ROWS = 2048;

    /** Two passes: partial results per split of the rows ({@link ReductionKernels#columns}), then the splits combined. */
    private static void reduceColumns(CudaContext ctx, dev.fluxion.ops.ReduceFn fn, Tensor x, ReducePlan plan, Tensor result) {
        columnPasses(ctx, ReductionKernels.columns(fn, x.dtype()), fn, plan, result, (args, splits) -> args.addPointer(storage(x).address(x.offset())).addPointer(splits.address)
                .addInt(plan.outputs()).addInt(plan.reducedCount()).addInt(splits.rowsPerSplit).addInt(splits.count).addShape(plan.reduced()).addStrides(plan.reduced(), 0));
    }

    /** How a column reduction's rows are split, and where the partial results of the splits go. */
    private record Splits(int count, int rowsPerSplit, long address) {}

    /**
     * A column kernel over splits of the rows into a partial buffer, then the generic kernel combining the splits
     * into {@code result}; {@code arguments} adds the first kernel's arguments.
     */
    private static void columnPasses(CudaContext ctx, KernelSource first, dev.fluxion.ops.ReduceFn fn, ReducePlan plan, Tensor result,
                                     java.util.function.BiConsumer<KernelArgs, Splits> arguments) {
        int nOut = plan.outputs(), nRed = plan.reducedCount();
        int columnBlocks = (nOut + ReductionKernels.COLUMNS - 1) / ReductionKernels.COLUMNS;
        // enough blocks to fill the device a few times over, each with at least 64 rows per lane group
        int splits = Math.max(1, Math.min((ctx.multiprocessors() * 4 + columnBlocks - 1) / columnBlocks, nRed / 512));
        Tensor partial = allocate(ctx, new TensorType(result.dtype(), new int[] {splits, nOut}, ctx.device()));
        launch(ctx, first, columnBlocks * splits, ReductionKernels.THREADS,
                args -> arguments.accept(args, new Splits(splits, (nRed + splits - 1) / splits, storage(partial).address(0))));
        reduceGeneric(ctx, ReductionKernels.reduce(fn, result.dtype()), partial, new int[] {0}, result);
    }

    /**
     * A reduction of {@code axes} of a fused group's member, with the group evaluated in the reduction's kernel
     * ({@link FusedReduction}): inputs are any views broadcasting to {@code shape} (the reduced member's), side
     * outputs contiguous tensors of that shape, the result contiguous.
     */
    static void fusedReduceInto(CudaContext ctx, FusedReduction r, int[] shape, int[] axes, Tensor[] inputs, Tensor[] sides, Tensor result) {
        int n = inputs.length + sides.length;
        Tensor[] operands = new Tensor[n];
        ReducePlan plan = fusedReducePlan(shape, axes, inputs, sides, operands);
        if (plan.outputs() == 0) return;
        boolean columns = plan.reducedCount() >= COLUMN_REDUCTION_ROWS && plan.kept().rank() == 1;
        for (int j = 0; columns && j < n; j++) columns = plan.kept().strides()[j][0] <= 1; // coalesced or broadcast along the kept axis
        if (columns) {
            columnPasses(ctx, r.columns(), r.fn(), plan, result, (args, splits) -> {
                args.addInt(plan.outputs()).addInt(plan.reducedCount()).addInt(splits.rowsPerSplit).addInt(splits.count).addShape(plan.reduced());
                for (int j = 0; j < n; j++)
                    args.addPointer(storage(operands[j]).address(operands[j].offset())).addInt(plan.kept().strides()[j][0]).addStrides(plan.reduced(), j);
                args.addPointer(splits.address);
            });
            return;
        }
        launch(ctx, r.generic(), (int) Math.min(plan.outputs(), (long) ctx.multiprocessors() * 8), ReductionKernels.THREADS,
                args -> addFusedReduce(args, plan, operands, result));
    }

    /** The operands of a fused reduction (inputs, then side outputs) with their strides broadcast to the reduced shape. */
    private static ReducePlan fusedReducePlan(int[] shape, int[] axes, Tensor[] inputs, Tensor[] sides, Tensor[] operands) {
        int n = inputs.length + sides.length;
        int[][] strides = new int[n][];
        for (int j = 0; j < n; j++) {
            operands[j] = j < inputs.length ? inputs[j] : sides[j - inputs.length];
            strides[j] = j < inputs.length ? dev.fluxion.cpu.Layouts.broadcastStrides(inputs[j].shape(), inputs[j].strides(), shape) : Shapes.contiguousStrides(shape);
        }
        return ReducePlan.of(shape, strides, axes);
    }

    /** The generic fused reduction's arguments (also a sequence phase's). */
    private static void addFusedReduce(KernelArgs args, ReducePlan plan, Tensor[] operands, Tensor result) {
        args.addInt(plan.outputs()).addInt(plan.reducedCount()).addShape(plan.kept()).addShape(plan.reduced());
        for (int j = 0; j < operands.length; j++)
            args.addPointer(storage(operands[j]).address(operands[j].offset())).addStrides(plan.kept(), j).addStrides(plan.reduced(), j);
        args.addPointer(storage(result).address(result.offset()));
    }

    /** One phase of a sequence kernel: an elementwise group, or a fused reduction (then {@code axes} and {@code shape}). */
    record SequencePhase(Tensor[] inputs, Tensor[] outputs, int[] reducedShape, int[] axes, Tensor[] sides) {}

    /** A sequence kernel (SequenceKernels) over its phases' arguments, as one block. */
    static void sequenceInto(CudaContext ctx, KernelSource kernel, List<SequencePhase> phases) {
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a);
            for (SequencePhase p : phases) {
                if (p.axes() == null) {
                    addElementwise(args, p.inputs(), p.outputs());
                } else {
                    Tensor[] operands = new Tensor[p.inputs().length + p.sides().length];
                    addFusedReduce(args, fusedReducePlan(p.reducedShape(), p.axes(), p.inputs(), p.sides(), operands), operands, p.outputs()[0]);
                }
            }
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), 1, dev.fluxion.cuda.codegen.SequenceKernels.THREADS, 0, ctx.stream(), args.array());
        }
    }

    private static void reduceGeneric(CudaContext ctx, KernelSource kernel, Tensor x, int[] axes, Tensor result) {
        ReducePlan plan = ReducePlan.of(x.shape(), x.strides(), axes);
        if (plan.outputs() == 0) return;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).addPointer(storage(x).address(x.offset())).addPointer(storage(result).address(result.offset()))
                    .addInt(plan.outputs()).addInt(plan.reducedCount())
                    .addShape(plan.kept()).addStrides(plan.kept(), 0).addShape(plan.reduced()).addStrides(plan.reduced(), 0);
            int grid = (int) Math.min(plan.outputs(), (long) ctx.multiprocessors() * 8);
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), grid, ReductionKernels.THREADS, 0, ctx.stream(), args.array());
        }
    }

    /** The Random primitive: the key stays on the device, read by the kernel. */
    static Tensor random(CudaContext ctx, Op.Random r, Tensor key, TensorType out) {
        Tensor result = allocate(ctx, out);
        randomInto(ctx, r, key, result);
        return result;
    }

    /** Random numbers written into an existing contiguous {@code result}. */
    static void randomInto(CudaContext ctx, Op.Random r, Tensor key, Tensor result) {
        int n = result.size();
        if (n == 0) return;
        Tensor k = contiguous(ctx, key);
        KernelSource kernel = RandomKernels.generate(r.kind(), result.dtype());
        int perThread = result.dtype() == DType.FLOAT32 ? 4 : 2;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).addPointer(storage(k).address(k.offset())).addPointer(storage(result).address(result.offset())).addInt(n);
            ctx.driver().launch(kernel.name(), ctx.kernels().function(kernel), grid(ctx, (n + perThread - 1) / perThread, THREADS),
                    THREADS, 0, ctx.stream(), args.array());
        }
        java.lang.ref.Reference.reachabilityFence(k); // a temporary key copy must outlive the launch
    }
}
