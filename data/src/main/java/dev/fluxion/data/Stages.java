package dev.fluxion.data;

import java.util.function.Function;
import java.util.function.Predicate;

/** The element-wise stages with one input: map, filter, take, skip, enumerate. */
final class Stages {
    private Stages() {}

    /** A cursor reading from one upstream cursor; stop and close requests go up the chain. */
    abstract static class Piped<I, E> implements Cursor<E> {
        final Cursor<I> in;

        Piped(Cursor<I> in) {
            this.in = in;
        }

        @Override
        public void requestStop() {
            in.requestStop();
        }

        @Override
        public void close() {
            in.close();
        }
    }

    /** Applies a user function, wrapping its failure with the element index; shared with parallel map. */
    static <I, R> R apply(Function<? super I, ? extends R> fn, I x, long index) {
        R r;
        try {
            r = fn.apply(x);
        } catch (Exception e) {
            throw new DataPipelineException("map: the function failed on element " + index + ": " + e, e);
        }
        if (r == null) throw new DataPipelineException("map: the function returned null for element " + index + "; datasets cannot hold null");
        return r;
    }

    static final class MapStage<I, R> extends Dataset<R> {
        private final Dataset<I> input;
        private final Function<? super I, ? extends R> fn;

        MapStage(Dataset<I> input, Function<? super I, ? extends R> fn) {
            this.input = input;
            this.fn = fn;
        }

        @Override
        public long cardinality() {
            return input.cardinality();
        }

        @Override
        Cursor<R> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("map").get("index");
            return new Piped<I, R>(input.open(state == null ? null : state.child(0))) {
                private long index = start;

                @Override
                public R next() {
                    I x = in.next();
                    if (x == null) return null;
                    return apply(fn, x, index++);
                }

                @Override
                public long skip(long n) { // a map is 1:1, so skipping its input is skipping its output
                    long d = in.skip(n);
                    index += d;
                    return d;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("map").put("index", index).child(in.save()).build();
                }
            };
        }
    }

    static final class Filter<E> extends Dataset<E> {
        private final Dataset<E> input;
        private final Predicate<? super E> predicate;

        Filter(Dataset<E> input, Predicate<? super E> predicate) {
            this.input = input;
            this.predicate = predicate;
        }

        @Override
        public long cardinality() {
            return UNKNOWN;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("filter").get("index");
            return new Piped<E, E>(input.open(state == null ? null : state.child(0))) {
                private long index = start;

                @Override
                public E next() {
                    for (E x; (x = in.next()) != null; ) {
                        long i = index++;
                        boolean keep;
                        try {
                            keep = predicate.test(x);
                        } catch (Exception e) {
                            throw new DataPipelineException("filter: the predicate failed on element " + i + ": " + e, e);
                        }
                        if (keep) return x;
                    }
                    return null;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("filter").put("index", index).child(in.save()).build();
                }
            };
        }
    }

    static final class Take<E> extends Dataset<E> {
        private final Dataset<E> input;
        private final long limit; // -1: all

        Take(Dataset<E> input, long limit) {
            this.input = input;
            this.limit = limit;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            if (limit < 0) return n;
            if (n == INFINITE) return limit;
            if (n == UNKNOWN) return UNKNOWN;
            return Math.min(n, limit);
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("take").get("taken");
            return new Piped<E, E>(input.open(state == null ? null : state.child(0))) {
                private long taken = start;

                private long left(long n) {
                    return limit < 0 ? n : Math.min(n, limit - taken);
                }

                @Override
                public E next() {
                    if (left(1) <= 0) return null;
                    E x = in.next();
                    if (x != null) taken++;
                    return x;
                }

                @Override
                public long skip(long n) {
                    long d = in.skip(left(n));
                    taken += d;
                    return d;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("take").put("taken", taken).child(in.save()).build();
                }
            };
        }
    }

    /** Every {@code count}-th element from position {@code index}: one worker's part of the data. */
    static final class Shard<E> extends Dataset<E> {
        private final Dataset<E> input;
        private final long count;
        private final long index;

        Shard(Dataset<E> input, long count, long index) {
            this.input = input;
            this.count = count;
            this.index = index;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            if (n == INFINITE || n == UNKNOWN) return n;
            return n <= index ? 0 : (n - index - 1) / count + 1;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("shard").get("position");
            return new Piped<E, E>(input.open(state == null ? null : state.child(0))) {
                private long position = start; // input elements consumed

                @Override
                public E next() {
                    long gap = Math.floorMod(index - position, count);
                    long skipped = in.skip(gap);
                    position += skipped;
                    if (skipped < gap) return null;
                    E x = in.next();
                    if (x != null) position++;
                    return x;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("shard").put("position", position).child(in.save()).build();
                }
            };
        }
    }

    static final class Skip<E> extends Dataset<E> {
        private final Dataset<E> input;
        private final long count; // -1: all

        Skip(Dataset<E> input, long count) {
            this.input = input;
            this.count = count;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            if (n == INFINITE || n == UNKNOWN) return n;
            return count < 0 ? 0 : Math.max(0, n - count);
        }

        @Override
        Cursor<E> open(IteratorState state) {
            boolean done0 = state != null && state.expect("skip").get("done") != 0;
            return new Piped<E, E>(input.open(state == null ? null : state.child(0))) {
                private boolean done = done0;

                private void skipOnce() {
                    if (done) return;
                    in.skip(count < 0 ? Long.MAX_VALUE : count);
                    done = true;
                }

                @Override
                public E next() {
                    skipOnce();
                    return in.next();
                }

                @Override
                public long skip(long n) {
                    skipOnce();
                    return in.skip(n);
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("skip").put("done", done ? 1 : 0).child(in.save()).build();
                }
            };
        }
    }

    static final class Enumerate<E> extends Dataset<Indexed<E>> {
        private final Dataset<E> input;
        private final long start;

        Enumerate(Dataset<E> input, long start) {
            this.input = input;
            this.start = start;
        }

        @Override
        public long cardinality() {
            return input.cardinality();
        }

        @Override
        Cursor<Indexed<E>> open(IteratorState state) {
            long first = state == null ? start : state.expect("enumerate").get("next");
            return new Piped<E, Indexed<E>>(input.open(state == null ? null : state.child(0))) {
                private long next = first;

                @Override
                public Indexed<E> next() {
                    E x = in.next();
                    return x == null ? null : new Indexed<>(next++, x);
                }

                @Override
                public long skip(long n) {
                    long d = in.skip(n);
                    next += d;
                    return d;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("enumerate").put("next", next).child(in.save()).build();
                }
            };
        }
    }
}
