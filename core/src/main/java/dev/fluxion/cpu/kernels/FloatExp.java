package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 e^x from adds, multiplies and fused multiply-adds only, so the result has the same bits in every JIT
 * tier and in the scalar twin (the Vector API's EXP differs in the last bit between interpreted and compiled code,
 * which let seeded training runs drift apart between processes). Within 1 ulp of the correctly rounded value.
 *
 * <p>x = n ln2 + r with |r| <= ln2/2 (Cody-Waite: ln2 split so that n * LN2_HI is exact), e^r by its Taylor
 * polynomial of degree 7 (truncation below 6e-9 relative), and 2^n applied as two exact powers of two so that
 * subnormal results round once.
 */
final class FloatExp {
    private FloatExp() {}

    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low bits. */
    static final float SHIFTER = 12582912f;
    static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    /** Above this e^x overflows to infinity; below LOW it rounds to zero. */
    static final float HIGH = 88.8f, LOW = -104f;
    static final float C7 = 1f / 5040, C6 = 1f / 720, C5 = 1f / 120, C4 = 1f / 24, C3 = 1f / 6, C2 = 0.5f;

    static float exp(float x) {
        if (x != x) return x;
        if (x > HIGH) return Float.POSITIVE_INFINITY;
        if (x < LOW) return 0f;
        float t = Math.fma(x, LOG2E, SHIFTER);
        float nf = t - SHIFTER;
        int n = Float.floatToRawIntBits(t) - SHIFTER_BITS;
        float r = Math.fma(nf, -LN2_LO, Math.fma(nf, -LN2_HI, x));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(C7, r, C6), r, C5), r, C4), r, C3), r, C2), r, 1f), r, 1f);
        int n1 = n >> 1, n2 = n - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    private static FloatVector c(VectorSpecies<Float> s, float v) {
        return FloatVector.broadcast(s, v);
    }

    /** Below EXPM1_LOW e^x - 1 rounds to -1, above EXPM1_HIGH to e^x (and 2^n would overflow in the formula). */
    static final float EXPM1_LOW = -17.5f, EXPM1_HIGH = 17.5f;

    /**
     * e^x - 1 with the same reduction: (e^r - 1) by its degree-8 Taylor polynomial in r (accurate near 0, where
     * e^x - 1 loses the digits), then 2^n (e^r - 1) + (2^n - 1) in one fused multiply-add.
     */
    static float expm1(float x) {
        if (x != x) return x;
        if (x > EXPM1_HIGH) return exp(x);
        if (x < EXPM1_LOW) return -1f;
        float t = Math.fma(x, LOG2E, SHIFTER);
        float nf = t - SHIFTER;
        int n = Float.floatToRawIntBits(t) - SHIFTER_BITS;
        float r = Math.fma(nf, -LN2_LO, Math.fma(nf, -LN2_HI, x));
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(C8, r, C7), r, C6), r, C5), r, C4), r, C3), r, C2);
        float pm1 = Math.fma(q * r, r, r);
        int n1 = n >> 1, n2 = n - n1;
        float s = Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
        return Math.fma(s, pm1, s - 1f);
    }

    static final float C8 = 1f / 40320;

    // exp and expm1 repeat the reduction rather than share a helper: a helper would have to return several vectors,
    // and vectors that leave a method in an object are boxed unless the JIT inlines everything, an order of
    // magnitude slower. Lanes outside the formula's range are not clamped first but replaced at the end (a min or
    // max costs several instructions on AVX2 for Java's NaN and signed-zero rules; a compare and a blend, two).
    static FloatVector expm1(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector t = x.fma(LOG2E, SHIFTER); // lanes out of range compute garbage, replaced below
        FloatVector nf = t.sub(SHIFTER);
        IntVector n = t.reinterpretAsInts().sub(SHIFTER_BITS);
        FloatVector r = nf.fma(c(s, -LN2_LO), nf.fma(c(s, -LN2_HI), x));
        FloatVector pm1 = expm1Reduced(r);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
        FloatVector scale = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        FloatVector e = scale.fma(pm1, scale.sub(1f));
        var large = x.compare(VectorOperators.GT, EXPM1_HIGH);
        if (large.anyTrue()) e = e.blend(exp(x), large);
        e = e.blend(-1f, x.compare(VectorOperators.LT, EXPM1_LOW));
        return e.blend(x, x.compare(VectorOperators.NE, x));
    }

    /**
     * {@link #expm1(FloatVector)} for lanes at most 0 (and NaN), as ELU needs it: the same operations and bits there,
     * less what other lanes need; lanes above 0 get unspecified values, for the caller to replace. In [EXPM1_LOW, 0]
     * n >= -26, so 2^n is one normal power of two (the two-factor product is exact, the same value).
     */
    static FloatVector expm1NonPositive(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector t = x.fma(LOG2E, SHIFTER);
        FloatVector nf = t.sub(SHIFTER);
        IntVector n = t.reinterpretAsInts().sub(SHIFTER_BITS);
        FloatVector r = nf.fma(c(s, -LN2_LO), nf.fma(c(s, -LN2_HI), x));
        FloatVector pm1 = expm1Reduced(r);
        FloatVector scale = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = scale.fma(pm1, scale.sub(1f));
        e = e.blend(-1f, x.compare(VectorOperators.LT, EXPM1_LOW));
        return e.blend(x, x.compare(VectorOperators.NE, x));
    }

    /** e^r - 1 for the reduced argument, as {@link #expm1(float)} computes it (one vector in, one out: inlined). */
    private static FloatVector expm1Reduced(FloatVector r) {
        VectorSpecies<Float> s = r.species();
        FloatVector q = c(s, C8).fma(r, c(s, C7)).fma(r, c(s, C6)).fma(r, c(s, C5)).fma(r, c(s, C4)).fma(r, c(s, C3))
                .fma(r, c(s, C2));
        return q.mul(r).fma(r, r);
    }

    /** The same operations lane by lane. */
    static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector t = x.fma(LOG2E, SHIFTER); // lanes out of range compute garbage, replaced below
        FloatVector nf = t.sub(SHIFTER);
        IntVector n = t.reinterpretAsInts().sub(SHIFTER_BITS);
        FloatVector r = nf.fma(c(s, -LN2_LO), nf.fma(c(s, -LN2_HI), x));
        FloatVector p = c(s, C7).fma(r, c(s, C6)).fma(r, c(s, C5)).fma(r, c(s, C4)).fma(r, c(s, C3)).fma(r, c(s, C2))
                .fma(r, c(s, 1f)).fma(r, c(s, 1f));
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
        FloatVector e = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, HIGH))
                .blend(0f, x.compare(VectorOperators.LT, LOW));
        return e.blend(x, x.compare(VectorOperators.NE, x));
    }
}
