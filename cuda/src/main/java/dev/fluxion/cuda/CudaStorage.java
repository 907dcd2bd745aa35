package dev.fluxion.cuda;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.backend.Storage;
import dev.fluxion.cuda.memory.DeviceBlock;

import java.lang.ref.Cleaner;

/**
 * Device memory behind CUDA tensors: a block of the device's {@link dev.fluxion.cuda.memory.CachingAllocator}.
 * The block is normally released by the allocation scope it was created in; a block outside every scope (eager code
 * with no scope open, or retained out of its scopes) goes back to the cache when its storage becomes unreachable,
 * through a {@link Cleaner} — a fallback only, since the GC does not see device memory pressure. Returning a block
 * to the cache is bookkeeping, safe from the cleaner's thread: all device work is ordered on one stream.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext context;
    private final DType dtype;
    private final int size;
    private final DeviceBlock block;
    /** For storage at a fixed address inside memory someone else owns (a compiled graph's arena): that address. */
    private final long fixedAddress;

    /** Storage at a fixed device address inside memory owned elsewhere, which must outlive every use of it. */
    CudaStorage(CudaContext context, DType dtype, int size, long address) {
        this.context = context;
        this.dtype = dtype;
        this.size = size;
        this.block = null;
        this.fixedAddress = address;
    }

    CudaStorage(CudaContext context, DType dtype, int size) {
        this.context = context;
        this.dtype = dtype;
        this.size = size;
        this.fixedAddress = 0;
        this.block = context.allocator().allocate((long) size * dtype.byteSize());
        // registered for scoped blocks too: a block retained out of every scope has no other owner left
        DeviceBlock b = block;
        var allocator = context.allocator();
        CLEANER.register(this, () -> allocator.releaseIfLive(b));
    }

    @Override
    public Device device() {
        return context.device();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    /** Long-lived owners holding this storage; while any does, no allocation scope may release it. */
    private int holders;

    @Override
    public synchronized void holdBeyondScopes() {
        if (block != null && holders++ == 0) context.allocator().detachFromScope(block);
    }

    @Override
    public synchronized void endHold() {
        if (block != null && --holders == 0) context.allocator().handToCurrentScope(block);
    }

    /** The device address of element {@code offset}. Throws if the block was released (its scope closed). */
    public long address(int offset) {
        return (block == null ? fixedAddress : block.pointer()) + (long) offset * dtype.byteSize();
    }

    /** The allocator block behind this storage; null for storage at a fixed address inside a compiled graph's memory. */
    public DeviceBlock block() {
        return block;
    }

    CudaContext context() {
        return context;
    }
}
