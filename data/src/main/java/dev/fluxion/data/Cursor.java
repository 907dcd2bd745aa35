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

    /**
     * This cursor's elements by position, when it can make any of them without reading the ones before it (tensor
     * slices, ranges), or null. A shuffle buffer over such an input holds positions and makes each element only when
     * it emits it: a buffer of tens of thousands of made elements is scattered over the heap, and reading each back
     * at a random moment costs several cache misses.
     */
    default Positional<E> positional() {
        return null;
    }

    /** Random access into a cursor's input; the cursor's own position still moves only by next and skip. */
    interface Positional<E> {
        /** The position of the element {@code next()} would return. */
        long position();

        /** The element at {@code position} (one the cursor has, or had, ahead of it). */
        E at(long position);

        static <E> Positional<E> of(java.util.function.LongSupplier position, java.util.function.LongFunction<E> at) {
            return new Positional<>() {
                @Override
                public long position() {
                    return position.getAsLong();
                }

                @Override
                public E at(long p) {
                    return at.apply(p);
                }
            };
        }
    }

    /** Asks background work here and upstream to stop, without blocking (safe from any thread, and from a Cleaner). */
    default void requestStop() {}

    /** Stops background work and releases resources here and upstream. Idempotent. */
    void close();
}
