package dev.fluxion.cuda.memory;

/**
 * The uncached allocator underneath {@link CachingAllocator}: on a GPU, cuMemAlloc/cuMemFree; in tests, a fake that
 * hands out fake addresses and counts calls, so the caching logic is tested without a device.
 */
public interface RawDeviceMemory {
    /** A new allocation of exactly {@code bytes}, or 0 when the device is out of memory (other failures throw). */
    long allocate(long bytes);

    /** Returns an allocation made by {@link #allocate}. */
    void free(long pointer);
}
