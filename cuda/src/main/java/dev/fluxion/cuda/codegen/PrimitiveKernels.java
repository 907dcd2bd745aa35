package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;

import java.util.ArrayList;
import java.util.List;

/**
 * The standalone kernel of every primitive, by name: elementwise (one-member {@link ElementwiseGroup}s), reduction
 * and random kernels here, convolution, pooling and data movement in {@link ConvKernels}, {@link PoolingKernels} and
 * {@link MovementKernels}. {@link #all} lists every (primitive, dtype) the CUDA backend supports; the
 * tests compile that list with nvcc.
 */
public final class PrimitiveKernels {
    private PrimitiveKernels() {}

    public static KernelSource unary(UnaryFn fn, DType t) {
        return ElementwiseKernels.generate("fx_unary_" + fn.name().toLowerCase() + "_" + CudaTypes.suffix(t),
                () -> new ElementwiseGroup(List.of(t), List.of(new ElementwiseGroup.Member(new Op.Unary(fn), t, new int[] {-1}, true))));
    }

    public static KernelSource binary(BinaryFn fn, DType t) {
        return ElementwiseKernels.generate("fx_binary_" + fn.name().toLowerCase() + "_" + CudaTypes.suffix(t),
                () -> new ElementwiseGroup(List.of(t, t), List.of(new ElementwiseGroup.Member(new Op.Binary(fn),
                        ScalarExpressions.resultType(fn, t), new int[] {-1, -2}, true))));
    }

    public static KernelSource where(DType t) {
        return ElementwiseKernels.generate("fx_where_" + CudaTypes.suffix(t),
                () -> new ElementwiseGroup(List.of(DType.BOOL, t, t), List.of(new ElementwiseGroup.Member(new Op.Where(), t, new int[] {-1, -2, -3}, true))));
    }

    public static KernelSource cast(DType from, DType to) {
        return ElementwiseKernels.generate("fx_cast_" + CudaTypes.suffix(from) + "_" + CudaTypes.suffix(to),
                () -> new ElementwiseGroup(List.of(from), List.of(new ElementwiseGroup.Member(new Op.Cast(to), to, new int[] {-1}, true))));
    }

    /** Every standalone kernel whose main operand dtype is {@code t} (casts are listed under their source dtype). */
    public static List<KernelSource> forDType(DType t) {
        List<KernelSource> out = new ArrayList<>();
        for (UnaryFn fn : UnaryFn.values()) if (ScalarExpressions.supports(fn, t)) out.add(unary(fn, t));
        for (BinaryFn fn : BinaryFn.values()) if (ScalarExpressions.supports(fn, t)) out.add(binary(fn, t));
        out.add(where(t));
        for (DType to : DType.values()) out.add(cast(t, to));
        if (ReductionKernels.supports(t)) for (ReduceFn fn : ReduceFn.values()) out.add(ReductionKernels.reduce(fn, t));
        out.add(ReductionKernels.argReduce(true, t));
        out.add(ReductionKernels.argReduce(false, t));
        if (t.isFloating()) for (Op.RandomKind kind : Op.RandomKind.values()) out.add(RandomKernels.generate(kind, t));
        out.addAll(nnAndMovement(t));
        return out;
    }

    /** Convolution, pooling (float dtypes) and data movement kernels (every dtype, both index dtypes) of dtype t. */
    public static List<KernelSource> nnAndMovement(DType t) {
        List<KernelSource> out = new ArrayList<>();
        if (ConvKernels.supports(t))
            out.addAll(List.of(ConvKernels.im2col(t), ConvKernels.col2im(t)));
        if (PoolingKernels.supports(t))
            out.addAll(List.of(PoolingKernels.maxPool(t), PoolingKernels.avgPool(t), PoolingKernels.maxPoolGrad(t),
                    PoolingKernels.avgPoolGrad(t), PoolingKernels.maxPoolSelect(t)));
        out.add(MovementKernels.fill(t));
        out.add(MovementKernels.stridedCopy(t));
        if (t == DType.BOOL) out.add(MovementKernels.smallUpload()); // dtype-free: listed once
        if (t == DType.FLOAT32) out.addAll(List.of(MovementKernels.toBfloat16(), MovementKernels.toFloat16()));
        for (DType index : List.of(DType.INT32, DType.INT64)) {
            out.add(MovementKernels.gather(t, index));
            out.add(MovementKernels.scatterAdd(t, index));
        }
        return out;
    }

    /** Every standalone kernel, all dtypes. */
    public static List<KernelSource> all() {
        List<KernelSource> out = new ArrayList<>();
        for (DType t : DType.values()) out.addAll(forDType(t));
        return out;
    }
}
