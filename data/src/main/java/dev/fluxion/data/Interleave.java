package dev.fluxion.data;

import java.util.function.Function;

/**
 * tf.data's {@code interleave} (and {@code flat_map}, its cycle of one): each input element becomes a dataset; up to
 * {@code cycleLength} of them are open at once and take turns giving {@code blockLength} elements each. A dataset
 * that ends frees its slot, which the next input element fills when the turn comes back to it.
 *
 * <p>A saved position holds, for each open dataset, the input's position before the element it came from and the
 * dataset's own position; a restore reads that element again and reopens its dataset there, so the function must
 * give the same dataset for the same element (as any map function must for exact resume).
 */
final class Interleave<E, R> extends Dataset<R> {
    private final Dataset<E> input;
    private final Function<? super E, ? extends Dataset<? extends R>> fn;
    private final int cycleLength;
    private final int blockLength;
    private final String op; // "interleave" or "flatMap": names errors and the saved state

    Interleave(Dataset<E> input, Function<? super E, ? extends Dataset<? extends R>> fn, int cycleLength, int blockLength, String op) {
        this.input = input;
        this.fn = fn;
        this.cycleLength = cycleLength;
        this.blockLength = blockLength;
        this.op = op;
    }

    @Override
    public long cardinality() {
        return input.cardinality() == 0 ? 0 : UNKNOWN;
    }

    @Override
    Cursor<R> open(IteratorState state) {
        InterleaveCursor c = new InterleaveCursor(input.open(state == null ? null : state.expect(op).child(0)));
        return state == null ? c : Combinators.restoring(c, r -> r.restore(state));
    }

    /** One open dataset of the cycle: the input element it came from, where the input stood before it, its cursor. */
    private record Slot(long element, IteratorState before, Cursor<?> cursor) {}

    private final class InterleaveCursor extends Stages.Piped<E, R> {
        private final Slot[] slots = new Slot[cycleLength];
        private int cycle; // the slot whose turn it is
        private int block; // elements the current slot has given in this turn
        private boolean inputEnded;
        private long index; // input elements read

        InterleaveCursor(Cursor<E> in) {
            super(in);
        }

        @Override
        public R next() {
            while (true) {
                Slot s = slots[cycle];
                if (s != null) {
                    @SuppressWarnings("unchecked") // the cursor of a Dataset<? extends R>
                    R x = (R) s.cursor.next();
                    if (x != null) {
                        if (++block == blockLength) turn();
                        return x;
                    }
                    s.cursor.close();
                    slots[cycle] = null;
                    turn();
                } else if (!inputEnded) {
                    IteratorState before = Combinators.trySave(in);
                    E e = in.next();
                    if (e == null) inputEnded = true;
                    else slots[cycle] = new Slot(index, before, datasetOf(e, index++).open(null));
                } else {
                    if (allEmpty()) return null;
                    turn();
                }
            }
        }

        private void turn() {
            block = 0;
            cycle = (cycle + 1) % cycleLength;
        }

        private boolean allEmpty() {
            for (Slot s : slots) if (s != null) return false;
            return true;
        }

        private Dataset<? extends R> datasetOf(E e, long element) {
            Dataset<? extends R> d;
            try {
                d = fn.apply(e);
            } catch (Exception x) {
                throw new DataPipelineException(op + ": the function failed on element " + element + ": " + x, x);
            }
            if (d == null) throw new DataPipelineException(op + ": the function returned null for element " + element + "; return a Dataset");
            return d;
        }

        @Override
        public IteratorState save() {
            long[] elements = new long[cycleLength];
            IteratorState.Builder b = IteratorState.builder(op).put("cycle", cycle).put("block", block)
                    .put("ended", inputEnded ? 1 : 0).put("index", index);
            b.child(in.save());
            for (int i = 0; i < cycleLength; i++) {
                Slot s = slots[i];
                elements[i] = s == null ? -1 : s.element;
                if (s == null) continue;
                if (s.before == null) throw new UnsaveableException(op + ": the position of its input cannot be saved");
                b.child(s.before).child(s.cursor.save());
            }
            return b.put("elements", elements).build();
        }

        /** Reopens the saved cycle: each open dataset from its element, read again at the input's earlier position. */
        void restore(IteratorState state) {
            long[] elements = state.getArray("elements");
            if (elements.length != cycleLength)
                throw new IllegalArgumentException("iterator state: " + op + " saved with a cycle of " + elements.length
                        + " datasets, this pipeline's has " + cycleLength);
            cycle = checked(state, "cycle", cycleLength - 1);
            block = checked(state, "block", blockLength - 1);
            inputEnded = state.get("ended") != 0;
            index = state.get("index");
            int child = 1;
            for (int i = 0; i < cycleLength; i++) {
                if (elements[i] < 0) continue;
                IteratorState before = state.child(child++);
                Cursor<E> replay = input.open(before);
                E e;
                try {
                    e = replay.next();
                } finally {
                    replay.close();
                }
                if (e == null)
                    throw new IllegalArgumentException("iterator state: " + op + " input ended before the saved element " + elements[i]);
                slots[i] = new Slot(elements[i], before, datasetOf(e, elements[i]).open(state.child(child++)));
            }
        }

        private static int checked(IteratorState state, String key, int max) {
            long v = state.get(key);
            if (v < 0 || v > max) throw new IllegalArgumentException("iterator state: '" + key + "' " + v + " outside 0.." + max);
            return (int) v;
        }

        @Override
        public void requestStop() {
            for (Slot s : slots) if (s != null) s.cursor.requestStop();
            super.requestStop();
        }

        @Override
        public void close() {
            for (int i = 0; i < cycleLength; i++)
                if (slots[i] != null) {
                    slots[i].cursor.close();
                    slots[i] = null;
                }
            super.close();
        }
    }
}
