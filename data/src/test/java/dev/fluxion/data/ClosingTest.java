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
            Map.entry("cache", d -> d.cache()));

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
                d -> d.map(v -> v, 2, true));
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
    }
}
