package dev.fluxion.cuda.codegen;

/**
 * The helpers every generated translation unit starts with. {@link #PORTABLE} is plain C++ marked
 * {@code FX_FN} (host and device), so tests compile it with the host C++ compiler and check it against Fluxion's
 * Java references (the Philox generator above all) without a GPU; {@link #DEVICE} needs nvcc or NVRTC.
 *
 * <p>Semantics follow the CPU backend: NaN-propagating max/min, floored integer division and modulo, wrapping
 * integer arithmetic (computed in unsigned types, since signed overflow is undefined in C++). Where the CPU throws
 * (integer division by zero, integer negative powers) a kernel cannot, and yields 0 instead; the backend documents
 * this difference.
 */
public final class KernelPrelude {
    private KernelPrelude() {}

    /** Largest rank after axis coalescing that the index math handles (see {@link IndexPlan}). */
    public static final int MAX_RANK = 8;

    public static final String PORTABLE = """
            #ifndef FX_FN
            #define FX_FN __host__ __device__ __forceinline__
            #endif
            #define FX_MAX_RANK %d
            struct FxShape { int rank; int dim[FX_MAX_RANK]; };
            struct FxStrides { int s[FX_MAX_RANK]; };

            /* Element offset of linear index i of a row-major walk over shape, with one operand's strides. Unrolled
               over FX_MAX_RANK so the indices are constants and kernel parameters are not copied to local memory. */
            FX_FN int fx_offset(int i, const FxShape& sh, const FxStrides& st) {
              int off = 0;
            #pragma unroll
              for (int d = FX_MAX_RANK - 1; d >= 0; --d) {
                if (d >= sh.rank) continue;
                int q = i / sh.dim[d]; off += (i - q * sh.dim[d]) * st.s[d]; i = q;
              }
              return off;
            }

            FX_FN bool fx_isnan(float x) { return x != x; }
            FX_FN bool fx_isnan(double x) { return x != x; }
            FX_FN bool fx_isnan(int) { return false; }
            FX_FN bool fx_isnan(long long) { return false; }

            /* NaN-propagating max/min; +0 beats -0 for max and loses for min, like Java's Math.max/min. */
            template <typename T> FX_FN T fx_max(T a, T b) {
              if (fx_isnan(a)) return a; if (fx_isnan(b)) return b;
              if (a > b) return a; if (b > a) return b;
              return (a == 0 && (T)(1) / a < 0) ? b : a;
            }
            template <typename T> FX_FN T fx_min(T a, T b) {
              if (fx_isnan(a)) return a; if (fx_isnan(b)) return b;
              if (a < b) return a; if (b < a) return b;
              return (a == 0 && (T)(1) / a > 0) ? b : a;
            }
            FX_FN int fx_max(int a, int b) { return a > b ? a : b; }
            FX_FN int fx_min(int a, int b) { return a < b ? a : b; }
            FX_FN long long fx_max(long long a, long long b) { return a > b ? a : b; }
            FX_FN long long fx_min(long long a, long long b) { return a < b ? a : b; }

            /* sign keeps NaN and the sign of zero, like Math.signum. */
            template <typename T> FX_FN T fx_sign(T x) { return (x > 0) ? (T)1 : (x < 0) ? (T)-1 : x; }
            template <typename T> FX_FN T fx_relu(T x) { return x > 0 ? x : (fx_isnan(x) ? x : (T)0); }
            template <typename T> FX_FN T fx_step(T x) { return x > 0 ? (T)1 : (fx_isnan(x) ? x : (T)0); }

            /* Wrapping integer arithmetic without signed-overflow undefined behaviour. */
            FX_FN int fx_wadd(int a, int b) { return (int)((unsigned)a + (unsigned)b); }
            FX_FN int fx_wsub(int a, int b) { return (int)((unsigned)a - (unsigned)b); }
            FX_FN int fx_wmul(int a, int b) { return (int)((unsigned)a * (unsigned)b); }
            FX_FN int fx_wneg(int a) { return (int)(0u - (unsigned)a); }
            FX_FN long long fx_wadd(long long a, long long b) { return (long long)((unsigned long long)a + (unsigned long long)b); }
            FX_FN long long fx_wsub(long long a, long long b) { return (long long)((unsigned long long)a - (unsigned long long)b); }
            FX_FN long long fx_wmul(long long a, long long b) { return (long long)((unsigned long long)a * (unsigned long long)b); }
            FX_FN long long fx_wneg(long long a) { return (long long)(0ull - (unsigned long long)a); }

            /* Floored division and modulo (Python's // and %%, Java's floorDiv/floorMod); 0 for a zero divisor. */
            template <typename T> FX_FN T fx_floordiv(T a, T b) {
              if (b == 0) return 0;
              if (b == -1) return fx_wneg(a);
              T q = a / b;
              if ((a %% b != 0) && ((a < 0) != (b < 0))) q = q - 1;
              return q;
            }
            template <typename T> FX_FN T fx_floormod(T a, T b) {
              if (b == 0 || b == -1) return 0;
              T r = a %% b;
              if (r != 0 && ((r < 0) != (b < 0))) r = r + b;
              return r;
            }
            /* Integer power by squaring, wrapping like Java's long arithmetic; 0 for a negative exponent. */
            template <typename T> FX_FN T fx_ipow(T base, T e) {
              if (e < 0) return 0;
              T r = 1;
              while (e != 0) { if (e & 1) r = fx_wmul(r, base); e >>= 1; base = fx_wmul(base, base); }
              return r;
            }
            /* Floating modulo with the sign of the divisor, computed in double like the CPU reference. */
            FX_FN double fx_fmod_floor(double a, double b) { return a - floor(a / b) * b; }

            /* ---- convolution geometry, the CPU's Conv2dGeometry: x [n,h,w,c] NHWC, filter [kh,kw,c,o] HWIO,
               y [n,oh,ow,o]; output cell (oy, ox) reads input row oy*sh + ty*dh - pt (zero outside the input) ---- */
            struct FxConv { int n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl; };

            /* ---- float32 magnitude bits below 2^-14 to a float16 subnormal k * 2^-24, k rounded to nearest even ---- */
            FX_FN unsigned int fx_f16_subnormal(unsigned int a) {
              const unsigned int shift = 126u - (a >> 23), m = (a & 0x7fffffu) | 0x800000u;
              return shift > 24u ? 0u : (m + (1u << (shift - 1u)) - 1u + ((m >> shift) & 1u)) >> shift;
            }

            /* ---- pooling windows (NHWC), the CPU's Pool2dGeometry: rows [oy*sh - pt, + kh) clipped to the input ---- */
            struct FxPool { int n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl; };
            FX_FN int fx_pool_lo(int o, int stride, int pad) { const int v = o * stride - pad; return v < 0 ? 0 : v; }
            FX_FN int fx_pool_hi(int o, int stride, int pad, int k, int size) { const int v = o * stride - pad + k; return v > size ? size : v; }
            /* Cells of window (oy, ox) inside the input: average pooling's divisor (padding excluded), at least 1. */
            FX_FN int fx_pool_count(const FxPool& g, int oy, int ox) {
              const int n = (fx_pool_hi(oy, g.sh, g.pt, g.kh, g.h) - fx_pool_lo(oy, g.sh, g.pt))
                          * (fx_pool_hi(ox, g.sw, g.pl, g.kw, g.w) - fx_pool_lo(ox, g.sw, g.pl));
              return n > 1 ? n : 1;
            }
            /* A window's average from its sum, as the CPU computes it: float32 multiplies by the float reciprocal. */
            FX_FN float fx_avg_scale(float v, int count) { return v * (1.0f / (float)count); }
            FX_FN double fx_avg_scale(double v, int count) { return v / (double)count; }
            /* Element offset in x of the first maximal cell of window (oy, ox), channel ch, NaN counting as maximal:
               the CPU's tie rule (row-major window order, strict >). -1 for a window wholly in the padding. */
            template <typename T> FX_FN int fx_pool_argmax(const T* x, const FxPool& g, int img, int oy, int ox, int ch) {
              const int r0 = fx_pool_lo(oy, g.sh, g.pt), r1 = fx_pool_hi(oy, g.sh, g.pt, g.kh, g.h);
              const int s0 = fx_pool_lo(ox, g.sw, g.pl), s1 = fx_pool_hi(ox, g.sw, g.pl, g.kw, g.w);
              int best = -1; T m = 0;
              for (int r = r0; r < r1; ++r)
                for (int s = s0; s < s1; ++s) {
                  const int at = ((img * g.h + r) * g.w + s) * g.c + ch;
                  const T v = x[at];
                  if (best < 0 || v > m || (v != v && m == m)) { best = at; m = v; }
                }
              return best;
            }
            /* The output rows (or columns) whose windows cover input row r: [*lo, *hi], possibly empty. */
            FX_FN void fx_pool_covering(int r, int stride, int pad, int k, int outSize, int* lo, int* hi) {
              const int first = r + pad - k + 1; // the window of output o covers r when o*stride - pad + k > r
              *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
              const int last = (r + pad) / stride;
              *hi = last < outSize - 1 ? last : outSize - 1;
            }

            /* ---- Philox4x32-10, word for word the same as dev.fluxion.random.Philox ---- */
            FX_FN void fx_philox(unsigned c0, unsigned c1, unsigned c2, unsigned c3, unsigned k0, unsigned k1, unsigned out[4]) {
              for (int round = 0; round < 10; ++round) {
                if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
                unsigned long long p0 = (unsigned long long)0xD2511F53u * c0;
                unsigned long long p1 = (unsigned long long)0xCD9E8D57u * c2;
                unsigned n0 = (unsigned)(p1 >> 32) ^ c1 ^ k0;
                unsigned n2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;
                c1 = (unsigned)p1; c3 = (unsigned)p0; c0 = n0; c2 = n2;
              }
              out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
            }
            /* Block j of a request: counter + j in words 0-1, plane in word 3, the seed as the key. */
            FX_FN void fx_philox_block(unsigned long long seed, unsigned long long counter, unsigned long long j, unsigned plane, unsigned w[4]) {
              unsigned long long c = counter + j;
              fx_philox((unsigned)c, (unsigned)(c >> 32), 0u, plane, (unsigned)seed, (unsigned)(seed >> 32), w);
            }
            FX_FN unsigned long long fx_bits53(unsigned hi, unsigned lo) { return (((unsigned long long)hi << 32) | lo) >> 11; }
            #define FX_TWO_PI (2.0 * 3.141592653589793)
            /* Four float-path normals of a block: Box-Muller on word pairs (0,1) and (2,3), in double. */
            FX_FN void fx_normals32(const unsigned w[4], double z[4]) {
              for (int p = 0; p < 2; ++p) {
                double u1 = ((double)w[2 * p] + 1.0) * 0x1p-32;
                double t = FX_TWO_PI * ((double)w[2 * p + 1] * 0x1p-32);
                double r = sqrt(-2.0 * log(u1));
                z[2 * p] = r * cos(t); z[2 * p + 1] = r * sin(t);
              }
            }
            /* Two double-path normals of a block: 53-bit u1 from words 0-1, angle from words 2-3. */
            FX_FN void fx_normals64(const unsigned w[4], double z[2]) {
              double u1 = ((double)fx_bits53(w[0], w[1]) + 1.0) * 0x1p-53;
              double t = FX_TWO_PI * ((double)fx_bits53(w[2], w[3]) * 0x1p-53);
              double r = sqrt(-2.0 * log(u1));
              z[0] = r * cos(t); z[1] = r * sin(t);
            }
            """.formatted(MAX_RANK);

    /** Device-only helpers: float-to-integer conversions that saturate and map NaN to 0, as Java's casts do. */
    public static final String DEVICE = """
            __device__ __forceinline__ int fx_to_i32(float x) { return x != x ? 0 : __float2int_rz(x); }
            __device__ __forceinline__ int fx_to_i32(double x) { return x != x ? 0 : __double2int_rz(x); }
            // NaN gives 0 as on the CPU; the intrinsics give 0x8000000000000000 for the 64-bit casts
            __device__ __forceinline__ long long fx_to_i64(float x) { return x != x ? 0 : __float2ll_rz(x); }
            __device__ __forceinline__ long long fx_to_i64(double x) { return x != x ? 0 : __double2ll_rz(x); }
            """;

    /** The full prelude for nvcc/NVRTC. */
    public static String source() {
        return PORTABLE + DEVICE;
    }
}
