package dev.fluxion.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 natural logarithm from exact bit operations and fused multiply-adds, the same bits in every JIT tier and
 * in the scalar twin (see {@link FloatExp} for why). x = 2^e m with m in [sqrt(1/2), sqrt(2)), log(m) = f - f^2/2 +
 * f^3 P(f) with f = m - 1 (exact) and a degree-8 polynomial P fitted for float (Moshier's Cephes logf), and e ln2
 * added in two parts so that e * LN2_HI is exact.
 */
final class FloatLog {
    private FloatLog() {}

    static final float SQRT_HALF = 0.70710677f, SQRT2 = 1.4142135f;
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float P0 = 7.0376836292e-2f, P1 = -1.1514610310e-1f, P2 = 1.1676998740e-1f, P3 = -1.2420140846e-1f,
            P4 = 1.4249322787e-1f, P5 = -1.6668057665e-1f, P6 = 2.0000714765e-1f, P7 = -2.4999993993e-1f,
            P8 = 3.3333331174e-1f;

    static float log(float x) {
        if (x != x || x == Float.POSITIVE_INFINITY) return x;
        if (x == 0) return Float.NEGATIVE_INFINITY;
        if (x < 0) return Float.NaN;
        int e = 0;
        if (x < Float.MIN_NORMAL) { // subnormal: scale into the normal range first
            x *= 8388608f;
            e = -23;
        }
        int bits = Float.floatToRawIntBits(x);
        e += (bits >> 23) - 127;
        float m = Float.intBitsToFloat((bits & 0x007fffff) | 0x3f800000);
        if (m > SQRT2) {
            m *= 0.5f;
            e++;
        }
        float f = m - 1f, z = f * f, ef = e;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, f, P1), f, P2), f, P3), f, P4), f, P5), f, P6), f, P7), f, P8);
        float y = f * z * p;
        y = Math.fma(ef, LN2_LO, y);
        y = Math.fma(-0.5f, z, y);
        return Math.fma(ef, LN2_HI, f + y);
    }

    private static FloatVector c(VectorSpecies<Float> s, float v) {
        return FloatVector.broadcast(s, v);
    }

    /** The same operations lane by lane. */
    static FloatVector log(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(8388608f), sub);
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.ASHR, 23).sub(127)
                .blend(bits.lanewise(VectorOperators.ASHR, 23).sub(127 + 23), sub.cast(bits.species()));
        FloatVector m = bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats();
        VectorMask<Float> big = m.compare(VectorOperators.GT, SQRT2);
        m = m.blend(m.mul(0.5f), big);
        e = e.blend(e.add(1), big.cast(e.species()));
        FloatVector f = m.sub(1f), z = f.mul(f);
        FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector p = c(s, P0).fma(f, c(s, P1)).fma(f, c(s, P2)).fma(f, c(s, P3)).fma(f, c(s, P4)).fma(f, c(s, P5))
                .fma(f, c(s, P6)).fma(f, c(s, P7)).fma(f, c(s, P8));
        FloatVector y = f.mul(z).mul(p);
        y = ef.fma(c(s, LN2_LO), y);
        y = z.fma(c(s, -0.5f), y);
        FloatVector r = ef.fma(c(s, LN2_HI), f.add(y));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f))
                .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        return r.blend(x, x.compare(VectorOperators.NE, x));
    }
}
