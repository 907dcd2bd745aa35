package dev.fluxion.cuda.memory;

/**
 * How request sizes are rounded before they reach the cache, after PyTorch's caching allocator: small requests to
 * a power of two of at least {@link #MIN_BLOCK} bytes (so a freed block serves every later request of its class),
 * large ones to a multiple of {@link #LARGE_GRANULE}. A cached large block may serve a somewhat smaller request
 * (at most {@link #maxWaste} bytes wasted), which keeps variable-size batches from fragmenting the cache.
 */
public final class SizeClasses {
    private SizeClasses() {}

    /** Smallest block: also the alignment every block keeps (cuMemAlloc aligns to 256 bytes or more). */
    public static final long MIN_BLOCK = 512;
    /** Requests up to this size are "small" and rounded to a power of two. */
    public static final long SMALL_LIMIT = 1L << 20;
    /** Large requests are rounded up to a multiple of this. */
    public static final long LARGE_GRANULE = 2L << 20;

    /** The size class of a request of {@code bytes} (0 bytes still takes a minimal block, so pointers stay distinct). */
    public static long round(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation size " + bytes);
        if (bytes <= MIN_BLOCK) return MIN_BLOCK;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return (bytes + LARGE_GRANULE - 1) / LARGE_GRANULE * LARGE_GRANULE;
    }

    public static boolean isSmall(long roundedBytes) {
        return roundedBytes <= SMALL_LIMIT;
    }

    /** The most bytes a cached large block may exceed a large request by and still serve it: an eighth, at least a granule. */
    public static long maxWaste(long roundedBytes) {
        return Math.max(LARGE_GRANULE, roundedBytes / 8);
    }
}
