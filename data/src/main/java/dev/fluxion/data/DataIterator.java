package dev.fluxion.data;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One pass over a {@link Dataset}. Closing it stops the pipeline's background threads (prefetch, parallel map) and
 * waits briefly for them to end; an iterator also closes itself when it reaches the end. Use try-with-resources when
 * a loop may stop early. An iterator dropped without closing is stopped when garbage-collected, but only eventually.
 *
 * <p>{@link #save()} captures the position after the last element returned by {@link #next()} (elements prepared
 * ahead by prefetch or parallel map do not count), including shuffle buffers, random-generator states and repeat
 * counters, so that {@link Dataset#iterator(IteratorState)} on the same pipeline continues exactly. Not thread-safe:
 * one consumer thread at a time.
 */
public final class DataIterator<E> implements Iterator<E>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "fluxion-data-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final Cursor<E> cursor;
    private final Cleaner.Cleanable cleanable;
    private E peeked;
    private boolean exhausted;
    private boolean closed;
    private IteratorState endState;
    private RuntimeException endStateError;
    private long position;

    DataIterator(Cursor<E> cursor) {
        this.cursor = cursor;
        this.cleanable = CLEANER.register(this, new StopAction(cursor));
    }

    /** Only asks to stop: a Cleaner action must never block or reference the iterator itself. */
    private record StopAction(Cursor<?> cursor) implements Runnable {
        @Override
        public void run() {
            cursor.requestStop();
        }
    }

    @Override
    public boolean hasNext() {
        if (peeked != null) return true;
        if (exhausted) return false;
        if (closed) throw new IllegalStateException("the iterator is closed");
        E e = cursor.next();
        if (e == null) {
            exhausted = true;
            try {
                endState = cursor.save();
            } catch (RuntimeException x) {
                endStateError = x;
            }
            close();
            return false;
        }
        peeked = e;
        return true;
    }

    @Override
    public E next() {
        if (!hasNext()) throw new NoSuchElementException("the dataset has no more elements");
        E e = peeked;
        peeked = null;
        position++;
        return e;
    }

    /** How many elements this iterator has returned (a restored iterator counts from 0). */
    public long position() {
        return position;
    }

    /**
     * The position after the last element returned by {@link #next()}. Call it between {@code next()} calls, not
     * after a {@code hasNext()} that returned true (that element has been prepared but not handed over).
     *
     * @throws IllegalStateException after a pending {@code hasNext()}, after close, or for a pipeline whose position
     *                               cannot be captured (a {@code map(..., deterministic=false)})
     */
    public IteratorState save() {
        if (peeked != null)
            throw new IllegalStateException("save() after hasNext() returned true: the next element is already taken from the "
                    + "pipeline; call save() right after next()");
        if (exhausted) {
            if (endStateError != null) throw new IllegalStateException(endStateError.getMessage(), endStateError);
            return endState;
        }
        if (closed) throw new IllegalStateException("the iterator is closed");
        try {
            return cursor.save();
        } catch (UnsaveableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Stops background work and releases resources; returns promptly (threads are interrupted and joined briefly). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cursor.requestStop();
        try {
            cursor.close();
        } finally {
            cleanable.clean();
        }
    }
}
