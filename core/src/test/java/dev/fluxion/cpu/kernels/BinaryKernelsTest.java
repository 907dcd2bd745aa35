package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fluxion.ops.BinaryFn;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryKernelsTest {
    static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 31, 33, 97, 1000};
    static final int[][] STRIDES = {{1, 1}, {0, 1}, {1, 0}, {0, 0}};
    static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f,
            2f, -2f, 0.5f, 3f, -3f, 1e-45f, 1e30f, -1e30f, 7.5f, -7.5f};

    static float[] inputs(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (rnd.nextInt(5)) {
                case 0 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
                case 1 -> rnd.nextInt(7) - 3; // small integers: ties and equal operands for comparisons
                default -> (float) (rnd.nextGaussian() * 10);
            };
        }
        return x;
    }

    static float reference(BinaryFn fn, float a, float b) {
        return (float) fn.apply(a, b);
    }

    /** Exact (bitwise, NaN as NaN) for all but ATAN2, which is within one ulp. */
    static void assertClose(BinaryFn fn, float expect, float actual, String what) {
        if (Float.floatToIntBits(expect) == Float.floatToIntBits(actual)) return;
        if (fn == BinaryFn.ATAN2 && UnaryKernelsTest.ulps(expect, actual) <= 1) return;
        throw new AssertionError(what + ": expected " + expect + " but got " + actual);
    }

    @Test
    void floatArithmeticMatchesScalarAndReference() {
        for (BinaryFn fn : BinaryFn.values()) {
            if (fn.isPredicate()) continue;
            for (int[] st : STRIDES) {
                for (int n : LENGTHS) {
                    float[] a = inputs(n + 2, n + 17L * fn.ordinal()), b = inputs(n + 3, n + 1000L);
                    float[] v = new float[n + 4], s = new float[n + 4];
                    BinaryKernels.applyVector(fn, a, 2, st[0], b, 3, st[1], v, 4, n);
                    BinaryKernels.applyScalar(fn, a, 2, st[0], b, 3, st[1], s, 4, n);
                    for (int i = 0; i < n; i++) {
                        float x = a[2 + i * st[0]], y = b[3 + i * st[1]];
                        String what = fn + "(" + x + ", " + y + ") n=" + n + " strides " + st[0] + "," + st[1];
                        assertClose(fn, reference(fn, x, y), v[4 + i], "vector " + what);
                        assertClose(fn, reference(fn, x, y), s[4 + i], "scalar " + what);
                    }
                    for (int i = 0; i < 4; i++) assertEquals(0f, v[i]);
                }
            }
        }
    }

    @Test
    void bigRunsMatch() {
        int n = 1_000_003;
        float[] a = inputs(n, 1), b = inputs(n, 2), v = new float[n], s = new float[n];
        for (BinaryFn fn : new BinaryFn[] {BinaryFn.ADD, BinaryFn.MAX, BinaryFn.MOD}) {
            for (int[] st : STRIDES) {
                BinaryKernels.applyVector(fn, a, 0, st[0], b, 0, st[1], v, 0, n);
                BinaryKernels.applyScalar(fn, a, 0, st[0], b, 0, st[1], s, 0, n);
                assertArrayEquals(s, v, fn + " strides " + st[0] + "," + st[1]);
                for (int i = 0; i < n; i += 101) {
                    assertClose(fn, reference(fn, a[i * st[0]], b[i * st[1]]), v[i], fn + " at " + i);
                }
            }
        }
    }

    /** MAX/MIN/ATAN2 special cases once C2 has compiled the loops (intrinsics differ from the fallback). */
    @Test
    void specialValuesWhenCompiled() {
        int m = SPECIAL.length;
        float[] a = new float[m * m], b = new float[m * m], d = new float[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                a[i * m + j] = SPECIAL[i];
                b[i * m + j] = SPECIAL[j];
            }
        }
        for (BinaryFn fn : new BinaryFn[] {BinaryFn.MAX, BinaryFn.MIN, BinaryFn.ATAN2, BinaryFn.DIV, BinaryFn.POW}) {
            for (int rep = 0; rep <= 8000; rep++) {
                BinaryKernels.applyVector(fn, a, 0, 1, b, 0, 1, d, 0, a.length);
                if (rep % 2000 == 0) {
                    for (int i = 0; i < a.length; i++) {
                        assertClose(fn, reference(fn, a[i], b[i]), d[i], fn + "(" + a[i] + ", " + b[i] + ")");
                    }
                }
            }
        }
        float[] out = new float[2];
        BinaryKernels.apply(BinaryFn.MAX, new float[] {-0f, 0f}, 0, 1, new float[] {0f, -0f}, 0, 1, out, 0, 2);
        assertArrayEquals(new float[] {0f, 0f}, out);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(out[0]));
    }

    @Test
    void floatComparisonsMatchScalarAndReference() {
        for (BinaryFn fn : BinaryFn.values()) {
            if (!fn.isPredicate()) continue;
            for (int[] st : STRIDES) {
                for (int n : LENGTHS) {
                    float[] a = inputs(n + 1, n), b = inputs(n + 2, n + 5L);
                    boolean[] v = new boolean[n + 3], s = new boolean[n + 3];
                    BinaryKernels.compare(fn, a, 1, st[0], b, 2, st[1], v, 3, n);
                    BinaryKernels.compareScalar(fn, a, 1, st[0], b, 2, st[1], s, 3, n);
                    for (int i = 0; i < n; i++) {
                        float x = a[1 + i * st[0]], y = b[2 + i * st[1]];
                        boolean ref = fn.apply(x, y) != 0;
                        assertEquals(ref, v[3 + i], fn + "(" + x + ", " + y + ")");
                        assertEquals(ref, s[3 + i], fn + "(" + x + ", " + y + ") scalar");
                    }
                    CompareKernels.vector(fn, a, 1, st[0], b, 2, st[1], v, 3, n);
                    assertArrayEquals(s, v);
                }
            }
        }
        int n = 300_007;
        float[] a = inputs(n, 9), b = inputs(n, 10);
        boolean[] v = new boolean[n], s = new boolean[n];
        CompareKernels.vector(BinaryFn.LE, a, 0, 1, b, 0, 1, v, 0, n);
        BinaryKernels.compareScalar(BinaryFn.LE, a, 0, 1, b, 0, 1, s, 0, n);
        assertArrayEquals(s, v);
    }

    @Test
    void otherDtypeComparisons() {
        double[] da = {1, 2, Double.NaN, -0.0, 5, 0}, db = {2, 2, Double.NaN, 0.0, Double.NaN, 3};
        int[] ia = {1, 2, 3, 0, -5, 0}, ib = {2, 2, 1, 0, 4, 7};
        long[] la = {1, 2, 3, 0, Long.MIN_VALUE, 0}, lb = {2, 2, 1, 0, Long.MAX_VALUE, 7};
        boolean[] ba = {true, false, true, false, true, false}, bb = {true, true, false, false, false, true};
        boolean[] out = new boolean[6];
        for (BinaryFn fn : BinaryFn.values()) {
            if (!fn.isPredicate()) {
                assertThrows(IllegalArgumentException.class,
                        () -> BinaryKernels.compare(fn, ia, 0, 1, ib, 0, 1, out, 0, 6));
                continue;
            }
            BinaryKernels.compare(fn, da, 0, 1, db, 0, 1, out, 0, 6);
            for (int i = 0; i < 6; i++) assertEquals(fn.apply(da[i], db[i]) != 0, out[i], fn + " double " + i);
            BinaryKernels.compare(fn, ia, 0, 1, ib, 0, 0, out, 0, 6);
            for (int i = 0; i < 6; i++) assertEquals(fn.apply(ia[i], ib[0]) != 0, out[i], fn + " int " + i);
            BinaryKernels.compare(fn, la, 0, 0, lb, 0, 1, out, 0, 6);
            for (int i = 0; i < 6; i++) assertEquals(fn.apply(la[0], lb[i]) != 0, out[i], fn + " long " + i);
            BinaryKernels.compare(fn, ba, 0, 1, bb, 0, 1, out, 0, 6);
            for (int i = 0; i < 6; i++) {
                assertEquals(fn.apply(ba[i] ? 1 : 0, bb[i] ? 1 : 0) != 0, out[i], fn + " bool " + i);
            }
        }
        // long comparisons are exact beyond 2^53, where a double reference is not
        long[] big1 = {(1L << 60) + 1}, big2 = {(1L << 60) + 2};
        BinaryKernels.compare(BinaryFn.LT, big1, 0, 1, big2, 0, 1, out, 0, 1);
        assertTrue(out[0]);
    }

    @Test
    void doubleIsTheReferenceExactly() {
        Random rnd = new Random(4);
        int n = 99;
        double[] a = new double[n], b = new double[n], d = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % 9 == 0 ? SPECIAL[i % SPECIAL.length] : rnd.nextGaussian() * 4;
            b[i] = i % 7 == 0 ? SPECIAL[(i / 7) % SPECIAL.length] : rnd.nextGaussian() * 4;
        }
        for (BinaryFn fn : BinaryFn.values()) {
            if (fn.isPredicate()) continue;
            for (int[] st : STRIDES) {
                BinaryKernels.apply(fn, a, 0, st[0], b, 0, st[1], d, 0, n);
                for (int i = 0; i < n; i++) {
                    double ref = fn.apply(a[i * st[0]], b[i * st[1]]);
                    assertEquals(Double.doubleToLongBits(ref), Double.doubleToLongBits(d[i]), fn + " at " + i);
                }
            }
        }
    }

    @Test
    void integerArithmeticFloorsAndWraps() {
        int[] a = {7, -7, 7, -7, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, 3, -2, 5};
        int[] b = {2, 2, -2, -2, 5, -1, 1, 4, 3, 1};
        int[] d = new int[a.length];
        BinaryKernels.apply(BinaryFn.DIV, a, 0, 1, b, 0, 1, d, 0, a.length);
        assertArrayEquals(new int[] {3, -4, -4, 3, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 5}, d);
        BinaryKernels.apply(BinaryFn.MOD, a, 0, 1, b, 0, 1, d, 0, a.length);
        assertArrayEquals(new int[] {1, 1, -1, -1, 0, 0, 0, 3, 1, 0}, d);
        int[] e = {2, 2, 0, 1, 5, 0, 1, 4, 3, 1};
        BinaryKernels.apply(BinaryFn.POW, a, 0, 1, e, 0, 1, d, 0, a.length);
        assertArrayEquals(new int[] {49, 49, 1, -7, 0, 1, Integer.MAX_VALUE, 81, -8, 5}, d);
        BinaryKernels.apply(BinaryFn.ADD, a, 5, 1, b, 0, 0, d, 0, 2);
        assertEquals(Integer.MIN_VALUE + 2, d[0]);
        assertEquals(Integer.MIN_VALUE + 1, d[1], "wraps");
        BinaryKernels.apply(BinaryFn.MUL, new int[] {65536}, 0, 0, new int[] {65536}, 0, 0, d, 0, 1);
        assertEquals(0, d[0], "wraps");
        BinaryKernels.apply(BinaryFn.POW, new int[] {3}, 0, 0, new int[] {40}, 0, 0, d, 0, 1);
        int wrapped = 1;
        for (int i = 0; i < 40; i++) wrapped *= 3;
        assertEquals(wrapped, d[0], "pow wraps like repeated multiplication");

        long[] la = {7, -7, 7, -7, Long.MIN_VALUE, 2}, lb = {2, 2, -2, -2, -1, 62};
        long[] ld = new long[la.length];
        BinaryKernels.apply(BinaryFn.DIV, la, 0, 1, lb, 0, 1, ld, 0, la.length);
        assertArrayEquals(new long[] {3, -4, -4, 3, Long.MIN_VALUE, 0}, ld);
        BinaryKernels.apply(BinaryFn.MOD, la, 0, 1, lb, 0, 1, ld, 0, la.length);
        assertArrayEquals(new long[] {1, 1, -1, -1, 0, 2}, ld);
        BinaryKernels.apply(BinaryFn.POW, la, 5, 0, lb, 5, 0, ld, 0, 3);
        assertArrayEquals(new long[] {1L << 62, 1L << 62, 1L << 62}, java.util.Arrays.copyOf(ld, 3));
        BinaryKernels.apply(BinaryFn.MAX, la, 0, 1, lb, 0, 1, ld, 0, la.length);
        assertArrayEquals(new long[] {7, 2, 7, -2, -1, 62}, ld);
        // floor identity: a == div(a, b) * b + mod(a, b)
        int[] q = new int[200], r = new int[200], xs = new int[200], ys = new int[200];
        Random rnd = new Random(5);
        for (int i = 0; i < 200; i++) {
            xs[i] = rnd.nextInt(2001) - 1000;
            ys[i] = rnd.nextInt(41) - 20;
            if (ys[i] == 0) ys[i] = 3;
        }
        BinaryKernels.apply(BinaryFn.DIV, xs, 0, 1, ys, 0, 1, q, 0, 200);
        BinaryKernels.apply(BinaryFn.MOD, xs, 0, 1, ys, 0, 1, r, 0, 200);
        for (int i = 0; i < 200; i++) {
            assertEquals(xs[i], q[i] * ys[i] + r[i]);
            assertEquals((int) Math.floor((double) xs[i] / ys[i]), q[i]);
            assertTrue(r[i] == 0 || Integer.signum(r[i]) == Integer.signum(ys[i]));
        }
    }

    private static long intReference(BinaryFn fn, long x, long y) {
        return switch (fn) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> Math.floorDiv(x, y);
            case MOD -> Math.floorMod(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            default -> { // POW, small exponents
                long r = 1;
                for (int i = 0; i < y; i++) r *= x;
                yield r;
            }
        };
    }

    /** float64, int32 and int64 arithmetic over a run split into chunks, from offsets, one operand repeated. */
    @Test
    void otherDtypeArithmeticOverALongRunFromOffsets() {
        int n = BinaryKernels.PARALLEL_THRESHOLD + BinaryKernels.GRAIN + 3;
        Random rnd = new Random(9);
        double[] da = new double[n + 1], db = new double[n + 2], dd = new double[n + 3];
        int[] ia = new int[n + 1], ib = new int[n + 2], id = new int[n + 3];
        long[] la = new long[n + 1], lb = new long[n + 2], ld = new long[n + 3];
        for (int i = 0; i < da.length; i++) {
            ia[i] = rnd.nextInt(2001) - 1000;
            la[i] = ia[i] * 3_000_000_019L;
            da[i] = rnd.nextGaussian() * 10;
        }
        for (int i = 0; i < db.length; i++) {
            ib[i] = 1 + rnd.nextInt(5); // divisors and exponents: positive
            lb[i] = ib[i];
            db[i] = rnd.nextGaussian() * 3;
        }
        BinaryFn[] fns = {BinaryFn.ADD, BinaryFn.SUB, BinaryFn.MUL, BinaryFn.DIV, BinaryFn.MOD, BinaryFn.MAX,
                BinaryFn.MIN, BinaryFn.POW};
        for (BinaryFn fn : fns) {
            for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                String what = fn + " strides " + st[0] + "," + st[1];
                BinaryKernels.apply(fn, da, 1, st[0], db, 2, st[1], dd, 3, n);
                BinaryKernels.apply(fn, ia, 1, st[0], ib, 2, st[1], id, 3, n);
                BinaryKernels.apply(fn, la, 1, st[0], lb, 2, st[1], ld, 3, n);
                for (int i = 0; i < n; i++) {
                    int ai = 1 + i * st[0], bi = 2 + i * st[1];
                    double ed = fn.apply(da[ai], db[bi]);
                    if (Double.doubleToLongBits(ed) != Double.doubleToLongBits(dd[3 + i])) fail(what + " double " + i);
                    if ((int) intReference(fn, ia[ai], ib[bi]) != id[3 + i]) fail(what + " int " + i);
                    if (intReference(fn, la[ai], lb[bi]) != ld[3 + i]) fail(what + " long " + i);
                }
            }
        }
    }

    @Test
    void integerErrorsThrowDocumentedMessagesAndLeaveDstAlone() {
        int[] a = {1, 2, 3}, b = {1, 0, 1}, d = {9, 9, 9};
        var e = assertThrows(ArithmeticException.class,
                () -> BinaryKernels.apply(BinaryFn.DIV, a, 0, 1, b, 0, 1, d, 0, 3));
        assertEquals("div: integer division by zero", e.getMessage());
        assertArrayEquals(new int[] {9, 9, 9}, d);
        e = assertThrows(ArithmeticException.class, () -> BinaryKernels.apply(BinaryFn.MOD, a, 0, 1, b, 1, 0, d, 0, 3));
        assertEquals("mod: integer division by zero", e.getMessage());
        long[] la = {1, 2}, lb = {0, 0}, ld = new long[2];
        e = assertThrows(ArithmeticException.class,
                () -> BinaryKernels.apply(BinaryFn.DIV, la, 0, 1, lb, 0, 1, ld, 0, 2));
        assertEquals("div: integer division by zero", e.getMessage());
        var p = assertThrows(IllegalArgumentException.class,
                () -> BinaryKernels.apply(BinaryFn.POW, a, 0, 1, new int[] {2, -1, 2}, 0, 1, d, 0, 3));
        assertEquals("pow: integers to negative integer powers are not allowed", p.getMessage());
        p = assertThrows(IllegalArgumentException.class,
                () -> BinaryKernels.apply(BinaryFn.POW, la, 0, 1, new long[] {-3}, 0, 0, ld, 0, 2));
        assertEquals("pow: integers to negative integer powers are not allowed", p.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BinaryKernels.apply(BinaryFn.ATAN2, a, 0, 1, a, 0, 1, d, 0, 3));
        // a zero divisor outside the run is fine
        BinaryKernels.apply(BinaryFn.DIV, a, 0, 1, b, 0, 1, d, 0, 1);
        assertEquals(1, d[0]);
    }

    @Test
    void argumentChecks() {
        float[] f = new float[8];
        assertThrows(IllegalArgumentException.class, () -> BinaryKernels.apply(BinaryFn.LT, f, 0, 1, f, 0, 1, f, 0, 8));
        assertThrows(IllegalArgumentException.class,
                () -> BinaryKernels.apply(BinaryFn.ADD, f, 0, 2, f, 0, 1, f, 0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> BinaryKernels.compare(BinaryFn.ADD, f, 0, 1, f, 0, 1, new boolean[8], 0, 8));
        assertThrows(IndexOutOfBoundsException.class,
                () -> BinaryKernels.apply(BinaryFn.ADD, f, 1, 1, f, 0, 1, f, 0, 8));
        assertThrows(IndexOutOfBoundsException.class,
                () -> BinaryKernels.apply(BinaryFn.ADD, f, 8, 0, f, 0, 1, f, 0, 8));
        assertThrows(IndexOutOfBoundsException.class,
                () -> BinaryKernels.where(new boolean[3], 0, 1, f, 0, 1, f, 0, 1, f, 0, 4));
        // stride-0 operand at the last index is in bounds; n == 0 touches nothing
        BinaryKernels.apply(BinaryFn.ADD, f, 7, 0, f, 0, 1, f, 0, 8);
        BinaryKernels.apply(BinaryFn.ADD, new float[0], 0, 1, new float[0], 0, 0, new float[0], 0, 0);
    }

    @Test
    void whereSelectsForEveryDtype() {
        int n = 37;
        boolean[] c = new boolean[n + 1];
        Random rnd = new Random(6);
        for (int i = 0; i < c.length; i++) c[i] = rnd.nextBoolean();
        for (int[] st : new int[][] {{1, 1, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {0, 0, 0}}) {
            float[] fa = inputs(n + 2, 1), fb = inputs(n + 2, 2), fd = new float[n];
            BinaryKernels.where(c, 1, st[0], fa, 2, st[1], fb, 1, st[2], fd, 0, n);
            double[] da = new double[n + 2], db = new double[n + 2], dd = new double[n];
            int[] ia = new int[n + 2], ib = new int[n + 2], id = new int[n];
            long[] la = new long[n + 2], lb = new long[n + 2], ld = new long[n];
            boolean[] ba = new boolean[n + 2], bb = new boolean[n + 2], bd = new boolean[n];
            for (int i = 0; i < n + 2; i++) {
                da[i] = fa[i];
                db[i] = fb[i];
                ia[i] = i;
                ib[i] = -i;
                la[i] = 10L * i;
                lb[i] = -10L * i;
                ba[i] = i % 3 == 0;
                bb[i] = i % 2 == 0;
            }
            BinaryKernels.where(c, 1, st[0], da, 2, st[1], db, 1, st[2], dd, 0, n);
            BinaryKernels.where(c, 1, st[0], ia, 2, st[1], ib, 1, st[2], id, 0, n);
            BinaryKernels.where(c, 1, st[0], la, 2, st[1], lb, 1, st[2], ld, 0, n);
            BinaryKernels.where(c, 1, st[0], ba, 2, st[1], bb, 1, st[2], bd, 0, n);
            for (int i = 0; i < n; i++) {
                boolean cond = c[1 + i * st[0]];
                int ai = 2 + i * st[1], bi = 1 + i * st[2];
                assertEquals(Float.floatToIntBits(cond ? fa[ai] : fb[bi]), Float.floatToIntBits(fd[i]));
                assertEquals(cond ? da[ai] : db[bi], dd[i]);
                assertEquals(cond ? ia[ai] : ib[bi], id[i]);
                assertEquals(cond ? la[ai] : lb[bi], ld[i]);
                assertEquals(cond ? ba[ai] : bb[bi], bd[i]);
            }
        }
    }

    /** A run long enough to be split into chunks for the kernel threads, with a vector body and a tail per chunk. */
    @Test
    void whereOverALongRunSelectsEveryElement() {
        int n = BinaryKernels.PARALLEL_THRESHOLD + 2 * BinaryKernels.GRAIN + 5;
        Random rnd = new Random(7);
        boolean[] c = new boolean[n + 1];
        for (int i = 0; i < c.length; i++) c[i] = rnd.nextBoolean();
        float[] a = inputs(n + 2, 3), b = inputs(n + 1, 4);
        for (int[] st : new int[][] {{1, 1, 1}, {1, 0, 1}, {1, 1, 0}, {1, 0, 0}, {0, 1, 1}}) {
            float[] d = inputs(n, 5);
            BinaryKernels.where(c, 1, st[0], a, 2, st[1], b, 1, st[2], d, 0, n);
            for (int i = 0; i < n; i++) {
                float expect = c[1 + i * st[0]] ? a[2 + i * st[1]] : b[1 + i * st[2]];
                if (Float.floatToRawIntBits(expect) != Float.floatToRawIntBits(d[i]))
                    assertEquals(expect, d[i], "element " + i + " of strides " + java.util.Arrays.toString(st));
            }
        }
    }

    /** Comparisons of the non-float32 dtypes over a run split into chunks, from offsets, one operand repeated. */
    @Test
    void otherDtypeComparisonsOverALongRunFromOffsets() {
        int n = BinaryKernels.PARALLEL_THRESHOLD + BinaryKernels.GRAIN + 3;
        Random rnd = new Random(8);
        double[] da = new double[n + 1], db = new double[n + 2];
        int[] ia = new int[n + 1], ib = new int[n + 2];
        long[] la = new long[n + 1], lb = new long[n + 2];
        boolean[] ba = new boolean[n + 1], bb = new boolean[n + 2];
        for (double[] x : new double[][] {da, db})
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(12) == 0 ? Double.NaN : rnd.nextInt(5) - 2;
        for (int i = 0; i < da.length; i++) { ia[i] = (int) (Double.isNaN(da[i]) ? 0 : da[i]); la[i] = ia[i] * (1L << 40); ba[i] = ia[i] > 0; }
        for (int i = 0; i < db.length; i++) { ib[i] = (int) (Double.isNaN(db[i]) ? 0 : db[i]); lb[i] = ib[i] * (1L << 40); bb[i] = ib[i] > 0; }
        boolean[] out = new boolean[n + 3];
        for (BinaryFn fn : BinaryFn.values()) {
            if (!fn.isPredicate()) continue;
            for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                String what = fn + " strides " + st[0] + "," + st[1];
                BinaryKernels.compare(fn, da, 1, st[0], db, 2, st[1], out, 3, n);
                for (int i = 0; i < n; i++)
                    if (out[3 + i] != (fn.apply(da[1 + i * st[0]], db[2 + i * st[1]]) != 0)) fail(what + " double " + i);
                BinaryKernels.compare(fn, ia, 1, st[0], ib, 2, st[1], out, 3, n);
                for (int i = 0; i < n; i++)
                    if (out[3 + i] != (fn.apply(ia[1 + i * st[0]], ib[2 + i * st[1]]) != 0)) fail(what + " int " + i);
                BinaryKernels.compare(fn, la, 1, st[0], lb, 2, st[1], out, 3, n);
                for (int i = 0; i < n; i++)
                    if (out[3 + i] != (fn.apply(ia[1 + i * st[0]], ib[2 + i * st[1]]) != 0)) fail(what + " long " + i);
                BinaryKernels.compare(fn, ba, 1, st[0], bb, 2, st[1], out, 3, n);
                for (int i = 0; i < n; i++) {
                    boolean expect = fn.apply(ba[1 + i * st[0]] ? 1 : 0, bb[2 + i * st[1]] ? 1 : 0) != 0;
                    if (out[3 + i] != expect) fail(what + " bool " + i);
                }
            }
        }
    }
}
