package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Window2d;

/**
 * Direct 2-D convolution kernels (NHWC input, HWIO filter, strides, dilations, explicit padding), float32 and
 * float64: the forward pass and both gradients, each one thread per output element in a grid-stride loop. Every
 * kernel takes its operands in the op's input order, then the output, then the geometry as an {@code FxConv}
 * ({@link KernelPrelude}; {@link #geometry} fills it). The filter gradient is the exception: one block per filter
 * element, reducing in shared memory.
 *
 * <p>Each output element accumulates its terms in the order of the CPU's direct loops
 * ({@code Conv2dKernels.forwardDirect} and friends), so with {@code --fmad=false} float64 forward and input-gradient
 * results are the CPU's bit for bit (the filter gradient's tree differs in the last bits); the CPU's float32 path
 * (im2col and SIMD GEMM) sums in another order, so float32 agrees to rounding.
 *
 * <p>Correct, not fast: no shared-memory tiling of inputs or filters, no tensor cores. cuDNN (or an implicit-GEMM
 * kernel on tensor cores) would be many times faster.
 */
public final class ConvKernels {
    private ConvKernels() {}

    public static boolean supports(DType t) {
        return t.isFloating();
    }

    /**
     * The {@code FxConv} fields, in order, of a convolution of input {@code x} with filter {@code f} giving
     * {@code y} (all three shapes as the forward op sees them).
     */
    public static int[] geometry(int[] x, int[] f, int[] y, Window2d w) {
        return new int[] {x[0], x[1], x[2], x[3], f[0], f[1], f[3], y[1], y[2],
                w.strideH(), w.strideW(), w.dilationH(), w.dilationW(), w.padTop(), w.padLeft()};
    }

    /** y = conv2d(x, f): signature {@code (const T* x, const T* f, T* y, FxConv g)}. */
    public static KernelSource forward(DType t) {
        String name = "fx_conv2d_" + check(t);
        String code = """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, const %2$s* __restrict__ f, %2$s* __restrict__ y, FxConv g) {
                  const int total = g.n * g.oh * g.ow * g.o;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    const int oc = e %% g.o, ox = (e / g.o) %% g.ow, oy = (e / (g.o * g.ow)) %% g.oh, img = e / (g.o * g.ow * g.oh);
                    %2$s acc = 0;
                    for (int ty = 0; ty < g.kh; ++ty) {
                      const int sy = oy * g.sh + ty * g.dh - g.pt;
                      if (sy < 0 || sy >= g.h) continue;
                      for (int tx = 0; tx < g.kw; ++tx) {
                        const int sx = ox * g.sw + tx * g.dw - g.pl;
                        if (sx < 0 || sx >= g.w) continue;
                        const %2$s* xp = x + ((img * g.h + sy) * g.w + sx) * g.c;
                        const %2$s* fp = f + (ty * g.kw + tx) * g.c * g.o + oc;
                        for (int ch = 0; ch < g.c; ++ch) acc += xp[ch] * fp[ch * g.o];
                      }
                    }
                    y[e] = acc;
                  }
                }
                """.formatted(name, CudaTypes.c(t));
        return new KernelSource(name, code);
    }

    /**
     * dx = the gradient of conv2d with respect to x, gathered per dx element (no atomics): signature
     * {@code (const T* dy, const T* f, T* dx, FxConv g)}. The taps run from the last to the first, which visits the
     * outputs that read this cell in increasing (oy, ox): the order in which the CPU's loop adds them.
     */
    public static KernelSource backpropInput(DType t) {
        String name = "fx_conv2d_backprop_input_" + check(t);
        String code = """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ dy, const %2$s* __restrict__ f, %2$s* __restrict__ dx, FxConv g) {
                  const int total = g.n * g.h * g.w * g.c;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    const int ch = e %% g.c, sx = (e / g.c) %% g.w, sy = (e / (g.c * g.w)) %% g.h, img = e / (g.c * g.w * g.h);
                    %2$s acc = 0;
                    for (int ty = g.kh - 1; ty >= 0; --ty) {
                      const int py = sy + g.pt - ty * g.dh; // = oy * sh for the output row reading sy through tap ty
                      if (py < 0 || py %% g.sh != 0 || py / g.sh >= g.oh) continue;
                      const int oy = py / g.sh;
                      for (int tx = g.kw - 1; tx >= 0; --tx) {
                        const int px = sx + g.pl - tx * g.dw;
                        if (px < 0 || px %% g.sw != 0 || px / g.sw >= g.ow) continue;
                        const int ox = px / g.sw;
                        const %2$s* dyp = dy + ((img * g.oh + oy) * g.ow + ox) * g.o;
                        const %2$s* fp = f + ((ty * g.kw + tx) * g.c + ch) * g.o;
                        %2$s s = 0;
                        for (int oc = 0; oc < g.o; ++oc) s += dyp[oc] * fp[oc];
                        acc += s;
                      }
                    }
                    dx[e] = acc;
                  }
                }
                """.formatted(name, CudaTypes.c(t));
        return new KernelSource(name, code);
    }

    /** Threads per block of the filter gradient; its shared array is sized for it, so launches must use exactly this. */
    public static final int FILTER_GRAD_THREADS = ReductionKernels.THREADS;

    /**
     * dw = the gradient of conv2d with respect to the filter: signature {@code (const T* x, const T* dy, T* dw,
     * FxConv g)}, launched with {@link #FILTER_GRAD_THREADS} threads per block. One block per filter element (grid-
     * stride over them): its threads stride over the n*oh*ow output pixels, then combine in shared memory, so even a
     * small filter (a first layer's 3x3x3x32) keeps the device busy. One thread alone sums in the CPU's order
     * (image, row, column); many combine in a tree, so on the GPU the last bits differ from the CPU's.
     */
    public static KernelSource backpropFilter(DType t) {
        String name = "fx_conv2d_backprop_filter_" + check(t);
        String code = """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, const %2$s* __restrict__ dy, %2$s* __restrict__ dw, FxConv g) {
                  __shared__ %2$s buf[%3$d];
                  const int total = g.kh * g.kw * g.c * g.o, pixels = g.n * g.oh * g.ow;
                  for (int e = blockIdx.x; e < total; e += gridDim.x) {
                    const int oc = e %% g.o, ch = (e / g.o) %% g.c, tx = (e / (g.o * g.c)) %% g.kw, ty = e / (g.o * g.c * g.kw);
                    %2$s acc = 0;
                    for (int p = threadIdx.x; p < pixels; p += blockDim.x) {
                      const int ox = p %% g.ow, oy = (p / g.ow) %% g.oh, img = p / (g.ow * g.oh);
                      const int sy = oy * g.sh + ty * g.dh - g.pt, sx = ox * g.sw + tx * g.dw - g.pl;
                      if (sy < 0 || sy >= g.h || sx < 0 || sx >= g.w) continue;
                      acc += x[((img * g.h + sy) * g.w + sx) * g.c + ch] * dy[p * g.o + oc];
                    }
                    buf[threadIdx.x] = acc;
                    __syncthreads();
                    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
                      if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
                      __syncthreads();
                    }
                    if (threadIdx.x == 0) dw[e] = buf[0];
                    __syncthreads();
                  }
                }
                """.formatted(name, CudaTypes.c(t), FILTER_GRAD_THREADS);
        return new KernelSource(name, code);
    }

    private static String check(DType t) {
        if (!supports(t)) throw new IllegalArgumentException("conv2d: no CUDA kernel for " + t + " (float32 and float64 only, like the CPU)");
        return CudaTypes.suffix(t);
    }
}
