package dev.fluxion.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens one native library and makes downcall handles for its functions. The library stays loaded for the life of
 * the process (global arena): CUDA libraries are not meant to be unloaded while a context is alive.
 */
final class NativeBinder {
    private static final Linker LINKER = Linker.nativeLinker();

    /** A bound function's name and signature, kept by a recording binder so tests can check it against headers. */
    record Signature(String name, MemoryLayout returns, List<MemoryLayout> arguments) {}

    private final SymbolLookup lookup;
    private final Path path;
    private final List<Signature> recorded = new ArrayList<>();

    /** A binder that loads nothing: {@link #bind} records the signature and returns null. */
    static NativeBinder recording() {
        return new NativeBinder();
    }

    private NativeBinder() {
        this.lookup = null;
        this.path = null;
    }

    List<Signature> recorded() {
        return List.copyOf(recorded);
    }

    /** What {@code bindings} binds (a class's constructor taking a binder), without loading any library. */
    static List<Signature> signaturesBoundBy(java.util.function.Consumer<NativeBinder> bindings) {
        NativeBinder recorder = recording();
        bindings.accept(recorder);
        return recorder.recorded();
    }

    NativeBinder(Path path) {
        this.path = path;
        try {
            this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException("CUDA is not available: " + path + " was found but could not be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the companion libraries next to {@code library} whose names start with {@code prefix} (cuBLAS needs
     * libcublasLt, NVRTC dlopens libnvrtc-builtins): once loaded, the dynamic linker reuses them by soname, so
     * they are found even when their folder is on neither LD_LIBRARY_PATH nor the ld.so cache.
     */
    static void preloadCompanions(Path library, String prefix) {
        Path folder = library.toAbsolutePath().getParent();
        if (folder == null) return;
        try (var files = java.nio.file.Files.list(folder)) {
            files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted(java.util.Comparator.reverseOrder()).findFirst()
                    .ifPresent(f -> {
                        try {
                            SymbolLookup.libraryLookup(f, Arena.global());
                        } catch (IllegalArgumentException e) {
                            // not loadable here: leave it to the dynamic linker's own search
                        }
                    });
        } catch (java.io.IOException e) {
            // unreadable folder: same
        }
    }

    /** A handle for {@code name} returning {@code ret} (null for void). A missing symbol means a too old library. */
    MethodHandle bind(String name, MemoryLayout ret, MemoryLayout... args) {
        recorded.add(new Signature(name, ret, List.of(args)));
        if (lookup == null) return null;
        var symbol = lookup.find(name).orElseThrow(() -> new CudaUnavailableException(
                path + " has no function " + name + " (the library is older than Fluxion needs: CUDA 12 or newer)"));
        return LINKER.downcallHandle(symbol, ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args));
    }

    /**
     * The name a library gives a failed status, through its {@code const char* name(int status)} function, or
     * {@code fallback} followed by the number where that fails.
     */
    static String statusName(MethodHandle nameFunction, int status, String fallback) {
        try {
            return ((java.lang.foreign.MemorySegment) nameFunction.invokeExact(status)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return fallback + " " + status;
        }
    }

    /** Rethrows what a downcall threw: errors and runtime exceptions as they are, anything else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
