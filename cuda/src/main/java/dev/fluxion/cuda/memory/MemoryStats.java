package dev.fluxion.cuda.memory;

/**
 * A snapshot of a {@link CachingAllocator}'s accounting, in bytes unless named a count. {@code inUse} counts the
 * size classes of live blocks, {@code requestedInUse} what callers asked for, {@code reserved} everything obtained
 * from the device (live plus cached).
 */
public record MemoryStats(long inUse, long requestedInUse, long reserved, long peakInUse, long peakReserved,
                          long cached, int liveBlocks, long rawAllocations, long rawFrees, long cacheHits) {
    @Override
    public String toString() {
        return String.format("in use %,d B (requested %,d B, %d blocks), reserved %,d B (cached %,d B), peak in use %,d B, "
                        + "peak reserved %,d B, %d device allocations, %d device frees, %d cache hits",
                inUse, requestedInUse, liveBlocks, reserved, cached, peakInUse, peakReserved, rawAllocations, rawFrees, cacheHits);
    }
}
