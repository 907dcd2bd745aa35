package dev.fluxion.cuda;

import dev.fluxion.cuda.codegen.KernelSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled kernels of one device, by name: a kernel is compiled with NVRTC on first use (prelude + kernel, PTX for
 * the device's compute capability), loaded with cuModuleLoadData and kept for the life of the context. Names are
 * unique per source (fused kernels are named by a hash of their body), so the name is the cache key.
 */
final class KernelCache {
    /** Options every kernel is compiled with: no FMA contraction, so a*b+c rounds twice as on the CPU. */
    static final List<String> OPTIONS = List.of("--fmad=false");

    private final CudaContext context;
    private final ConcurrentHashMap<String, MemorySegment> functions = new ConcurrentHashMap<>();

    KernelCache(CudaContext context) {
        this.context = context;
    }

    /** The CUfunction of {@code kernel}, compiling and loading it on first use. */
    MemorySegment function(KernelSource kernel) {
        MemorySegment f = functions.get(kernel.name());
        if (f != null) return f;
        return functions.computeIfAbsent(kernel.name(), name -> {
            context.makeCurrent();
            Nvrtc.Image image = context.runtime().nvrtc().compile(name + ".cu", kernel.translationUnit(),
                    context.computeMajor(), context.computeMinor(), true, OPTIONS);
            try (Arena a = Arena.ofConfined()) { // the driver copies the image: it need not outlive the call
                MemorySegment data = a.allocate(image.bytes().length + 1L); // + 1: PTX must end with a NUL
                MemorySegment.copy(image.bytes(), 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, image.bytes().length);
                MemorySegment module = context.driver().loadModule(data);
                return context.driver().function(module, name);
            }
        });
    }

    int size() {
        return functions.size();
    }
}
