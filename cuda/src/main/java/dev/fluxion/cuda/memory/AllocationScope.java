package dev.fluxion.cuda.memory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A region of code whose device allocations are released together when it closes, so a training loop frees each
 * step's temporaries deterministically instead of waiting for the garbage collector:
 *
 * <pre>{@code
 * for (var batch : data) {
 *     try (var step = allocator.openScope()) {
 *         Tensor loss = trainStep(batch);
 *         step.retain(newWeights);       // survives the scope: moved to the enclosing one
 *     }                                  // every other block of the step goes back to the cache
 * }
 * }</pre>
 *
 * Scopes nest per thread and must close in reverse order of opening (try-with-resources does that).
 */
public final class AllocationScope implements AutoCloseable {
    private final CachingAllocator allocator;
    private final AllocationScope parent;
    private final Thread owner;
    private final Set<DeviceBlock> blocks = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    AllocationScope(CachingAllocator allocator, AllocationScope parent) {
        this.allocator = allocator;
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** The enclosing scope, or null for an outermost one. */
    public AllocationScope parent() {
        return parent;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Number of blocks this scope will release when it closes. */
    public synchronized int blockCount() {
        return blocks.size();
    }

    /**
     * Keeps {@code block} alive past this scope: it moves to the enclosing scope, or becomes unscoped (released
     * explicitly or by its storage's GC fallback) when this is the outermost scope.
     */
    public void retain(DeviceBlock block) {
        allocator.moveToParent(this, block);
    }

    /** The blocks this scope owns now (a snapshot). */
    public synchronized List<DeviceBlock> blocks() {
        return List.copyOf(blocks);
    }

    synchronized void add(DeviceBlock block) {
        if (closed) throw new IllegalStateException("allocation scope is closed");
        blocks.add(block);
    }

    synchronized boolean remove(DeviceBlock block) {
        return blocks.remove(block);
    }

    synchronized List<DeviceBlock> drain() {
        List<DeviceBlock> all = List.copyOf(blocks);
        blocks.clear();
        closed = true;
        return all;
    }

    Thread owner() {
        return owner;
    }

    /** Releases every block still owned by this scope back to the allocator's cache. */
    @Override
    public void close() {
        allocator.closeScope(this);
    }
}
