package dev.fluxion.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NVRTC, the run-time CUDA C++ compiler, bound with {@code java.lang.foreign}. {@link #compile} turns generated
 * kernel source into PTX (for {@code compute_XY}) or CUBIN (for {@code sm_XY}); a compile error throws
 * {@link CudaException} with NVRTC's log.
 */
public final class Nvrtc {
    private final MethodHandle create, compile, destroy, ptxSize, ptx, cubinSize, cubin, logSize, log, errorString, version;

    public Nvrtc(Path path) {
        NativeBinder.preloadCompanions(path, "libnvrtc-builtins.so");
        NativeBinder b = new NativeBinder(path);
        create = b.bind("nvrtcCreateProgram", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        compile = b.bind("nvrtcCompileProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        destroy = b.bind("nvrtcDestroyProgram", JAVA_INT, ADDRESS);
        ptxSize = b.bind("nvrtcGetPTXSize", JAVA_INT, ADDRESS, ADDRESS);
        ptx = b.bind("nvrtcGetPTX", JAVA_INT, ADDRESS, ADDRESS);
        cubinSize = b.bind("nvrtcGetCUBINSize", JAVA_INT, ADDRESS, ADDRESS);
        cubin = b.bind("nvrtcGetCUBIN", JAVA_INT, ADDRESS, ADDRESS);
        logSize = b.bind("nvrtcGetProgramLogSize", JAVA_INT, ADDRESS, ADDRESS);
        log = b.bind("nvrtcGetProgramLog", JAVA_INT, ADDRESS, ADDRESS);
        errorString = b.bind("nvrtcGetErrorString", ADDRESS, JAVA_INT);
        version = b.bind("nvrtcVersion", JAVA_INT, ADDRESS, ADDRESS);
    }

    /** The compiled image: PTX text (NUL-terminated) or CUBIN bytes, ready for cuModuleLoadData. */
    public record Image(byte[] bytes, boolean isPtx) {}

    /** {major, minor} of this NVRTC. */
    public int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            check("nvrtcVersion", CudaDriver.call(() -> (int) version.invokeExact(major, minor)), null);
            return new int[] {major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0)};
        }
    }

    /**
     * Compiles {@code source} (named {@code fileName} in messages) for compute capability {@code major.minor}: PTX
     * for {@code --gpu-architecture=compute_XY} when {@code ptx}, else CUBIN for {@code sm_XY}.
     */
    public Image compile(String fileName, String source, int major, int minor, boolean ptxOutput, List<String> extraOptions) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment programOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram(" + fileName + ")", CudaDriver.call(() -> (int) create.invokeExact(programOut, a.allocateFrom(source),
                    a.allocateFrom(fileName), 0, MemorySegment.NULL, MemorySegment.NULL)), null);
            MemorySegment program = programOut.get(ADDRESS, 0);
            try {
                List<String> options = new java.util.ArrayList<>();
                options.add("--gpu-architecture=" + (ptxOutput ? "compute_" : "sm_") + major + minor);
                options.add("--std=c++17");
                options.addAll(extraOptions);
                MemorySegment opts = a.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = CudaDriver.call(() -> (int) compile.invokeExact(program, options.size(), opts));
                check("nvrtcCompileProgram(" + fileName + ", " + options + ")", rc, program);
                MemorySegment size = a.allocate(JAVA_LONG);
                MethodHandle sizeHandle = ptxOutput ? ptxSize : cubinSize, dataHandle = ptxOutput ? ptx : cubin;
                check(ptxOutput ? "nvrtcGetPTXSize" : "nvrtcGetCUBINSize", CudaDriver.call(() -> (int) sizeHandle.invokeExact(program, size)), null);
                MemorySegment data = a.allocate(size.get(JAVA_LONG, 0));
                check(ptxOutput ? "nvrtcGetPTX" : "nvrtcGetCUBIN", CudaDriver.call(() -> (int) dataHandle.invokeExact(program, data)), null);
                return new Image(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), ptxOutput);
            } finally {
                MemorySegment holder = a.allocate(ADDRESS);
                holder.set(ADDRESS, 0, program);
                CudaDriver.call(() -> (int) destroy.invokeExact(holder));
            }
        }
    }

    /** The program's compile log, or "" when there is none. */
    private String programLog(MemorySegment program) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            if (CudaDriver.call(() -> (int) logSize.invokeExact(program, size)) != 0 || size.get(JAVA_LONG, 0) <= 1) return "";
            MemorySegment text = a.allocate(size.get(JAVA_LONG, 0));
            if (CudaDriver.call(() -> (int) log.invokeExact(program, text)) != 0) return "";
            return text.getString(0);
        }
    }

    private void check(String call, int status, MemorySegment programForLog) {
        if (status == 0) return;
        throw new CudaException(call, status, NativeBinder.statusName(errorString, status, "nvrtcResult"),
                programForLog == null ? null : programLog(programForLog));
    }
}
