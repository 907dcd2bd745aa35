package dev.fluxion.cuda.memory;

/**
 * One live allocation handed out by {@link CachingAllocator}: a device pointer and its size class. A block is
 * released once (explicitly, by the scope it was allocated in, or by the GC fallback of the storage that owns it);
 * after that its memory may serve another block, so the handle must not be used again.
 */
public final class DeviceBlock {
    private final long pointer;
    private final long size;
    private final long requested;
    private volatile AllocationScope scope;
    private volatile boolean released;
    /** Held by a captured CUDA graph: release requests wait until it is unpinned. */
    private boolean pinned, releaseRequested;

    DeviceBlock(long pointer, long size, long requested, AllocationScope scope) {
        this.pointer = pointer;
        this.size = size;
        this.requested = requested;
        this.scope = scope;
    }

    /** The device address (CUdeviceptr). */
    public long pointer() {
        if (released) throw new IllegalStateException("device block 0x" + Long.toHexString(pointer) + " was already released");
        return pointer;
    }

    /** The size class actually reserved for the block. */
    public long size() {
        return size;
    }

    /** The bytes that were asked for. */
    public long requested() {
        return requested;
    }

    public boolean isReleased() {
        return released;
    }

    /** The scope that will release this block when it closes, or null if the block is unscoped. */
    public AllocationScope scope() {
        return scope;
    }

    public synchronized boolean isPinned() {
        return pinned;
    }

    /** Pins the block; false when it already was. */
    synchronized boolean pin() {
        if (pinned) return false;
        pinned = true;
        return true;
    }

    /** Unpins the block; true when a release was requested meanwhile and must happen now. */
    synchronized boolean unpin() {
        pinned = false;
        boolean release = releaseRequested;
        releaseRequested = false;
        return release;
    }

    /** Whether a release must wait (and is remembered) because the block is pinned. */
    synchronized boolean deferRelease() {
        if (pinned) releaseRequested = true;
        return pinned;
    }

    long rawPointer() {
        return pointer;
    }

    void markReleased() {
        released = true;
    }

    void setScope(AllocationScope scope) {
        this.scope = scope;
    }

    @Override
    public String toString() {
        return "DeviceBlock[0x" + Long.toHexString(pointer) + ", " + size + " bytes" + (released ? ", released" : "") + "]";
    }
}
