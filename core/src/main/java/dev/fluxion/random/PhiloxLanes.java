package dev.fluxion.random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Philox4x32-10 on consecutive blocks at once, one block per 64-bit vector lane: each 32-bit word sits zero-extended
 * in a lane, so a 32x32 multiply is one 64-bit lane multiply whose high and low halves are the words Philox needs.
 * The words are exactly those of {@link Philox#block(int[], int[])}: integer arithmetic has no rounding to differ in.
 * A scalar block is a chain of dependent multiplies; sixteen chains, in the lanes of two 512-bit vectors, keep the
 * multiplier busy: 16384 float uniforms on one Zen 5 thread took 0.94 ns per number against 3.19 for the scalar
 * blocks (one-off harness); with AVX2's four lanes, 2.69 against 4.25 on Zen 2, and about a sixth less since the
 * factors are masked to 32 bits in sight of the JIT (it then multiplies with vpmuludq).
 */
final class PhiloxLanes {
    private PhiloxLanes() {}

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Blocks per vector; a call makes two vectors' worth. */
    static final int LANES = L.length();
    /**
     * Whether the generators use this class: from four lanes (AVX2) on. On a Zen 2 core (AVX2, one thread, 16384
     * uniforms per call) the lanes took 2.69 ns per uniform against 4.25 for the scalar blocks; on Zen 5 emulating
     * AVX2 (-XX:UseAVX=2) they had measured no faster (3.6 against 3.2 ns per bernoulli draw).
     */
    static final boolean ENABLED = LANES >= 4;
    /**
     * Whether {@link #uniforms} converts words to floats in vector lanes: only where the long-to-float conversion is
     * an instruction (AVX-512); on AVX2 C2 boxed it (12.6 ns per uniform), so the words are converted one by one.
     */
    private static final boolean VECTOR_CONVERSION = LANES >= 8;
    private static final long LOW = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L, M1 = 0xCD9E8D57L, W0 = 0x9E3779B9L, W1 = 0xBB67AE85L;
    /** Lane l holds l: block j + l in lane l. */
    private static final LongVector IOTA = LongVector.zero(L).addIndex(1);
    /** As many float lanes as {@link #L} has long lanes. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * LANES));
    /** Where lane l of a word's floats goes among 4 * LANES numbers: block l's four numbers are consecutive. */
    private static final int[] SPREAD = new int[LANES];

    static {
        for (int l = 0; l < LANES; l++) SPREAD[l] = 4 * l;
    }

    /**
     * The 8 * LANES float uniforms in [0, 1) of blocks j .. j + 2 LANES - 1 into {@code dst[d..)}: number 4 b + t is
     * the top 24 bits of word t of block j + b, times 2^-24 (exact, so the same bits as the scalar formula).
     */
    static void uniforms(long seed, long counter, long j, float[] dst, int d, long[] words) {
        blocks(seed, counter, j, words);
        if (!VECTOR_CONVERSION) {
            for (int g = 0; g < 2; g++) {
                for (int t = 0; t < 4; t++) {
                    for (int l = 0, w = (4 * g + t) * LANES, o = d + 4 * g * LANES + t; l < LANES; l++, o += 4) {
                        dst[o] = (int) (words[w + l] >>> 8) * 0x1p-24f;
                    }
                }
            }
            return;
        }
        for (int g = 0; g < 2; g++) {
            for (int t = 0; t < 4; t++) {
                LongVector w = LongVector.fromArray(L, words, (4 * g + t) * LANES).lanewise(VectorOperators.LSHR, 8);
                ((FloatVector) w.convertShape(VectorOperators.L2F, F, 0)).mul(0x1p-24f)
                        .intoArray(dst, d + 4 * g * LANES + t, SPREAD, 0);
            }
        }
    }

    /**
     * Blocks j .. j + 2 LANES - 1 of a request (counter base + j + b in words 0 and 1, words 2 and 3 zero), as two
     * groups of LANES whose rounds interleave (each group's rounds are a dependent chain): word w of block j + g LANES
     * + l goes to {@code words[(4 g + w) * LANES + l]}, zero-extended.
     */
    static void blocks(long seed, long counter, long j, long[] words) {
        LongVector c = IOTA.add(counter + j), d = c.add(LANES);
        LongVector a0 = c.and(LOW), a1 = c.lanewise(VectorOperators.LSHR, 32), a2 = LongVector.zero(L), a3 = a2;
        LongVector b0 = d.and(LOW), b1 = d.lanewise(VectorOperators.LSHR, 32), b2 = a2, b3 = a2;
        long k0 = seed & LOW, k1 = seed >>> 32;
        for (int round = 0; round < 10; round++) {
            // every factor masked to 32 bits where C2 can see it (the words' high halves are zero anyway): then it
            // multiplies with one vpmuludq per lane pair instead of emulating a 64-bit product on AVX2
            LongVector f0 = LongVector.broadcast(L, M0).and(LOW), f1 = LongVector.broadcast(L, M1).and(LOW);
            LongVector p0 = a0.and(LOW).mul(f0), p1 = a2.and(LOW).mul(f1), q0 = b0.and(LOW).mul(f0), q1 = b2.and(LOW).mul(f1);
            LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a1.lanewise(
                    VectorOperators.XOR, k0));
            LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a3.lanewise(
                    VectorOperators.XOR, k1));
            LongVector m0 = q1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b1.lanewise(
                    VectorOperators.XOR, k0));
            LongVector m2 = q0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b3.lanewise(
                    VectorOperators.XOR, k1));
            a1 = p1.and(LOW);
            a3 = p0.and(LOW);
            a0 = n0;
            a2 = n2;
            b1 = q1.and(LOW);
            b3 = q0.and(LOW);
            b0 = m0;
            b2 = m2;
            k0 = (k0 + W0) & LOW;
            k1 = (k1 + W1) & LOW;
        }
        a0.intoArray(words, 0);
        a1.intoArray(words, LANES);
        a2.intoArray(words, 2 * LANES);
        a3.intoArray(words, 3 * LANES);
        b0.intoArray(words, 4 * LANES);
        b1.intoArray(words, 5 * LANES);
        b2.intoArray(words, 6 * LANES);
        b3.intoArray(words, 7 * LANES);
    }
}
