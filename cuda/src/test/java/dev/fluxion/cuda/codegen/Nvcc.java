package dev.fluxion.cuda.codegen;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CUDA toolkit's nvcc from tests; tests that need it are skipped (with the reason) where it is absent. */
public final class Nvcc {
    private Nvcc() {}

    /** nvcc from -Dfluxion.nvcc, CUDA_HOME, /usr/local/cuda-13.0 or /usr/local/cuda, else null. */
    static Path find() {
        List<String> candidates = new ArrayList<>();
        if (System.getProperty("fluxion.nvcc") != null) candidates.add(System.getProperty("fluxion.nvcc"));
        if (System.getenv("CUDA_HOME") != null) candidates.add(System.getenv("CUDA_HOME") + "/bin/nvcc");
        candidates.add("/usr/local/cuda-13.0/bin/nvcc");
        candidates.add("/usr/local/cuda/bin/nvcc");
        for (String c : candidates) if (Files.isExecutable(Path.of(c))) return Path.of(c);
        return null;
    }

    static Path require() {
        Path nvcc = find();
        Assumptions.assumeTrue(nvcc != null, "nvcc not found (set -Dfluxion.nvcc or CUDA_HOME): generated CUDA C was not compiled");
        return nvcc;
    }

    /** The outcome of one compilation: exit code, compiler output, and the PTX text (empty on failure). */
    public record Result(int exitCode, String log, String ptx) {}

    /** Compiles one translation unit to PTX for sm_90 with the flags the backend gives NVRTC. */
    public static Result ptx(String source, String label) throws IOException, InterruptedException {
        Path nvcc = require();
        Path dir = Files.createTempDirectory("fluxion-nvcc");
        Path cu = dir.resolve(label + ".cu"), out = dir.resolve(label + ".ptx");
        Files.writeString(cu, source);
        Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=sm_90", "-std=c++17", "-fmad=false", "-o", out.toString(), cu.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("nvcc timed out on " + cu);
        }
        String ptx = Files.exists(out) ? Files.readString(out) : "";
        if (p.exitValue() == 0) {
            Files.deleteIfExists(cu);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        } else {
            log += "\n(source kept at " + cu + ")";
        }
        return new Result(p.exitValue(), log, ptx);
    }
}
