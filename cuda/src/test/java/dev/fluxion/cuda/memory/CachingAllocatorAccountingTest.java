package dev.fluxion.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every counter of {@link MemoryStats} through a block's life, the size-class boundaries, and scope bookkeeping. */
class CachingAllocatorAccountingTest {
    private static final long MB = 1L << 20;

    @Test
    void countersFollowAllocationReleaseTakeBackEmptyAndClose() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock x = a.allocate(1000), y = a.allocate(3000);
        assertEquals(new MemoryStats(1024 + 4096, 4000, 5120, 5120, 5120, 0, 2, 2, 0, 0), a.stats());
        assertEquals(1000, x.requested());
        Long yPointer = y.pointer();
        a.release(y);
        assertEquals(new MemoryStats(1024, 1000, 5120, 5120, 5120, 4096, 1, 2, 0, 0), a.stats(), "released: cached, still reserved");
        DeviceBlock back = a.takeBack(yPointer);
        assertEquals(new MemoryStats(1024 + 4096, 1000 + 4096, 5120, 5120, 5120, 0, 2, 2, 0, 0), a.stats(),
                "taken back as a live block of its whole size class");
        a.release(back);
        DeviceBlock hit = a.allocate(2500);
        assertEquals(new MemoryStats(5120, 3500, 5120, 5120, 5120, 0, 2, 2, 0, 1), a.stats(), "a cache hit allocates nothing");
        a.release(hit);
        a.emptyCache();
        assertEquals(new MemoryStats(1024, 1000, 1024, 5120, 5120, 0, 1, 2, 1, 1), a.stats(), "the cached block went back to the device");
        assertEquals(1, dev.frees);

        a.close();
        assertEquals(0, dev.liveCount(), "close frees live blocks too");
        assertEquals(2, dev.frees);
        MemoryStats closed = a.stats();
        assertEquals(List.of(0L, 0L, 0L, 0L, 0), List.of(closed.inUse(), closed.requestedInUse(), closed.reserved(), closed.cached(), closed.liveBlocks()));
        assertEquals(2, closed.rawFrees());
        a.close();
        assertEquals(2, dev.frees, "a second close has nothing left to free");
    }

    @Test
    void aCachedLargeBlockServesARequestWastingExactlyTheLimit() {
        // a 16 MB request may take a cached block up to maxWaste (2 MB) larger: 18 MB serves it, 20 MB does not
        assertEquals(2 * MB, SizeClasses.maxWaste(16 * MB));
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock b18 = a.allocate(18 * MB);
        long p = b18.pointer();
        a.release(b18);
        assertEquals(p, a.allocate(16 * MB).pointer(), "2 MB of waste is within the limit");
        DeviceBlock b20 = a.allocate(20 * MB);
        long q = b20.pointer();
        a.release(b20);
        assertNotEquals(q, a.allocate(16 * MB).pointer(), "4 MB of waste is not");
    }

    @Test
    void aOneMegabyteRequestIsSmallAndNeverTakesALargerBlock() {
        assertEquals(MB, SizeClasses.round(MB));
        assertTrue(SizeClasses.isSmall(MB));
        assertFalse(SizeClasses.isSmall(2 * MB));
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock large = a.allocate(2 * MB);
        long p = large.pointer();
        a.release(large);
        DeviceBlock small = a.allocate(MB);
        assertNotEquals(p, small.pointer(), "small requests take their exact class only");
        assertEquals(MB, small.size());
    }

    @Test
    void scopesForgetTheirBlocksAndBlocksTheirScopes() {
        CachingAllocator a = new CachingAllocator(new FakeDeviceMemory(1L << 40));
        DeviceBlock pinned, freed;
        AllocationScope scope;
        try (AllocationScope s = a.openScope()) {
            scope = s;
            pinned = a.allocate(4096);
            freed = a.allocate(4096);
            assertSame(s, pinned.scope());
            assertFalse(pinned.isPinned());
            a.pin(pinned);
            assertTrue(pinned.isPinned());
            assertNull(pinned.scope(), "a pinned block leaves its scope");
        }
        assertTrue(freed.isReleased());
        assertNull(freed.scope(), "a closed scope lets go of its blocks");
        assertEquals(List.of(), scope.blocks());
        assertEquals(0, scope.blockCount());
        a.unpin(pinned);
        assertFalse(pinned.isPinned());

        try (AllocationScope outer = a.openScope()) {
            DeviceBlock mine;
            DeviceBlock foreign = a.allocate(512); // owned by outer
            try (AllocationScope inner = a.openScope()) {
                mine = a.allocate(512);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inner.retain(foreign));
                assertTrue(e.getMessage().contains("not owned by this scope"), e.getMessage());
                inner.retain(mine);
            }
            assertSame(outer, mine.scope());
            assertFalse(mine.isReleased());
        }
    }
}
