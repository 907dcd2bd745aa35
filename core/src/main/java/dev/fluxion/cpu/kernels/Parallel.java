package dev.fluxion.cpu.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs chunked loops on the kernel threads. Work is split into chunks whose boundaries depend only on the problem
 * size and the grain, never on the thread count, so every result is bitwise the same on 1 or N threads.
 *
 * <p>The workers spin briefly after each loop before parking: kernels are often called back to back (a training step
 * runs dozens of small matmuls), and waking a parked thread costs tens of microseconds, more than a small matmul.
 * One loop runs at a time; a loop started while another is running (from another thread, or nested inside a body)
 * runs serially on its caller, which is always correct because chunks never depend on who runs them.
 */
public final class Parallel {
    private Parallel() {}

    /** A loop body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker (or a waiting caller) spins before parking. */
    private static final long SPIN_NANOS = 200_000;
    /**
     * Spinning workers give their core away every few spins (a no-op when no other thread wants it): an input
     * pipeline's thread then runs in the step's serial stretches instead of preempting a thread mid-chunk.
     * {@code -Dfluxion.kernelSpinYield=false} spins without yielding, for measuring it.
     */
    private static final boolean YIELD = !"false".equals(System.getProperty("fluxion.kernelSpinYield"));
    private static final int YIELD_EVERY = 8;

    private static final Worker[] WORKERS = startWorkers(KernelConfig.THREADS - 1);
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static volatile Job current;
    private static long jobCount;

    /**
     * Runs {@code body} over [0, n) in chunks of {@code grain} (the last may be shorter), one call per chunk. Small
     * problems (a single chunk) run on the calling thread with no hand-off cost.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        forRange(n, grain, KernelConfig.THREADS, body);
    }

    /**
     * As {@link #forRange(int, int, RangeBody)} but with at most {@code maxThreads} threads (the caller included);
     * tests use it to check that results do not depend on the thread count.
     */
    static void forRange(int n, int grain, int maxThreads, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int chunks = (int) ((n + (long) g - 1) / g);
        int helpers = Math.min(Math.min(maxThreads - 1, WORKERS.length), chunks - 1);
        if (helpers <= 0 || Thread.currentThread() instanceof Worker || !BUSY.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) body.run(c * g, (int) Math.min(n, (long) c * g + g));
            return;
        }
        Job job;
        try {
            job = new Job(body, n, g, chunks, helpers, ++jobCount, Thread.currentThread());
            current = job;
            for (int i = 0; i < helpers; i++) {
                Worker w = WORKERS[i];
                if (w.parked) LockSupport.unpark(w);
            }
            job.runChunks();
            job.awaitDone();
        } finally {
            current = null; // drop the body so that it can be collected
            BUSY.set(false);
        }
        Throwable t = job.error;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new RuntimeException(t);
    }

    private static Worker[] startWorkers(int count) {
        Worker[] workers = new Worker[Math.max(0, count)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        return workers;
    }

    /** One forRange call: chunks are claimed from a shared counter by the caller and the helpers it woke. */
    private static final class Job {
        final RangeBody body;
        final int n, grain, chunks, helpers;
        final long id;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile boolean callerParked;
        volatile Throwable error;

        Job(RangeBody body, int n, int grain, int chunks, int helpers, long id, Thread caller) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
            this.helpers = helpers;
            this.id = id;
            this.caller = caller;
        }

        void runChunks() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    if (error == null) body.run(c * grain, (int) Math.min(n, (long) c * grain + grain));
                } catch (Throwable t) {
                    if (error == null) error = t;
                }
                if (done.incrementAndGet() == chunks && callerParked) LockSupport.unpark(caller);
            }
        }

        void awaitDone() {
            long start = System.nanoTime();
            int spins = 0;
            while (done.get() < chunks) {
                if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                // a helper was descheduled mid-chunk: stop burning the core it may need
                callerParked = true;
                if (done.get() < chunks) LockSupport.parkNanos(this, 1_000_000);
            }
        }
    }

    private static final class Worker extends Thread {
        final int index;
        volatile boolean parked;

        Worker(int index) {
            super("fluxion-kernel-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long lastId = 0;
            while (true) {
                Job job = awaitJob(lastId);
                lastId = job.id;
                job.runChunks();
            }
        }

        private Job awaitJob(long lastId) {
            long start = System.nanoTime();
            int spins = 0;
            while (true) {
                Job job = current;
                if (job != null && job.id != lastId && index < job.helpers) return job;
                if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
                    if (YIELD && spins % YIELD_EVERY == 0) Thread.yield(); else Thread.onSpinWait();
                    continue;
                }
                parked = true;
                job = current;
                if (job == null || job.id == lastId || index >= job.helpers) LockSupport.park(this);
                parked = false;
                start = System.nanoTime();
                spins = 0;
            }
        }
    }
}
