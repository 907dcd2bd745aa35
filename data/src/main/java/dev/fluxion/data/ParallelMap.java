package dev.fluxion.data;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A map on a pool of daemon threads ("fluxion-map-N"). The consuming thread reads the input and keeps up to twice
 * the parallelism in flight; results come back in input order when deterministic, else as they finish. A failure
 * in a worker is rethrown from {@code next()} with the element index and the original cause.
 *
 * <p>Position (deterministic only): an anchor (the input position, captured every
 * {@value Prefetch#ANCHOR_INTERVAL} inputs) plus the count of results handed out since; restoring skips inputs
 * without calling the function, since a map is one to one.
 */
final class ParallelMap<I, R> extends Dataset<R> {
    private final Dataset<I> input;
    private final Function<? super I, ? extends R> fn;
    private final int parallelism;
    private final boolean deterministic;

    ParallelMap(Dataset<I> input, Function<? super I, ? extends R> fn, int parallelism, boolean deterministic) {
        this.input = input;
        this.fn = fn;
        this.parallelism = parallelism;
        this.deterministic = deterministic;
    }

    @Override
    public long cardinality() {
        return input.cardinality();
    }

    @Override
    Cursor<R> open(IteratorState state) {
        if (state == null) {
            Cursor<I> in = input.open(null);
            return new MapCursor(in, 0, Combinators.trySave(in));
        }
        if (!deterministic) throw new IllegalArgumentException("iterator state: a map(..., deterministic=false) cannot be restored");
        state.expect("parallelMap");
        long index = state.get("index");
        long skip = state.get("skip");
        Cursor<I> in = input.open(state.child(0));
        if (skip < 0 || in.skip(skip) != skip) {
            in.close();
            throw new IllegalArgumentException("iterator state: the map's input ended before the saved position (" + skip + " elements past its anchor)");
        }
        MapCursor c = new MapCursor(in, index, state.child(0));
        c.anchors.getFirst().index = index - skip;
        return c;
    }

    private static final class Anchor {
        long index;
        final IteratorState state;

        Anchor(long index, IteratorState state) {
            this.index = index;
            this.state = state;
        }
    }

    private final class MapCursor extends Stages.Piped<I, R> {
        private final ArrayDeque<Future<R>> window = new ArrayDeque<>(); // deterministic: in input order
        private final ArrayDeque<Anchor> anchors = new ArrayDeque<>();
        private ExecutorService pool;
        private CompletionService<R> completions; // non-deterministic
        private int inFlight;
        private long read;    // inputs read (= index of the next input)
        private long handed;  // results returned
        private boolean inputDone;
        private boolean saveable;
        private volatile boolean stop;

        MapCursor(Cursor<I> in, long index, IteratorState anchor) {
            super(in);
            this.read = index;
            this.handed = index;
            this.saveable = deterministic && anchor != null;
            if (saveable) anchors.add(new Anchor(index, anchor));
        }

        private void fill() {
            if (pool == null) {
                pool = Executors.newFixedThreadPool(parallelism, Workers.MAP_THREAD_FACTORY);
                if (!deterministic) completions = new ExecutorCompletionService<>(pool);
            }
            while (!inputDone && inFlight < 2 * parallelism && !stop) {
                if (saveable && read % Prefetch.ANCHOR_INTERVAL == 0 && anchors.getLast().index < read) {
                    IteratorState s = Combinators.trySave(in);
                    if (s == null) saveable = false;
                    else anchors.add(new Anchor(read, s));
                }
                I x = in.next();
                if (x == null) {
                    inputDone = true;
                    break;
                }
                long i = read++;
                if (deterministic) window.add(pool.submit(() -> Stages.apply(fn, x, i)));
                else completions.submit(() -> Stages.apply(fn, x, i));
                inFlight++;
            }
        }

        @Override
        public R next() {
            fill();
            if (inFlight == 0) return null;
            R r;
            try {
                if (deterministic) {
                    Future<R> f = window.removeFirst();
                    inFlight--;
                    r = await(f);
                } else {
                    Future<R> f;
                    while ((f = completions.poll(Workers.POLL_MILLIS, TimeUnit.MILLISECONDS)) == null) checkStop();
                    inFlight--;
                    r = f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataPipelineException("map: interrupted while waiting for a worker", e);
            } catch (ExecutionException e) {
                throw Workers.relay("map: a worker failed", e.getCause());
            }
            handed++;
            while (anchors.size() > 1 && second().index <= handed) anchors.removeFirst();
            fill(); // keep the workers busy while the consumer works
            return r;
        }

        private Anchor second() {
            var it = anchors.iterator();
            it.next();
            return it.next();
        }

        private R await(Future<R> f) throws InterruptedException, ExecutionException {
            while (true) {
                try {
                    return f.get(Workers.POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    checkStop();
                }
            }
        }

        private void checkStop() {
            if (stop) throw new DataPipelineException("map: the iterator was closed");
        }

        @Override
        public long skip(long n) {
            if (inFlight > 0 || !deterministic) return super.skip(n);
            long d = in.skip(n);
            read += d;
            handed += d;
            return d;
        }

        @Override
        public IteratorState save() {
            if (!deterministic)
                throw new UnsaveableException("map(..., deterministic=false) hands out elements in completion order, so its position "
                        + "cannot be saved exactly; use deterministic=true to save and restore iterators");
            if (!saveable) throw new UnsaveableException("map: the position of its input cannot be saved");
            Anchor a = anchors.getFirst();
            return IteratorState.builder("parallelMap").put("index", handed).put("skip", handed - a.index).child(a.state).build();
        }

        @Override
        public void requestStop() {
            stop = true;
            ExecutorService p = pool;
            if (p != null) p.shutdownNow();
            in.requestStop();
        }

        @Override
        public void close() {
            requestStop();
            ExecutorService p = pool;
            try {
                // a function that ignores interrupts keeps its (daemon) thread until it returns
                if (p != null) p.awaitTermination(Workers.JOIN_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                window.clear();
                in.close();
            }
        }
    }
}
