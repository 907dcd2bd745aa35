package dev.fluxion.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Stages that regroup the stream or combine datasets: batch, unbatch, repeat, zip, concatenate. */
final class Combinators {
    private Combinators() {}

    /** Combines one group of consecutive elements; {@code firstIndex} serves error messages. */
    interface Collator<E, R> {
        R apply(List<E> items, long firstIndex);
    }

    /** Restores a freshly opened cursor, closing it (and what it opened) when the saved state is refused. */
    static <C extends Cursor<?>> C restoring(C cursor, java.util.function.Consumer<? super C> restore) {
        try {
            restore.accept(cursor);
            return cursor;
        } catch (RuntimeException e) {
            cursor.close();
            throw e;
        }
    }

    /** The upstream's position, or null where it cannot be captured (so saving fails later, not iterating now). */
    static IteratorState trySave(Cursor<?> c) {
        try {
            return c.save();
        } catch (UnsaveableException e) {
            return null;
        }
    }

    static final class Batch<E, R> extends Dataset<R> {
        private final Dataset<E> input;
        private final int size;
        private final boolean dropRemainder;
        private final Collator<E, R> collate;
        /** Whether collate is the default stacking (R is E), which a positional source can do by gathering rows. */
        private final boolean stacks;

        Batch(Dataset<E> input, int size, boolean dropRemainder, Collator<E, R> collate, boolean stacks) {
            this.input = input;
            this.size = size;
            this.dropRemainder = dropRemainder;
            this.collate = collate;
            this.stacks = stacks;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            if (n < 0) return n;
            return dropRemainder ? n / size : (n + size - 1) / size;
        }

        @Override
        Cursor<R> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("batch").get("index");
            return new Stages.Piped<E, R>(input.open(state == null ? null : state.child(0))) {
                private long index = start; // input elements consumed, for error messages
                // over tensor slices (shuffled or not) the rows are copied by position, no element made
                private final Positions<E> positions = stacks ? in.positions() : null;

                @Override
                @SuppressWarnings("unchecked")
                public R next() {
                    List<E> items;
                    if (positions != null) {
                        long[] at = new long[size];
                        int k = 0;
                        for (long p; k < size && (p = positions.nextPosition()) >= 0; ) at[k++] = p;
                        index += k;
                        if (k == 0 || (dropRemainder && k < size)) return null;
                        E stacked = positions.source().stack(at, k);
                        if (stacked != null) return (R) stacked;
                        items = new ArrayList<>(k);
                        for (int i = 0; i < k; i++) items.add(positions.source().at(at[i]));
                        return collate(items, index - k);
                    }
                    items = new ArrayList<>(size);
                    for (E x; items.size() < size && (x = in.next()) != null; ) items.add(x);
                    index += items.size();
                    if (items.isEmpty() || (dropRemainder && items.size() < size)) return null;
                    return collate(items, index - items.size());
                }

                private R collate(List<E> items, long first) {
                    R r;
                    try {
                        r = collate.apply(items, first);
                    } catch (DataPipelineException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new DataPipelineException("batch: combining elements " + first + ".." + (index - 1) + " failed: " + e, e);
                    }
                    if (r == null) throw new DataPipelineException("batch: the collate function returned null for elements starting at " + first);
                    return r;
                }

                @Override
                public long skip(long n) {
                    long want = n > Long.MAX_VALUE / size ? Long.MAX_VALUE : n * size;
                    long d = in.skip(want);
                    index += d;
                    return dropRemainder ? d / size : (d + size - 1) / size;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("batch").put("index", index).child(in.save()).build();
                }
            };
        }
    }

    /**
     * Rows of each element. Its position is the upstream position before the current element plus the row index, so
     * it saves the upstream position once per input element.
     */
    static final class Unbatch<E> extends Dataset<E> {
        private final Dataset<E> input;

        Unbatch(Dataset<E> input) {
            this.input = input;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            return n == INFINITE || n == 0 ? n : UNKNOWN;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            Cursor<E> upstream = input.open(state == null ? null : state.expect("unbatch").child(0));
            UnbatchCursor<E> c = new UnbatchCursor<>(upstream, state == null ? 0 : state.get("index"));
            if (state != null && state.get("row") > 0) c.reenter(state.get("row"));
            return c;
        }
    }

    private static final class UnbatchCursor<E> extends Stages.Piped<E, E> {
        private IteratorState before; // upstream position before the current element was read
        private E[] rows;
        private int row;
        private long index; // input elements read

        UnbatchCursor(Cursor<E> in, long index) {
            super(in);
            this.index = index;
        }

        /** After a restore inside an element: reads that element again and drops the rows already returned. */
        void reenter(long taken) {
            before = trySave(in);
            E batch = in.next();
            if (batch == null) throw new IllegalArgumentException("iterator state: unbatch input ended before the saved element " + index);
            rows = Structures.split(batch, index++);
            if (taken > rows.length) throw new IllegalArgumentException("iterator state: row " + taken + " beyond an element of " + rows.length + " rows");
            row = (int) taken;
        }

        @Override
        public E next() {
            while (rows == null || row >= rows.length) {
                before = trySave(in);
                E batch = in.next();
                if (batch == null) {
                    rows = null;
                    return null;
                }
                rows = Structures.split(batch, index++);
                row = 0;
            }
            E e = rows[row];
            rows[row++] = null;
            return e;
        }

        @Override
        public IteratorState save() {
            boolean inside = rows != null && row < rows.length;
            if (!inside) return IteratorState.builder("unbatch").put("row", 0).put("index", index).child(in.save()).build();
            if (before == null) throw new UnsaveableException("unbatch: the position of its input cannot be saved");
            return IteratorState.builder("unbatch").put("row", row).put("index", index - 1).child(before).build();
        }
    }

    static final class Repeat<E> extends Dataset<E> {
        private final Dataset<E> input;
        private final long count; // -1: forever

        Repeat(Dataset<E> input, long count) {
            this.input = input;
            this.count = count;
        }

        @Override
        public long cardinality() {
            long n = input.cardinality();
            if (n == 0 || count == 0) return 0;
            if (count < 0) return n == UNKNOWN ? UNKNOWN : INFINITE;
            if (n < 0) return n;
            return n > Long.MAX_VALUE / count ? INFINITE : n * count;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            if (state != null) state.expect("repeat");
            return new Cursor<>() {
                private long epoch = state == null ? 0 : state.get("epoch");
                private boolean emitted = state != null && state.get("emitted") != 0;
                private boolean done = count == 0 || (state != null && state.get("done") != 0);
                private volatile Cursor<E> cur = done ? null : input.open(state == null ? null : state.child(0));

                @Override
                public E next() {
                    while (!done) {
                        E x = cur.next();
                        if (x != null) {
                            emitted = true;
                            return x;
                        }
                        cur.close();
                        epoch++;
                        if ((count >= 0 && epoch >= count) || !emitted) { // an empty pass would repeat forever
                            done = true;
                            cur = null;
                            return null;
                        }
                        emitted = false;
                        cur = input.open(null);
                    }
                    return null;
                }

                @Override
                public IteratorState save() {
                    IteratorState.Builder b = IteratorState.builder("repeat").put("epoch", epoch).put("emitted", emitted ? 1 : 0)
                            .put("done", done ? 1 : 0);
                    if (!done) b.child(cur.save());
                    return b.build();
                }

                @Override
                public void requestStop() {
                    Cursor<E> c = cur;
                    if (c != null) c.requestStop();
                }

                @Override
                public void close() {
                    Cursor<E> c = cur;
                    cur = null;
                    done = true;
                    if (c != null) c.close();
                }
            };
        }
    }

    static final class Zip<A, B, R> extends Dataset<R> {
        private final Dataset<A> a;
        private final Dataset<B> b;
        private final BiFunction<? super A, ? super B, ? extends R> combiner;

        Zip(Dataset<A> a, Dataset<B> b, BiFunction<? super A, ? super B, ? extends R> combiner) {
            this.a = a;
            this.b = b;
            this.combiner = combiner;
        }

        @Override
        public long cardinality() {
            long x = a.cardinality();
            long y = b.cardinality();
            if (x == INFINITE) return y;
            if (y == INFINITE) return x;
            if (x == UNKNOWN || y == UNKNOWN) return UNKNOWN;
            return Math.min(x, y);
        }

        @Override
        Cursor<R> open(IteratorState state) {
            if (state != null) state.expect("zip");
            Cursor<A> ca = a.open(state == null ? null : state.child(0));
            Cursor<B> cb;
            try {
                cb = b.open(state == null ? null : state.child(1));
            } catch (RuntimeException e) {
                ca.close();
                throw e;
            }
            return new Cursor<>() {
                private long index = state == null ? 0 : state.get("index");

                @Override
                public R next() {
                    A x = ca.next();
                    if (x == null) return null;
                    B y = cb.next();
                    if (y == null) return null;
                    long i = index++;
                    R r;
                    try {
                        r = combiner.apply(x, y);
                    } catch (Exception e) {
                        throw new DataPipelineException("zip: the combiner failed on element " + i + ": " + e, e);
                    }
                    if (r == null) throw new DataPipelineException("zip: the combiner returned null for element " + i);
                    return r;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("zip").put("index", index).child(ca.save()).child(cb.save()).build();
                }

                @Override
                public void requestStop() {
                    ca.requestStop();
                    cb.requestStop();
                }

                @Override
                public void close() {
                    try {
                        ca.close();
                    } finally {
                        cb.close();
                    }
                }
            };
        }
    }

    static final class Concat<E> extends Dataset<E> {
        private final Dataset<E> first;
        private final Dataset<? extends E> second;

        Concat(Dataset<E> first, Dataset<? extends E> second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public long cardinality() {
            long x = first.cardinality();
            long y = second.cardinality();
            if (x == INFINITE || y == INFINITE) return INFINITE;
            if (x == UNKNOWN || y == UNKNOWN) return UNKNOWN;
            return x + y;
        }

        @Override
        @SuppressWarnings("unchecked")
        Cursor<E> open(IteratorState state) {
            int part0 = state == null ? 0 : (int) state.expect("concatenate").get("part");
            return new Cursor<>() {
                private int part = part0;
                private volatile Cursor<? extends E> cur = part == 0
                        ? first.open(state == null ? null : state.child(0))
                        : second.open(state.child(0));

                @Override
                public E next() {
                    E x = cur.next();
                    if (x != null || part == 1) return x;
                    cur.close();
                    part = 1;
                    cur = second.open(null);
                    return cur.next();
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("concatenate").put("part", part).child(cur.save()).build();
                }

                @Override
                public void requestStop() {
                    cur.requestStop();
                }

                @Override
                public void close() {
                    cur.close();
                }
            };
        }
    }
}
