package dev.fluxion.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every driver function {@link CudaDriver} binds exists in the toolkit's cuda.h under that exact symbol name, with
 * a return and argument list that matches the Java descriptor class by class (pointer, 4-, 8- or 1-byte integer):
 * g++ evaluates one static_assert per function against the real declarations. This checks the FFM bindings
 * without a driver; NVRTC's and cuBLAS's headers are not on this machine, so those bindings are not checked here.
 */
class DriverSignaturesTest {
    private static final Path CUDA_INCLUDE = Path.of("/usr/local/cuda-13.0/include");

    private static char code(MemoryLayout l) {
        if (l == null) return 'V';
        if (l instanceof java.lang.foreign.AddressLayout) return 'A';
        if (l.equals(ValueLayout.JAVA_INT)) return 'I';
        if (l.equals(ValueLayout.JAVA_LONG)) return 'J';
        if (l.equals(ValueLayout.JAVA_BYTE)) return 'B';
        throw new IllegalArgumentException("unexpected layout " + l);
    }

    @Test
    void compiledGraphsHaveTheirCaptureAndReplayBindings() {
        // CudaExecutable captures its plan and replays it: these must be bound (and so checked against cuda.h below)
        List<String> bound = CudaDriver.signatures().stream().map(NativeBinder.Signature::name).toList();
        for (String name : List.of("cuStreamBeginCapture_v2", "cuStreamEndCapture", "cuGraphInstantiateWithFlags", "cuGraphLaunch",
                "cuGraphDestroy", "cuGraphExecDestroy", "cuGraphGetNodes", "cuMemcpyDtoDAsync_v2"))
            assertTrue(bound.contains(name), name + " is not bound");
    }

    @Test
    void everyBoundDriverFunctionMatchesCudaH() throws Exception {
        assumeTrue(Files.exists(CUDA_INCLUDE.resolve("cuda.h")), "cuda.h not found under " + CUDA_INCLUDE);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/g++")), "g++ not found");
        List<NativeBinder.Signature> sigs = CudaDriver.signatures();
        assertTrue(sigs.size() >= 36, "expected the full driver binding, got " + sigs.size());
        StringBuilder src = new StringBuilder("""
                #include <cuda.h>
                #include <array>
                #include <type_traits>
                template <class T> constexpr char cat() {
                  if constexpr (std::is_void_v<T>) return 'V';
                  else if constexpr (std::is_pointer_v<T>) return 'A';
                  else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) return sizeof(T) == 8 ? 'J' : sizeof(T) == 4 ? 'I' : sizeof(T) == 1 ? 'B' : '?';
                  else return '?';
                }
                template <class R, class... A> constexpr auto sig(R (*)(A...)) { return std::array<char, sizeof...(A) + 1>{cat<R>(), cat<A>()...}; }
                """);
        for (NativeBinder.Signature s : sigs) {
            StringBuilder expected = new StringBuilder().append('\'').append(code(s.returns())).append('\'');
            for (MemoryLayout a : s.arguments()) expected.append(", '").append(code(a)).append('\'');
            // a legacy name such as cuMemAlloc is a macro for cuMemAlloc_v2: binding the macro's name would load
            // the old ABI, so a bound name must not be a macro
            src.append("#ifdef ").append(s.name()).append("\n#error \"").append(s.name()).append(" is a macro in cuda.h: bind the symbol it names\"\n#endif\n");
            src.append("static_assert(sig(&").append(s.name()).append(") == std::array<char, ").append(s.arguments().size() + 1)
                    .append(">{").append(expected).append("}, \"").append(s.name()).append(": the Java descriptor does not match cuda.h\");\n");
        }
        Path dir = Files.createTempDirectory("fluxion-driver-sigs");
        Path cpp = dir.resolve("sigs.cpp");
        Files.writeString(cpp, src);
        Process p = new ProcessBuilder("/usr/bin/g++", "-std=c++20", "-fsyntax-only", "-I" + CUDA_INCLUDE, cpp.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> "the driver bindings disagree with cuda.h:\n" + log);
        Files.delete(cpp);
        Files.delete(dir);
    }
}
