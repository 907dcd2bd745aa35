package dev.fluxion.cuda;

import dev.fluxion.cuda.codegen.IndexPlan;
import dev.fluxion.cuda.codegen.KernelPrelude;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The launch argument block: what cuLaunchKernel will read, and the C layout of FxShape/FxStrides it must match. */
class KernelArgsTest {
    @Test
    void argumentArrayPointsAtEachValueInKernelOrder() {
        IndexPlan plan = IndexPlan.elementwise(new int[] {3, 4}, new int[][] {{3, 4}, {4}}, new int[][] {{1, 3}, {1}});
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = new KernelArgs(a).addInt(12).addShape(plan).addPointer(0xdead_beef_0000L).addStrides(plan, 0)
                    .addStrides(plan, 1).array();
            MemorySegment n = params.getAtIndex(ADDRESS, 0).reinterpret(4);
            assertEquals(12, n.get(JAVA_INT, 0));
            MemorySegment shape = params.getAtIndex(ADDRESS, 1).reinterpret(4L * (1 + KernelPrelude.MAX_RANK));
            assertEquals(2, shape.getAtIndex(JAVA_INT, 0));
            assertEquals(3, shape.getAtIndex(JAVA_INT, 1));
            assertEquals(4, shape.getAtIndex(JAVA_INT, 2));
            assertEquals(0xdead_beef_0000L, params.getAtIndex(ADDRESS, 2).reinterpret(8).get(JAVA_LONG, 0));
            MemorySegment s0 = params.getAtIndex(ADDRESS, 3).reinterpret(4L * KernelPrelude.MAX_RANK);
            assertArrayEquals(new int[] {1, 3, 0, 0, 0, 0, 0, 0}, s0.toArray(JAVA_INT));
            MemorySegment s1 = params.getAtIndex(ADDRESS, 4).reinterpret(4L * KernelPrelude.MAX_RANK);
            assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 0, 0}, s1.toArray(JAVA_INT));
        }
    }

    @Test
    void geometryStructsAndScalarsArePassedByValue() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = new KernelArgs(a).addIntStruct(new int[] {7, -2, 9}).addScalar(new byte[] {0, 0, (byte) 0xc0, 0x3f})
                    .addScalar(new byte[] {1}).array();
            assertArrayEquals(new int[] {7, -2, 9}, params.getAtIndex(ADDRESS, 0).reinterpret(12).toArray(JAVA_INT));
            MemorySegment f = params.getAtIndex(ADDRESS, 1).reinterpret(4);
            assertEquals(1.5f, f.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0)); // little-endian bytes of 1.5f
            assertEquals(0, f.address() % 4, "a 4-byte scalar is 4-byte aligned");
            assertEquals(1, params.getAtIndex(ADDRESS, 2).reinterpret(1).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void javaLayoutOfShapeAndStridesMatchesTheCompiledStructs() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/g++")), "g++ not found");
        String src = "#define __host__\n#define __device__\n#define __forceinline__ inline\n#include <cstdio>\n#include <cstddef>\n#include <cmath>\n"
                + KernelPrelude.PORTABLE
                + "int main() { std::printf(\"%zu %zu %zu %zu %zu %zu\", sizeof(FxShape), alignof(FxShape), offsetof(FxShape, dim),"
                + " sizeof(FxStrides), alignof(FxStrides), offsetof(FxStrides, s));"
                + " std::printf(\" %zu %zu\", sizeof(FxConv) / sizeof(int), sizeof(FxPool) / sizeof(int)); }\n";
        Path dir = Files.createTempDirectory("fluxion-layout");
        Path cpp = dir.resolve("layout.cpp"), exe = dir.resolve("layout");
        Files.writeString(cpp, src);
        Process c = new ProcessBuilder("/usr/bin/g++", "-std=c++17", "-w", "-o", exe.toString(), cpp.toString()).redirectErrorStream(true).start();
        String log = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, c.waitFor(), log);
        Process r = new ProcessBuilder(exe.toString()).start();
        String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, r.waitFor());
        int rank = KernelPrelude.MAX_RANK;
        // FxConv and FxPool are plain int structs with exactly the fields that ConvKernels/PoolingKernels.geometry fill
        int conv = dev.fluxion.cuda.codegen.ConvKernels.geometry(new int[4], new int[4], new int[4], dev.fluxion.ops.Window2d.valid(1, 1, 1, 1)).length;
        int pool = dev.fluxion.cuda.codegen.PoolingKernels.geometry(new dev.fluxion.ops.Op.Pool2D(true, 1, 1, dev.fluxion.ops.Window2d.valid(1, 1, 1, 1)),
                new int[4], new int[4]).length;
        assertEquals((4 + 4 * rank) + " 4 4 " + (4 * rank) + " 4 0 " + conv + " " + pool, out,
                "FxShape/FxStrides size, alignment and field offsets; FxConv/FxPool field counts");
        Files.delete(cpp);
        Files.delete(exe);
        Files.delete(dir);
    }
}
