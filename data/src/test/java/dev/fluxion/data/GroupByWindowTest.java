package dev.fluxion.data;

import static dev.fluxion.data.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.LongToIntFunction;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** groupByWindow: tf.data's group_by_window, against a list program of its semantics written out here, and exact resume. */
class GroupByWindowTest {
    /**
     * tf.data's group_by_window as a plain list program: each element joins its key's group; a group that reaches its
     * window size is reduced and its outputs given at once; at the end the groups left are reduced in ascending key
     * order (tf.data's groups live in an ordered map, and it flushes the first).
     */
    private static <E, R> List<R> reference(List<E> input, ToLongFunction<E> keyOf, LongToIntFunction windowSize,
            BiFunction<Long, List<E>, List<R>> reduce) {
        List<R> out = new ArrayList<>();
        TreeMap<Long, List<E>> groups = new TreeMap<>();
        for (E e : input) {
            long k = keyOf.applyAsLong(e);
            List<E> g = groups.computeIfAbsent(k, x -> new ArrayList<>());
            g.add(e);
            if (g.size() == windowSize.applyAsInt(k)) out.addAll(reduce.apply(k, groups.remove(k)));
        }
        groups.forEach((k, g) -> out.addAll(reduce.apply(k, g)));
        return out;
    }

    /** The consecutive runs of {@code size} elements of {@code list}, the last one shorter: batch's reference. */
    private static <E> List<List<E>> chunks(List<E> list, int size) {
        List<List<E>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i += size) out.add(List.copyOf(list.subList(i, Math.min(list.size(), i + size))));
        return out;
    }

    /** One random configuration: the element 10 i + (key + 5) carries its key, in -5..4, in its last digit. */
    private record Trial(List<Long> input, int[] windows, int reducer, int batch) {
        static long key(long e) {
            return Math.floorMod(e, 10) - 5;
        }

        int window(long key) {
            return windows[(int) key + 5];
        }

        /** The reduce functions a trial picks from, on datasets. */
        Dataset<List<Long>> reduce(long key, Dataset<Long> w) {
            return switch (reducer) {
                case 0 -> w.batch(batch, false, List::copyOf);
                case 1 -> w.map(x -> List.of(key, x));
                case 2 -> w.take(key % 2 == 0 ? -1 : 0).map(List::of); // odd keys' windows give nothing
                default -> w.skip(1).map(x -> List.of(x, 2 * x)).concatenate(Dataset.of(List.of(key)));
            };
        }

        /** The same functions, on lists. */
        List<List<Long>> reduceList(long key, List<Long> w) {
            List<List<Long>> out = new ArrayList<>();
            switch (reducer) {
                case 0 -> out.addAll(chunks(w, batch));
                case 1 -> w.forEach(x -> out.add(List.of(key, x)));
                case 2 -> { if (key % 2 == 0) w.forEach(x -> out.add(List.of(x))); }
                default -> {
                    w.stream().skip(1).forEach(x -> out.add(List.of(x, 2 * x)));
                    out.add(List.of(key));
                }
            }
            return out;
        }

        Dataset<List<Long>> dataset() {
            return Dataset.fromIterable(input).groupByWindow(Trial::key, this::reduce, this::window);
        }

        List<List<Long>> expected() {
            return reference(input, Trial::key, this::window, this::reduceList);
        }

        static Trial random(SplittableRandom r) {
            int n = r.nextInt(0, 30), keys = r.nextInt(1, 6), lowest = r.nextInt(0, 10 - keys + 1);
            List<Long> input = new ArrayList<>();
            for (int i = 0; i < n; i++) input.add(10L * i + lowest + r.nextInt(keys));
            int[] windows = r.ints(10, 1, 5).toArray();
            return new Trial(input, windows, r.nextInt(4), r.nextInt(1, 4));
        }
    }

    @Test
    void tfDataDocumentationExample() {
        // range(10).group_by_window(key_func=lambda x: x % 2, reduce_func=lambda key, ds: ds.batch(5), window_size=5)
        List<Tensor> got = Dataset.range(10).map(x -> Tensor.scalar(x, DType.INT64))
                .groupByWindow(t -> t.toLongArray()[0] % 2, (key, window) -> window.batch(5), 5).toList();
        assertEquals(2, got.size());
        assertArrayEquals(new long[] {0, 2, 4, 6, 8}, got.get(0).toLongArray());
        assertArrayEquals(new long[] {1, 3, 5, 7, 9}, got.get(1).toLongArray());
    }

    @Test
    void fullWindowsComeAtOnceAndTheRestInAscendingKeyOrder() {
        // keys 5, -2, 3, -2, 5, 3, 5 with windows of 3: key 5 fills at its third element; -2 and 3 stay partial
        List<Long> input = List.of(50L, 1L, 30L, 2L, 51L, 31L, 52L, 3L);
        ToLongFunction<Long> key = x -> x >= 50 ? 5 : x >= 30 ? 3 : -2;
        List<List<Long>> got = Dataset.fromIterable(input)
                .groupByWindow(key, (k, w) -> w.batch(3, false, List::copyOf), 3).toList();
        assertEquals(List.of(List.of(50L, 51L, 52L), List.of(1L, 2L, 3L), List.of(30L, 31L)), got,
                "key 5 fills at 52, key -2 at 3; key 3's group is left partial for the end");
        List<List<Long>> partial = Dataset.fromIterable(input.subList(0, 7))
                .groupByWindow(key, (k, w) -> w.batch(3, false, List::copyOf), 3).toList();
        assertEquals(List.of(List.of(50L, 51L, 52L), List.of(1L, 2L), List.of(30L, 31L)), partial, "-2 before 3 at the end");
    }

    @Test
    void matchesTheReferenceForRandomKeysWindowsAndReducers() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 300; trial++) {
            Trial t = Trial.random(r);
            assertEquals(t.expected(), t.dataset().toList(), t.toString());
        }
    }

    @Test
    void asksTheWindowSizeOncePerKeyAndEachPassStartsAfresh() {
        Map<Long, Integer> asked = new HashMap<>();
        Dataset<List<Long>> ds = Dataset.range(20).groupByWindow(x -> x % 3, (k, w) -> w.batch(10, false, List::copyOf), key -> {
            asked.merge(key, 1, Integer::sum);
            return 2 + (int) key;
        });
        List<List<Long>> first = ds.toList();
        assertEquals(Map.of(0L, 1, 1L, 1, 2L, 1), asked);
        assertEquals(reference(TestData.longs(Dataset.range(20)), x -> x % 3, k -> 2 + (int) k, (k, w) -> List.of(w)), first);
        assertEquals(first, ds.toList(), "a second pass gives the same windows");
        assertEquals(0, Dataset.range(0).groupByWindow(x -> 0, (k, w) -> w, 2).cardinality());
        assertEquals(Dataset.UNKNOWN, Dataset.range(5).groupByWindow(x -> 0, (k, w) -> w, 2).cardinality());
    }

    @Test
    void resumesAtEveryCut() {
        TestData.resumesAtEveryCut(() -> Dataset.range(40).shuffle(8, 3)
                .groupByWindow(x -> x % 3, (k, w) -> w.batch(2, false, List::copyOf), 3));
        // keys with their own window sizes; a reduce that gives several elements per window and a shuffle inside it
        TestData.resumesAtEveryCut(() -> Dataset.range(30).map(x -> x * 7 % 30)
                .groupByWindow(x -> x % 4 - 2, (k, w) -> w.shuffle(4, k).map(x -> List.of(k, x)), k -> (int) k + 4));
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 30; trial++) {
            Trial t = Trial.random(r);
            TestData.resumesAtEveryCut(t::dataset);
        }
    }

    @Test
    void resumesWhenAnElementWaitsAcrossManySnapshots() {
        // element 0 and element 2500 share key 7 (a window of 2): element 0 waits through two snapshots' worth of
        // reads, so a restore re-reads from the start; after 2500 the snapshots before it are forgotten
        int n = 3 * GroupByWindow.SNAPSHOT_INTERVAL;
        Supplier<Dataset<List<Long>>> build = () -> Dataset.range(n).shuffle(16, 1).filter(x -> true)
                .groupByWindow(x -> x == 0 || x == 2500 ? 7 : x % 3, (k, w) -> w.batch(4, false, List::copyOf), k -> k == 7 ? 2 : 4);
        List<List<Long>> full = build.get().toList();
        assertEquals(reference(TestData.longs(Dataset.range(n).shuffle(16, 1)), x -> x == 0 || x == 2500 ? 7 : x % 3,
                k -> k == 7 ? 2 : 4, (k, w) -> List.of(w)), full);
        TestData.resumesAt(build, 0, 1, 300, 600, 700, full.size() - 1, full.size());
    }

    @Test
    void aRestoreReReadsFromTheLastSnapshotBeforeTheOldestWaitingElement() {
        // the input's position is kept every SNAPSHOT_INTERVAL reads. Element 0 waits (key 7) until element
        // interval + 76 joins it, so the snapshot at 0 is still needed when the one at interval is taken; element
        // interval waits (key 8) until the last element. Saved after element interval + 476, the oldest element still
        // waiting is element interval: a restore re-reads the input from the snapshot at interval, one filter test per
        // element from interval to the last one read, not every element from the start
        int n = 2000, interval = GroupByWindow.SNAPSHOT_INTERVAL;
        long saveAfter = interval + 476;
        ToLongFunction<Long> key = x -> x == 0 || x == interval + 76 ? 7 : x == interval || x == n - 1 ? 8 : 0;
        LongToIntFunction size = k -> k == 0 ? 1 : 2;
        AtomicInteger tested = new AtomicInteger();
        Supplier<Dataset<Long>> build = () -> Dataset.range(n).filter(x -> {
            tested.incrementAndGet();
            return true;
        }).groupByWindow(key, (k, w) -> w, size);
        List<Long> full = reference(TestData.longs(Dataset.range(n)), key, size, (k, w) -> w);
        assertEquals(full, build.get().toList());
        List<Long> seen = new ArrayList<>();
        IteratorState state;
        try (DataIterator<Long> it = build.get().iterator()) {
            while (seen.isEmpty() || seen.getLast() != saveAfter) seen.add(it.next());
            state = IteratorState.fromBytes(it.save().toBytes());
        }
        tested.set(0);
        try (DataIterator<Long> it = build.get().iterator(state)) {
            assertEquals(saveAfter + 1 - interval, tested.get(), "re-read from the snapshot at " + interval);
            // a second save, from the restored pipeline: the restored snapshot is still the one to re-read from
            for (int i = 0; i < 100; i++) seen.add(it.next());
            state = IteratorState.fromBytes(it.save().toBytes());
        }
        tested.set(0);
        try (DataIterator<Long> it = build.get().iterator(state)) {
            assertEquals(saveAfter + 101 - interval, tested.get(), "the second restore re-reads from " + interval + " too");
            it.forEachRemaining(seen::add);
        }
        assertEquals(full, seen, "saved, restored, saved again and restored");
    }

    @Test
    void aRestoreReadsOnlyTheWaitingElements() {
        // multiples of 10 wait under key 1 (a window of 100, flushed at the end); the rest fill windows of 5
        AtomicInteger made = new AtomicInteger();
        Supplier<Dataset<List<Long>>> build = () -> Dataset.range(60).map(x -> {
            made.incrementAndGet();
            return x;
        }).groupByWindow(x -> x % 10 == 0 ? 1 : 0, (k, w) -> w.batch(5, false, List::copyOf), k -> k == 1 ? 100 : 5);
        IteratorState state;
        try (DataIterator<List<Long>> it = build.get().iterator()) {
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), it.next());
            assertEquals(List.of(6L, 7L, 8L, 9L, 11L), it.next());
            state = it.save();
        }
        made.set(0);
        try (DataIterator<List<Long>> it = build.get().iterator(state)) {
            // 0 and 10 wait in key 1's group; 6..11 are the window just given (its dataset may still be read)
            assertEquals(7, made.get(), "the other elements are skipped, not made");
            assertEquals(List.of(12L, 13L, 14L, 15L, 16L), it.next());
        }
    }

    @Test
    void closingStopsTheWindowsThreads() throws InterruptedException {
        Set<String> before = TestData.pipelineThreads();
        try (DataIterator<Long> it = Dataset.range(100).groupByWindow(x -> x % 2, (k, w) -> w.prefetch(2), 40).iterator()) {
            it.next();
            assertFalse(TestData.pipelineThreads().equals(before), "the window's dataset prefetches on its own thread");
        }
        TestData.assertNoNewThreads(before, 2000);
    }

    @Test
    void badArgumentsAndFailingFunctionsAreNamed() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3).groupByWindow(x -> 0, (k, w) -> w, 0)),
                "groupByWindow: windowSize must be >= 1, got 0");
        assertThrows(NullPointerException.class, () -> Dataset.range(3).groupByWindow(null, (k, w) -> w, 2));
        assertThrows(NullPointerException.class, () -> Dataset.range(3).groupByWindow(x -> 0, null, 2));
        assertThrows(NullPointerException.class, () -> Dataset.range(3).groupByWindow(x -> 0, (k, w) -> w, (LongToIntFunction) null));
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(5)
                        .groupByWindow(x -> x, (k, w) -> w, k -> k == 2 ? 0 : 1).toList()),
                "groupByWindow: the window size function returned 0 for key 2; a window holds at least 1 element");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(5).groupByWindow(x -> x, (k, w) -> w, k -> {
            throw new IllegalStateException("no size for " + k);
        }).toList()), "groupByWindow: the window size function failed for key 0", "no size for 0");
        DataPipelineException key = assertThrows(DataPipelineException.class, () -> Dataset.range(5).groupByWindow(x -> {
            if (x == 3) throw new IllegalStateException("bad element " + x);
            return 0;
        }, (k, w) -> w, 10).toList());
        assertMentions(key, "groupByWindow: the key function failed on element 3", "bad element 3");
        assertEquals(IllegalStateException.class, key.getCause().getClass());
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(5)
                        .<Long>groupByWindow(x -> x % 2, (k, w) -> k == 1 ? null : w, 2).toList()),
                "groupByWindow: the reduce function returned null for the window of key 1; return a Dataset");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(5).<Long>groupByWindow(x -> x % 2, (k, w) -> {
            throw new IllegalStateException("cannot reduce " + k);
        }, 2).toList()), "groupByWindow: the reduce function failed on the window of key 0 (2 elements from input element 0)",
                "cannot reduce 0");
        assertMentions(assertThrows(DataPipelineException.class, () -> Dataset.range(5).<Long>groupByWindow(x -> x % 2, (k, w) -> {
            if (k == 1) throw new IllegalStateException("cannot reduce " + k);
            return w;
        }, 2).toList()), "groupByWindow: the reduce function failed on the window of key 1 (2 elements from input element 1)",
                "cannot reduce 1");
    }

    @Test
    void restoringOntoAnotherPipelineOrOtherDataIsRefused() {
        Supplier<Dataset<List<Long>>> byTwo = () -> Dataset.range(10).groupByWindow(x -> x % 2, (k, w) -> w.batch(3, false, List::copyOf), 3);
        IteratorState s;
        try (DataIterator<List<Long>> it = byTwo.get().iterator()) {
            assertEquals(List.of(0L, 2L, 4L), it.next()); // 1 and 3 wait under key 1, 6 is not read yet
            s = it.save();
        }
        IteratorState saved = s;
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(10)
                        .groupByWindow(x -> x % 3, (k, w) -> w.batch(3, false, List::copyOf), 3).iterator(saved)),
                "groupByWindow input element 2 now has key 2, but it was saved in the group of key 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(3)
                        .groupByWindow(x -> x % 2, (k, w) -> w.batch(3, false, List::copyOf), 3).iterator(saved)),
                "groupByWindow input ended before element 3");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(10)
                        .groupByWindow(x -> x % 2, (k, w) -> w.batch(3, false, List::copyOf), 2).iterator(saved)),
                "groupByWindow group of key 1 holds 2 elements, but its window size is 2");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Dataset.range(10).interleave(Dataset::range, 2, 1).iterator(saved)),
                "expected a 'interleave' stage, found 'groupByWindow'");
        IteratorState reordered = IteratorState.fromJson(saved.toJson().replace("\"ordinals\":[1,3]", "\"ordinals\":[3,3]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> byTwo.get().iterator(reordered)),
                "groupByWindow element ordinal 3 outside [4, 5)");
        // a state edited by hand: the groups of keys 1 ([1, 4]) and 2 ([2, 5]) wait, 7 elements read
        Supplier<Dataset<List<Long>>> byThree = () -> Dataset.range(10).groupByWindow(x -> x % 3, (k, w) -> w.batch(3, false, List::copyOf), 3);
        String json;
        try (DataIterator<List<Long>> it = byThree.get().iterator()) {
            assertEquals(List.of(0L, 3L, 6L), it.next());
            json = it.save().toJson();
        }
        assertTrue(json.contains("\"keys\":[1,2]") && json.contains("\"ordinals\":[1,4,2,5]") && json.contains("\"reads\":[7]"), json);
        IteratorState sameKey = IteratorState.fromJson(json.replace("\"keys\":[1,2]", "\"keys\":[1,1]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> byThree.get().iterator(sameKey)),
                "groupByWindow group keys [1, 1] are not ascending");
        IteratorState unread = IteratorState.fromJson(json.replace("\"ordinals\":[1,4,2,5]", "\"ordinals\":[1,4,2,7]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> byThree.get().iterator(unread)),
                "groupByWindow element ordinal 7 outside [7, 7)");
        IteratorState end;
        try (DataIterator<List<Long>> it = byTwo.get().iterator()) {
            it.forEachRemaining(x -> {});
            end = it.save(); // nothing waits: the input's own position, 10 elements read
        }
        try (DataIterator<List<Long>> it = byTwo.get().iterator(end)) {
            assertFalse(it.hasNext(), "restored at the end");
        }
        IteratorState behind = IteratorState.fromJson(end.toJson().replace("\"reads\":[10]", "\"reads\":[3]"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> byTwo.get().iterator(behind)),
                "groupByWindow read 3 input elements, fewer than its snapshot's 10");
        try (DataIterator<List<Long>> it = Dataset.range(10).map(x -> x, 2, false)
                .groupByWindow(x -> x % 2, (k, w) -> w.batch(3, false, List::copyOf), 3).iterator()) {
            it.next();
            assertMentions(assertThrows(IllegalStateException.class, it::save), "deterministic=false", "cannot be saved");
        }
    }
}
