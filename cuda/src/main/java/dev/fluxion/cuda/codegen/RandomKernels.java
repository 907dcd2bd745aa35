package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Op;

/**
 * The Random primitive: Philox4x32-10 kernels that give the numbers of {@code dev.fluxion.random.Philox} for the
 * same (seed, counter) key, which they read from the int64 [2] key tensor on the device (so a captured CUDA graph
 * can advance the counter without recompiling). Signature {@code (const long long* key, T* out, int n)}; each
 * thread computes whole Philox blocks (4 float32 numbers or 2 float64 numbers), in the layout Philox documents.
 *
 * <p>Uniform numbers are bit-for-bit those of the CPU (integer arithmetic and exact scaling). Normals use double
 * {@code log}, {@code sqrt}, {@code cos} and {@code sin}, which on the GPU may differ from Java's StrictMath in the
 * last bit of a double, so float64 normals agree to about 1e-15 relative and float32 normals almost always exactly.
 * A truncated normal's redraw decision compares that double against 2, so a value within an ulp of the bound could
 * in principle be redrawn on one device and not the other.
 */
public final class RandomKernels {
    private RandomKernels() {}

    public static String name(Op.RandomKind kind, DType t) {
        return "fx_random_" + kind.name().toLowerCase() + "_" + CudaTypes.suffix(t);
    }

    public static KernelSource generate(Op.RandomKind kind, DType t) {
        if (!t.isFloating()) throw new IllegalArgumentException("random: no CUDA kernel for " + t);
        boolean f32 = t == DType.FLOAT32;
        int per = f32 ? 4 : 2;
        String c = CudaTypes.c(t);
        String body = f32 ? switch (kind) {
            case UNIFORM -> "for (int t = 0; t < 4; ++t) v[t] = (float)(w[t] >> 8) * 0x1p-24f;";
            case NORMAL -> "double z[4]; fx_normals32(w, z); for (int t = 0; t < 4; ++t) v[t] = (float)z[t];";
            case TRUNCATED_NORMAL -> """
                    double z[4]; fx_normals32(w, z);
                          for (int t = 0; t < 4; ++t) {
                            double x = z[t];
                            for (unsigned plane = 1; fabs(x) > 2.0; ++plane) { unsigned w2[4]; double z2[4]; fx_philox_block(seed, counter, j, plane, w2); fx_normals32(w2, z2); x = z2[t]; }
                            v[t] = (float)x;
                          }""";
        } : switch (kind) {
            case UNIFORM -> "v[0] = (double)fx_bits53(w[0], w[1]) * 0x1p-53; v[1] = (double)fx_bits53(w[2], w[3]) * 0x1p-53;";
            case NORMAL -> "fx_normals64(w, v);";
            case TRUNCATED_NORMAL -> """
                    fx_normals64(w, v);
                          for (int t = 0; t < 2; ++t) {
                            for (unsigned plane = 1; fabs(v[t]) > 2.0; ++plane) { unsigned w2[4]; double z2[2]; fx_philox_block(seed, counter, j, plane, w2); fx_normals64(w2, z2); v[t] = z2[t]; }
                          }""";
        };
        String name = name(kind, t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const long long* __restrict__ key, %2$s* __restrict__ out, int n) {
                  const unsigned long long seed = (unsigned long long)key[0], counter = (unsigned long long)key[1];
                  const int blocks = (n + %3$d) / %4$d;
                  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < blocks; j += gridDim.x * blockDim.x) {
                    unsigned w[4];
                    fx_philox_block(seed, counter, (unsigned long long)j, 0u, w);
                    %2$s v[%4$d];
                    %5$s
                    for (int t = 0; t < %4$d; ++t) if (j * %4$d + t < n) out[j * %4$d + t] = v[t];
                  }
                }
                """.formatted(name, c, per - 1, per, body));
    }
}
