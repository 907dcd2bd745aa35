package dev.fluxion.cpu;

import dev.fluxion.DType;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recycles the arrays of a compiled graph's intermediate values from one call to the next, so that a graph function
 * in its steady state allocates only what escapes it (its outputs; new variable values take the arrays of the values
 * they replaced, given back with {@link #reclaim}).
 *
 * <p>While a pool is {@linkplain #install installed} on a thread, {@link ArrayStorage#allocate} on that thread takes
 * an array of the exact dtype and length from it when one is free. The executor hands arrays back with
 * {@link #recycle} once no live value refers to them; only arrays this pool handed out are ever taken back, so an
 * input, a constant or a variable's value can never be overwritten. Arrays under {@link #MIN_POOLED_ELEMENTS}
 * elements are left to the JVM: a thread-local allocation of a few KiB costs less than tracking it. Thread-safe:
 * independent branches of a graph allocate from the same pool on several threads.
 */
public final class BufferPool {
    private static final ThreadLocal<BufferPool> CURRENT = new ThreadLocal<>();
    /** Smaller arrays are allocated new each time, untracked ({@code -Dfluxion.graph.minPooledElements}; tests use 1). */
    public static final int MIN_POOLED_ELEMENTS = 1024;
    private final int minPooled = Integer.getInteger("fluxion.graph.minPooledElements", MIN_POOLED_ELEMENTS);

    private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();
    /** Arrays handed out during the current call, which may come back. */
    private final Set<Object> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocatedBytes, reusedBytes;

    /** Fills every array served for overwriting with garbage, so tests catch a kernel that leaves elements unwritten. */
    private final boolean poison;

    public BufferPool() {
        this(Boolean.getBoolean("fluxion.graph.poisonBuffers"));
    }

    public BufferPool(boolean poison) {
        this.poison = poison;
    }

    /** The pool installed on this thread, or null. */
    static BufferPool current() {
        return CURRENT.get();
    }

    /** Installs {@code pool} (null for none) on this thread and returns the one it replaces, to restore later. */
    public static BufferPool install(BufferPool pool) {
        BufferPool previous = CURRENT.get();
        if (pool == null) CURRENT.remove();
        else CURRENT.set(pool);
        return previous;
    }

    /** A free array of {@code dtype} and exactly {@code size} elements, zeroed if asked, or a new one. */
    Object take(DType dtype, int size, boolean zeroed) {
        if (size < minPooled) {
            Object array = ArrayStorage.newArray(dtype, size);
            if (poison && !zeroed) poison(array);
            return array;
        }
        return takePooled(dtype, size, zeroed);
    }

    private synchronized Object takePooled(DType dtype, int size, boolean zeroed) {
        ArrayDeque<Object> queue = free.get(key(dtype, size));
        Object array = queue == null ? null : queue.poll();
        long bytes = (long) size * dtype.byteSize();
        if (array == null) {
            array = ArrayStorage.newArray(dtype, size);
            allocatedBytes += bytes;
        } else {
            reusedBytes += bytes;
            if (zeroed) zero(array);
        }
        if (poison && !zeroed) poison(array);
        lent.add(array);
        return array;
    }

    /** Hands back an array that no live value refers to any more; arrays this pool did not lend are ignored. */
    public void recycle(Object array) {
        if (length(array) >= minPooled) recyclePooled(array); // smaller arrays were never lent
    }

    private synchronized void recyclePooled(Object array) {
        if (!lent.remove(array)) return;
        DType dtype = ArrayStorage.dtypeOf(array);
        free.computeIfAbsent(key(dtype, length(array)), k -> new ArrayDeque<>()).push(array);
    }

    /** Whether {@code array} was lent during the current call and not handed back. */
    public synchronized boolean lentThisCall(Object array) {
        return lent.contains(array);
    }

    /**
     * Takes back an array this pool lent in an earlier call and that escaped it (a variable's value), once the
     * caller knows nothing can read it any more; it is served again like a recycled one.
     */
    public synchronized void reclaim(Object array) {
        // last in line: arrays released during a call are still in cache and serve first
        free.computeIfAbsent(key(ArrayStorage.dtypeOf(array), length(array)), k -> new ArrayDeque<>()).addLast(array);
    }

    /**
     * Ends a call: arrays lent and not handed back have escaped (outputs, new variable values, a kernel's scratch)
     * and are forgotten, left to their new owners and the garbage collector.
     */
    public synchronized void endCall() {
        lent.clear();
    }

    /** Bytes of pooled arrays (see {@link #MIN_POOLED_ELEMENTS}) allocated new and served recycled, since the pool was made. */
    public synchronized long[] stats() {
        return new long[] {allocatedBytes, reusedBytes};
    }

    private static long key(DType dtype, int size) {
        return ((long) dtype.ordinal() << 32) | size;
    }

    private static int length(Object array) {
        return switch (array) {
            case float[] a -> a.length;
            case double[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case boolean[] a -> a.length;
            default -> throw new IllegalStateException("not a storage array: " + array.getClass());
        };
    }

    private static void poison(Object array) {
        switch (array) {
            case float[] a -> Arrays.fill(a, Float.NaN);
            case double[] a -> Arrays.fill(a, Double.NaN);
            case int[] a -> Arrays.fill(a, 0x5EED5EED);
            case long[] a -> Arrays.fill(a, 0x5EED5EED5EED5EEDL);
            case boolean[] a -> Arrays.fill(a, true);
            default -> throw new IllegalStateException("not a storage array: " + array.getClass());
        }
    }

    private static void zero(Object array) {
        switch (array) {
            case float[] a -> Arrays.fill(a, 0f);
            case double[] a -> Arrays.fill(a, 0d);
            case int[] a -> Arrays.fill(a, 0);
            case long[] a -> Arrays.fill(a, 0L);
            case boolean[] a -> Arrays.fill(a, false);
            default -> throw new IllegalStateException("not a storage array: " + array.getClass());
        }
    }
}
