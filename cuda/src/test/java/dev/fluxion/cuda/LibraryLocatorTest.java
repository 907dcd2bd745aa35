package dev.fluxion.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LibraryLocatorTest {
    @TempDir
    Path root;

    private static LibraryLocator locator(Map<String, String> env, Map<String, String> props, String ldconfig, List<Path> standard) {
        return new LibraryLocator(new LibraryLocator.Environment(env::get, props::get, () -> ldconfig, standard));
    }

    private Path touch(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "");
    }

    @Test
    void notFoundListsEveryPlaceSearchedAndHowToFixIt() {
        Path empty = root.resolve("nothing-here");
        var loc = locator(Map.of("CUDA_HOME", "/opt/cuda-x", "LD_LIBRARY_PATH", "/opt/libs"), Map.of("fluxion.cuda.path", "/opt/override"),
                "", List.of(empty));
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> loc.locate(CudaLibrary.DRIVER));
        String m = e.getMessage();
        for (String expected : List.of("libcuda", "libcuda.so.1", "NVIDIA driver", "/opt/override (-Dfluxion.cuda.path)",
                "/opt/cuda-x/lib64 ($CUDA_HOME)", "ld.so cache", "/opt/libs ($LD_LIBRARY_PATH)", empty.toString(), "FLUXION_CUDA_LIBS",
                "keeps working on the CPU"))
            assertTrue(m.contains(expected), "message lacks '" + expected + "': " + m);
    }

    @Test
    void thisMachineHasNoDriverAndSaysWhereItLooked() {
        var loc = new LibraryLocator(LibraryLocator.Environment.system());
        Path found;
        try {
            found = loc.locate(CudaLibrary.DRIVER);
        } catch (CudaUnavailableException e) {
            assertTrue(e.getMessage().contains("/usr/local/nvidia/lib64") && e.getMessage().contains("ld.so cache"), e.getMessage());
            return;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "this machine has a CUDA driver at " + found);
    }

    @Test
    void overridePropertyWinsOverEverythingElse() throws IOException {
        Path mine = touch("mine/libcuda.so.1");
        touch("cudahome/lib64/libcuda.so.1");
        var loc = locator(Map.of("CUDA_HOME", root.resolve("cudahome").toString()), Map.of("fluxion.cuda.path", root.resolve("mine").toString()),
                "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n", List.of());
        assertEquals(mine, loc.locate(CudaLibrary.DRIVER));
    }

    @Test
    void overrideMayNameTheLibraryFileItself() throws IOException {
        Path file = touch("x/libnvrtc.so.13.0.48");
        var loc = locator(Map.of("FLUXION_CUDA_LIBS", file.toString()), Map.of(), null, List.of());
        assertEquals(file, loc.locate(CudaLibrary.NVRTC));
    }

    @Test
    void cudaHomeTargetsFolderIsSearched() throws IOException {
        Path nvrtc = touch("toolkit/targets/x86_64-linux/lib/libnvrtc.so.13");
        touch("toolkit/targets/x86_64-linux/lib/libnvrtc-builtins.so.13"); // not NVRTC itself
        var loc = locator(Map.of("CUDA_PATH", root.resolve("toolkit").toString()), Map.of(), null, List.of());
        assertEquals(nvrtc, loc.locate(CudaLibrary.NVRTC));
    }

    @Test
    void ldconfigOutputIsParsedPreferringSixtyFourBitAndTheVersionedName() {
        String out = """
                1234 libs found in cache `/etc/ld.so.cache'
                	libcuda.so (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so
                	libcuda.so.1 (libc6) => /usr/lib/i386-linux-gnu/libcuda.so.1
                	libcuda.so.1 (libc6,x86-64) => /usr/local/nvidia/lib64/libcuda.so.1
                	libcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13
                """;
        assertEquals(Path.of("/usr/local/nvidia/lib64/libcuda.so.1"), LibraryLocator.fromLdconfig(out, CudaLibrary.DRIVER).orElseThrow());
        assertTrue(LibraryLocator.fromLdconfig(out, CudaLibrary.CUBLAS).isEmpty());
        var loc = locator(Map.of(), Map.of(), out, List.of());
        assertEquals(Path.of("/usr/local/nvidia/lib64/libcuda.so.1"), loc.locate(CudaLibrary.DRIVER));
    }

    @Test
    void anyVersionIsAcceptedWhenThePreferredNamesAreAbsent() throws IOException {
        touch("std/libcublas.so.11");
        Path newer = touch("std/libcublas.so.14.1");
        touch("std/libcublasLt.so.14"); // a different library
        var loc = locator(Map.of(), Map.of(), null, List.of(root.resolve("std")));
        assertEquals(newer, loc.locate(CudaLibrary.CUBLAS));
    }

    @Test
    void namesAreMatchedExactly() {
        assertTrue(CudaLibrary.DRIVER.matches("libcuda.so"));
        assertTrue(CudaLibrary.DRIVER.matches("libcuda.so.580.159.04"));
        assertFalse(CudaLibrary.DRIVER.matches("libcudart.so.13"));
        assertFalse(CudaLibrary.DRIVER.matches("libcuda.so.bak"));
        assertFalse(CudaLibrary.NVRTC.matches("libnvrtc-builtins.so"));
        assertFalse(CudaLibrary.CUBLAS.matches("libcublasLt.so.13"));
    }

    @Test
    void standardFoldersIncludeEveryInstalledToolkitNewestFirst() throws IOException {
        Files.createDirectories(root.resolve("usr/local/cuda-12.4"));
        Files.createDirectories(root.resolve("usr/local/cuda-13.0"));
        List<Path> folders = LibraryLocator.standardFolders(root);
        int i13 = folders.indexOf(root.resolve("usr/local/cuda-13.0/lib64")), i12 = folders.indexOf(root.resolve("usr/local/cuda-12.4/lib64"));
        assertTrue(i13 >= 0 && i12 > i13, folders.toString());
        assertTrue(folders.contains(root.resolve("usr/local/nvidia/lib64")));
        assertTrue(folders.contains(root.resolve("usr/lib/x86_64-linux-gnu")));
    }
}
