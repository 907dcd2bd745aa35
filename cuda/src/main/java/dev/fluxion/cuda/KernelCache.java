package dev.fluxion.cuda;

import dev.fluxion.cuda.codegen.KernelSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled kernels of one device, by name: a kernel is compiled with NVRTC on first use (prelude + kernel, PTX for
 * the device's compute capability) or read from the {@link KernelDiskCache}, loaded with cuModuleLoadData and kept
 * for the life of the context. Names are
 * unique per source (fused kernels are named by a hash of their body), so the name is the cache key.
 */
final class KernelCache {
    /** Options every kernel is compiled with: no FMA contraction, so a*b+c rounds twice as on the CPU. */
    static final List<String> OPTIONS = List.of("--fmad=false");

    private final CudaContext context;
    private final ConcurrentHashMap<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final KernelDiskCache disk = KernelDiskCache.fromSystemProperties();

    KernelCache(CudaContext context) {
        this.context = context;
    }

    /** The CUfunction of {@code kernel}, compiling (or reading from the disk cache) and loading it on first use. */
    MemorySegment function(KernelSource kernel) {
        MemorySegment f = functions.get(kernel.name());
        if (f != null) return f;
        return functions.computeIfAbsent(kernel.name(), name -> {
            context.makeCurrent();
            String source = kernel.translationUnit();
            int major = context.computeMajor(), minor = context.computeMinor();
            java.nio.file.Path file = disk == null ? null : disk.fileOf(name, source, OPTIONS, major, minor);
            byte[] cached = file == null ? null : disk.get(file);
            if (cached != null) {
                try {
                    return load(name, cached);
                } catch (CudaException rejected) {
                    disk.remove(file); // e.g. written by another driver version: compile again below
                }
            }
            byte[] ptx = context.runtime().nvrtc().compile(name + ".cu", source, major, minor, true, OPTIONS).bytes();
            MemorySegment function = load(name, ptx);
            if (file != null) disk.put(file, ptx);
            return function;
        });
    }

    private MemorySegment load(String name, byte[] ptx) {
        try (Arena a = Arena.ofConfined()) { // the driver copies the image: it need not outlive the call
            MemorySegment data = a.allocate(ptx.length + 1L); // + 1: PTX must end with a NUL
            MemorySegment.copy(ptx, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, ptx.length);
            MemorySegment module = context.driver().loadModule(data);
            return context.driver().function(module, name);
        }
    }

    int size() {
        return functions.size();
    }
}
