package dev.fluxion.graph;

import dev.fluxion.Shapes;
import dev.fluxion.random.Rng;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The random keys of one call of a graph: each generator is advanced once by all its requests together, exactly as
 * the same requests would advance it eagerly, and each request gets its own counter range. Every executable draws
 * them the same way, so a graph gives the same random numbers on every device.
 */
public final class RandomKeys {
    private final Map<Rng, long[]> keys;

    private RandomKeys(Map<Rng, long[]> keys) {
        this.keys = keys;
    }

    /** Advances every generator the graph uses by one call's worth of numbers. */
    public static RandomKeys draw(Graph graph) {
        Map<Rng, long[]> keys = new IdentityHashMap<>();
        graph.randomUse.forEach((rng, shapes) -> keys.put(rng, draw(rng, shapes)));
        return new RandomKeys(keys);
    }

    private static long[] draw(Rng rng, List<int[]> shapes) {
        long[] offsets = new long[shapes.size() + 1];
        for (int k = 0; k < shapes.size(); k++) offsets[k + 1] = offsets[k] + Math.max(1, Shapes.size(shapes.get(k)));
        long[] base = rng.take(offsets[shapes.size()]);
        long[] keys = new long[shapes.size() + 1];
        keys[0] = base[0];
        for (int k = 0; k < shapes.size(); k++) keys[k + 1] = base[1] + offsets[k];
        return keys;
    }

    /** The {seed, counter} value of a {@link Node.Kind#RANDOM_KEY} node for this call. */
    public long[] of(Node key) {
        if (key.kind != Node.Kind.RANDOM_KEY) throw new IllegalArgumentException(key + " is not a random key");
        long[] k = keys.get(key.rng);
        return new long[] {k[0], k[key.rngRequest + 1]};
    }
}
