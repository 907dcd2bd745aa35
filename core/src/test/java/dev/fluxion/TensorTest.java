package dev.fluxion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {
    @Test
    void creationFunctions() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3).toFloatArray());
        assertArrayEquals(new double[] {7, 7}, Tensor.full(7, DType.FLOAT64, 2).toDoubleArray());
        assertArrayEquals(new int[] {0, 1, 2, 3}, Tensor.arange(4).toIntArray());
        assertArrayEquals(new double[] {1, 1.5, 2}, Tensor.arange(1, 2.5, 0.5, DType.FLOAT64).toDoubleArray());
        assertEquals(0, Tensor.arange(3, 1, 1, DType.INT32).size());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensor.linspace(0, 1, 5).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
        assertEquals(3.5, Tensor.scalar(3.5f).item());
        assertEquals(0, Tensor.scalar(1f).rank());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 3).shape());
        assertEquals(0, Tensor.zeros(0, 3).size());
    }

    @Test
    void creationErrorsNameTheProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("5 values cannot fill shape [2,3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertTrue(e.getMessage().contains("negative dimension"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0, DType.INT32));
        assertTrue(e.getMessage().startsWith("arange"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2).item());
        assertTrue(e.getMessage().contains("item"), e.getMessage());
    }

    @Test
    void viewsShareStorage() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = x.transpose();
        assertSame(x.storage(), t.storage());
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
        Tensor r = x.reshape(3, -1);
        assertSame(x.storage(), r.storage());
        assertArrayEquals(new int[] {3, 2}, r.shape());
        Tensor row = x.get(1);
        assertSame(x.storage(), row.storage());
        assertArrayEquals(new float[] {4, 5, 6}, row.toFloatArray());
        Tensor stepped = ArrayOps.slice(x, 1, 0, 3, 2);
        assertArrayEquals(new float[] {1, 3, 4, 6}, stepped.toFloatArray());
        Tensor reversed = ArrayOps.flip(x, 1);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, reversed.toFloatArray());
        Tensor b = Tensor.vector(1, 2, 3).broadcastTo(2, 3);
        assertSame(b.storage(), b.storage());
        assertArrayEquals(new int[] {0, 1}, b.strides());
        // reshaping a non-contiguous view copies
        Tensor tr = t.reshape(6);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, tr.toFloatArray());
    }

    @Test
    void opsOnViewsMatchOpsOnCopies() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = x.transpose();
        Tensor copy = t.contiguous();
        assertArrayEquals(copy.add(copy).toFloatArray(), t.add(t).toFloatArray());
        assertArrayEquals(copy.matmul(x).toFloatArray(), t.matmul(x).toFloatArray());
        assertArrayEquals(copy.sum(new int[] {0}, false).toFloatArray(), t.sum(new int[] {0}, false).toFloatArray());
    }

    @Test
    void toStringIsReadable() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertEquals("tensor([[1.0, 2.0],\n        [3.0, 4.0]], float32[2,2])", x.toString());
        assertEquals("tensor(5, int32[])", Tensor.full(5, DType.INT32).toString());
        assertEquals("tensor([ true, false], bool[2])", Tensor.of(new boolean[] {true, false}, 2).toString());
        String big = Tensor.zeros(2000).toString();
        assertTrue(big.contains("...") && big.length() < 200, big);
    }

    @Test
    void conversionsBetweenDtypes() {
        Tensor x = Tensor.of(new float[] {1.7f, -1.7f, 0}, 3);
        assertArrayEquals(new int[] {1, -1, 0}, x.cast(DType.INT32).toIntArray());
        assertArrayEquals(new boolean[] {true, true, false}, x.cast(DType.BOOL).toBooleanArray());
        assertArrayEquals(new long[] {1, -1, 0}, x.toLongArray());
        assertEquals(DType.FLOAT64, x.cast(DType.FLOAT64).dtype());
    }

    @Test
    void matmulErrorNamesShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(128, 784).matmul(Tensor.zeros(128, 10)));
        assertEquals("matmul: cannot multiply [128,784] by [128,10]: inner dimensions 784 and 128 differ", e.getMessage());
    }

    @Test
    void nullAxesReduceEverythingAndAnEmptyArrayNothing() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(21f, Ops.sum(x).item(), "varargs with no axes: the total");
        assertEquals(21f, x.sum().item());
        assertEquals(21f, Ops.reduce(dev.fluxion.ops.ReduceFn.SUM, x, null, false).item(), "null: every axis");
        assertArrayEquals(new float[] {5, 7, 9}, Ops.sum(x, 0).toFloatArray());
        // an empty array reduces nothing (NumPy's axis=(), TensorFlow's axis=[]): x itself, whatever the reduction
        for (dev.fluxion.ops.ReduceFn fn : dev.fluxion.ops.ReduceFn.values())
            for (boolean keep : new boolean[] {false, true}) {
                Tensor y = Ops.reduce(fn, x, new int[0], keep);
                assertArrayEquals(new int[] {2, 3}, y.shape(), fn + " keepDims " + keep);
                assertArrayEquals(x.toFloatArray(), y.toFloatArray(), fn + " keepDims " + keep);
            }
        assertArrayEquals(x.toFloatArray(), Ops.mean(x, new int[0], false).toFloatArray());
        assertArrayEquals(new float[6], Ops.variance(x, new int[0], true).toFloatArray(), "variance over no axes is 0");
        assertArrayEquals(x.toFloatArray(), Ops.logSumExp(x, new int[0], false).toFloatArray(), 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> Ops.reduce(dev.fluxion.ops.ReduceFn.MAX, Tensor.zeros(DType.BOOL, 2), new int[0], false));
        assertTrue(e.getMessage().contains("reduce_max") && e.getMessage().contains("bool"), e.getMessage());
    }
}
