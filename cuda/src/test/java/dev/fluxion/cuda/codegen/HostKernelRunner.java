package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs generated kernels on the CPU, without a GPU: the kernels and the whole prelude are compiled as plain C++
 * with g++ under a small shim (CUDA keywords defined away, a single thread: blockIdx = threadIdx = 0 and
 * blockDim = gridDim = 1, so every grid-stride loop walks all the work, shared arrays become statics and
 * __syncthreads does nothing; the saturating float-to-int intrinsics are emulated). This executes the very source
 * that NVRTC would compile, so index math, argument order, operand wiring and semantics (NaN, floored division,
 * casts, Philox) are checked against the CPU backend. It says nothing about parallel behaviour (races, shared
 * memory with many threads) or the GPU's math library accuracy: the "gpu" suite covers those on a GPU.
 */
public final class HostKernelRunner {
    public static final String SHIM = """
            #include <math.h>
            #include <cmath>
            #include <cstdio>
            #include <cstring>
            #include <cstdint>
            #include <limits>
            #define __host__
            #define __device__
            #define __global__
            #define __forceinline__ inline
            #define __shared__ static
            struct FxDim3 { unsigned x, y, z; };
            static const FxDim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
            static inline void __syncthreads() {}
            #define __launch_bounds__(threads)
            /* one thread: a warp of one lane, whose shuffles are never taken (the loops over lanes / 2 do not run) */
            template <typename T> static inline T __shfl_down_sync(unsigned, T v, int) { return v; }
            static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
            static inline double __longlong_as_double(long long i) { double d; std::memcpy(&d, &i, 8); return d; }
            template <typename T, typename F> static inline T fx_sat(F x) {
              if (x != x) return 0;
              if (x <= (F)std::numeric_limits<T>::min()) return std::numeric_limits<T>::min();
              if (x >= (F)std::numeric_limits<T>::max()) return std::numeric_limits<T>::max();
              return (T)x;
            }
            static inline int __float2int_rz(float x) { return fx_sat<int>(x); }
            static inline int __double2int_rz(double x) { return fx_sat<int>(x); }
            static inline long long __float2ll_rz(float x) { return fx_sat<long long>(x); }
            static inline long long __double2ll_rz(double x) { return fx_sat<long long>(x); }
            /* one thread: an atomic add is a plain read-modify-write (integers wrap, as on the GPU) */
            static inline float atomicAdd(float* a, float v) { float o = *a; *a = o + v; return o; }
            static inline double atomicAdd(double* a, double v) { double o = *a; *a = o + v; return o; }
            static inline int atomicAdd(int* a, int v) { int o = *a; *a = (int)((unsigned)o + (unsigned)v); return o; }
            static inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) { unsigned long long o = *a; *a = o + v; return o; }
            """;

    /** One kernel argument. */
    sealed interface Arg permits IntArg, Buffer, View, Reads, ShapeArg, StridesArg, StructArg, ScalarArg {}

    record IntArg(int value) implements Arg {}

    /**
     * A device buffer: its contents (row-major, as the tensor's dtype) and whether the kernel's output lands there.
     * One Buffer object is one buffer: passing the same object to several calls shares it between them, in order.
     */
    record Buffer(DType dtype, byte[] bytes, boolean output) implements Arg {}

    /** A pointer {@code offset} elements into a buffer (an output written slice by slice, like concat's). */
    record View(Buffer buffer, int offset) implements Arg {}

    /** An earlier call's output read by this call as an input (a two-pass kernel's partial results): not an output here. */
    record Reads(Buffer buffer) implements Arg {}

    /** A struct of ints passed by value, e.g. {@code FxConv}: its C type name and fields in order. */
    record StructArg(String type, int[] fields) implements Arg {}

    /** A scalar of a dtype passed by value, as its little-endian bytes. */
    record ScalarArg(DType dtype, byte[] bytes) implements Arg {}

    record ShapeArg(IndexPlan plan) implements Arg {}

    record StridesArg(IndexPlan plan, int operand) implements Arg {}

    /** One launch: kernel name and arguments in the kernel's order. */
    record Call(String kernel, List<Arg> args) {}

    private HostKernelRunner() {}

    public static Path gxx() {
        for (String c : List.of("/usr/bin/g++", "/usr/local/bin/g++"))
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        Assumptions.assumeTrue(false, "g++ not found: generated kernels were not executed on the host");
        return null;
    }

    /** A buffer holding a tensor's values (bool as one byte each). */
    static Buffer input(Tensor t) {
        return new Buffer(t.dtype(), bytes(t), false);
    }

    static Buffer output(DType t, int size) {
        return new Buffer(t, new byte[Math.max(1, size) * t.byteSize()], true);
    }

    public static byte[] bytes(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(1, t.size()) * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> { for (float v : t.toFloatArray()) b.putFloat(v); }
            case FLOAT64 -> { for (double v : t.toDoubleArray()) b.putDouble(v); }
            case INT32 -> { for (int v : t.toIntArray()) b.putInt(v); }
            case INT64 -> { for (long v : t.toLongArray()) b.putLong(v); }
            case BOOL -> { for (boolean v : t.toBooleanArray()) b.put((byte) (v ? 1 : 0)); }
        }
        return b.array();
    }

    /** The output buffer's bytes as a tensor of {@code shape}. */
    public static Tensor tensor(DType t, byte[] bytes, int[] shape) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = dev.fluxion.Shapes.size(shape);
        return switch (t) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = b.getFloat(); yield Tensor.of(a, shape); }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = b.getDouble(); yield Tensor.of(a, shape); }
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = b.getInt(); yield Tensor.of(a, shape); }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = b.getLong(); yield Tensor.of(a, shape); }
            case BOOL -> { boolean[] a = new boolean[n]; for (int i = 0; i < n; i++) a[i] = b.get() != 0; yield Tensor.of(a, shape); }
        };
    }

    /** The distinct output buffers a call writes (directly or through a view), in argument order. */
    private static List<Buffer> outputs(Call call) {
        List<Buffer> out = new ArrayList<>();
        for (Arg a : call.args()) {
            Buffer b = a instanceof Buffer x ? x : a instanceof View v ? v.buffer() : null;
            if (b != null && b.output() && out.stream().noneMatch(o -> o == b)) out.add(b);
        }
        return out;
    }

    /**
     * Compiles the kernels with one host program making the calls in order, runs it, and returns every output
     * buffer's bytes, call by call, in argument order.
     */
    static List<List<byte[]>> run(List<KernelSource> kernels, List<Call> calls) throws IOException, InterruptedException {
        Path gxx = gxx();
        StringBuilder main = new StringBuilder();
        java.util.Map<Buffer, String> buffers = new java.util.IdentityHashMap<>();
        for (Call call : calls)
            for (Arg a : call.args()) {
                Buffer b = a instanceof Buffer x ? x : a instanceof View v ? v.buffer() : a instanceof Reads r ? r.buffer() : null;
                if (b == null || buffers.containsKey(b)) continue;
                String v = "b" + buffers.size();
                buffers.put(b, v);
                main.append("alignas(16) static unsigned char ").append(v).append("[] = {");
                for (int k = 0; k < b.bytes().length; k++) main.append(k > 0 ? "," : "").append(b.bytes()[k] & 0xff);
                main.append("};\n");
            }
        main.append("int main() {\n");
        for (Call call : calls) {
            main.append("  {\n");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < call.args().size(); i++) {
                String v = "a" + i;
                switch (call.args().get(i)) {
                    case IntArg x -> main.append("    int ").append(v).append(" = ").append(x.value()).append(";\n");
                    case Buffer b -> main.append("    ").append(CudaTypes.c(b.dtype())).append("* ").append(v).append(" = (")
                            .append(CudaTypes.c(b.dtype())).append("*)").append(buffers.get(b)).append(";\n");
                    case Reads r -> main.append("    ").append(CudaTypes.c(r.buffer().dtype())).append("* ").append(v).append(" = (")
                            .append(CudaTypes.c(r.buffer().dtype())).append("*)").append(buffers.get(r.buffer())).append(";\n");
                    case View w -> main.append("    ").append(CudaTypes.c(w.buffer().dtype())).append("* ").append(v).append(" = (")
                            .append(CudaTypes.c(w.buffer().dtype())).append("*)").append(buffers.get(w.buffer())).append(" + ").append(w.offset()).append(";\n");
                    case ShapeArg s -> {
                        main.append("    FxShape ").append(v).append(" = {").append(s.plan().rank()).append(", {");
                        for (int d = 0; d < s.plan().rank(); d++) main.append(d > 0 ? "," : "").append(s.plan().dims()[d]);
                        main.append("}};\n");
                    }
                    case StridesArg s -> {
                        main.append("    FxStrides ").append(v).append(" = {{");
                        for (int d = 0; d < s.plan().rank(); d++) main.append(d > 0 ? "," : "").append(s.plan().strides()[s.operand()][d]);
                        main.append("}};\n");
                    }
                    case StructArg s -> {
                        main.append("    ").append(s.type()).append(" ").append(v).append(" = {");
                        for (int d = 0; d < s.fields().length; d++) main.append(d > 0 ? "," : "").append(s.fields()[d]);
                        main.append("};\n");
                    }
                    case ScalarArg s -> {
                        main.append("    ").append(CudaTypes.c(s.dtype())).append(" ").append(v).append(";\n    { static const unsigned char raw[] = {");
                        for (int k = 0; k < s.bytes().length; k++) main.append(k > 0 ? "," : "").append(s.bytes()[k] & 0xff);
                        main.append("}; std::memcpy(&").append(v).append(", raw, sizeof raw); }\n");
                    }
                }
                names.add(v);
            }
            main.append("    ").append(call.kernel()).append("(").append(String.join(", ", names)).append(");\n");
            for (Buffer b : outputs(call))
                main.append("    fwrite(").append(buffers.get(b)).append(", 1, ").append(b.bytes().length).append(", stdout);\n");
            main.append("  }\n");
        }
        main.append("  return 0;\n}\n");
        String source = SHIM + "#define FX_FN inline\n" + KernelSource.translationUnit(kernels) + "\n" + main;
        byte[] out = compileAndRun(gxx, source, "fluxion-host-kernels", "the generated kernels");
        List<List<byte[]>> results = new ArrayList<>();
        int pos = 0;
        for (Call call : calls) {
            List<byte[]> outs = new ArrayList<>();
            for (Buffer b : outputs(call)) {
                outs.add(java.util.Arrays.copyOfRange(out, pos, pos + b.bytes().length));
                pos += b.bytes().length;
            }
            results.add(outs);
        }
        if (pos != out.length) throw new AssertionError("host kernel program wrote " + out.length + " bytes, expected " + pos);
        return results;
    }

    /**
     * Compiles a C++ program with g++ (C++17, -O1, no FMA contraction, so a*b+c rounds twice as in the kernels
     * compiled with --fmad=false) in a temporary folder, runs it, and returns what it wrote to stdout; the folder is
     * deleted when all went well and kept, named in the error, when it did not.
     */
    public static byte[] compileAndRun(Path gxx, String source, String folderPrefix, String what) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(folderPrefix);
        Path cpp = dir.resolve("program.cpp"), exe = dir.resolve("program");
        Files.writeString(cpp, source);
        Process p = new ProcessBuilder(gxx.toString(), "-std=c++17", "-O1", "-ffp-contract=off", "-w", "-o", exe.toString(), cpp.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new AssertionError("g++ failed on " + what + " (source at " + cpp + "):\n" + log);
        Process run = new ProcessBuilder(exe.toString()).start();
        byte[] out = run.getInputStream().readAllBytes();
        if (!run.waitFor(120, TimeUnit.SECONDS) || run.exitValue() != 0)
            throw new AssertionError(what + " failed when run: " + new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        Files.deleteIfExists(cpp);
        Files.deleteIfExists(exe);
        Files.deleteIfExists(dir);
        return out;
    }
}
