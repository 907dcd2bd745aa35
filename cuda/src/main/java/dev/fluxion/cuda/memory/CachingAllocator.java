package dev.fluxion.cuda.memory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator in the spirit of PyTorch's: freed blocks are kept in per-size free lists and reused,
 * so a training loop reaches a steady state with no device allocation per step. Sizes are rounded by
 * {@link SizeClasses}. When the device runs out of memory the cache is emptied and the request retried once.
 *
 * <p>Ownership: a block belongs to the innermost open {@link AllocationScope} of the allocating thread (if any)
 * and is released when that scope closes, explicitly with {@link #release}, or, as a last resort, by the GC
 * fallback of the storage that wraps it ({@link #releaseIfLive}). Releasing only returns the block to the cache;
 * device memory goes back to the driver only in {@link #emptyCache} and {@link #close}.
 *
 * <p>Reuse is safe without events because the backend issues all work on one stream: a kernel that reads a block
 * released by the host is ordered before any later kernel that writes its next owner. Using several streams would
 * need per-block stream/event tracking (PyTorch's recordStream), which is not implemented.
 */
public final class CachingAllocator implements AutoCloseable {
    private final RawDeviceMemory raw;
    /** Free cached pointers by their reserved size. */
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    /** Every pointer obtained from the device and still held, with its size. */
    private final Map<Long, Long> segments = new HashMap<>();
    private final ThreadLocal<AllocationScope> currentScope = new ThreadLocal<>();
    /** The pointers this thread has allocated since {@link #startRecording}, while it records. */
    private final ThreadLocal<java.util.Set<Long>> recording = new ThreadLocal<>();

    private long inUse, requestedInUse, reserved, peakInUse, peakReserved, cached, rawAllocations, rawFrees, cacheHits;
    private int liveBlocks;

    public CachingAllocator(RawDeviceMemory raw) {
        this.raw = raw;
    }

    // ---- allocation -----------------------------------------------------------------------------------------------

    /** A block of at least {@code bytes}, owned by the current thread's innermost open scope (if any). */
    public DeviceBlock allocate(long bytes) {
        long size = SizeClasses.round(bytes);
        DeviceBlock block;
        synchronized (this) {
            long pointer = takeCached(size);
            long actual;
            if (pointer != 0) {
                actual = segments.get(pointer);
                cacheHits++;
            } else {
                pointer = raw.allocate(size);
                if (pointer == 0 && cached > 0) { // out of memory: give the cache back to the device and retry once
                    emptyCache();
                    pointer = raw.allocate(size);
                }
                if (pointer == 0)
                    throw new DeviceOutOfMemoryException("device out of memory allocating " + bytes + " bytes (size class " + size + "); " + stats());
                actual = size;
                segments.put(pointer, size);
                reserved += size;
                rawAllocations++;
                peakReserved = Math.max(peakReserved, reserved);
            }
            inUse += actual;
            requestedInUse += bytes;
            liveBlocks++;
            peakInUse = Math.max(peakInUse, inUse);
            block = new DeviceBlock(pointer, actual, bytes, currentScope.get());
        }
        java.util.Set<Long> recorded = recording.get();
        if (recorded != null) recorded.add(block.rawPointer());
        if (block.scope() != null) block.scope().add(block);
        return block;
    }

    /** A cached pointer for a request of {@code size}: the exact class for small sizes, a close fit for large ones. */
    private long takeCached(long size) {
        Map.Entry<Long, ArrayDeque<Long>> e = SizeClasses.isSmall(size) ? entry(size) : free.ceilingEntry(size);
        if (e == null || (!SizeClasses.isSmall(size) && e.getKey() - size > SizeClasses.maxWaste(size))) return 0;
        long pointer = e.getValue().pop();
        if (e.getValue().isEmpty()) free.remove(e.getKey());
        cached -= e.getKey();
        return pointer;
    }

    private Map.Entry<Long, ArrayDeque<Long>> entry(long size) {
        ArrayDeque<Long> q = free.get(size);
        return q == null ? null : Map.entry(size, q);
    }

    // ---- release --------------------------------------------------------------------------------------------------

    /** Returns {@code block} to the cache; releasing it twice is an error. A pinned block goes back when unpinned. */
    public void release(DeviceBlock block) {
        if (block.deferRelease()) return;
        synchronized (this) {
            if (block.isReleased()) throw new IllegalStateException("double release of " + block);
            returnToCache(block);
        }
        AllocationScope owner = block.scope(); // read once: a closing scope may clear it concurrently
        if (owner != null) owner.remove(block);
    }

    /** Like {@link #release} but a no-op for a released block: for GC fallbacks that race with scopes. */
    public void releaseIfLive(DeviceBlock block) {
        if (block.deferRelease()) return;
        synchronized (this) {
            if (block.isReleased()) return;
            returnToCache(block);
        }
        AllocationScope owner = block.scope(); // read once: a closing scope may clear it concurrently
        if (owner != null) owner.remove(block);
    }

    private void returnToCache(DeviceBlock block) {
        if (!segments.containsKey(block.rawPointer())) throw new IllegalStateException(block + " does not belong to this allocator");
        block.markReleased();
        inUse -= block.size();
        requestedInUse -= block.requested();
        liveBlocks--;
        free.computeIfAbsent(block.size(), k -> new ArrayDeque<>()).push(block.rawPointer());
        cached += block.size();
    }

    /** Gives every cached (free) block back to the device. Live blocks are untouched. */
    public synchronized void emptyCache() {
        for (var e : free.entrySet()) {
            for (long pointer : e.getValue()) {
                raw.free(pointer);
                segments.remove(pointer);
                reserved -= e.getKey();
                rawFrees++;
            }
        }
        free.clear();
        cached = 0;
    }

    /**
     * Starts recording the device pointers this thread allocates (cache hits included) until
     * {@link #stopRecording}: while a CUDA graph is captured, every pointer its launches use, including memory of
     * temporaries released and reused during the capture, which must then be taken back with {@link #takeBack}.
     */
    public java.util.Set<Long> startRecording() {
        java.util.Set<Long> recorded = new java.util.LinkedHashSet<>();
        recording.set(recorded);
        return recorded;
    }

    public void stopRecording() {
        recording.remove();
    }

    /**
     * Takes the free (cached) memory at {@code pointer} out of the cache as a new live, unscoped block, or returns
     * null when it is not free (live again, or not this allocator's): memory a captured CUDA graph goes on using
     * after the scope that allocated it during the capture has closed.
     */
    public synchronized DeviceBlock takeBack(long pointer) {
        Long size = segments.get(pointer);
        ArrayDeque<Long> q = size == null ? null : free.get(size);
        if (q == null || !q.remove(pointer)) return null;
        if (q.isEmpty()) free.remove(size);
        cached -= size;
        inUse += size;
        requestedInUse += size;
        liveBlocks++;
        peakInUse = Math.max(peakInUse, inUse);
        return new DeviceBlock(pointer, size, size, null);
    }

    // ---- pinning --------------------------------------------------------------------------------------------------

    /**
     * Keeps {@code block} out of the cache until {@link #unpin}: a captured CUDA graph has the block's address
     * baked into its launches, so the memory must not serve another allocation while the graph may replay, whatever
     * its scope or its storage's GC fallback ask. The block leaves its scope.
     */
    public void pin(DeviceBlock block) {
        if (block.isReleased()) throw new IllegalStateException("cannot pin " + block);
        if (!block.pin()) return;
        AllocationScope owner = block.scope();
        if (owner != null && owner.remove(block)) block.setScope(null);
    }

    /** Ends a pin; a release requested meanwhile (by a scope or a GC fallback) happens now. */
    public void unpin(DeviceBlock block) {
        if (block.unpin()) releaseIfLive(block);
    }

    // ---- scopes ---------------------------------------------------------------------------------------------------

    /** Opens a scope on this thread, nested in the current one; close it with try-with-resources. */
    public AllocationScope openScope() {
        AllocationScope scope = new AllocationScope(this, currentScope.get());
        currentScope.set(scope);
        return scope;
    }

    /** The innermost open scope of this thread, or null. */
    public AllocationScope currentScope() {
        return currentScope.get();
    }

    void closeScope(AllocationScope scope) {
        if (scope.isClosed()) return;
        if (scope.owner() != Thread.currentThread()) throw new IllegalStateException("an allocation scope must be closed by the thread that opened it");
        if (currentScope.get() != scope)
            throw new IllegalStateException("allocation scopes must close in reverse order of opening (an inner scope is still open)");
        currentScope.set(scope.parent());
        for (DeviceBlock b : scope.drain()) {
            b.setScope(null);
            if (b.deferRelease()) continue;
            synchronized (this) {
                if (!b.isReleased()) returnToCache(b);
            }
        }
    }

    /** Takes {@code block} out of its scope: it lives until released explicitly or by its storage's GC fallback. */
    public void detachFromScope(DeviceBlock block) {
        AllocationScope owner = block.scope();
        if (owner != null && owner.remove(block)) block.setScope(null);
    }

    /**
     * Gives an unscoped {@code block} to this thread's innermost open scope, which releases it when it closes (a
     * variable's replaced value is a temporary of the step that replaced it). Without an open scope it stays unscoped.
     */
    public void handToCurrentScope(DeviceBlock block) {
        AllocationScope scope = currentScope.get();
        if (scope == null || block.scope() != null || block.isReleased()) return;
        block.setScope(scope);
        scope.add(block);
    }

    void moveToParent(AllocationScope scope, DeviceBlock block) {
        if (block.isReleased()) throw new IllegalStateException("cannot retain " + block);
        if (!scope.remove(block)) throw new IllegalArgumentException(block + " is not owned by this scope");
        AllocationScope parent = scope.parent();
        block.setScope(parent);
        if (parent != null) parent.add(block);
    }

    // ---- statistics -----------------------------------------------------------------------------------------------

    public synchronized MemoryStats stats() {
        return new MemoryStats(inUse, requestedInUse, reserved, peakInUse, peakReserved, cached, liveBlocks, rawAllocations, rawFrees, cacheHits);
    }

    /** Restarts the peak counters from the current values (e.g. per epoch). */
    public synchronized void resetPeaks() {
        peakInUse = inUse;
        peakReserved = reserved;
    }

    /** Frees everything obtained from the device, live blocks included (for shutting a device down). */
    @Override
    public synchronized void close() {
        for (long pointer : segments.keySet()) {
            raw.free(pointer);
            rawFrees++;
        }
        segments.clear();
        free.clear();
        inUse = requestedInUse = reserved = cached = 0;
        liveBlocks = 0;
    }
}
