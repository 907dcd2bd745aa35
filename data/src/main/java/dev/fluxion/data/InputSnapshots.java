package dev.fluxion.data;

import java.util.ArrayDeque;

/**
 * Saved positions of the input of a stage that holds elements back (shuffle, groupByWindow): a snapshot of the
 * input's iterator state every {@code interval} reads, those older than the oldest element still held forgotten. A
 * saved position of the stage records the first snapshot and the held elements' ordinals, and a restore re-reads the
 * input from that snapshot. An input whose position cannot be saved leaves the stage unsaveable.
 */
final class InputSnapshots {
    private record Snapshot(long ordinal, IteratorState state) {}

    private final ArrayDeque<Snapshot> snapshots = new ArrayDeque<>();
    private final int interval;
    private long nextAt;
    private boolean saveable = true;

    InputSnapshots(int interval) {
        this.interval = interval;
    }

    /** Whether a snapshot is due before reading the input element of ordinal {@code reads}. */
    boolean due(long reads) {
        return saveable && reads >= nextAt;
    }

    /** Records {@code in}'s position at ordinal {@code reads} and forgets the snapshots no element from {@code oldest} on needs. */
    void take(Cursor<?> in, long reads, long oldest) {
        IteratorState s = Combinators.trySave(in);
        if (s == null) {
            saveable = false;
            snapshots.clear();
            return;
        }
        snapshots.addLast(new Snapshot(reads, s));
        nextAt = reads + interval;
        forgetBefore(oldest);
    }

    /** Drops the first snapshot while the next one is still at or before {@code ordinal}. */
    void forgetBefore(long ordinal) {
        while (snapshots.size() > 1) {
            var it = snapshots.iterator();
            it.next();
            if (it.next().ordinal() > ordinal) return;
            snapshots.removeFirst();
        }
    }

    boolean saveable() {
        return saveable;
    }

    /** The ordinal of the oldest snapshot kept. */
    long baseOrdinal() {
        return snapshots.getFirst().ordinal();
    }

    /** The input's position at {@link #baseOrdinal()}. */
    IteratorState baseState() {
        return snapshots.getFirst().state();
    }

    /** After a restore: the saved snapshot is the only one, and the next is due {@code interval} reads after {@code reads}. */
    void restored(long ordinal, IteratorState state, long reads) {
        snapshots.clear();
        snapshots.addLast(new Snapshot(ordinal, state));
        nextAt = reads + interval;
    }
}
