package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Forward results of every op in the {@link OpDatabase} against its float64 reference: float32 (tolerances per
 * op, rtol 1e-5 / atol 1e-6 by default), float64 (1e-12 by default), integer and bool dtypes where the reference
 * is exact for them, and samples whose inputs have fixed dtypes. Inputs come contiguous and as transposed,
 * strided and reversed views, with 0-d, empty and prime-length shapes.
 *
 * <p>This class depends on nothing but the database and its harness, so it can run a second time with the scalar
 * kernels ({@code -Dfluxion.simd=false}).
 */
class OpForwardTest {

    @TestFactory
    Stream<DynamicNode> float32() {
        return floating(DType.FLOAT32, Device.CPU);
    }

    @TestFactory
    Stream<DynamicNode> float64() {
        return floating(DType.FLOAT64, Device.CPU);
    }

    @TestFactory
    Stream<DynamicNode> integersAndBool() {
        return integersAndBool(Device.CPU);
    }

    @TestFactory
    Stream<DynamicNode> fixedDtypes() {
        return fixedDtypes(Device.CPU);
    }

    /** int32, int64 and bool for the ops whose reference is exact on them and that claim those dtypes. */
    static Stream<DynamicNode> integersAndBool(Device device) {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.intExact()) continue;
            List<DynamicNode> tests = new ArrayList<>();
            for (DType t : new DType[] {DType.INT32, DType.INT64, DType.BOOL}) {
                if (!op.dtypes().contains(t)) continue;
                for (Sample s : op.samples())
                    if (s.hasFloating() && elements(s) <= LARGE)
                        tests.add(DynamicTest.dynamicTest(s + " as " + t, () -> check(op, s, t, device)));
            }
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    /** Integer and bool runs skip the large samples (the parallel paths are covered in float32/float64). */
    static final int LARGE = 10_000;

    static int elements(Sample s) {
        int n = 0;
        for (var in : s.inputs()) n += in.values().size();
        return n;
    }

    /** Samples whose inputs all have fixed dtypes (logical ops, one_hot, casts from integers, ...). */
    static Stream<DynamicNode> fixedDtypes(Device device) {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Sample s : op.samples())
                if (!s.hasFloating()) tests.add(DynamicTest.dynamicTest(s.toString(), () -> check(op, s, null, device)));
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    static Stream<DynamicNode> floating(DType t, Device device) {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            if (!op.dtypes().contains(t)) continue;
            List<DynamicNode> tests = new ArrayList<>();
            for (Sample s : op.samples())
                if (s.hasFloating()) tests.add(DynamicTest.dynamicTest(s.toString(), () -> check(op, s, t, device)));
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    /**
     * Runs one sample with the floating inputs in dtype {@code t} (null: the sample has none) and compares every
     * output with the reference computed on the values the inputs really hold; also checks that the op left its
     * inputs unchanged. On another device the inputs are copied there first and the outputs back.
     */
    static void check(OpInfo op, Sample s, DType t, Device device) {
        String ctx = op.name() + " / " + s + (t == null ? "" : " / " + t) + (device.equals(Device.CPU) ? "" : " on " + device);
        Nd[] refIn = Harness.refInputs(s, t);
        Nd[] expected = op.ref().apply(refIn, s.args());
        Tensor[] in = Harness.tensors(s, t);
        for (int i = 0; i < in.length; i++) in[i] = in[i].to(device);
        Tensor[] out = op.fn().apply(in, s.args());
        for (int k = 0; k < out.length; k++) out[k] = out[k].to(Device.CPU);
        assertEquals(expected.length, out.length, ctx + ": number of outputs");
        DType key = t != null ? t : Harness.dtypeOf(s.inputs().get(0), null);
        DType outType = op.outDType().apply(key, s.args());
        boolean f32 = t == DType.FLOAT32 || (t == null || !t.isFloating()) && outType == DType.FLOAT32;
        double rtol = f32 ? op.rtol32() : op.rtol64(), atol = f32 ? op.atol32() : op.atol64();
        for (int k = 0; k < out.length; k++)
            Harness.assertClose(ctx + (out.length > 1 ? " / output " + k : ""), expected[k], out[k], outType, rtol, atol);
        for (int i = 0; i < in.length; i++)
            Harness.assertValues(ctx + ": input " + i + " was modified", refIn[i], in[i].toDoubleArray(),
                    Harness.dtypeOf(s.inputs().get(i), t), 0, 0);
    }
}
