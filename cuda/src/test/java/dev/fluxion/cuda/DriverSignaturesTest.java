package dev.fluxion.cuda;

import org.junit.jupiter.api.Test;

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
        String mismatches = HeaderSignatures.mismatches(sigs, CUDA_INCLUDE, "cuda.h", false);
        assertNull(mismatches, () -> "the driver bindings disagree with cuda.h:\n" + mismatches);
    }
}
