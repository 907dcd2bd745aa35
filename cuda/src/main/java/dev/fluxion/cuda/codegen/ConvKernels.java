package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Window2d;

/**
 * The data-movement half of 2-D convolution (NHWC input, HWIO filter, strides, dilations, explicit padding),
 * float32 and float64: the patch matrix ({@link #im2col}) and its inverse gather ({@link #col2im}). The arithmetic
 * is three GEMMs on it, done by cuBLAS ({@code CudaNn}): y = cols·f, df = colsᵀ·dy, dcols = dy·fᵀ. Each kernel takes
 * its input, then its output, then the geometry as an {@code FxConv} ({@link KernelPrelude}; {@link #geometry} fills
 * it), with one thread per output element in a grid-stride loop.
 *
 * <p>The patch matrix costs kh·kw times the input's memory; an implicit-GEMM kernel (or cuDNN) would avoid it.
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

    /**
     * The patch matrix of a convolution ({@code im2col}): {@code cols[m][k]} for output pixel m = (img, oy, ox) and
     * tap k = (ty, tx, ch), HWIO's flattening, so that {@code y = cols · f} with the filter read as a [kh·kw·c, o]
     * matrix; zero where the tap falls in the padding. Signature {@code (const T* x, T* cols, FxConv g)}, one thread
     * per element of cols.
     */
    public static KernelSource im2col(DType t) {
        String name = "fx_im2col_" + check(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ x, %2$s* __restrict__ cols, FxConv g) {
                  const long long taps = (long long) g.kh * g.kw * g.c, total = (long long) g.n * g.oh * g.ow * taps;
                  for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < total; e += (long long) gridDim.x * blockDim.x) {
                    const int k = (int) (e %% taps), m = (int) (e / taps);
                    const int ch = k %% g.c, tx = (k / g.c) %% g.kw, ty = k / (g.c * g.kw);
                    const int ox = m %% g.ow, oy = (m / g.ow) %% g.oh, img = m / (g.ow * g.oh);
                    const int sy = oy * g.sh + ty * g.dh - g.pt, sx = ox * g.sw + tx * g.dw - g.pl;
                    cols[e] = sy < 0 || sy >= g.h || sx < 0 || sx >= g.w ? (%2$s) 0 : x[((img * g.h + sy) * g.w + sx) * g.c + ch];
                  }
                }
                """.formatted(name, CudaTypes.c(t)));
    }

    /**
     * The inverse gather of {@link #im2col} ({@code col2im}): {@code dx} at (img, sy, sx, ch) sums the patch-matrix
     * gradient {@code dcols = dy · fᵀ} over every (output pixel, tap) that read it, without atomics (so the sum has
     * one fixed order: taps from last to first, as {@link #backpropInput}). Signature {@code (const T* dcols, T* dx,
     * FxConv g)}, one thread per element of dx.
     */
    public static KernelSource col2im(DType t) {
        String name = "fx_col2im_" + check(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(const %2$s* __restrict__ dcols, %2$s* __restrict__ dx, FxConv g) {
                  const int total = g.n * g.h * g.w * g.c, taps = g.kh * g.kw * g.c;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    const int ch = e %% g.c, sx = (e / g.c) %% g.w, sy = (e / (g.c * g.w)) %% g.h, img = e / (g.c * g.w * g.h);
                    %2$s acc = 0;
                    for (int ty = g.kh - 1; ty >= 0; --ty) {
                      const int py = sy + g.pt - ty * g.dh;
                      if (py < 0 || py %% g.sh != 0 || py / g.sh >= g.oh) continue;
                      const int oy = py / g.sh;
                      for (int tx = g.kw - 1; tx >= 0; --tx) {
                        const int px = sx + g.pl - tx * g.dw;
                        if (px < 0 || px %% g.sw != 0 || px / g.sw >= g.ow) continue;
                        const int ox = px / g.sw;
                        acc += dcols[(long long) ((img * g.oh + oy) * g.ow + ox) * taps + (ty * g.kw + tx) * g.c + ch];
                      }
                    }
                    dx[e] = acc;
                  }
                }
                """.formatted(name, CudaTypes.c(t)));
    }

    private static String check(DType t) {
        if (!supports(t)) throw new IllegalArgumentException("conv2d: no CUDA kernel for " + t + " (float32 and float64 only, like the CPU)");
        return CudaTypes.suffix(t);
    }
}
