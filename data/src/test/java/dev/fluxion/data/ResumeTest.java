package dev.fluxion.data;

import static dev.fluxion.data.TestData.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume: a run cut after k elements and resumed on a freshly built pipeline (as after a restart) sees exactly
 * the elements the uninterrupted run saw after k.
 */
class ResumeTest {
    /** An element as comparable values. */
    private static List<Integer> key(Object e) {
        List<Integer> out = new ArrayList<>();
        switch (e) {
            case Pair p -> {
                for (float v : p.x().toFloatArray()) out.add((int) v);
                out.add(-1);
                for (int v : p.y().toIntArray()) out.add(v);
            }
            case Tensor t -> Arrays.stream(t.toIntArray()).forEach(out::add);
            case Long l -> out.add(l.intValue());
            case Indexed<?> i -> {
                out.add((int) i.index());
                out.addAll(key(i.value()));
            }
            default -> throw new IllegalArgumentException(e.toString());
        }
        return out;
    }

    private static <E> List<List<Integer>> drain(DataIterator<E> it, int max) {
        List<List<Integer>> out = new ArrayList<>();
        while (out.size() < max && it.hasNext()) out.add(key(it.next()));
        return out;
    }

    /** Checks resume at each cut, through both serial forms; {@code build} makes a fresh pipeline each call. */
    private static <E> void checkResume(Supplier<Dataset<E>> build, int limit, int... cuts) {
        List<List<Integer>> full;
        try (DataIterator<E> it = build.get().iterator()) {
            full = drain(it, limit);
        }
        assertTrue(full.size() > 3, "pipeline too short: " + full.size());
        for (int k : cuts) {
            IteratorState state;
            try (DataIterator<E> it = build.get().iterator()) {
                assertEquals(full.subList(0, k), drain(it, k));
                state = it.save();
            }
            IteratorState viaBytes = IteratorState.fromBytes(state.toBytes());
            IteratorState viaJson = IteratorState.fromJson(state.toJson());
            assertEquals(state, viaBytes);
            assertEquals(state, viaJson);
            for (IteratorState s : List.of(viaBytes, viaJson)) {
                try (DataIterator<E> it = build.get().iterator(s)) {
                    assertEquals(full.subList(k, full.size()), drain(it, full.size() - k), "resumed after " + k);
                }
            }
        }
    }

    private static Dataset<Pair> slices(int n) {
        float[] x = new float[n * 2];
        for (int i = 0; i < x.length; i++) x[i] = i;
        return Dataset.fromTensorSlices(Tensor.of(x, n, 2), iota(n));
    }

    private static Pair plus1000(Pair p) {
        float[] x = p.x().toFloatArray();
        for (int i = 0; i < x.length; i++) x[i] += 1000;
        return new Pair(Tensor.of(x, p.x().shape()), p.y());
    }

    @Test
    void shuffleRepeatMapBatchPrefetch() {
        checkResume(() -> slices(50).shuffle(20, 42).repeat(3).map(ResumeTest::plus1000).batch(8).prefetch(2), 1000,
                0, 1, 3, 6, 7, 12, 18, 19);
    }

    @Test
    void batchesGatheredByPositionResume() {
        // shuffle then batch over slices, with nothing between: batch copies the rows by position
        checkResume(() -> slices(50).shuffle(20, 42).batch(8), 1000, 0, 1, 3, 6);
        checkResume(() -> slices(50).shuffle(50, 3).repeat(2).batch(8, true).prefetch(2), 1000, 0, 2, 5, 11);
        checkResume(() -> slices(37).batch(5), 1000, 0, 4, 7);
    }

    @Test
    void shuffleAfterRepeatWithFullBufferAndParallelMap() {
        checkResume(() -> slices(40).repeat().shuffle(64, 9).map(ResumeTest::plus1000, 3, true).batch(5).prefetch(3), 100,
                0, 2, 9, 31, 64, 99);
    }

    @Test
    void longRunsAcrossManyShuffleSnapshots() {
        // more than a few snapshot intervals (1024 reads) of the shuffle, and of prefetch anchors (32 elements)
        checkResume(() -> Dataset.range(300).repeat().shuffle(100, 5).prefetch(4).batch(7, false, List::copyOf)
                .map(l -> (long) l.hashCode()), 900, 1, 333, 700, 899);
    }

    @Test
    void resumeMidEpochThenContinueWithTheNextEpochs() {
        Supplier<Dataset<Pair>> build = () -> slices(30).shuffle(30, 1).map(ResumeTest::plus1000).batch(4).prefetch(2);
        Dataset<Pair> a = build.get();
        List<List<List<Integer>>> epochs = new ArrayList<>();
        for (int e = 0; e < 3; e++)
            try (DataIterator<Pair> it = a.iterator()) {
                epochs.add(drain(it, 100));
            }
        assertTrue(!epochs.get(0).equals(epochs.get(1)), "epochs are reshuffled");
        Dataset<Pair> b = build.get();
        try (DataIterator<Pair> it = b.iterator()) {
            drain(it, 100);
        }
        IteratorState mid;
        try (DataIterator<Pair> it = b.iterator()) {
            drain(it, 3);
            mid = it.save();
        }
        Dataset<Pair> c = build.get(); // a new process
        try (DataIterator<Pair> it = c.iterator(mid)) {
            assertEquals(epochs.get(1).subList(3, epochs.get(1).size()), drain(it, 100));
        }
        try (DataIterator<Pair> it = c.iterator()) {
            assertEquals(epochs.get(2), drain(it, 100), "the next pass after a restore is the next epoch");
        }
    }

    @Test
    void combinatorsResume() {
        checkResume(() -> Dataset.range(10).concatenate(Dataset.range(100, 110, 1)).filter(v -> v % 3 != 0).skip(2).take(9), 100,
                1, 4, 7);
        checkResume(() -> Dataset.zip(Dataset.fromTensorSlices(iota(12)).shuffle(5, 3), Dataset.fromTensorSlices(iota(20))).enumerate(), 100,
                2, 6, 11);
        checkResume(() -> slices(10).batch(4).unbatch().shuffle(3, 8), 100, 1, 2, 5, 9);
        checkResume(() -> Dataset.fromGenerator(() -> List.of(5L, 6L, 7L, 8L, 9L).iterator()).repeat(2), 100, 3, 7);
    }

    @Test
    void cachedPipelinesResumeEvenWhenTheCacheIsGone(@TempDir Path dir) {
        Supplier<Dataset<Long>> memory = () -> Dataset.range(20).shuffle(20, 4).cache().repeat(2);
        checkResume(memory, 100, 5, 20, 25, 39);
        Supplier<Dataset<Tensor>> file = () -> Dataset.fromTensorSlices(iota(20)).shuffle(20, 4).cache(dir.resolve("c.bin")).repeat(2);
        checkResume(file, 100, 5, 20, 25, 39);
        List<List<Integer>> full;
        try (DataIterator<Tensor> it = file.get().iterator()) {
            full = drain(it, 100);
        }
        IteratorState state;
        try (DataIterator<Tensor> it = file.get().iterator()) {
            drain(it, 27);
            state = it.save();
        }
        assertTrue(dir.resolve("c.bin").toFile().delete());
        try (DataIterator<Tensor> it = file.get().iterator(state)) {
            assertEquals(full.subList(27, 40), drain(it, 100), "the cache is rebuilt from the saved pass start");
        }
    }

    @Test
    void savingRulesAndMismatchedStates() {
        try (DataIterator<Long> it = Dataset.range(10).map(v -> v, 2, false).iterator()) {
            it.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::save);
            assertTrue(e.getMessage().contains("deterministic"), e.getMessage());
        }
        try (DataIterator<Long> it = Dataset.range(10).iterator()) {
            it.hasNext();
            assertThrows(IllegalStateException.class, it::save);
            it.next();
            assertEquals(1, it.save().get("index"));
        }
        IteratorState shuffleState;
        try (DataIterator<Long> it = Dataset.range(10).shuffle(4, 1).iterator()) {
            it.next();
            shuffleState = it.save();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.range(10).batch(2, false, List::copyOf).iterator(shuffleState));
        assertTrue(e.getMessage().contains("'batch'") && e.getMessage().contains("'shuffle'"), e.getMessage());
        byte[] bytes = shuffleState.toBytes();
        bytes[bytes.length / 2] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> IteratorState.fromBytes(bytes));
        assertThrows(IllegalArgumentException.class, () -> IteratorState.fromJson("{\"kind\":\"x\",\"values\":{\"a\":[1,}}"));
        // the end state restores to an exhausted iterator
        IteratorState end;
        try (DataIterator<Long> it = Dataset.range(3).iterator()) {
            drain(it, 10);
            end = it.save();
        }
        try (DataIterator<Long> it = Dataset.range(3).iterator(end)) {
            assertTrue(!it.hasNext());
        }
    }

    @Test
    void stateOfABigShuffleStaysSmall() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 60_000, 4);
        IteratorState s;
        try (DataIterator<Tensor> it = Dataset.fromTensorSlices(x).shuffle(60_000, 1).batch(128).prefetch(2).iterator()) {
            for (int i = 0; i < 40; i++) it.next();
            s = it.save();
        }
        int size = s.toBytes().length;
        assertTrue(size < 250_000, "state of " + size + " bytes");
    }

    @Test
    void aResumedIteratorCanBeSavedAndResumedAgain() {
        // past the shuffle's first snapshots (every 1024 reads), so that the saved base is not the start of the input
        // (and prefetch and parallel map between their anchors, every 32 elements)
        for (Supplier<Dataset<Long>> build : List.<Supplier<Dataset<Long>>>of(() -> Dataset.range(3000).shuffle(10, 7),
                () -> Dataset.range(3000).map(v -> v).shuffle(10, 7), () -> Dataset.range(3000).map(v -> v, 2, true).shuffle(10, 7),
                () -> Dataset.range(3000).prefetch(2), () -> Dataset.range(3000).map(v -> v, 2, true))) {
            List<List<Integer>> full;
            try (DataIterator<Long> it = build.get().iterator()) {
                full = drain(it, 5000);
            }
            IteratorState first;
            try (DataIterator<Long> it = build.get().iterator()) {
                drain(it, 2100);
                first = it.save();
            }
            IteratorState second;
            try (DataIterator<Long> it = build.get().iterator(first)) {
                assertEquals(full.subList(2100, 2105), drain(it, 5));
                second = it.save();
            }
            try (DataIterator<Long> it = build.get().iterator(second)) {
                assertEquals(full.subList(2105, full.size()), drain(it, 5000), "resumed twice");
            }
        }
    }

    @Test
    void prefetchResumesPastItsAnchorOverListsSkipTakeAndEnumerate() {
        // restoring prefetch skips the elements taken since its anchor (every 32) through each stage below it
        List<Long> list = java.util.stream.LongStream.range(0, 100).boxed().toList();
        checkResume(() -> Dataset.fromIterable(list).skip(3).take(90).enumerate().prefetch(2), 100, 1, 40, 75);
    }

    @Test
    void aCacheOverAnEndlessInputPassesThroughAndResumes() {
        checkResume(() -> Dataset.range(3).repeat().cache().take(10), 100, 1, 4, 8);
    }

    @Test
    void aPassReadingTheCacheRestoresAtItsEnd(@TempDir Path dir) {
        Dataset<Long> memory = Dataset.range(5).cache();
        memory.toList();
        Dataset<Tensor> file = Dataset.fromTensorSlices(iota(5)).cache(dir.resolve("five.bin"));
        file.toList();
        for (Dataset<?> ds : List.of(memory, file)) {
            IteratorState end;
            try (DataIterator<?> it = ds.iterator()) {
                while (it.hasNext()) it.next();
                end = it.save();
            }
            assertEquals(1, end.get("mode"), "saved while reading the cache");
            try (DataIterator<?> it = ds.iterator(end)) {
                assertTrue(!it.hasNext());
            }
        }
    }

    @Test
    void theEndOfAPassRestoresToAnExhaustedIterator() {
        List<Supplier<Dataset<?>>> pipelines = List.of(() -> slices(6).batch(4).unbatch(), () -> slices(6).shuffle(4, 2),
                () -> slices(6).batch(4), () -> slices(6).cache(), () -> slices(3).repeat(2), () -> slices(6).prefetch(2),
                () -> slices(6).map(p -> p, 2, true), () -> slices(6).concatenate(slices(2)), () -> slices(6).zip(slices(3), (a, b) -> a),
                () -> slices(6).skip(2).take(3).enumerate(), () -> Dataset.of(1, 2, 3));
        for (int i = 0; i < pipelines.size(); i++) {
            IteratorState end;
            try (DataIterator<?> it = pipelines.get(i).get().iterator()) {
                while (it.hasNext()) it.next();
                end = it.save();
            }
            try (DataIterator<?> it = pipelines.get(i).get().iterator(end)) {
                assertTrue(!it.hasNext(), "pipeline " + i);
            }
        }
    }

    @Test
    void aShuffleRestoreReReadsAtMostAFewBuffersOfInput() {
        long[] reads = {0};
        Supplier<Dataset<Long>> build = () -> Dataset.range(20_000).filter(v -> ++reads[0] > 0).shuffle(100, 3);
        IteratorState s;
        List<List<Integer>> rest;
        try (DataIterator<Long> it = build.get().iterator()) {
            drain(it, 10_000);
            s = it.save();
            rest = drain(it, 3);
        }
        reads[0] = 0;
        try (DataIterator<Long> it = build.get().iterator(s)) {
            assertEquals(rest, drain(it, 3));
        }
        assertTrue(reads[0] <= 3 * 1024, "a restore at element 10,000 read " + reads[0] + " input elements");
    }
}
