package dev.fluxion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every source a pass opens is closed exactly once: when the pass reaches its end (the iterator closes itself), when
 * the iterator is closed early, and, through a stop request (the garbage-collection path), for sources drained by a
 * background thread.
 */
class ClosingTest {
    /** A generator of 0, 1, ..., n-1 (n < 0: forever) counting the iterators it opens and those closed. */
    private static final class Tracked implements Supplier<Iterator<Long>> {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        private final long n;

        Tracked(long n) {
            this.n = n;
        }

        @Override
        public Iterator<Long> get() {
            opened.incrementAndGet();
            return new Source();
        }

        Dataset<Long> dataset() {
            return Dataset.fromGenerator(this);
        }

        private final class Source implements Iterator<Long>, AutoCloseable {
            private long i;

            @Override
            public boolean hasNext() {
                return n < 0 || i < n;
            }

            @Override
            public Long next() {
                return i++;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }

        void assertAllClosed(int expectedOpened, String what) {
            assertEquals(expectedOpened, opened.get(), what + ": sources opened");
            assertEquals(expectedOpened, closed.get(), what + ": sources closed");
        }
    }

    private static final Map<String, Function<Dataset<Long>, Dataset<?>>> STAGES = Map.ofEntries(
            Map.entry("map", d -> d.map(v -> v)),
            Map.entry("filter", d -> d.filter(v -> true)),
            Map.entry("take", d -> d.take(4)),
            Map.entry("skip", d -> d.skip(1)),
            Map.entry("enumerate", d -> d.enumerate()),
            Map.entry("batch", d -> d.batch(2, false, List::copyOf)),
            Map.entry("shuffle", d -> d.shuffle(3, 1)),
            Map.entry("prefetch", d -> d.prefetch(2)),
            Map.entry("parallel map", d -> d.map(v -> v, 2, true)),
            Map.entry("cache", d -> d.cache()),
            Map.entry("groupByWindow", d -> d.groupByWindow(v -> v % 2, (k, w) -> w, 2)));

    @Test
    void eachStageClosesItsSourceAtTheEndAndOnAnEarlyClose() {
        STAGES.forEach((name, stage) -> {
            Tracked full = new Tracked(6);
            DataIterator<?> it = stage.apply(full.dataset()).iterator();
            while (it.hasNext()) it.next(); // no close(): the end of the pass releases the source
            full.assertAllClosed(1, name + ", full pass");
            Tracked early = new Tracked(6);
            try (DataIterator<?> it2 = stage.apply(early.dataset()).iterator()) {
                it2.next();
            }
            early.assertAllClosed(1, name + ", early close");
        });
    }

    @Test
    void repeatClosesEachEpochsSource() {
        Tracked full = new Tracked(2);
        assertEquals(List.of(0L, 1L, 0L, 1L, 0L, 1L), full.dataset().repeat(3).toList());
        full.assertAllClosed(3, "three epochs");
        Tracked early = new Tracked(2);
        try (DataIterator<Long> it = early.dataset().repeat(3).iterator()) {
            for (int i = 0; i < 3; i++) it.next(); // into the second epoch
        }
        early.assertAllClosed(2, "closed in the second epoch");
    }

    @Test
    void concatenateClosesTheFirstPartWhenItEndsAndTheSecondOnClose() {
        Tracked a = new Tracked(2), b = new Tracked(2);
        try (DataIterator<Long> it = a.dataset().concatenate(b.dataset()).iterator()) {
            it.next();
            it.next();
            it.next(); // the first of the second part
            a.assertAllClosed(1, "first part, once it has ended");
            assertEquals(0, b.closed.get());
        }
        b.assertAllClosed(1, "second part, on close");
        Tracked c = new Tracked(2), d = new Tracked(2);
        try (DataIterator<Long> it = c.dataset().concatenate(d.dataset()).iterator()) {
            it.next();
        }
        c.assertAllClosed(1, "first part, on close");
        d.assertAllClosed(0, "second part, never reached");
    }

    @Test
    void zipClosesBothInputs() {
        Tracked a = new Tracked(5), b = new Tracked(2);
        assertEquals(List.of(0L, 2L), a.dataset().zip(b.dataset(), Long::sum).toList());
        a.assertAllClosed(1, "the longer input");
        b.assertAllClosed(1, "the shorter input");
        Tracked c = new Tracked(5), d = new Tracked(5);
        try (DataIterator<Long> it = c.dataset().zip(d.dataset(), Long::sum).iterator()) {
            it.next();
        }
        c.assertAllClosed(1, "first input, early close");
        d.assertAllClosed(1, "second input, early close");
    }

    @Test
    void groupByWindowClosesEachWindowsDatasetWhenItEndsAndTheCurrentOneOnClose() {
        // each window's dataset reads a source of its own next to the window: [0, 2, 4], [1, 3, 5], [6, 8], [7, 9]
        Tracked input = new Tracked(10), windows = new Tracked(-1);
        Dataset<Long> grouped = input.dataset().groupByWindow(v -> v % 2, (k, w) -> w.zip(windows.dataset(), (v, i) -> v), 3);
        try (DataIterator<Long> it = grouped.iterator()) {
            for (int i = 0; i < 4; i++) it.next(); // into the second window
            assertEquals(2, windows.opened.get());
            assertEquals(1, windows.closed.get(), "the first window's dataset, once it has ended");
        }
        windows.assertAllClosed(2, "the second window's dataset, on close");
        input.assertAllClosed(1, "the input, on close");
        assertEquals(List.of(0L, 2L, 4L, 1L, 3L, 5L, 6L, 8L, 7L, 9L), grouped.toList());
        windows.assertAllClosed(6, "every window's dataset of a full pass");
    }

    /** Waits (up to 10 s) for a background thread to close the source: a stop request must reach it. */
    private static void awaitClosed(Tracked t, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (t.closed.get() == 0 && System.nanoTime() < end) Thread.sleep(5);
        assertEquals(1, t.closed.get(), what + ": the prefetch thread stopped and closed its source");
    }

    @Test
    void aStopRequestReachesPrefetchThreadsThroughEveryStage() throws InterruptedException {
        List<Function<Dataset<Long>, Dataset<?>>> above = List.of(
                d -> d, d -> d.map(v -> v), d -> d.repeat(), d -> d.concatenate(Dataset.range(1)),
                d -> d.zip(Dataset.range(1).repeat(), Long::sum), d -> Dataset.range(1).repeat().zip(d, Long::sum),
                d -> d.map(v -> v, 2, true), d -> d.groupByWindow(v -> 0, (k, w) -> w, 3),
                d -> Dataset.range(1).groupByWindow(v -> 0, (k, w) -> d, 1)); // the input, or the window's dataset
        for (int i = 0; i < above.size(); i++) {
            Tracked forever = new Tracked(-1);
            Cursor<?> c = above.get(i).apply(forever.dataset().prefetch(1)).open(null);
            try {
                c.next();
                c.requestStop(); // what the Cleaner of an abandoned iterator does: ask, do not wait
                awaitClosed(forever, "stage " + i);
            } finally {
                c.close();
            }
            assertTrue(forever.opened.get() == 1, "stage " + i);
        }
    }

    @Test
    void aPipelineThatFailsToOpenClosesWhatItOpened() {
        Tracked a = new Tracked(5);
        Dataset<Long> broken = Dataset.fromGenerator(() -> null);
        DataPipelineException e = assertThrows(DataPipelineException.class, () -> a.dataset().zip(broken, Long::sum).iterator());
        ErrorMessages.assertMentions(e, "fromGenerator: the supplier returned null");
        a.assertAllClosed(1, "zip's first input");
        IteratorState s;
        try (DataIterator<Long> it = new Tracked(100).dataset().shuffle(10, 3).iterator()) {
            for (int i = 0; i < 50; i++) it.next();
            s = it.save();
        }
        Tracked shorter = new Tracked(40);
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> shorter.dataset().shuffle(10, 3).iterator(s));
        ErrorMessages.assertMentions(r, "the shuffle's input ended before element");
        shorter.assertAllClosed(1, "a shuffle whose restore failed");
        IteratorState g;
        try (DataIterator<Long> it = new Tracked(100).dataset().groupByWindow(v -> v % 2, (k, w) -> w, 30).iterator()) {
            it.next(); // 0 of the even window [0, 2, ..., 58]; 1, 3, ..., 57 wait for the odd one
            g = it.save();
        }
        Tracked cut = new Tracked(50);
        IllegalArgumentException gr = assertThrows(IllegalArgumentException.class,
                () -> cut.dataset().groupByWindow(v -> v % 2, (k, w) -> w, 30).iterator(g));
        ErrorMessages.assertMentions(gr, "groupByWindow input ended before element 50");
        cut.assertAllClosed(1, "a groupByWindow whose restore failed");
        IteratorState in;
        try (DataIterator<Long> it = new Tracked(100).dataset().interleave(v -> Dataset.range(3), 2, 1).iterator()) {
            for (int i = 0; i < 40; i++) it.next(); // the cycle now holds input elements 12 and 13
            in = it.save();
        }
        // the same input, but inner datasets too short for the saved positions inside them: the restore fails there
        Tracked same = new Tracked(100);
        IllegalArgumentException ir = assertThrows(IllegalArgumentException.class,
                () -> same.dataset().interleave(v -> Dataset.range(1), 2, 1).iterator(in));
        ErrorMessages.assertMentions(ir, "range index 2 outside [0, 1]");
        same.assertAllClosed(2, "an interleave whose restore failed (its input, and the input re-read for the cycle)");
    }
}
