package dev.fluxion.cuda.codegen;

import dev.fluxion.DType;
import dev.fluxion.graph.Graph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every generated kernel compiles with nvcc for sm_90 with no error, and every kernel's entry point is in the PTX.
 * All kernels of a dtype go through ONE nvcc run (one translation unit), so the suite stays fast. This proves the
 * sources are valid CUDA C; it does not run them (that is the "gpu" suite's job on a GPU machine).
 */
class GeneratedKernelsCompileTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyPrimitiveKernelOfADTypeCompiles(DType t) throws Exception {
        List<KernelSource> kernels = PrimitiveKernels.forDType(t);
        assertTrue(kernels.size() >= 8, "too few kernels for " + t + ": " + kernels.size());
        assertCompiles(kernels, "primitives_" + CudaTypes.suffix(t));
    }

    @Test
    void fusedGroupsOfTracedGraphsCompile() throws Exception {
        Map<String, KernelSource> kernels = new LinkedHashMap<>(); // identical groups share a name: keep one
        int groups = 0;
        for (Map.Entry<String, Graph> e : TracedGraphs.all().entrySet()) {
            for (CudaFusionPlanner.Step s : CudaFusionPlanner.plan(e.getValue())) {
                if (s instanceof CudaFusionPlanner.Fused f) {
                    KernelSource k = ElementwiseKernels.fused(f.group());
                    kernels.putIfAbsent(k.name(), k);
                    groups++;
                }
            }
        }
        assertTrue(groups >= 6, "expected several fused groups from the traced graphs, got " + groups);
        assertCompiles(new ArrayList<>(kernels.values()), "fused_groups");
    }

    @Test
    void aBrokenKernelIsReportedWithNvccsMessage() throws Exception {
        KernelSource broken = new KernelSource("fx_broken", "extern \"C\" __global__ void fx_broken(float* o) { o[0] = undefined_name; }\n");
        Nvcc.Result r = Nvcc.ptx(KernelSource.translationUnit(List.of(broken)), "broken");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.log().contains("undefined_name"), r.log());
    }

    private static void assertCompiles(List<KernelSource> kernels, String label) throws Exception {
        Nvcc.Result r = Nvcc.ptx(KernelSource.translationUnit(kernels), label);
        assertEquals(0, r.exitCode(), () -> "nvcc failed on " + label + ":\n" + r.log());
        assertFalse(r.log().toLowerCase().contains("error"), r.log());
        for (KernelSource k : kernels)
            assertTrue(r.ptx().contains(".entry " + k.name() + "("), () -> "no entry point for " + k.name() + " in the PTX of " + label);
    }
}
