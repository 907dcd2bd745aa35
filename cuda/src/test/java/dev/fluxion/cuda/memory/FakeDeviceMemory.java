package dev.fluxion.cuda.memory;

import java.util.HashMap;
import java.util.Map;

/** A pretend device: hands out increasing fake addresses up to a capacity, and checks frees. */
final class FakeDeviceMemory implements RawDeviceMemory {
    private final long capacity;
    private final Map<Long, Long> live = new HashMap<>();
    private long next = 0x7f00_0000_0000L, used;
    int allocations, frees;

    FakeDeviceMemory(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public long allocate(long bytes) {
        if (used + bytes > capacity) return 0;
        long p = next;
        next += bytes + 4096; // gaps make overlapping-block bugs visible
        live.put(p, bytes);
        used += bytes;
        allocations++;
        return p;
    }

    @Override
    public void free(long pointer) {
        Long size = live.remove(pointer);
        if (size == null) throw new AssertionError("free of unknown pointer 0x" + Long.toHexString(pointer));
        used -= size;
        frees++;
    }

    long used() {
        return used;
    }

    int liveCount() {
        return live.size();
    }
}
