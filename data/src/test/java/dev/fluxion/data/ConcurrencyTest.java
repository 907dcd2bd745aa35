package dev.fluxion.data;

import static dev.fluxion.data.TestData.assertNoNewThreads;
import static dev.fluxion.data.TestData.pipelineThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
    private static <T> Function<T, T> slow(long millis) {
        return v -> {
            sleep(millis);
            return v;
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void prefetchProducesAheadWhileTheConsumerHoldsAnElement() throws Exception {
        // structural, not timed: while the consumer holds element i (its "training step"), the background thread makes
        // element i + 1 without being asked; a serial pipeline would never get there, and the wait would time out
        Set<String> before = pipelineThreads();
        int n = 20;
        java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();
        Dataset<Long> ds = Dataset.range(n).map(x -> {
            produced.incrementAndGet();
            return x;
        }).prefetch(2);
        int count = 0;
        try (DataIterator<Long> it = ds.iterator()) {
            while (it.hasNext()) {
                it.next();
                int ahead = Math.min(count + 2, n);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (produced.get() < ahead && System.nanoTime() < deadline) sleep(1);
                assertTrue(produced.get() >= ahead, "holding element " + count + ", only " + produced.get() + " made");
                count++;
            }
        }
        assertEquals(n, count);
        assertNoNewThreads(before, 2000);
    }

    @Test
    void closeIsPromptWhileTheProducerIsBusyUpstream() throws Exception {
        Set<String> before = pipelineThreads();
        CountDownLatch entered = new CountDownLatch(1);
        Dataset<Long> ds = Dataset.range(10).map(v -> {
            entered.countDown();
            sleep(10_000);
            return v;
        }).prefetch(2);
        DataIterator<Long> it = ds.iterator();
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        it.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "close took " + ms + " ms");
        assertNoNewThreads(before, 1000);
    }

    @Test
    void closeIsPromptWhenTheQueueIsFullAndForNestedPrefetch() throws Exception {
        Set<String> before = pipelineThreads();
        try (DataIterator<Long> it = Dataset.range(1).repeat().prefetch(2).iterator()) {
            it.next();
            Thread.sleep(50); // the producer now blocks on a full queue
        }
        // an outer producer blocked inside an inner prefetch's next() (Grain #1372)
        CountDownLatch entered = new CountDownLatch(1);
        Dataset<Long> nested = Dataset.range(100).map(v -> {
            entered.countDown();
            sleep(10_000);
            return v;
        }).prefetch(1).map(slow(1)).prefetch(1);
        DataIterator<Long> it = nested.iterator();
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        long t0 = System.nanoTime();
        it.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "nested close took " + ms + " ms");
        assertNoNewThreads(before, 1000);
    }

    @Test
    void threadsEndWithThePassAndHaveClearNames() throws Exception {
        Set<String> before = pipelineThreads();
        DataIterator<Long> it = Dataset.range(5).map(slow(20)).prefetch(1).iterator();
        Set<String> during = pipelineThreads();
        during.removeAll(before);
        assertEquals(1, during.size());
        assertTrue(during.iterator().next().matches("fluxion-prefetch-\\d+"), during.toString());
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(t -> during.contains(t.getName())).allMatch(Thread::isDaemon));
        while (it.hasNext()) it.next(); // no close: reaching the end releases the thread
        assertNoNewThreads(before, 2000);
    }

    @Test
    void anAbandonedIteratorIsStoppedAfterGarbageCollection() throws Exception {
        Set<String> before = pipelineThreads();
        abandon();
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            System.gc();
            Thread.sleep(50);
            Set<String> now = pipelineThreads();
            now.removeAll(before);
            if (now.isEmpty()) return;
        }
        assertNoNewThreads(before, 0);
    }

    private static void abandon() {
        DataIterator<Long> it = Dataset.range(1).repeat().prefetch(2).iterator();
        it.next();
    }

    @Test
    void failuresSurfaceInTheConsumerWithIndexAndCause() throws Exception {
        Set<String> before = pipelineThreads();
        ArithmeticException boom = new ArithmeticException("boom");
        Function<Long, Long> failAt7 = v -> {
            if (v == 7) throw boom;
            return v;
        };
        for (Dataset<Long> ds : List.of(Dataset.range(20).map(failAt7).prefetch(3),
                Dataset.range(20).map(failAt7, 4, true),
                Dataset.range(20).map(failAt7, 3, true).prefetch(2),
                Dataset.range(20).map(failAt7, 4, false))) {
            List<Long> got = new ArrayList<>();
            DataPipelineException e;
            try (DataIterator<Long> it = ds.iterator()) {
                e = assertThrows(DataPipelineException.class, () -> {
                    while (it.hasNext()) got.add(it.next());
                });
            }
            assertTrue(e.getMessage().contains("element 7"), e.getMessage());
            assertSame(boom, e.getCause());
            assertTrue(got.size() <= 19);
            boolean fromHere = false;
            for (StackTraceElement s : e.getStackTrace()) fromHere |= s.getMethodName().contains("failuresSurface");
            assertTrue(fromHere, "thrown in the consumer's thread");
        }
        assertNoNewThreads(before, 2000);
    }

    @Test
    void parallelMapKeepsOrderWhenDeterministicAndRunsInParallel() throws Exception {
        Set<String> before = pipelineThreads();
        List<Long> expected = LongStream.range(0, 40).map(v -> v * v).boxed().toList();
        // in parallel: counted by calls running at once (each sleeps, so they overlap however loaded the machine is)
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        Dataset<Long> ds = Dataset.range(40).map(v -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            sleep(v % 3 == 0 ? 30 : 5); // uneven costs
            running.decrementAndGet();
            return v * v;
        }, 4, true);
        assertEquals(expected, ds.toList());
        assertTrue(most.get() >= 2 && most.get() <= 4, most.get() + " calls ran at once with 4 workers");
        List<Long> unordered = Dataset.range(40).map(v -> {
            sleep(v % 3 == 0 ? 30 : 5);
            return v * v;
        }, 4, false).toList();
        assertEquals(expected, unordered.stream().sorted().toList());
        assertEquals(40, ds.cardinality());
        assertNoNewThreads(before, 2000);
        Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (DataIterator<Long> it = Dataset.range(8).map(v -> {
            names.add(Thread.currentThread().getName());
            return v;
        }, 2, true).iterator()) {
            it.next();
        }
        assertTrue(names.stream().allMatch(nm -> nm.matches("fluxion-map-\\d+")), names.toString());
        assertNoNewThreads(before, 2000);
    }
}
