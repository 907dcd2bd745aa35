package dev.fluxion.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * tf.data's buffer shuffle. The buffer starts with the first {@code bufferSize} inputs; each output is a uniformly
 * drawn buffer slot, refilled with the next input (or, once the input ends, with the last slot). With a buffer at
 * least as large as the input this is a uniform random permutation.
 *
 * <p>Pass {@code p} draws from a generator seeded with (seed, p); each new pass takes the next {@code p} unless
 * reshuffling is off. Saving records the generator state and, for each buffered element, its ordinal in the input
 * rather than its value; restoring re-reads the input from a snapshot of its position taken before the oldest
 * buffered element (snapshots are kept every {@code max(bufferSize, 1024)} reads), skipping the elements not
 * buffered. So a saved state stays small and a restore costs at most a few buffers' worth of input reads.
 *
 * <p>Over a {@linkplain Cursor#positional() positional} input (tensor slices, ranges) the buffer holds positions and
 * each element is made as it is emitted: the same elements in the same order, without tens of thousands of buffered
 * objects to fetch back from cold memory (that made batching shuffled MNIST rows about twice as slow).
 */
final class Shuffle<E> extends Dataset<E> {
    private final Dataset<E> input;
    private final int bufferSize;
    private final long seed;
    private final boolean reshuffle;
    private final AtomicLong passes = new AtomicLong();

    Shuffle(Dataset<E> input, int bufferSize, long seed, boolean reshuffle) {
        if (bufferSize < 1) throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + bufferSize);
        this.input = input;
        this.bufferSize = bufferSize;
        this.seed = seed;
        this.reshuffle = reshuffle;
    }

    @Override
    public long cardinality() {
        return input.cardinality();
    }

    private Xoroshiro rngFor(long pass) {
        return Xoroshiro.seeded(Xoroshiro.splitMix(seed) ^ Xoroshiro.splitMix(~pass));
    }

    @Override
    Cursor<E> open(IteratorState state) {
        if (state == null) {
            long pass = reshuffle ? passes.getAndIncrement() : 0;
            return new ShuffleCursor(input.open(null), pass, rngFor(pass));
        }
        state.expect("shuffle");
        long pass = state.get("pass");
        if (reshuffle) passes.accumulateAndGet(pass + 1, Math::max); // the next fresh pass continues the sequence
        long[] rng = state.getArray("rng");
        if (rng.length != 2) throw new IllegalArgumentException("iterator state: shuffle rng needs 2 values, found " + rng.length);
        ShuffleCursor c = new ShuffleCursor(input.open(state.child(0)), pass, Xoroshiro.fromState(rng[0], rng[1]));
        return Combinators.restoring(c, r -> r.restore(state));
    }

    private final class ShuffleCursor extends Stages.Piped<E, E> {
        private final long pass;
        private final Xoroshiro rng;
        private final InputSnapshots snapshots = new InputSnapshots(Math.max(bufferSize, 1024));
        /** Non-null when the input is positional: the buffer then holds positions (in {@code at}), not elements. */
        private final Cursor.Positional<E> positional;
        private Object[] buf;
        private long[] at;
        private long[] ord;
        private int size;
        private boolean filled;
        private boolean inputDone;
        private long reads;

        ShuffleCursor(Cursor<E> in, long pass, Xoroshiro rng) {
            super(in);
            this.pass = pass;
            this.rng = rng;
            long card = input.cardinality();
            int initial = (int) Math.min(bufferSize, card >= 0 ? Math.max(card, 1) : 1024);
            this.positional = in.positional();
            if (positional == null) this.buf = new Object[initial];
            else this.at = new long[initial];
            this.ord = new long[initial];
            snapshot();
        }

        /** Records the input position at ordinal {@code reads} and forgets snapshots no buffered element needs. */
        private void snapshot() {
            long oldest = reads;
            for (int i = 0; i < size; i++) oldest = Math.min(oldest, ord[i]);
            snapshots.take(in, reads, oldest);
        }

        /** Reads the next input into {@code slot}; false (and nothing stored) at the input's end. */
        private boolean readInto(int slot) {
            if (snapshots.due(reads)) snapshot();
            if (!takeNext(slot, reads)) {
                inputDone = true;
                return false;
            }
            reads++;
            return true;
        }

        /** Takes the input's next element (or, positionally, its position) into {@code slot} as {@code ordinal}. */
        private boolean takeNext(int slot, long ordinal) {
            if (slot >= ord.length) { // grows lazily: a huge bufferSize over a small input costs nothing
                int n = (int) Math.min(bufferSize, Math.max(16L, 2L * ord.length));
                if (positional == null) buf = Arrays.copyOf(buf, n);
                else at = Arrays.copyOf(at, n);
                ord = Arrays.copyOf(ord, n);
            }
            if (positional == null) {
                E x = in.next();
                if (x == null) return false;
                buf[slot] = x;
            } else {
                long position = positional.position();
                if (in.skip(1) != 1) return false;
                at[slot] = position;
            }
            ord[slot] = ordinal;
            return true;
        }

        @SuppressWarnings("unchecked")
        private E element(int slot) {
            return positional == null ? (E) buf[slot] : positional.at(at[slot]);
        }

        @Override
        public E next() {
            int i = draw();
            if (i < 0) return null;
            E out = element(i);
            refill(i);
            return out;
        }

        @Override
        public Positions<E> positions() {
            if (positional == null) return null;
            return new Positions<>() {
                @Override
                public long nextPosition() {
                    int i = draw();
                    if (i < 0) return -1;
                    long out = at[i];
                    refill(i);
                    return out;
                }

                @Override
                public Positional<E> source() {
                    return positional;
                }
            };
        }

        /** The slot of the next element to emit (filling the buffer first), or -1 at the end. */
        private int draw() {
            if (!filled) {
                while (size < bufferSize && !inputDone && readInto(size)) size++;
                filled = true;
            }
            return size == 0 ? -1 : rng.nextInt(size);
        }

        /** Refills slot i, just emitted, from the input; at the input's end the last slot fills the hole. */
        private void refill(int i) {
            if (inputDone || !readInto(i)) {
                size--;
                ord[i] = ord[size];
                if (positional == null) {
                    buf[i] = buf[size];
                    buf[size] = null;
                } else {
                    at[i] = at[size];
                }
            }
        }

        @Override
        public IteratorState save() {
            if (!snapshots.saveable()) throw new UnsaveableException("shuffle: the position of its input cannot be saved");
            return IteratorState.builder("shuffle").put("pass", pass).put("rng", rng.state()).put("reads", reads)
                    .put("filled", filled ? 1 : 0).put("inputDone", inputDone ? 1 : 0).put("base", snapshots.baseOrdinal())
                    .put("buffer", Arrays.copyOf(ord, size)).child(snapshots.baseState()).build();
        }

        /** Rebuilds the buffer: re-reads the input from the base snapshot, keeping the saved ordinals in their slots. */
        void restore(IteratorState s) {
            long base = s.get("base");
            long savedReads = s.get("reads");
            long[] ords = s.getArray("buffer");
            Integer[] slots = new Integer[ords.length];
            for (int i = 0; i < slots.length; i++) slots[i] = i;
            Arrays.sort(slots, Comparator.comparingLong(i -> ords[i]));
            if (ords.length > bufferSize) throw new IllegalArgumentException("iterator state: " + ords.length + " buffered elements exceed the buffer size " + bufferSize);
            if (ords.length > ord.length) {
                if (positional == null) buf = new Object[ords.length];
                else at = new long[ords.length];
                ord = new long[ords.length];
            }
            long pos = base;
            for (int slot : slots) {
                long o = ords[slot];
                if (o < pos || o >= savedReads)
                    throw new IllegalArgumentException("iterator state: shuffle buffer ordinal " + o + " outside [" + pos + ", " + savedReads + ")");
                if (in.skip(o - pos) != o - pos || !takeNext(slot, o)) throw ended(o);
                pos = o + 1;
            }
            if (in.skip(savedReads - pos) != savedReads - pos) throw ended(savedReads);
            size = ords.length;
            reads = savedReads;
            filled = s.get("filled") != 0;
            inputDone = s.get("inputDone") != 0;
            snapshots.restored(base, s.child(0), reads);
        }

        private IllegalArgumentException ended(long ordinal) {
            return new IllegalArgumentException("iterator state: the shuffle's input ended before element " + ordinal
                    + "; restore on the same pipeline over the same data");
        }
    }
}
