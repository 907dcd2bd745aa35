package dev.fluxion.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipFile;

import dev.fluxion.ops.Window2d;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every cuDNN function {@link Cudnn} binds matches cuDNN 9's headers (see {@link HeaderSignatures}), the algorithm
 * choice keeps to deterministic algorithms of the requested math, and convolutions go to cuDNN only with padding it
 * can express. The headers come from
 * {@code FLUXION_CUDNN_INCLUDE}, else from the NVIDIA cuDNN wheel where this machine keeps one; without either the
 * header check is skipped.
 */
class CudnnTest {
    private static final Path WHEELS = Path.of("/opt/pypi-more/files");

    @Test
    void everyBoundCudnnFunctionMatchesTheHeaders() throws Exception {
        Optional<Path> include = cudnnInclude();
        assumeTrue(include.isPresent(), "no cuDNN headers: set FLUXION_CUDNN_INCLUDE");
        assumeTrue(Files.exists(Path.of("/usr/local/cuda-13.0/include/cuda_runtime_api.h")), "no CUDA headers under /usr/local/cuda-13.0");
        List<NativeBinder.Signature> sigs = Cudnn.signatures();
        assertEquals(21, sigs.size(), "the convolution binding");
        String mismatches = HeaderSignatures.mismatches(sigs, include.get(), "cudnn.h", true);
        assertNull(mismatches, () -> "the cuDNN bindings disagree with cudnn.h:\n" + mismatches);
    }

    @Test
    void choosesTheFirstDeterministicAlgorithmOfTheRequestedMath() {
        var tensorOps = new Cudnn.Perf(1, 0, 0, Cudnn.DETERMINISTIC, Cudnn.TENSOR_OP_MATH);
        var nondeterministic = new Cudnn.Perf(2, 0, 0, 0, Cudnn.FMA_MATH);
        var failed = new Cudnn.Perf(3, 9, 0, Cudnn.DETERMINISTIC, Cudnn.FMA_MATH);
        var huge = new Cudnn.Perf(4, 0, Cudnn.MAX_WORKSPACE + 1, Cudnn.DETERMINISTIC, Cudnn.FMA_MATH);
        var fma = new Cudnn.Perf(5, 0, 4096, Cudnn.DETERMINISTIC, Cudnn.FMA_MATH);
        List<Cudnn.Perf> ranked = List.of(tensorOps, nondeterministic, failed, huge, fma);
        assertEquals(fma, Cudnn.choose(ranked, false), "exact float32 takes FMA math only");
        assertEquals(tensorOps, Cudnn.choose(ranked, true), "TF32 allowed: the best ranked deterministic one");
        assertNull(Cudnn.choose(List.of(tensorOps, nondeterministic, failed), false));
    }

    @Test
    void onlyPaddingCudnnCanExpressGoesToIt() {
        // cuDNN pads both sides alike: SAME with stride 1 is that; SAME with stride 2 on an even size pads only the
        // bottom (0 top, 1 bottom), which cuDNN's pad 0 would cut one output short of
        Window2d sameStride1 = Window2d.same(32, 32, 3, 3, 1, 1, 1, 1), sameStride2 = Window2d.same(32, 32, 3, 3, 2, 2, 1, 1);
        assertEquals(32, CudaNn.symmetricOutput(32, 3, sameStride1.padTop(), 1, 1));
        assertEquals(0, sameStride2.padTop());
        assertEquals(15, CudaNn.symmetricOutput(32, 3, sameStride2.padTop(), 2, 1), "one short of SAME's 16: the im2col path runs it");
        assertEquals(3, CudaNn.symmetricOutput(7, 3, 0, 2, 1), "VALID: (7 - 3) / 2 + 1");
        assertEquals(1, CudaNn.symmetricOutput(7, 3, 0, 1, 3), "dilation 3: the window spans 7 rows and fits once");
        assertEquals(0, CudaNn.symmetricOutput(2, 3, 0, 1, 1), "a window larger than the input");
    }

    /** FLUXION_CUDNN_INCLUDE, or the headers of the newest cuDNN wheel on this machine unpacked into a temporary folder. */
    private static Optional<Path> cudnnInclude() throws IOException {
        String env = System.getenv("FLUXION_CUDNN_INCLUDE");
        if (env != null && Files.exists(Path.of(env, "cudnn.h"))) return Optional.of(Path.of(env));
        if (!Files.isDirectory(WHEELS)) return Optional.empty();
        Optional<Path> wheel;
        try (var files = Files.list(WHEELS)) {
            wheel = files.filter(f -> f.getFileName().toString().startsWith("nvidia_cudnn_cu")).max(Path::compareTo);
        }
        if (wheel.isEmpty()) return Optional.empty();
        Path dir = Files.createTempDirectory("fluxion-cudnn-include");
        dir.toFile().deleteOnExit(); // after the files, which register later
        try (ZipFile zip = new ZipFile(wheel.get().toFile())) {
            for (var e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                if (!name.startsWith("nvidia/cudnn/include/") || !name.endsWith(".h")) continue;
                try (var in = zip.getInputStream(e)) {
                    Path header = dir.resolve(name.substring(name.lastIndexOf('/') + 1));
                    Files.copy(in, header);
                    header.toFile().deleteOnExit();
                }
            }
        }
        return Files.exists(dir.resolve("cudnn.h")) ? Optional.of(dir) : Optional.empty();
    }
}
