package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.opdb.OpInfo.Input;
import dev.fluxion.opdb.OpInfo.Layout;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** Checks of the database itself: coverage of the primitive functions, sample validity, and the references. */
class OpDatabaseTest {

    private static Set<String> names() {
        Set<String> names = new HashSet<>();
        for (OpInfo op : OpDatabase.ALL) names.add(op.name());
        return names;
    }

    @Test
    void everyUnaryAndBinaryFunctionHasAnEntry() {
        Set<String> names = names(), missing = new TreeSet<>();
        for (UnaryFn fn : UnaryFn.values()) if (!names.contains(fn.name().toLowerCase())) missing.add("UnaryFn." + fn);
        for (BinaryFn fn : BinaryFn.values()) if (!names.contains(fn.name().toLowerCase())) missing.add("BinaryFn." + fn);
        assertTrue(missing.isEmpty(), "functions without an op database entry: " + missing);
    }

    @Test
    void requiredOpsArePresent() {
        Set<String> names = names(), missing = new TreeSet<>();
        for (String n : new String[] {"where", "cast to float32", "cast to int64", "cast to bool", "reduce_sum", "reduce_prod",
                "reduce_max", "reduce_min", "mean", "variance", "std", "logsumexp", "argmax", "argmin", "matmul",
                "matmul (transpose flags)", "conv2d", "max_pool2d", "avg_pool2d", "softmax", "log_softmax", "relu6",
                "leaky_relu (alpha 0.2)", "elu", "selu", "softplus", "softsign", "swish", "gelu", "gelu_tanh", "clip",
                "gather", "take", "one_hot", "reshape", "transpose", "broadcast_to", "slice", "index", "flip", "pad",
                "concat", "stack", "split", "tile", "squeeze", "expand_dims"})
            if (!names.contains(n)) missing.add(n);
        assertTrue(missing.isEmpty(), "missing ops: " + missing);
    }

    @Test
    void namesAreUniqueAndEntriesComplete() {
        assertEquals(OpDatabase.ALL.size(), names().size(), "duplicate op names");
        for (OpInfo op : OpDatabase.ALL) {
            assertFalse(op.samples().isEmpty(), op.name() + ": no samples");
            assertTrue(op.cannotFail() || !op.errors().isEmpty(), op.name() + ": an op that can fail needs error inputs");
            if (op.differentiable())
                assertTrue(op.samples().stream().anyMatch(s -> s.grad() && s.hasFloating()), op.name() + ": differentiable but no gradient sample");
        }
    }

    /** Every sample's reference runs and every sample materializes in each of its layouts. */
    @Test
    void samplesAreWellFormed() {
        for (OpInfo op : OpDatabase.ALL)
            for (Sample s : op.samples()) {
                Nd[] out = op.ref().apply(Harness.refInputs(s, DType.FLOAT64), s.args());
                assertTrue(out.length > 0, op.name() + " / " + s);
                for (Input in : s.inputs())
                    if (in.layout() != Layout.CONTIGUOUS)
                        assertTrue(in.values().rank() >= (in.layout() == Layout.TRANSPOSED ? 2 : 1), op.name() + " / " + s);
            }
    }

    @Test
    void databaseCoversTheShapeClasses() {
        int zeroD = 0, empty = 0, prime = 0, views = 0, broadcast = 0;
        for (OpInfo op : OpDatabase.ALL)
            for (Sample s : op.samples()) {
                for (Input in : s.inputs()) {
                    if (in.values().rank() == 0) zeroD++;
                    if (in.values().size() == 0) empty++;
                    for (int d : in.values().shape) if (d == 7 || d == 13 || d == 97) prime++;
                    if (in.layout() != Layout.CONTIGUOUS) views++;
                }
                if (s.inputs().size() == 2 && !java.util.Arrays.equals(s.inputs().get(0).values().shape, s.inputs().get(1).values().shape)) broadcast++;
            }
        assertTrue(zeroD > 50 && empty > 50 && prime > 50 && views > 100 && broadcast > 50,
                "0-d " + zeroD + ", empty " + empty + ", prime " + prime + ", views " + views + ", broadcast " + broadcast);
    }

    // ------------------------------------------------------------------ the harness

    @Test
    void viewLayoutsAreRealViewsWithTheSampleValues() {
        Nd v = new Gen("views").any(3, 4);
        Nd rows = Samples.repeated(new Gen("rows")::any, 3, 4); // for the broadcast view
        for (Layout l : Layout.values())
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.BOOL}) {
                Nd values = l == Layout.EXPANDED ? rows : v;
                Tensor x = Harness.make(values, t, l);
                assertArrayEquals(values.shape, x.shape(), l + " " + t);
                assertArrayEquals(Harness.rounded(values, t).data, x.toDoubleArray(), 0, l + " " + t);
                if (l != Layout.CONTIGUOUS) assertTrue(!x.isContiguous() || x.offset() != 0, l + " " + t + " is not a view");
            }
        Tensor r = Harness.make(v, DType.FLOAT64, Layout.REVERSED);
        assertTrue(r.strides()[0] < 0, "reversed view has a negative stride");
        assertEquals(0, Harness.make(rows, DType.FLOAT32, Layout.EXPANDED).strides()[0], "broadcast view has stride 0");
        assertThrows(IllegalArgumentException.class, () -> Harness.make(v, DType.FLOAT32, Layout.EXPANDED), "rows must repeat");
    }

    // ------------------------------------------------------------------ the references

    @Test
    void erfReference() {
        assertEquals(0.0, Ref.erf(0), 0);
        assertEquals(0.8427007929497149, Ref.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, Ref.erf(-2), 1e-15);
        assertEquals(0.9999779095030014, Ref.erf(3), 1e-15);
        assertEquals(0.5204998778130465, Ref.erf(0.5), 1e-15);
        assertEquals(1.1283791670955126e-8, Ref.erf(1e-8), 1e-22);
    }

    @Test
    void matmulReference() {
        Nd a = Nd.of(new int[] {2, 3}, 1, 2, 3, 4, 5, 6), b = Nd.of(new int[] {3, 2}, 7, 8, 9, 10, 11, 12);
        assertArrayEquals(new double[] {58, 64, 139, 154}, Ref.matmul(a, b).data);
        assertArrayEquals(new double[] {58, 139}, Ref.matmul(a, Nd.of(new int[] {3}, 7, 9, 11)).data);
        assertEquals(0, Ref.matmul(Nd.of(new int[] {3}, 1, 2, 3), Nd.of(new int[] {3}, 1, 2, 3)).rank());
        assertArrayEquals(new double[] {58, 64, 139, 154}, Ref.matmul(a.swapLast(), b, true, false).data);
        Nd batch = Ref.matmul(Nd.of(new int[] {2, 1, 1, 2}, 1, 2, 3, 4), Nd.of(new int[] {3, 2, 1}, 1, 1, 1, 0, 0, 1));
        assertArrayEquals(new int[] {2, 3, 1, 1}, batch.shape);
        assertArrayEquals(new double[] {3, 1, 2, 7, 3, 4}, batch.data);
    }

    @Test
    void convolutionAndPoolingReferences() {
        // 3x3 input 1..9, 2x2 filter [[1,0],[0,1]]: valid gives x[i][j] + x[i+1][j+1]
        Nd x = Nd.of(new int[] {1, 3, 3, 1}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Nd f = Nd.of(new int[] {2, 2, 1, 1}, 1, 0, 0, 1);
        assertArrayEquals(new double[] {6, 8, 12, 14}, Ref.conv2d(x, f, 1, 1, false, 1, 1).data);
        // SAME with an even kernel pads only at the bottom/right (TF): last row/column see zeros
        assertArrayEquals(new double[] {6, 8, 3, 12, 14, 6, 7, 8, 9}, Ref.conv2d(x, f, 1, 1, true, 1, 1).data);
        // dilation 2: x[i][j] + x[i+2][j+2]
        assertArrayEquals(new double[] {10}, Ref.conv2d(x, f, 1, 1, false, 2, 2).data);
        assertArrayEquals(new double[] {5, 6, 8, 9}, Ref.pool(true, x, 2, 2, 1, 1, false).data);
        // SAME 2x2 stride 2 on 3x3: output 2x2; the average excludes padded cells
        assertArrayEquals(new double[] {3, 4.5, 7.5, 9}, Ref.pool(false, x, 2, 2, 2, 2, true).data);
        assertArrayEquals(new int[] {3, 1}, Ref.padding(true, 5, 3, 2, 1)); // out 3, total pad 2
        assertArrayEquals(new int[] {3, 0}, Ref.padding(false, 6, 2, 2, 1));
    }

    @Test
    void sliceReferenceFollowsPython() {
        // Python: list(range(6))[1:4], [::-1], [5:0:-2], [-3:-1], [-100:100:3], [4:1], [1:3:-1]
        assertArrayEquals(new int[] {1, 3}, Ref.sliceIndices(1, 4, 1, 6));
        assertArrayEquals(new int[] {5, 6}, Ref.sliceIndices(null, null, -1, 6));
        assertArrayEquals(new int[] {5, 3}, Ref.sliceIndices(5, 0, -2, 6));
        assertArrayEquals(new int[] {3, 2}, Ref.sliceIndices(-3, -1, 1, 6));
        assertArrayEquals(new int[] {0, 2}, Ref.sliceIndices(-100, 100, 3, 6));
        assertEquals(0, Ref.sliceIndices(4, 1, 1, 6)[1]);
        assertEquals(0, Ref.sliceIndices(1, 3, -1, 6)[1]);
        assertArrayEquals(new int[] {5, 6}, Ref.sliceIndices(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 6));
        assertArrayEquals(new int[] {6, 3}, Ref.sliceIndices(100, -100, -3, 7)); // 6, 3, 0
    }

    @Test
    void lanesReductionsAndBroadcasting() {
        Nd x = Nd.of(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new double[] {5, 7, 9}, x.reduce(new int[] {0}, false, Nd::sum).data);
        assertArrayEquals(new int[] {2, 1}, x.reduce(new int[] {-1}, true, Nd::sum).shape);
        assertArrayEquals(new double[] {720}, x.reduce(null, false, Nd::prod).data);
        assertArrayEquals(new double[] {11, 22, 33, 14, 25, 36},
                Nd.zip(x, Nd.of(new int[] {3}, 10, 20, 30), Double::sum).data);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, x.permute(1, 0).data);
        assertArrayEquals(new double[] {3, 2, 1, 6, 5, 4}, x.take(1, 2, 3, -1).data);
        double[] sm = Ref.softmax(new double[] {1000, 1000});
        assertArrayEquals(new double[] {0.5, 0.5}, sm, 1e-15);
        assertEquals(Math.log(2) + 1000, Ref.logSumExp(new double[] {1000, 1000}), 1e-12);
        assertArrayEquals(new double[] {1, 2, 1, 2, 3, 4, 3, 4}, Ref.tile(Nd.of(new int[] {2, 2}, 1, 2, 3, 4), new int[] {1, 2}).data);
    }
}
