package dev.fluxion.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class CachingAllocatorTest {
    private static final long MB = 1L << 20;

    @Test
    void sizeClassesRoundSmallToPowersOfTwoAndLargeToGranules() {
        assertEquals(512, SizeClasses.round(0));
        assertEquals(512, SizeClasses.round(1));
        assertEquals(512, SizeClasses.round(512));
        assertEquals(1024, SizeClasses.round(513));
        assertEquals(MB, SizeClasses.round(MB));
        assertEquals(2 * MB, SizeClasses.round(MB + 1));
        assertEquals(4 * MB, SizeClasses.round(2 * MB + 1));
        assertThrows(IllegalArgumentException.class, () -> SizeClasses.round(-1));
    }

    @Test
    void freedBlockIsReusedWithoutANewDeviceAllocation() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock b1 = a.allocate(1000);
        long p = b1.pointer();
        a.release(b1);
        DeviceBlock b2 = a.allocate(700); // same 1024-byte class
        assertEquals(p, b2.pointer());
        assertEquals(1, dev.allocations);
        assertEquals(1, a.stats().cacheHits());
        DeviceBlock b3 = a.allocate(3000); // another class: a new allocation
        assertNotEquals(p, b3.pointer());
        assertEquals(2, dev.allocations);
    }

    @Test
    void memoryReleasedWhileRecordingIsTakenBackOutOfTheCache() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock before = a.allocate(1000); // not recorded
        Set<Long> used = a.startRecording();
        long first;
        try (AllocationScope call = a.openScope()) { // as a captured chunk's first call: its temporaries go back...
            first = a.allocate(3000).pointer();
        }
        DeviceBlock reused;
        try (AllocationScope call = a.openScope()) { // ...and serve the next call
            reused = a.allocate(2500);
            assertEquals(first, reused.pointer());
        }
        DeviceBlock live = a.allocate(MB);
        a.stopRecording();
        a.allocate(100); // after recording: not recorded
        assertEquals(Set.of(first, live.pointer()), used);
        long inUse = a.stats().inUse();
        DeviceBlock back = a.takeBack(first);
        assertNotNull(back);
        assertEquals(first, back.pointer());
        assertEquals(4096, back.size());
        assertEquals(inUse + 4096, a.stats().inUse());
        assertNotEquals(first, a.allocate(3000).pointer(), "taken back: no longer served from the cache");
        assertNull(a.takeBack(first), "live again: not free");
        assertNull(a.takeBack(live.pointer()), "never released");
        assertNull(a.takeBack(before.pointer() + 1), "not a pointer of this allocator");
        a.release(back);
        assertEquals(first, a.allocate(3000).pointer(), "released again, it is cached as before");
    }

    @Test
    void statsTrackInUseReservedAndPeak() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock x = a.allocate(1000), y = a.allocate(5 * MB);
        MemoryStats s = a.stats();
        assertEquals(1024 + 6 * MB, s.inUse());
        assertEquals(1000 + 5 * MB, s.requestedInUse());
        assertEquals(s.inUse(), s.reserved());
        assertEquals(2, s.liveBlocks());
        a.release(y);
        s = a.stats();
        assertEquals(1024, s.inUse());
        assertEquals(1024 + 6 * MB, s.reserved(), "a released block stays reserved in the cache");
        assertEquals(6 * MB, s.cached());
        assertEquals(1024 + 6 * MB, s.peakInUse());
        a.resetPeaks();
        assertEquals(1024, a.stats().peakInUse());
        a.emptyCache();
        s = a.stats();
        assertEquals(1024, s.reserved());
        assertEquals(0, s.cached());
        assertEquals(1, dev.frees);
        assertEquals(1024, dev.used());
        a.release(x);
    }

    @Test
    void aPinnedBlockOutlivesItsScopeAndReleasesUntilUnpinned() {
        CachingAllocator a = new CachingAllocator(new FakeDeviceMemory(1L << 40));
        DeviceBlock pinned, other;
        try (AllocationScope s = a.openScope()) {
            pinned = a.allocate(4096);
            other = a.allocate(4096);
            assertEquals(List.of(pinned, other).size(), s.blocks().size());
            a.pin(pinned); // as a captured CUDA graph does with the memory it recorded
            assertEquals(List.of(other), s.blocks(), "a pinned block leaves its scope");
        }
        assertTrue(other.isReleased());
        assertFalse(pinned.isReleased(), "closing the scope must not free memory a graph still uses");
        a.releaseIfLive(pinned); // the GC fallback of its storage
        a.release(pinned);
        assertFalse(pinned.isReleased());
        DeviceBlock next = a.allocate(4096);
        assertNotEquals(pinned.pointer(), next.pointer(), "a pinned block's memory must not serve another allocation");
        a.unpin(pinned);
        assertTrue(pinned.isReleased(), "the release requested while pinned happens at unpin");

        DeviceBlock kept = a.allocate(4096);
        a.pin(kept);
        a.unpin(kept);
        assertFalse(kept.isReleased(), "unpinning without a release request leaves the block to its owner");
    }

    @Test
    void doubleReleaseIsAnErrorButTheGcFallbackIsIdempotent() {
        CachingAllocator a = new CachingAllocator(new FakeDeviceMemory(1L << 40));
        DeviceBlock b = a.allocate(64);
        a.release(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.release(b));
        assertTrue(e.getMessage().contains("double release"), e.getMessage());
        assertThrows(IllegalStateException.class, b::pointer);
        a.releaseIfLive(b); // no-op
        assertEquals(0, a.stats().liveBlocks());
        assertEquals(512, a.stats().cached());
    }

    @Test
    void largeCachedBlockServesASlightlySmallerRequestButNotAMuchSmallerOne() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock big = a.allocate(64 * MB);
        long p = big.pointer();
        a.release(big);
        DeviceBlock close = a.allocate(60 * MB); // 64 - 60 = 4 MB <= 64/8... of the request's class 60 MB: 7.5 MB
        assertEquals(p, close.pointer());
        assertEquals(64 * MB, close.size(), "the block reports the size it really occupies");
        assertEquals(64 * MB, a.stats().inUse());
        a.release(close);
        DeviceBlock small = a.allocate(8 * MB);
        assertNotEquals(p, small.pointer(), "a 64 MB block must not be wasted on an 8 MB request");
        assertEquals(2, dev.allocations);
    }

    @Test
    void smallRequestsNeverTakeALargerClass() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        a.release(a.allocate(4096));
        DeviceBlock b = a.allocate(512);
        assertEquals(512, b.size());
        assertEquals(2, dev.allocations);
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetries() {
        FakeDeviceMemory dev = new FakeDeviceMemory(10 * MB);
        CachingAllocator a = new CachingAllocator(dev);
        a.release(a.allocate(8 * MB)); // cached, still reserved on the device
        DeviceBlock b = a.allocate(4 * MB); // does not fit next to the cached 8 MB until the cache is emptied
        assertEquals(4 * MB, b.size());
        assertEquals(0, a.stats().cached());
        assertEquals(1, dev.frees);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> a.allocate(8 * MB));
        assertTrue(e.getMessage().contains("8388608 bytes") && e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void scopeReleasesEverythingAllocatedInsideIt() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBlock outside = a.allocate(100);
        DeviceBlock kept;
        List<DeviceBlock> inner = new ArrayList<>();
        try (AllocationScope s = a.openScope()) {
            assertSame(s, a.currentScope());
            for (int i = 0; i < 10; i++) inner.add(a.allocate(1000 * (i + 1)));
            kept = a.allocate(2000);
            a.release(inner.get(3)); // released early: the scope must not release it again
            s.retain(kept);
            assertEquals(9, s.blockCount());
            assertNull(kept.scope());
        }
        assertNull(a.currentScope());
        for (DeviceBlock b : inner) assertTrue(b.isReleased());
        assertFalse(kept.isReleased());
        assertFalse(outside.isReleased());
        assertEquals(2, a.stats().liveBlocks());
        assertEquals(512 + 2048, a.stats().inUse());
    }

    @Test
    void nestedScopesRetainIntoTheParentAndMustCloseInOrder() {
        CachingAllocator a = new CachingAllocator(new FakeDeviceMemory(1L << 40));
        AllocationScope outer = a.openScope();
        AllocationScope inner = a.openScope();
        DeviceBlock b = a.allocate(10);
        DeviceBlock t = a.allocate(10);
        inner.retain(b);
        assertSame(outer, b.scope());
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("reverse order"), e.getMessage());
        inner.close();
        assertTrue(t.isReleased());
        assertFalse(b.isReleased());
        inner.close(); // closing twice is harmless
        outer.close();
        assertTrue(b.isReleased());
        assertEquals(0, a.stats().liveBlocks());
    }

    @Test
    void trainingLoopReachesASteadyStateWithNoDeviceAllocations() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        long[] stepSizes = {128 * 784 * 4, 128 * 128 * 4, 128 * 10 * 4, 784 * 128 * 4, 4, 4, 128 * 4};
        int allocationsAfterFirstStep = -1;
        for (int step = 0; step < 50; step++) {
            try (AllocationScope s = a.openScope()) {
                for (long size : stepSizes) a.allocate(size);
                for (long size : stepSizes) a.allocate(size); // twice: forward and backward temporaries
            }
            if (step == 0) allocationsAfterFirstStep = dev.allocations;
        }
        assertEquals(allocationsAfterFirstStep, dev.allocations, "later steps must be served from the cache");
        assertEquals(0, a.stats().inUse());
        assertEquals(a.stats().reserved(), a.stats().cached());
        assertEquals(49L * 2 * stepSizes.length, a.stats().cacheHits());
    }

    @Test
    void liveBlocksNeverOverlap() {
        FakeDeviceMemory dev = new FakeDeviceMemory(1L << 40);
        CachingAllocator a = new CachingAllocator(dev);
        java.util.Random r = new java.util.Random(7);
        List<DeviceBlock> live = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            if (!live.isEmpty() && r.nextInt(3) == 0) a.release(live.remove(r.nextInt(live.size())));
            else live.add(a.allocate(r.nextInt(3) == 0 ? r.nextInt(20 * (int) MB) : r.nextInt(100_000)));
            Set<Long> pointers = new HashSet<>();
            for (DeviceBlock b : live) assertTrue(pointers.add(b.pointer()), "two live blocks share a pointer");
        }
        long expected = live.stream().mapToLong(DeviceBlock::size).sum();
        assertEquals(expected, a.stats().inUse());
        assertEquals(dev.used(), a.stats().reserved());
        a.close();
        assertEquals(0, dev.liveCount());
    }

    @Test
    void aVariablesWeightsOutliveTheStepThatMadeThemAndTheReplacedOnesDieWithTheNextStep() {
        CachingAllocator a = new CachingAllocator(new FakeDeviceMemory(1L << 40));
        DeviceBlock weights;
        try (AllocationScope step1 = a.openScope()) {
            a.allocate(4096); // a temporary of step 1
            weights = a.allocate(1000); // the new value an optimizer assigns
            a.detachFromScope(weights);
            assertNull(weights.scope());
        }
        assertFalse(weights.isReleased(), "a variable's value must survive the scope it was computed in");
        assertEquals(1, a.stats().liveBlocks());
        try (AllocationScope step2 = a.openScope()) {
            a.handToCurrentScope(weights); // replaced by step 2's update
            assertSame(step2, weights.scope());
        }
        assertTrue(weights.isReleased(), "the replaced value is a temporary of the step that replaced it");
        assertEquals(0, a.stats().inUse());
        DeviceBlock unscoped = a.allocate(100);
        a.handToCurrentScope(unscoped); // no scope open: stays with its storage's GC fallback
        assertNull(unscoped.scope());
        assertFalse(unscoped.isReleased());
    }
}
