package dev.fluxion.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KernelDiskCacheTest {
    private static final List<String> OPTIONS = List.of("--fmad=false");

    @Test
    void aKernelIsKeyedByItsSourceOptionsAndArchitecture(@TempDir Path dir) {
        KernelDiskCache cache = new KernelDiskCache(dir);
        Path file = cache.fileOf("fx_k", "src", OPTIONS, 9, 0);
        assertEquals(file, cache.fileOf("fx_k", "src", OPTIONS, 9, 0));
        assertEquals(dir.resolve("sm_90"), file.getParent());
        assertTrue(file.getFileName().toString().startsWith("fx_k-") && file.getFileName().toString().endsWith(".ptx"), file.toString());
        assertNotEquals(file, cache.fileOf("fx_k", "src2", OPTIONS, 9, 0));
        assertNotEquals(file, cache.fileOf("fx_k", "src", List.of(), 9, 0));
        assertNotEquals(file.getFileName(), cache.fileOf("fx_k", "src", OPTIONS, 8, 0).getFileName());
    }

    @Test
    void imagesRoundTripAndLeaveNoTemporaryFiles(@TempDir Path dir) throws Exception {
        KernelDiskCache cache = new KernelDiskCache(dir);
        Path file = cache.fileOf("fx_k", "src", OPTIONS, 9, 0);
        assertNull(cache.get(file));
        byte[] ptx = ".version 8.0\n.target sm_90\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(cache.put(file, ptx));
        assertArrayEquals(ptx, cache.get(file));
        assertTrue(cache.put(file, new byte[] {1, 2, 3}), "a rewrite replaces the image");
        assertArrayEquals(new byte[] {1, 2, 3}, cache.get(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "only the image, no temporary file");
        }
        cache.remove(file);
        assertNull(cache.get(file));
    }

    @Test
    void anUnwritableCacheOnlyMeansCompilingAgain(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-folder"), "x");
        KernelDiskCache cache = new KernelDiskCache(blocker);
        Path file = cache.fileOf("fx_k", "src", OPTIONS, 9, 0);
        assertFalse(cache.put(file, new byte[] {1}));
        assertNull(cache.get(file));
    }

    @Test
    void thePropertyChoosesTheFolderOrTurnsTheCacheOff(@TempDir Path dir) {
        String before = System.getProperty("fluxion.cuda.kernelCache");
        try {
            System.setProperty("fluxion.cuda.kernelCache", "none");
            assertNull(KernelDiskCache.fromSystemProperties());
            System.setProperty("fluxion.cuda.kernelCache", dir.toString());
            assertEquals(dir.resolve("sm_90"), KernelDiskCache.fromSystemProperties().fileOf("k", "s", OPTIONS, 9, 0).getParent());
        } finally {
            if (before == null) System.clearProperty("fluxion.cuda.kernelCache");
            else System.setProperty("fluxion.cuda.kernelCache", before);
        }
    }
}
