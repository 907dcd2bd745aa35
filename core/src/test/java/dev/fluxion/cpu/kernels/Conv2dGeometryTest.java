package dev.fluxion.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Conv2dGeometryTest {

    /** Sizes n, h, w, c, kh, kw, o, oh, ow, strides, dilations, paddings of a valid geometry. */
    private static final int[] BASE = {2, 7, 6, 3, 3, 2, 4, 5, 4, 1, 2, 1, 1, 1, 0};

    private static Conv2dGeometry of(int[] a) {
        return new Conv2dGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                a[13], a[14]);
    }

    @Test
    void everySizeMayBeZeroButNotNegative() {
        for (int i = 0; i < 9; i++) {
            int[] a = BASE.clone();
            a[i] = 0;
            assertDoesNotThrow(() -> of(a), "size " + i + " zero");
            a[i] = -1;
            var e = assertThrows(IllegalArgumentException.class, () -> of(a), "size " + i + " negative");
            assertTrue(e.getMessage().contains("negative size"), e.getMessage());
        }
    }

    @Test
    void stridesAndDilationsMustBePositive() {
        for (int i = 9; i < 13; i++) {
            int[] a = BASE.clone();
            a[i] = 0;
            var e = assertThrows(IllegalArgumentException.class, () -> of(a), "stride/dilation " + i + " zero");
            assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
            a[i] = 1;
            assertDoesNotThrow(() -> of(a));
        }
    }

    @Test
    void derivedSizes() {
        Conv2dGeometry g = of(BASE);
        assertEquals(3 * 2 * 3, g.patch());
        assertEquals(2 * 5 * 4, g.rows());
        assertEquals(2L * 7 * 6 * 3, g.xSize());
        assertEquals(3L * 2 * 3 * 4, g.wSize());
        assertEquals(2L * 5 * 4 * 4, g.ySize());
        assertEquals(2L * 5 * 4 * 3 * 2 * 3 * 4, g.macs());
        // long products: no int overflow
        Conv2dGeometry big = new Conv2dGeometry(64, 512, 512, 64, 3, 3, 64, 512, 512, 1, 1, 1, 1, 1, 1);
        assertEquals(64L * 512 * 512 * 64, big.xSize());
        assertEquals(64L * 512 * 512 * 64, big.ySize());
        assertEquals(64L * 512 * 512 * 9 * 64 * 64, big.macs());
    }

    @Test
    void describesItself() {
        assertEquals("x [2,7,6,3], filter [3,2,3,4], y [2,5,4,4], strides 1x2, dilations 1x1, pad top/left 1/0",
                of(BASE).toString());
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2dGeometry(1, 2, 3, 4, 5, 6, -7, 8, 9, 1, 1, 1, 1, 0, 0));
        assertTrue(e.getMessage().endsWith("x [1,2,3,4], filter [5,6,4,-7], y [1,8,9,-7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2dGeometry(1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, -5, 0, 0));
        assertTrue(e.getMessage().endsWith("strides 2x3, dilations 4x-5"), e.getMessage());
    }

    @Test
    void checkRejectsShortArraysAndNegativeOffsets() {
        Conv2dGeometry g = of(BASE); // x 252, filter 72, y 160
        assertDoesNotThrow(() -> g.check("k", "x", 252, 0, "w", 72, 0, "y", 160, 0));
        assertDoesNotThrow(() -> g.check("k", "x", 255, 3, "w", 73, 1, "y", 162, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> g.check("k", "x", 251, 0, "w", 72, 0, "y", 160, 0));
        assertEquals("k: x needs 252 elements from offset 0 but the array has 251 (x [2,7,6,3], filter [3,2,3,4], "
                + "y [2,5,4,4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.check("k", "x", 252, 0, "w", 72, 1, "y", 160, 0));
        assertTrue(e.getMessage().startsWith("k: w needs 72 elements from offset 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.check("k", "x", 252, 0, "w", 72, 0, "y", 161, 2));
        assertTrue(e.getMessage().startsWith("k: y needs 160 elements from offset 2"), e.getMessage());
        for (int which = 0; which < 3; which++) {
            int[] off = new int[3];
            off[which] = -1;
            assertThrows(IllegalArgumentException.class,
                    () -> g.check("k", "x", 300, off[0], "w", 100, off[1], "y", 200, off[2]), "offset " + which);
        }
    }
}
