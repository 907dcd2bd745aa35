package dev.fluxion.data;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared plumbing of the stages that run work on background threads. */
final class Workers {
    private Workers() {}

    private static final AtomicInteger PREFETCH_THREADS = new AtomicInteger();
    private static final AtomicInteger MAP_THREADS = new AtomicInteger();

    /** How long a blocked wait sleeps before it checks for a stop request again. */
    static final long POLL_MILLIS = 50;
    /** How long close() waits for a background thread to finish. */
    static final long JOIN_MILLIS = 2000;

    static Thread prefetchThread(Runnable r) {
        Thread t = new Thread(r, "fluxion-prefetch-" + PREFETCH_THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    static final ThreadFactory MAP_THREAD_FACTORY = r -> {
        Thread t = new Thread(r, "fluxion-map-" + MAP_THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    };

    /**
     * An exception to throw in the consumer's thread for a failure on a worker thread. A {@link DataPipelineException}
     * keeps its message (which names the element) and its cause (the original exception); the worker-side exception is
     * attached as suppressed, for its stack trace.
     */
    static DataPipelineException relay(String stage, Throwable t) {
        DataPipelineException out;
        if (t instanceof DataPipelineException d) out = new DataPipelineException(d.getMessage(), d.getCause() != null ? d.getCause() : d);
        else out = new DataPipelineException(stage + ": " + t, t);
        if (out.getCause() != t) out.addSuppressed(t);
        return out;
    }

    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
