package dev.fluxion.data;

/**
 * One stage's live position in a pipeline: the internal protocol behind {@link DataIterator}. Elements are never
 * null, so {@code null} from {@link #next()} means the end. Every cursor can describe its position after the last
 * element it returned ({@link #save()}); the dataset that opened it can reopen a cursor at that position.
 */
interface Cursor<E> {
    /** The next element, or null at the end. */
    E next();

    /** The position after the last element returned, restorable by the opening dataset. */
    IteratorState save();

    /**
     * Skips up to {@code n} elements and returns how many were skipped (fewer only at the end). Stages that can skip
     * without producing the elements (slices, 1:1 maps) override this; restore uses it to replay cheaply.
     */
    default long skip(long n) {
        long k = 0;
        while (k < n && next() != null) k++;
        return k;
    }

    /** Asks background work here and upstream to stop, without blocking (safe from any thread, and from a Cleaner). */
    default void requestStop() {}

    /** Stops background work and releases resources here and upstream. Idempotent. */
    void close();
}
