package dev.fluxion.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.LongToIntFunction;
import java.util.function.ToIntFunction;

/**
 * tf.data's {@code group_by_window} (and {@code bucket_by_sequence_length}, built on it): each input element goes to
 * the group of its integer key; a group that reaches its key's window size is handed, as a dataset, to the reduce
 * function, whose elements are given before any more input is read. When the input ends, the groups still open are
 * handed over partial, in ascending key order (tf.data keeps its groups in an ordered map and flushes the first).
 *
 * <p>A saved position holds no element values: for each waiting element its ordinal in the input and its key, the
 * input's position at a snapshot taken before the oldest of them (snapshots are kept every {@value #SNAPSHOT_INTERVAL}
 * reads), and the reduce function's dataset's own position. A restore re-reads the input from that snapshot, skipping
 * the elements that are not waiting, so the key and reduce functions must give the same results for the same
 * elements (as any map function must for exact resume), and a restore costs the reads back to the oldest element
 * still waiting in a group.
 */
final class GroupByWindow<E, R> extends Dataset<R> {
    /** Input reads between two snapshots of the input's position. */
    static final int SNAPSHOT_INTERVAL = 1024;

    /** The key of an element; {@code index}, its position in the input, serves error messages. */
    interface KeyFunction<E> {
        long key(E element, long index);
    }

    private final Dataset<E> input;
    private final KeyFunction<? super E> keyFunc;
    private final BiFunction<? super Long, ? super Dataset<E>, ? extends Dataset<? extends R>> reduceFunc;
    private final LongToIntFunction windowSizeFunc;
    private final String op; // "groupByWindow" or "bucketBySequenceLength": names errors and the saved state

    GroupByWindow(Dataset<E> input, KeyFunction<? super E> keyFunc,
            BiFunction<? super Long, ? super Dataset<E>, ? extends Dataset<? extends R>> reduceFunc, LongToIntFunction windowSizeFunc,
            String op) {
        this.input = input;
        this.keyFunc = keyFunc;
        this.reduceFunc = reduceFunc;
        this.windowSizeFunc = windowSizeFunc;
        this.op = op;
    }

    /**
     * tf.data's {@code bucket_by_sequence_length}: the key is the bucket of the element's length (bucket i holds the
     * lengths in [boundaries[i - 1], boundaries[i]), the first from below 0, the last up to any length), the window size
     * that bucket's batch size, and each window one padded batch.
     */
    static <E> Dataset<E> bucketBySequenceLength(Dataset<E> input, ToIntFunction<? super E> lengthFunc, int[] boundaries,
            int[] batchSizes, Padding padding, boolean padToBucketBoundary, boolean dropRemainder) {
        String op = "bucketBySequenceLength";
        if (batchSizes.length != boundaries.length + 1)
            throw new IllegalArgumentException(op + ": bucketBatchSizes needs one batch size per bucket, bucketBoundaries.length + 1, "
                    + "but bucketBatchSizes.length is " + batchSizes.length + " and bucketBoundaries.length is " + boundaries.length);
        for (int i = 0; i < boundaries.length; i++) {
            if (boundaries[i] < 1)
                throw new IllegalArgumentException(op + ": bucket boundaries must be >= 1, got " + Arrays.toString(boundaries));
            if (i > 0 && boundaries[i] <= boundaries[i - 1])
                throw new IllegalArgumentException(op + ": bucket boundaries must increase strictly, got " + Arrays.toString(boundaries));
        }
        for (int i = 0; i < batchSizes.length; i++)
            if (batchSizes[i] < 1)
                throw new IllegalArgumentException(op + ": batch sizes must be >= 1, got " + batchSizes[i] + " for bucket " + i
                        + " in " + Arrays.toString(batchSizes));
        if (padToBucketBoundary && boundaries.length == 0)
            throw new IllegalArgumentException(op + ": padToBucketBoundary needs at least one bucket boundary to pad to");
        int[] b = boundaries.clone();
        int[] sizes = batchSizes.clone();
        Padding[] paddings = new Padding[sizes.length];
        for (int i = 0; i < paddings.length; i++)
            paddings[i] = padToBucketBoundary && i < b.length ? padding.unknownDimensionsTo(b[i] - 1) : padding;
        KeyFunction<E> bucketOf = (e, index) -> {
            int length;
            try {
                length = lengthFunc.applyAsInt(e);
            } catch (Exception x) {
                throw new DataPipelineException(op + ": the length function failed on element " + index + ": " + x, x);
            }
            int bucket = 0;
            while (bucket < b.length && length >= b[bucket]) bucket++;
            if (padToBucketBoundary && bucket == b.length)
                throw new DataPipelineException(op + ": element " + index + " has length " + length + ", but with padToBucketBoundary "
                        + "every length must be below the last bucket boundary " + b[b.length - 1]);
            return bucket;
        };
        return new GroupByWindow<E, E>(input, bucketOf,
                (key, window) -> window.paddedBatch(sizes[key.intValue()], dropRemainder, paddings[key.intValue()]),
                key -> sizes[(int) key], op);
    }

    @Override
    public long cardinality() {
        return input.cardinality() == 0 ? 0 : UNKNOWN;
    }

    @Override
    Cursor<R> open(IteratorState state) {
        if (state == null) {
            GroupCursor c = new GroupCursor(input.open(null));
            c.snapshot();
            return c;
        }
        state.expect(op);
        GroupCursor c = new GroupCursor(input.open(state.child(0)));
        return Combinators.restoring(c, r -> r.restore(state));
    }

    /** The elements of one key, in input order, with their ordinals in the input. */
    private final class Group {
        final long key;
        final List<E> elements = new ArrayList<>();
        private long[] ordinals = new long[4];

        Group(long key) {
            this.key = key;
        }

        void add(E e, long ordinal) {
            if (elements.size() == ordinals.length) ordinals = Arrays.copyOf(ordinals, 2 * ordinals.length);
            ordinals[elements.size()] = ordinal;
            elements.add(e);
        }

        int size() {
            return elements.size();
        }

        long first() {
            return ordinals[0];
        }

        long[] ordinals() {
            return Arrays.copyOf(ordinals, elements.size());
        }
    }

    private final class GroupCursor extends Stages.Piped<E, R> {
        private final TreeMap<Long, Group> groups = new TreeMap<>(); // ascending keys: the order of the flush at the end
        private final Map<Long, Integer> windowSizes = new HashMap<>();
        private final InputSnapshots snapshots = new InputSnapshots(SNAPSHOT_INTERVAL);
        private Group window; // the group whose reduced dataset is being given, or null
        private volatile Cursor<? extends R> reduced; // volatile: requestStop may come from a Cleaner thread
        private boolean inputEnded;
        private long reads; // input elements read

        GroupCursor(Cursor<E> in) {
            super(in);
        }

        @Override
        public R next() {
            while (true) {
                if (reduced != null) {
                    R x = reduced.next();
                    if (x != null) return x;
                    reduced.close();
                    reduced = null;
                    window = null;
                }
                Group full = inputEnded ? null : readUntilFull();
                if (full == null) {
                    if (groups.isEmpty()) return null;
                    full = groups.pollFirstEntry().getValue(); // the input has ended: the smallest key's group, partial
                }
                window = full;
                reduced = reduce(full).open(null);
            }
        }

        /** Reads input until a group reaches its window size and returns it (out of the map); null at the input's end. */
        private Group readUntilFull() {
            while (true) {
                if (snapshots.due(reads)) snapshot();
                E e = in.next();
                if (e == null) {
                    inputEnded = true;
                    return null;
                }
                long ordinal = reads++;
                long key = keyOf(e, ordinal);
                int size = windowSize(key);
                Group g = groups.computeIfAbsent(key, Group::new);
                g.add(e, ordinal);
                if (g.size() == size) return groups.remove(key);
            }
        }

        private long keyOf(E e, long index) {
            try {
                return keyFunc.key(e, index);
            } catch (DataPipelineException x) {
                throw x;
            } catch (Exception x) {
                throw new DataPipelineException(op + ": the key function failed on element " + index + ": " + x, x);
            }
        }

        private int windowSize(long key) {
            Integer known = windowSizes.get(key);
            if (known != null) return known;
            int size;
            try {
                size = windowSizeFunc.applyAsInt(key);
            } catch (Exception x) {
                throw new DataPipelineException(op + ": the window size function failed for key " + key + ": " + x, x);
            }
            if (size < 1)
                throw new DataPipelineException(op + ": the window size function returned " + size + " for key " + key
                        + "; a window holds at least 1 element");
            windowSizes.put(key, size);
            return size;
        }

        /** The reduce function's dataset over a window; the window dataset is a list, so it reopens at any position. */
        private Dataset<? extends R> reduce(Group g) {
            Dataset<E> elements = Dataset.fromIterable(Collections.unmodifiableList(g.elements));
            Dataset<? extends R> d;
            try {
                d = reduceFunc.apply(g.key, elements);
            } catch (Exception x) {
                throw new DataPipelineException(op + ": the reduce function failed on the window of key " + g.key + " (" + g.size()
                        + " elements from input element " + g.first() + "): " + x, x);
            }
            if (d == null)
                throw new DataPipelineException(op + ": the reduce function returned null for the window of key " + g.key + "; return a Dataset");
            return d;
        }

        /** Records the input's position at ordinal {@code reads} and forgets the snapshots no waiting element needs. */
        void snapshot() {
            snapshots.take(in, reads, oldest());
        }

        /** The ordinal of the oldest element waiting in a group or in the window being given; {@code reads} if none. */
        private long oldest() {
            long oldest = window == null ? reads : window.first();
            for (Group g : groups.values()) oldest = Math.min(oldest, g.first());
            return oldest;
        }

        @Override
        public IteratorState save() {
            if (!snapshots.saveable()) {
                in.save(); // the input's own refusal names the reason
                throw new UnsaveableException(op + ": the position of its input cannot be saved");
            }
            long oldest = oldest();
            long baseOrdinal;
            IteratorState base;
            if (oldest == reads) { // nothing waits: the input's current position, no replay
                baseOrdinal = reads;
                base = in.save();
            } else {
                snapshots.forgetBefore(oldest);
                baseOrdinal = snapshots.baseOrdinal();
                base = snapshots.baseState();
            }
            long[] keys = new long[groups.size()];
            long[] sizes = new long[groups.size()];
            List<long[]> parts = new ArrayList<>();
            int i = 0;
            for (Group g : groups.values()) {
                keys[i] = g.key;
                sizes[i++] = g.size();
                parts.add(g.ordinals());
            }
            long[] ordinals = parts.stream().flatMapToLong(Arrays::stream).toArray();
            IteratorState.Builder b = IteratorState.builder(op).put("reads", reads).put("ended", inputEnded ? 1 : 0)
                    .put("base", baseOrdinal).put("keys", keys).put("sizes", sizes).put("ordinals", ordinals)
                    .put("window", window == null ? new long[0] : window.ordinals())
                    .put("windowKey", window == null ? 0 : window.key).child(base);
            if (window != null) b.child(reduced.save());
            return b.build();
        }

        /**
         * Rebuilds the groups and the window from the input, re-read from the saved snapshot: the waiting elements are
         * read (and their keys checked), the others skipped.
         */
        void restore(IteratorState s) {
            reads = s.get("reads");
            inputEnded = s.get("ended") != 0;
            long base = s.get("base");
            long[] keys = s.getArray("keys");
            long[] sizes = s.getArray("sizes");
            long[] ordinals = s.getArray("ordinals");
            long[] windowOrdinals = s.getArray("window");
            if (base < 0 || reads < base)
                throw new IllegalArgumentException("iterator state: " + op + " read " + reads + " input elements, fewer than its snapshot's " + base);
            if (sizes.length != keys.length || Arrays.stream(sizes).sum() != ordinals.length)
                throw new IllegalArgumentException("iterator state: " + op + " groups of " + keys.length + " keys, "
                        + Arrays.toString(sizes) + " elements and " + ordinals.length + " ordinals do not agree");
            // each waiting ordinal and the group it goes back to, taken in input order
            int total = ordinals.length + windowOrdinals.length;
            long[] order = new long[total];
            List<Group> owners = new ArrayList<>(total);
            int at = 0;
            for (int g = 0; g < keys.length; g++) {
                if (g > 0 && keys[g] <= keys[g - 1])
                    throw new IllegalArgumentException("iterator state: " + op + " group keys " + Arrays.toString(keys) + " are not ascending");
                if (sizes[g] < 1) throw new IllegalArgumentException("iterator state: " + op + " group of key " + keys[g] + " is empty");
                Group group = new Group(keys[g]);
                groups.put(keys[g], group);
                for (long k = 0; k < sizes[g]; k++) {
                    order[at] = ordinals[at];
                    owners.add(group);
                    at++;
                }
            }
            if (windowOrdinals.length > 0) {
                window = new Group(s.get("windowKey"));
                for (long o : windowOrdinals) {
                    order[at++] = o;
                    owners.add(window);
                }
            }
            Integer[] byOrdinal = new Integer[total];
            for (int i = 0; i < total; i++) byOrdinal[i] = i;
            Arrays.sort(byOrdinal, (x, y) -> Long.compare(order[x], order[y]));
            long pos = base;
            for (int i : byOrdinal) {
                long o = order[i];
                if (o < pos || o >= reads)
                    throw new IllegalArgumentException("iterator state: " + op + " element ordinal " + o + " outside [" + pos + ", " + reads + ")");
                if (in.skip(o - pos) != o - pos) throw ended(o);
                E e = in.next();
                if (e == null) throw ended(o);
                Group owner = owners.get(i);
                long key = keyOf(e, o);
                if (key != owner.key)
                    throw new IllegalArgumentException("iterator state: " + op + " input element " + o + " now has key " + key
                            + ", but it was saved in the group of key " + owner.key + "; restore on the same pipeline over the same data");
                owner.add(e, o);
                pos = o + 1;
            }
            if (in.skip(reads - pos) != reads - pos) throw ended(reads);
            for (Group g : groups.values())
                if (g.size() >= windowSize(g.key))
                    throw new IllegalArgumentException("iterator state: " + op + " group of key " + g.key + " holds " + g.size()
                            + " elements, but its window size is " + windowSize(g.key));
            if (window != null) {
                if (window.size() > windowSize(window.key))
                    throw new IllegalArgumentException("iterator state: " + op + " window of key " + window.key + " holds " + window.size()
                            + " elements, but its window size is " + windowSize(window.key));
                reduced = reduce(window).open(s.child(1));
            }
            snapshots.restored(base, s.child(0), reads);
        }

        private IllegalArgumentException ended(long ordinal) {
            return new IllegalArgumentException("iterator state: " + op + " input ended before element " + ordinal
                    + "; restore on the same pipeline over the same data");
        }

        @Override
        public void requestStop() {
            Cursor<? extends R> r = reduced;
            if (r != null) r.requestStop();
            super.requestStop();
        }

        @Override
        public void close() {
            try {
                if (reduced != null) reduced.close();
            } finally {
                reduced = null;
                window = null;
                super.close();
            }
        }
    }
}
