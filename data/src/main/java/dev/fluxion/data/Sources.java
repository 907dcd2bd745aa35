package dev.fluxion.data;

import dev.fluxion.Tensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;
import java.util.function.Function;
import java.util.function.Supplier;

/** The datasets that start a pipeline: tensor slices, ranges, iterables and generators. */
final class Sources {
    private Sources() {}

    /** Rows of aligned tensors; the position is just the row index, so skipping and restoring are O(1). */
    static final class Slices<E> extends Dataset<E> {
        private final Structures.Rows[] rows;
        private final Function<Tensor[], E> assemble;
        private final int n;

        Slices(Tensor[] tensors, Function<Tensor[], E> assemble) {
            if (tensors.length == 0) throw new IllegalArgumentException("fromTensorSlices needs at least one tensor");
            for (int i = 0; i < tensors.length; i++) {
                if (tensors[i] == null) throw new NullPointerException("fromTensorSlices: tensor " + i + " is null");
                if (tensors[i].rank() == 0)
                    throw new IllegalArgumentException("fromTensorSlices: tensor " + i + " is a scalar; slicing needs at least one axis");
            }
            int first = tensors[0].shape()[0];
            for (Tensor t : tensors)
                if (t.shape()[0] != first) {
                    StringBuilder shapes = new StringBuilder();
                    for (Tensor u : tensors) shapes.append(shapes.isEmpty() ? "" : ", ").append(Arrays.toString(u.shape()));
                    throw new IllegalArgumentException("fromTensorSlices: all tensors need the same first dimension, got shapes " + shapes);
                }
            this.rows = new Structures.Rows[tensors.length];
            for (int i = 0; i < tensors.length; i++) rows[i] = new Structures.Rows(tensors[i]);
            this.assemble = assemble;
            this.n = first;
        }

        @Override
        public long cardinality() {
            return n;
        }

        private E element(int index) {
            Tensor[] parts = new Tensor[rows.length];
            for (int c = 0; c < parts.length; c++) parts[c] = rows[c].row(index);
            return assemble.apply(parts);
        }

        /** The rows at these positions, each component gathered into one new tensor; null if one cannot be. */
        private E stack(long[] positions, int count) {
            Tensor[] parts = new Tensor[rows.length];
            for (int c = 0; c < parts.length; c++)
                if ((parts[c] = rows[c].gather(positions, count)) == null) return null;
            return assemble.apply(parts);
        }

        private final class At implements Cursor.Positional<E> {
            private final java.util.function.LongSupplier position;

            At(java.util.function.LongSupplier position) {
                this.position = position;
            }

            @Override
            public long position() {
                return position.getAsLong();
            }

            @Override
            public E at(long p) {
                return element((int) p);
            }

            @Override
            public E stack(long[] positions, int count) {
                return Slices.this.stack(positions, count);
            }
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long start = state == null ? 0 : state.expect("slices").get("index");
            if (start < 0 || start > n) throw new IllegalArgumentException("iterator state: slice index " + start + " outside [0, " + n + "]");
            return new Cursor<>() {
                private int index = (int) start;

                @Override
                public E next() {
                    return index < n ? element(index++) : null;
                }

                @Override
                public Positional<E> positional() {
                    return new At(() -> index);
                }

                @Override
                public Positions<E> positions() {
                    Positional<E> source = positional();
                    return new Positions<>() {
                        @Override
                        public long nextPosition() {
                            return index < n ? index++ : -1;
                        }

                        @Override
                        public Positional<E> source() {
                            return source;
                        }
                    };
                }

                @Override
                public long skip(long k) {
                    long d = Math.min(k, n - index);
                    index += (int) d;
                    return d;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("slices").put("index", index).build();
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Arithmetic progressions of longs. */
    static final class Range extends Dataset<Long> {
        private final long start;
        private final long stop;
        private final long step;
        private final long count;

        Range(long start, long stop, long step) {
            if (step == 0) throw new IllegalArgumentException("range step must not be 0");
            this.start = start;
            this.stop = stop;
            this.step = step;
            long span = step > 0 ? stop - start : start - stop;
            long s = Math.abs(step);
            this.count = span <= 0 ? 0 : (span - 1) / s + 1;
        }

        @Override
        public long cardinality() {
            return count;
        }

        @Override
        Cursor<Long> open(IteratorState state) {
            long first = state == null ? 0 : state.expect("range").get("index");
            if (first < 0 || first > count) throw new IllegalArgumentException("iterator state: range index " + first + " outside [0, " + count + "]");
            return new Cursor<>() {
                private long index = first;

                @Override
                public Long next() {
                    return index < count ? start + step * index++ : null;
                }

                @Override
                public Positional<Long> positional() {
                    return Positional.of(() -> index, p -> start + step * p);
                }

                @Override
                public long skip(long k) {
                    long d = Math.min(k, count - index);
                    index += d;
                    return d;
                }

                @Override
                public IteratorState save() {
                    return IteratorState.builder("range").put("index", index).build();
                }

                @Override
                public void close() {}
            };
        }
    }

    /** An iterable, re-iterated each pass; lists with random access skip in O(1). */
    static final class FromIterable<E> extends Dataset<E> {
        private final Iterable<? extends E> source;

        FromIterable(Iterable<? extends E> source) {
            this.source = source;
        }

        @Override
        public long cardinality() {
            return source instanceof Collection<?> c ? c.size() : UNKNOWN;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long at = state == null ? 0 : state.expect("iterable").get("index");
            if (source instanceof List<? extends E> list && source instanceof RandomAccess) return new ListCursor<>(list, at);
            Cursor<E> c = new IteratorCursor<>(source.iterator(), "iterable");
            if (c.skip(at) != at) throw new IllegalArgumentException("iterator state: the iterable has fewer than " + at + " elements");
            return c;
        }
    }

    /** A generator of iterators; restoring replays it. */
    static final class Generator<E> extends Dataset<E> {
        private final Supplier<? extends Iterator<? extends E>> supplier;

        Generator(Supplier<? extends Iterator<? extends E>> supplier) {
            this.supplier = supplier;
        }

        @Override
        public long cardinality() {
            return UNKNOWN;
        }

        @Override
        Cursor<E> open(IteratorState state) {
            long at = state == null ? 0 : state.expect("generator").get("index");
            Iterator<? extends E> it = supplier.get();
            if (it == null) throw new DataPipelineException("fromGenerator: the supplier returned null instead of an iterator");
            Cursor<E> c = new IteratorCursor<>(it, "generator");
            if (c.skip(at) != at) throw new IllegalArgumentException("iterator state: the generator ended before element " + at);
            return c;
        }
    }

    private static final class ListCursor<E> implements Cursor<E> {
        private final List<? extends E> list;
        private long index;

        ListCursor(List<? extends E> list, long index) {
            if (index < 0 || index > list.size())
                throw new IllegalArgumentException("iterator state: list index " + index + " outside [0, " + list.size() + "]");
            this.list = list;
            this.index = index;
        }

        @Override
        public E next() {
            if (index >= list.size()) return null;
            E e = list.get((int) index);
            if (e == null) throw new DataPipelineException("fromIterable: element " + index + " is null; datasets cannot hold null");
            index++;
            return e;
        }

        @Override
        public long skip(long k) {
            long d = Math.min(k, list.size() - index);
            index += d;
            return d;
        }

        @Override
        public IteratorState save() {
            return IteratorState.builder("iterable").put("index", index).build();
        }

        @Override
        public void close() {}
    }

    private static final class IteratorCursor<E> implements Cursor<E> {
        private final Iterator<? extends E> it;
        private final String kind;
        private long index;

        IteratorCursor(Iterator<? extends E> it, String kind) {
            this.it = it;
            this.kind = kind;
        }

        @Override
        public E next() {
            E e;
            try {
                if (!it.hasNext()) return null;
                e = it.next();
            } catch (RuntimeException x) {
                throw new DataPipelineException(kind + ": the source failed at element " + index + ": " + x.getMessage(), x);
            }
            if (e == null) throw new DataPipelineException(kind + ": element " + index + " is null; datasets cannot hold null");
            index++;
            return e;
        }

        @Override
        public IteratorState save() {
            return IteratorState.builder(kind).put("index", index).build();
        }

        @Override
        public void close() {
            if (it instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new DataPipelineException(kind + ": closing the source failed: " + e, e);
                }
            }
        }
    }
}
