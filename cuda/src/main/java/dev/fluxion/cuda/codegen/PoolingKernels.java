package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.ops.Op;

/**
 * Max and average pooling over NHWC windows, their gradients and max pooling's select (the adjoint of its
 * gradient), float32 and float64, one thread per output element in a grid-stride loop. The geometry is an
 * {@code FxPool} ({@link KernelPrelude}; {@link #geometry} fills it) and follows the CPU's {@code Pool2dGeometry}:
 * windows are clipped to the input (padded cells are never read), dilation is not applied.
 *
 * <p>Semantics are the CPU's: the max of a window wholly in the padding is -inf (and its select is 0); ties go to
 * the first maximal cell in row-major window order, and the first NaN beats everything; the average divides by the
 * window's cells inside the input (at least 1), float32 multiplying by the float reciprocal like the CPU. The
 * gradients gather instead of scattering (no atomics): each dx element walks the windows covering it in increasing
 * (oy, ox), the CPU's order of accumulation, and max pooling's gradient recomputes each window's argmax rather
 * than storing it. Simple and deterministic; cuDNN's pooling would be faster.
 */
public final class PoolingKernels {
    private PoolingKernels() {}

    public static boolean supports(DType t) {
        return t.isFloating();
    }

    /** The {@code FxPool} fields, in order, of pooling input shape {@code x} to output shape {@code y}. */
    public static int[] geometry(Op.Pool2D p, int[] x, int[] y) {
        var w = p.window();
        return new int[] {x[0], x[1], x[2], x[3], p.kh(), p.kw(), y[1], y[2], w.strideH(), w.strideW(), w.padTop(), w.padLeft()};
    }

    /** Decomposes output element e of [n, oh, ow, c] into img, oy, ox, ch. */
    private static final String OUTPUT_INDEX = "const int ch = e % g.c, ox = (e / g.c) % g.ow, oy = (e / (g.c * g.ow)) % g.oh, img = e / (g.c * g.ow * g.oh);";
    /** Decomposes input element e of [n, h, w, c] into img, r, s, ch and the ranges of windows covering it. */
    private static final String INPUT_INDEX = """
            const int ch = e % g.c, s = (e / g.c) % g.w, r = (e / (g.c * g.w)) % g.h, img = e / (g.c * g.w * g.h);
                int oy0, oy1, ox0, ox1;
                fx_pool_covering(r, g.sh, g.pt, g.kh, g.oh, &oy0, &oy1);
                fx_pool_covering(s, g.sw, g.pl, g.kw, g.ow, &ox0, &ox1);""";

    /** max_pool2d: {@code (const T* x, T* y, FxPool g)}. */
    public static KernelSource maxPool(DType t) {
        return kernel("fx_max_pool2d_", t, "const T* __restrict__ x, T* __restrict__ y", "g.n * g.oh * g.ow * g.c", OUTPUT_INDEX + """

                    const int at = fx_pool_argmax(x, g, img, oy, ox, ch);
                    y[e] = at < 0 ? NEG_INF : x[at];""");
    }

    /** avg_pool2d: {@code (const T* x, T* y, FxPool g)}. */
    public static KernelSource avgPool(DType t) {
        return kernel("fx_avg_pool2d_", t, "const T* __restrict__ x, T* __restrict__ y", "g.n * g.oh * g.ow * g.c", OUTPUT_INDEX + """

                    const int r0 = fx_pool_lo(oy, g.sh, g.pt), r1 = fx_pool_hi(oy, g.sh, g.pt, g.kh, g.h);
                    const int s0 = fx_pool_lo(ox, g.sw, g.pl), s1 = fx_pool_hi(ox, g.sw, g.pl, g.kw, g.w);
                    T sum = 0;
                    for (int r = r0; r < r1; ++r)
                      for (int s = s0; s < s1; ++s) sum += x[((img * g.h + r) * g.w + s) * g.c + ch];
                    y[e] = fx_avg_scale(sum, fx_pool_count(g, oy, ox));""");
    }

    /** max_pool2d_grad: {@code (const T* x, const T* dy, T* dx, FxPool g)}; dy goes to each window's argmax. */
    public static KernelSource maxPoolGrad(DType t) {
        return kernel("fx_max_pool2d_grad_", t, "const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dx",
                "g.n * g.h * g.w * g.c", INPUT_INDEX + """

                    T acc = 0;
                    for (int oy = oy0; oy <= oy1; ++oy)
                      for (int ox = ox0; ox <= ox1; ++ox)
                        if (fx_pool_argmax(x, g, img, oy, ox, ch) == e) acc += dy[((img * g.oh + oy) * g.ow + ox) * g.c + ch];
                    dx[e] = acc;""");
    }

    /** avg_pool2d_grad: {@code (const T* dy, T* dx, FxPool g)}; each window spreads dy evenly over its cells. */
    public static KernelSource avgPoolGrad(DType t) {
        return kernel("fx_avg_pool2d_grad_", t, "const T* __restrict__ dy, T* __restrict__ dx", "g.n * g.h * g.w * g.c", INPUT_INDEX + """

                    T acc = 0;
                    for (int oy = oy0; oy <= oy1; ++oy)
                      for (int ox = ox0; ox <= ox1; ++ox)
                        acc += fx_avg_scale(dy[((img * g.oh + oy) * g.ow + ox) * g.c + ch], fx_pool_count(g, oy, ox));
                    dx[e] = acc;""");
    }

    /** max_pool2d_select: {@code (const T* x, const T* gx, T* y, FxPool g)}; y = gx at each window's argmax of x. */
    public static KernelSource maxPoolSelect(DType t) {
        return kernel("fx_max_pool2d_select_", t, "const T* __restrict__ x, const T* __restrict__ gx, T* __restrict__ y",
                "g.n * g.oh * g.ow * g.c", OUTPUT_INDEX + """

                    const int at = fx_pool_argmax(x, g, img, oy, ox, ch);
                    y[e] = at < 0 ? (T)0 : gx[at];""");
    }

    private static KernelSource kernel(String prefix, DType t, String params, String total, String body) {
        if (!supports(t)) throw new IllegalArgumentException("pooling: no CUDA kernel for " + t + " (float32 and float64 only, like the CPU)");
        String c = CudaTypes.c(t), name = prefix + CudaTypes.suffix(t);
        return KernelSource.memo(name, () -> """
                extern "C" __global__ void %1$s(%2$s, FxPool g) {
                  typedef %3$s T;
                  const int total = %4$s;
                  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
                    %5$s
                  }
                }
                """.formatted(name, params.replace("T*", c + "*"), c, total, body.replace("NEG_INF", CudaTypes.literal(Double.NEGATIVE_INFINITY, t))));
    }
}
