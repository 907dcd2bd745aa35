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

    /**
     * This cursor's elements as positions in one {@linkplain #positional() positional} source, when it passes that
     * source's elements on unchanged (tensor slices, a shuffle of them), or null: batch then copies the rows at those
     * positions straight into each batch instead of making every element.
     */
    default Positions<E> positions() {
        return null;
    }

    /** The positions a cursor's elements come from. */
    interface Positions<E> {
        /** Advances exactly as {@code next()} would; the position of the element it would have returned, or -1 at the end. */
        long nextPosition();

        /** Where the positions point. */
        Positional<E> source();
    }

    /** Random access into a cursor's input; the cursor's own position still moves only by next and skip. */
    interface Positional<E> {
        /** The position of the element {@code next()} would return. */
        long position();

        /** The element at {@code position} (one the cursor has, or had, ahead of it). */
        E at(long position);

        /**
         * The elements at the first {@code count} of these positions stacked as batch's default collation stacks them,
         * or null when this source cannot (then each element is made and collated).
         */
        default E stack(long[] positions, int count) {
            return null;
        }

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
