package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Shapes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Data movement kernels, every dtype, grid-stride loops:
 * <ul>
 *   <li>{@code fill}: {@code (int n, T* out, T value)};
 *   <li>{@code strided_copy}: {@code (int n, FxShape shape, const T* src, FxStrides srcStrides, T* dst, FxStrides
 *       dstStrides)}, one {@link IndexPlan} with the source as operand 0 and the destination as operand 1. pad is a
 *       fill then a copy into the interior of the output; concat is one copy per input into its slice of the output.
 *   <li>{@code gather}: {@code (const T* params, const I* indices, T* out, int outer, int dim, int count, int inner)}:
 *       params is [outer, dim, inner] and out [outer, count, inner], both contiguous;
 *   <li>{@code scatter_add}: {@code (const T* updates, const I* indices, T* out, int outer, int dim, int count, int
 *       inner)}: out, [outer, dim, inner], must be zero on entry; updates are [outer, count, inner].
 * </ul>
 * A kernel cannot throw, so where the CPU rejects an index outside [0, dim), gather writes 0 and scatter_add skips
 * the update. scatter_add accumulates with atomics: integer sums are exact and order-free, float sums happen in
 * whatever order the threads run (bool "sums" are logical or, as on the CPU).
 */
public final class MovementKernels {
    private MovementKernels() {}

    /** A strided copy into part of a contiguous output: the plan (operand 0 the source, 1 the output) and where the part starts. */
    public record CopyPlan(IndexPlan plan, int dstOffset) {}

    /** pad's copy of a view of {@code shape}/{@code strides} into the interior of an output of {@code outShape}. */
    public static CopyPlan padInterior(int[] shape, int[] strides, int[] outShape, int[] before) {
        int[] os = Shapes.contiguousStrides(outShape);
        int offset = 0;
        for (int i = 0; i < os.length; i++) offset += before[i] * os[i];
        return new CopyPlan(IndexPlan.elementwise(shape, new int[][] {shape, shape}, new int[][] {strides, os}), offset);
    }

    /** concat's copy of one input view into the output, starting at index {@code start} of {@code axis}. */
    public static CopyPlan concatPart(int[] shape, int[] strides, int[] outShape, int axis, int start) {
        int[] os = Shapes.contiguousStrides(outShape);
        return new CopyPlan(IndexPlan.elementwise(shape, new int[][] {shape, shape}, new int[][] {strides, os}), start * os[axis]);
    }

    /** A contiguous tensor seen as [outer, dim, inner] around one axis, with {@code count} indices along it. */
    public record AxisLayout(int outer, int dim, int count, int inner) {
        /** gather: {@code shape} is params'; scatter_add: {@code shape} is the output's. */
        public static AxisLayout of(int[] shape, int axis, int count) {
            int outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= shape[i];
            for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
            return new AxisLayout(outer, shape[axis], count, inner);
        }

        /** Elements of the indexed side: outer * count * inner (gather's output, scatter_add's updates). */
        public int indexedSize() {
            return outer * count * inner;
        }
    }

    /** Bytes a {@link #smallUpload} launch carries in its parameters. */
    public static final int SMALL_UPLOAD_BYTES = 64;

    /**
     * Writes up to {@link #SMALL_UPLOAD_BYTES} bytes carried in the launch's own parameters: a host-to-device copy
     * of a scalar, a random key or a shape that is ordered on the stream like any kernel, with no staging buffer
     * and no wait for the device. Signature {@code (void* out, FxWords bytes, int count)}, one block.
     */
    public static KernelSource smallUpload() {
        String name = "fx_small_upload";
        return KernelSource.memo(name, () -> """
                struct FxWords { int w[%2$d]; };
                extern "C" __global__ void %1$s(void* out, FxWords bytes, int count) {
                  const unsigned char* in = reinterpret_cast<const unsigned char*>(bytes.w);
                  for (int i = threadIdx.x; i < count; i += blockDim.x) static_cast<unsigned char*>(out)[i] = in[i];
                }
                """.formatted(name, SMALL_UPLOAD_BYTES / 4));
    }

    /**
     * float32 to bfloat16 (the upper 16 bits, rounded to nearest even; NaN stays a quiet NaN), for the operands of
     * a mixed-precision GEMM. Signature {@code (int n, const float* in, void* out)} (out: n 16-bit values), contiguous.
     */
    public static KernelSource toBfloat16() {
        return toSixteenBits("fx_to_bf16", """
                (a > 0x7f800000u ? (u >> 16) | 0x40u : (u + 0x7fffu + ((u >> 16) & 1u)) >> 16)""");
    }

    /**
     * float32 to IEEE float16, rounded to nearest even, as Java's {@code Float.floatToFloat16}: magnitudes from 65520
     * up become infinities, small ones float16 subnormals or zeros, NaN a quiet NaN; for the operands of a float16
     * GEMM. Same signature as {@link #toBfloat16}.
     */
    public static KernelSource toFloat16() {
        return toSixteenBits("fx_to_f16", """
                (sign | (a > 0x7f800000u ? 0x7e00u                                     /* NaN */
                       : a >= 0x477ff000u ? 0x7c00u                                    /* past 65504: infinity */
                       : a >= 0x38800000u ? (a - 0x38000000u + 0xfffu + ((a >> 13) & 1u)) >> 13 /* normal */
                       : fx_f16_subnormal(a)))""");
    }

    /**
     * A conversion kernel: {@code bits} is the 16-bit result as an expression of {@code u} (the float's bits), {@code a}
     * (its magnitude bits) and {@code sign} (its sign moved to bit 15).
     */
    private static KernelSource toSixteenBits(String name, String bits) {
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %s(int n, const float* __restrict__ in, void* out) {
                  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
                    const float x = in[i];
                    const unsigned int u = *reinterpret_cast<const unsigned int*>(&x), sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
                    static_cast<unsigned short*>(out)[i] = (unsigned short) %s;
                  }
                }
                """.formatted(name, bits.strip()));
    }

    public static KernelSource fill(DType t) {
        String name = "fx_fill_" + CudaTypes.suffix(t), c = CudaTypes.c(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(int n, %2$s* __restrict__ out, %2$s value) {
                  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) out[i] = value;
                }
                """.formatted(name, c));
    }

    /**
     * A fill value's bytes (little-endian, the dtype's width), converted from a double as the CPU's fill converts it:
     * Java's narrowing casts for numbers (saturating, NaN to 0), non-zero for bool.
     */
    public static byte[] scalarBytes(DType t, double value) {
        ByteBuffer b = ByteBuffer.allocate(t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
            case FLOAT32 -> b.putFloat((float) value);
            case FLOAT64 -> b.putDouble(value);
            case INT32 -> b.putInt((int) value);
            case INT64 -> b.putLong((long) value);
            case BOOL -> b.put((byte) (value != 0 ? 1 : 0));
        }
        return b.array();
    }

    public static KernelSource stridedCopy(DType t) {
        String name = "fx_strided_copy_" + CudaTypes.suffix(t), c = CudaTypes.c(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(int n, FxShape shape, const %2$s* __restrict__ src, FxStrides srcStrides,
                    %2$s* __restrict__ dst, FxStrides dstStrides) {
                  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
                    dst[fx_offset(i, shape, dstStrides)] = src[fx_offset(i, shape, srcStrides)];
                }
                """.formatted(name, c));
    }

    /** Gather along an axis; {@code index} is int32 or int64. */
    public static KernelSource gather(DType t, DType index) {
        String name = "fx_gather_" + CudaTypes.suffix(t) + "_" + indexSuffix(index), c = CudaTypes.c(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ params, const %3$s* __restrict__ indices, %2$s* __restrict__ out,
                    int outer, int dim, int count, int inner) {
                  const int total = outer * count * inner;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    const int t = e %% inner, j = (e / inner) %% count, o = e / (inner * count);
                    const long long k = (long long)indices[j];
                    out[e] = (k >= 0 && k < dim) ? params[(o * dim + (int)k) * inner + t] : (%2$s)0;
                  }
                }
                """.formatted(name, c, CudaTypes.c(index)));
    }

    /** Scatter-add along an axis into a zeroed output; {@code index} is int32 or int64. */
    public static KernelSource scatterAdd(DType t, DType index) {
        String name = "fx_scatter_add_" + CudaTypes.suffix(t) + "_" + indexSuffix(index), c = CudaTypes.c(t);
        String add = switch (t) {
            case FLOAT32, FLOAT64, INT32 -> "atomicAdd(out + at, v);";
            // two's-complement addition: the unsigned atomic wraps exactly like Java's long sum
            case INT64 -> "atomicAdd((unsigned long long*)(out + at), (unsigned long long)v);";
            // the CPU sums 0/1 and stores sum != 0: an or, and racing stores of 1 are harmless
            case BOOL -> "if (v) out[at] = 1;";
        };
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ updates, const %3$s* __restrict__ indices, %2$s* __restrict__ out,
                    int outer, int dim, int count, int inner) {
                  const int total = outer * count * inner;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    const int t = e %% inner, j = (e / inner) %% count, o = e / (inner * count);
                    const long long k = (long long)indices[j];
                    if (k < 0 || k >= dim) continue;
                    const int at = (o * dim + (int)k) * inner + t;
                    const %2$s v = updates[e];
                    %4$s
                  }
                }
                """.formatted(name, c, CudaTypes.c(index), add));
    }

    private static String indexSuffix(DType index) {
        if (index != DType.INT32 && index != DType.INT64) throw new IllegalArgumentException("indices must be int32 or int64, got " + index);
        return CudaTypes.suffix(index);
    }
}
