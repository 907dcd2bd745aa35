package dev.fluxion.data;

/**
 * xoroshiro128++ (Blackman and Vigna), seeded through SplitMix64. The whole state is two longs, which is why the
 * pipeline uses it instead of {@link java.util.Random}: a shuffle's position can be saved and restored exactly.
 * Not thread-safe; each shuffle pass owns one.
 */
final class Xoroshiro {
    private long s0;
    private long s1;

    private Xoroshiro(long s0, long s1) {
        this.s0 = s0;
        this.s1 = s1;
    }

    /** A generator whose stream is a pure function of {@code seed}. */
    static Xoroshiro seeded(long seed) {
        long a = splitMix(seed);
        long b = splitMix(a ^ 0x6A09E667F3BCC909L);
        if (a == 0 && b == 0) b = 1; // the all-zero state is the one fixed point
        return new Xoroshiro(a, b);
    }

    /** A generator continuing from a saved {@link #state()}. */
    static Xoroshiro fromState(long s0, long s1) {
        if (s0 == 0 && s1 == 0) throw new IllegalArgumentException("random state (0, 0) is invalid");
        return new Xoroshiro(s0, s1);
    }

    long[] state() {
        return new long[] {s0, s1};
    }

    long nextLong() {
        long a = s0;
        long b = s1;
        long result = Long.rotateLeft(a + b, 17) + a;
        b ^= a;
        s0 = Long.rotateLeft(a, 49) ^ b ^ (b << 21);
        s1 = Long.rotateLeft(b, 28);
        return result;
    }

    /** Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** One SplitMix64 step from {@code x}: a good 64-bit mixer, used to derive seeds. */
    static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
