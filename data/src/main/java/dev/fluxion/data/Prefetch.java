package dev.fluxion.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the upstream pipeline on a daemon thread ("fluxion-prefetch-N") that keeps up to {@code bufferSize} elements
 * ready. Closing requests a stop (flag, interrupt, and the same request up the chain, so a producer blocked in a
 * nested prefetch wakes up), then joins the thread; the producer closes its upstream itself on the way out. Every
 * blocking wait has a timeout and checks the stop flag.
 *
 * <p>Position: the producer is ahead of the consumer, so the saved state is an anchor (the upstream's position,
 * captured by the producer every {@value #ANCHOR_INTERVAL} elements) plus the number of elements the consumer has
 * taken since. Restoring reopens the upstream at the anchor and skips that many elements before prefetching.
 */
final class Prefetch<E> extends Dataset<E> {
    static final int ANCHOR_INTERVAL = 32;
    /** Marks, in the queue, that the upstream position could not be captured. */
    private static final IteratorState UNSAVEABLE = IteratorState.builder("unsaveable").build();

    private final Dataset<E> input;
    private final int bufferSize;

    Prefetch(Dataset<E> input, int bufferSize) {
        this.input = input;
        this.bufferSize = bufferSize;
    }

    @Override
    public long cardinality() {
        return input.cardinality();
    }

    @Override
    Cursor<E> open(IteratorState state) {
        PrefetchCursor<E> c;
        if (state == null) {
            Cursor<E> in = input.open(null);
            c = new PrefetchCursor<>(in, bufferSize, 0, Combinators.trySave(in));
        } else {
            state.expect("prefetch");
            long skip = state.get("skip");
            Cursor<E> in = input.open(state.child(0));
            // skipped here, not on the producer thread, so that a state that does not fit fails in iterator(state)
            try {
                if (skip < 0 || in.skip(skip) != skip)
                    throw new IllegalArgumentException("iterator state: prefetch input ended before the saved position (" + skip
                            + " elements past its anchor)");
            } catch (RuntimeException e) {
                in.close();
                throw e;
            }
            c = new PrefetchCursor<>(in, bufferSize, skip, state.child(0));
        }
        c.start();
        return c;
    }

    private record Item<E>(E element, IteratorState anchor, Throwable error) {}

    private static final Item<Object> END = new Item<>(null, null, null);

    private static final class PrefetchCursor<E> implements Cursor<E> {
        private final Cursor<E> in;
        private final ArrayBlockingQueue<Item<E>> queue;
        private volatile boolean stop;
        private Thread producer;
        // consumer side
        private IteratorState anchor;
        private long anchorCount;
        private long handed;
        private boolean finished;
        private DataPipelineException failure;

        PrefetchCursor(Cursor<E> in, int bufferSize, long skip, IteratorState anchor) {
            this.in = in;
            this.queue = new ArrayBlockingQueue<>(bufferSize);
            this.anchor = anchor;
            this.anchorCount = -skip;
        }

        void start() {
            producer = Workers.prefetchThread(this::produce);
            producer.start();
        }

        @SuppressWarnings("unchecked")
        private void produce() {
            try {
                boolean saveable = anchor != null;
                for (long produced = 1; !stop; produced++) {
                    E x = in.next();
                    if (x == null) {
                        put((Item<E>) END);
                        return;
                    }
                    IteratorState a = null;
                    if (saveable && produced % ANCHOR_INTERVAL == 0) {
                        a = Combinators.trySave(in);
                        if (a == null) {
                            a = UNSAVEABLE;
                            saveable = false;
                        }
                    }
                    put(new Item<>(x, a, null));
                }
            } catch (Throwable t) {
                if (!stop) put(new Item<>(null, null, t));
            } finally {
                Thread.interrupted(); // a stop's interrupt must not cut short the upstream's own close
                in.close();
            }
        }

        private void put(Item<E> item) {
            try {
                while (!stop)
                    if (queue.offer(item, Workers.POLL_MILLIS, TimeUnit.MILLISECONDS)) return;
            } catch (InterruptedException e) {
                stop = true;
            }
        }

        @Override
        public E next() {
            if (failure != null) throw failure;
            if (finished) return null;
            Item<E> item;
            try {
                while ((item = queue.poll(Workers.POLL_MILLIS, TimeUnit.MILLISECONDS)) == null) {
                    if (stop) throw new DataPipelineException("prefetch: the iterator was closed");
                    if (!producer.isAlive() && queue.isEmpty())
                        throw new DataPipelineException("prefetch: the producer thread " + producer.getName() + " ended without a result");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataPipelineException("prefetch: interrupted while waiting for the next element", e);
            }
            if (item == END) {
                finished = true;
                return null;
            }
            if (item.error() != null) {
                failure = Workers.relay("prefetch: the pipeline failed on its thread " + producer.getName(), item.error());
                throw failure;
            }
            handed++;
            if (item.anchor() != null) {
                anchor = item.anchor() == UNSAVEABLE ? null : item.anchor();
                anchorCount = handed;
            }
            return item.element();
        }

        @Override
        public IteratorState save() {
            if (anchor == null) throw new UnsaveableException("prefetch: the position of its input cannot be saved");
            return IteratorState.builder("prefetch").put("skip", handed - anchorCount).child(anchor).build();
        }

        @Override
        public void requestStop() {
            stop = true;
            Thread p = producer;
            if (p != null) p.interrupt();
            in.requestStop();
        }

        @Override
        public void close() {
            requestStop();
            Workers.join(producer);
            queue.clear();
        }
    }
}
