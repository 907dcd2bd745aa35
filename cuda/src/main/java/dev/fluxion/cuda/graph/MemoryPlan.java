package dev.fluxion.cuda.graph;

import dev.fluxion.graph.Node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static memory plan of a {@link LaunchPlan}: every intermediate value (a computed root that does not escape)
 * gets an offset in one device arena, and values whose lifetimes do not overlap share memory. A value lives from
 * the step that writes it to the last step that reads it or a view of it, both inclusive, so a kernel never writes
 * over one of its own inputs. Placement is greedy by size, largest first, each into the smallest gap between the
 * overlapping values already placed that fits it (best fit), else above them; offsets and sizes are multiples of
 * {@link #ALIGNMENT}, so every buffer is aligned as cudaMalloc's are and vector loads stay possible.
 */
public final class MemoryPlan {
    public static final long ALIGNMENT = 256;

    /** One value of the arena: its aligned size and the first and last step that touch it. */
    public record Lifetime(Node value, long bytes, int first, int last) {
        public boolean overlaps(Lifetime o) {
            return first <= o.last && o.first <= last;
        }
    }

    private final Map<Node, Long> offsets;
    private final Map<Node, Lifetime> lifetimes;
    private final long arenaBytes;

    private MemoryPlan(Map<Node, Long> offsets, Map<Node, Lifetime> lifetimes, long arenaBytes) {
        this.offsets = offsets;
        this.lifetimes = lifetimes;
        this.arenaBytes = arenaBytes;
    }

    public static long align(long bytes) {
        return (Math.max(1, bytes) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The bytes of one value as it is stored (bool is one byte). */
    public static long bytes(Node n) {
        return (long) n.type().size() * n.type().dtype().byteSize();
    }

    /** Plans the arena of {@code plan}'s intermediate values. */
    public static MemoryPlan of(LaunchPlan plan) {
        return place(lifetimes(plan));
    }

    /**
     * The plan's steps as memory sees them: a sequence kernel's phases one by one (the block barrier between phases
     * orders their memory accesses as the stream orders launches, so a value may take the memory of one a previous
     * phase read last), every other step as one (a multi-group kernel's parts run at the same time).
     */
    static List<LaunchPlan.Step> timeline(LaunchPlan plan) {
        List<LaunchPlan.Step> out = new ArrayList<>();
        for (LaunchPlan.Step s : plan.steps()) {
            if (s instanceof LaunchPlan.Sequence q) out.addAll(q.phases());
            else out.add(s);
        }
        return out;
    }

    /** When each arena value is written and last read, in indices of the plan's {@link #timeline}. */
    static List<Lifetime> lifetimes(LaunchPlan plan) {
        Map<Node, int[]> span = new IdentityHashMap<>();
        for (Node n : plan.arenaValues()) span.put(n, new int[] {-1, -1});
        List<LaunchPlan.Step> steps = timeline(plan);
        for (int s = 0; s < steps.size(); s++) {
            for (Node w : LaunchPlan.writes(steps.get(s))) {
                int[] sp = span.get(w);
                if (sp != null) sp[0] = sp[1] = s;
            }
            for (Node r : LaunchPlan.reads(steps.get(s))) {
                int[] sp = span.get(plan.layout(r).root());
                if (sp != null) {
                    if (sp[0] < 0) throw new IllegalStateException("step " + s + " reads " + r + " before it is written");
                    sp[1] = Math.max(sp[1], s);
                }
            }
        }
        List<Lifetime> out = new ArrayList<>();
        for (Node n : plan.arenaValues()) {
            int[] sp = span.get(n);
            if (sp[0] < 0) throw new IllegalStateException(n + " is never written by the plan");
            out.add(new Lifetime(n, align(bytes(n)), sp[0], sp[1]));
        }
        return out;
    }

    /** Greedy best-fit placement, largest first (ties: earliest first, so the result does not depend on hashing). */
    static MemoryPlan place(List<Lifetime> values) {
        List<Lifetime> order = new ArrayList<>(values);
        order.sort(Comparator.comparingLong(Lifetime::bytes).reversed().thenComparingInt(Lifetime::first)
                .thenComparingInt(l -> l.value().id()));
        Map<Node, Long> offsets = new IdentityHashMap<>();
        Map<Node, Lifetime> byNode = new IdentityHashMap<>();
        List<Lifetime> placed = new ArrayList<>();
        long arena = 0;
        for (Lifetime v : order) {
            List<Lifetime> live = new ArrayList<>();
            for (Lifetime p : placed) if (p.overlaps(v)) live.add(p);
            live.sort(Comparator.comparingLong(p -> offsets.get(p.value())));
            long best = -1, bestGap = Long.MAX_VALUE, top = 0;
            for (Lifetime p : live) {
                long start = offsets.get(p.value());
                long gap = start - top;
                if (gap >= v.bytes() && gap < bestGap) {
                    best = top;
                    bestGap = gap;
                }
                top = Math.max(top, start + p.bytes());
            }
            long offset = best >= 0 ? best : top;
            offsets.put(v.value(), offset);
            byNode.put(v.value(), v);
            placed.add(v);
            arena = Math.max(arena, offset + v.bytes());
        }
        return new MemoryPlan(offsets, byNode, arena);
    }

    /** The arena's size in bytes. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** The arena offset of an intermediate value; throws for a value that is not in the arena. */
    public long offset(Node value) {
        Long o = offsets.get(value);
        if (o == null) throw new IllegalArgumentException(value + " has no arena slot");
        return o;
    }

    public boolean inArena(Node value) {
        return offsets.containsKey(value);
    }

    /** Every arena value with its lifetime. */
    public Map<Node, Lifetime> lifetimes() {
        return Collections.unmodifiableMap(lifetimes);
    }

    /** The sum of the aligned sizes: what the arena would take with no sharing. */
    public long unsharedBytes() {
        return lifetimes.values().stream().mapToLong(Lifetime::bytes).sum();
    }
}
