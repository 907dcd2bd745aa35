package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.ReduceFn;

/**
 * Generic strided reductions. One thread block of {@link #THREADS} threads computes one output element at a time
 * (grid-stride over outputs): its threads stride over the reduced elements, then combine in shared memory. The
 * signature is {@code (const T* x, T* out, int nOut, int nRed, FxShape kept, FxStrides keptStrides, FxShape
 * reduced, FxStrides reducedStrides)}; output o reads {@code x[offset(o, kept) + offset(j, reduced)]} for j < nRed
 * ({@link ReducePlan}), so any axes of any view reduce without a transposing copy. Argmax/argmin write int64
 * indices and keep the first extreme, with the first NaN winning, as the CPU backend does.
 *
 * <p>Not tuned: one block per output wastes threads when there are many outputs with short reductions (a
 * warp-per-output variant would serve those); sums combine in a tree, so float32 results differ from the CPU's
 * order in the last bits.
 */
public final class ReductionKernels {
    private ReductionKernels() {}

    /** Threads per block; the kernels' shared arrays are sized for it, so launches must use exactly this. */
    public static final int THREADS = 256;

    public static boolean supports(DType t) {
        return t != DType.BOOL;
    }

    public static String name(ReduceFn fn, DType t) {
        return "fx_reduce_" + fn.name().toLowerCase() + "_" + CudaTypes.suffix(t);
    }

    public static KernelSource reduce(ReduceFn fn, DType t) {
        if (!supports(t)) throw new IllegalArgumentException("reduce_" + fn.name().toLowerCase() + ": no CUDA kernel for " + t);
        String c = CudaTypes.c(t), name = name(fn, t), combine = combine(fn, t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, %2$s* __restrict__ out, int nOut, int nRed,
                    FxShape kept, FxStrides keptStrides, FxShape reduced, FxStrides reducedStrides) {
                  __shared__ %2$s buf[%3$d];
                  for (int o = blockIdx.x; o < nOut; o += gridDim.x) {
                    const int base = fx_offset(o, kept, keptStrides);
                    %2$s acc = %4$s;
                    for (int j = threadIdx.x; j < nRed; j += blockDim.x) { const %2$s v = x[base + fx_offset(j, reduced, reducedStrides)]; acc = %5$s; }
                    buf[threadIdx.x] = acc;
                    __syncthreads();
                    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
                      if (threadIdx.x < s) { const %2$s a = buf[threadIdx.x], b = buf[threadIdx.x + s]; buf[threadIdx.x] = %6$s; }
                      __syncthreads();
                    }
                    if (threadIdx.x == 0) out[o] = buf[0];
                    __syncthreads();
                  }
                }
                """.formatted(name, c, THREADS, CudaTypes.literal(fn.identity(), t), combine.formatted("acc", "v"), combine.formatted("a", "b")));
    }

    /** Combining two values, as a format with two %s. */
    static String combine(ReduceFn fn, DType t) {
        return switch (fn) {
            case SUM -> t.isInteger() ? "fx_wadd(%s, %s)" : "(%s + %s)";
            case PROD -> t.isInteger() ? "fx_wmul(%s, %s)" : "(%s * %s)";
            case MAX -> "fx_max(%s, %s)";
            case MIN -> "fx_min(%s, %s)";
        };
    }

    /** Columns per block of {@link #columns}, and row lanes per column (COLUMNS * LANES = {@link #THREADS}). */
    public static final int COLUMNS = 32, LANES = THREADS / COLUMNS;

    public static String columnsName(ReduceFn fn, DType t) {
        return "fx_reduce_columns_" + fn.name().toLowerCase() + "_" + CudaTypes.suffix(t);
    }

    /**
     * The first pass of a reduction whose outputs are contiguous in the input (the kept axis is the innermost, as
     * in a batch norm's per-channel sums over N·H·W): the generic kernel's threads would each read a different row
     * of one column, uncoalesced, with only as many blocks as outputs. Here a block takes {@link #COLUMNS} adjacent
     * columns of one split of the rows: the 32 threads of a warp read 32 consecutive floats of a row, {@link #LANES}
     * warps take every LANES-th row, and the block combines its lanes in shared memory into {@code partial[split][col]};
     * the splits are then combined by the generic kernel. Signature {@code (const T* x, T* partial, int nOut,
     * int nRed, int rowsPerSplit, int splits, FxShape reduced, FxStrides reducedStrides)}: row j of column c is
     * {@code x[offset(j, reduced) + c]}. Every loop strides by the launch's geometry, so any grid and block size give
     * the same result (the order of the sum is fixed by the splits and lanes).
     */
    public static KernelSource columns(ReduceFn fn, DType t) {
        if (!supports(t)) throw new IllegalArgumentException("reduce_" + fn.name().toLowerCase() + ": no CUDA kernel for " + t);
        String c = CudaTypes.c(t), name = columnsName(fn, t), combine = combine(fn, t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, %2$s* __restrict__ partial, int nOut, int nRed,
                    int rowsPerSplit, int splits, FxShape reduced, FxStrides reducedStrides) {
                  __shared__ %2$s buf[%4$d][%3$d + 1];
                  const int columnBlocks = (nOut + %3$d - 1) / %3$d;
                  for (int b = blockIdx.x; b < columnBlocks * splits; b += gridDim.x) {
                    const int first = (b %% columnBlocks) * %3$d, split = b / columnBlocks;
                    const int start = split * rowsPerSplit, end = fx_min(nRed, start + rowsPerSplit);
                    for (int t = threadIdx.x; t < %3$d * %4$d; t += blockDim.x) {
                      const int col = first + t %% %3$d, lane = t / %3$d;
                      %2$s acc = %5$s;
                      if (col < nOut)
                        for (int j = start + lane; j < end; j += %4$d) { const %2$s v = x[fx_offset(j, reduced, reducedStrides) + col]; acc = %6$s; }
                      buf[lane][t %% %3$d] = acc;
                    }
                    __syncthreads();
                    for (int t = threadIdx.x; t < %3$d; t += blockDim.x) {
                      %2$s a = buf[0][t];
                      for (int lane = 1; lane < %4$d; ++lane) { const %2$s b = buf[lane][t]; a = %7$s; }
                      if (first + t < nOut) partial[split * nOut + first + t] = a;
                    }
                    __syncthreads();
                  }
                }
                """.formatted(name, c, COLUMNS, LANES, CudaTypes.literal(fn.identity(), t), combine.formatted("acc", "v"), combine.formatted("a", "b")));
    }

    public static String argName(boolean max, DType t) {
        return "fx_arg" + (max ? "max" : "min") + "_" + CudaTypes.suffix(t);
    }

    /** Argmax/argmin over one (coalesced) axis; the reduced walk has rank 1 but uses the same plan as reductions. */
    public static KernelSource argReduce(boolean max, DType t) {
        String c = CudaTypes.c(t), name = argName(max, t);
        String better = max ? "(v > bv || (fx_isnan(v) && !fx_isnan(bv)))" : "(v < bv || (fx_isnan(v) && !fx_isnan(bv)))";
        // combining two partial results: the better value wins, a tie (or two NaNs) goes to the smaller index
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, long long* __restrict__ out, int nOut, int nRed,
                    FxShape kept, FxStrides keptStrides, FxShape reduced, FxStrides reducedStrides) {
                  __shared__ %2$s vals[%3$d];
                  __shared__ int idxs[%3$d];
                  for (int o = blockIdx.x; o < nOut; o += gridDim.x) {
                    const int base = fx_offset(o, kept, keptStrides);
                    %2$s bv = 0; int bi = -1;
                    for (int j = threadIdx.x; j < nRed; j += blockDim.x) {
                      const %2$s v = x[base + fx_offset(j, reduced, reducedStrides)];
                      if (bi < 0 || %4$s) { bv = v; bi = j; }
                    }
                    vals[threadIdx.x] = bv; idxs[threadIdx.x] = bi;
                    __syncthreads();
                    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
                      if (threadIdx.x < s && idxs[threadIdx.x + s] >= 0) {
                        const %2$s v = vals[threadIdx.x + s]; const int vi = idxs[threadIdx.x + s];
                        bv = vals[threadIdx.x]; bi = idxs[threadIdx.x];
                        const bool equal = (v == bv) || (fx_isnan(v) && fx_isnan(bv));
                        if (bi < 0 || %4$s || (equal && vi < bi)) { vals[threadIdx.x] = v; idxs[threadIdx.x] = vi; }
                      }
                      __syncthreads();
                    }
                    if (threadIdx.x == 0) out[o] = idxs[0];
                    __syncthreads();
                  }
                }
                """.formatted(name, c, THREADS, better));
    }
}
