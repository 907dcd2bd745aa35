package dev.fluxion.opdb;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.ErrorInput;
import dev.fluxion.opdb.OpInfo.Sample;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Error behaviour of every op in the {@link OpDatabase}: each error input raises its documented exception type
 * with a message matching its regex (PyTorch's ErrorInput), and the dtype claims hold — an op accepts each dtype
 * it claims and rejects the others with an IllegalArgumentException whose message starts with the op's name.
 */
class OpErrorTest {

    @TestFactory
    Stream<DynamicNode> errorInputs() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            List<DynamicNode> tests = new ArrayList<>();
            for (ErrorInput e : op.errors())
                tests.add(DynamicTest.dynamicTest(e.label() + " -> " + e.type().getSimpleName() + " /" + e.regex() + "/", () -> check(op, e)));
            if (!tests.isEmpty()) nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    static void check(OpInfo op, ErrorInput e) {
        String ctx = op.name() + " / " + e.label();
        Throwable thrown = null;
        try {
            e.call().call();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) fail(ctx + ": expected " + e.type().getSimpleName() + " matching /" + e.regex() + "/ but nothing was thrown");
        if (!e.type().isInstance(thrown))
            fail(ctx + ": expected " + e.type().getSimpleName() + " matching /" + e.regex() + "/ but got " + thrown, thrown);
        String msg = String.valueOf(thrown.getMessage());
        assertTrue(Pattern.compile(e.regex()).matcher(msg).find(), ctx + ": message \"" + msg + "\" does not match /" + e.regex() + "/");
    }

    /**
     * Window2d is public: its SAME factory must reject a zero stride like its constructor does, not divide by it
     * (NnOps validates first, but other callers of Window2d.same do not).
     */
    @org.junit.jupiter.api.Test
    void window2dSameRejectsZeroStride() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dev.fluxion.ops.Window2d.same(4, 4, 2, 2, 0, 1, 1, 1));
        assertTrue(e.getMessage().contains("strides must be positive"), e.getMessage());
    }

    /** The first sample with floating inputs and at least one element: the one dtype claims are checked on. */
    static Sample claimSample(OpInfo op) {
        for (Sample s : op.samples()) {
            if (!s.hasFloating()) continue;
            boolean nonEmpty = true;
            for (var in : s.inputs()) nonEmpty &= in.values().size() > 0;
            if (nonEmpty) return s;
        }
        return null;
    }

    @TestFactory
    Stream<DynamicNode> dtypeClaims() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (OpInfo op : OpDatabase.ALL) {
            Sample s = claimSample(op);
            if (s == null) continue; // only fixed-dtype inputs: covered by its error inputs
            List<DynamicNode> tests = new ArrayList<>();
            for (DType t : DType.values()) {
                boolean claimed = op.dtypes().contains(t);
                tests.add(DynamicTest.dynamicTest(t + (claimed ? " accepted" : " rejected"), () -> checkClaim(op, s, t, claimed)));
            }
            nodes.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return nodes.stream();
    }

    static void checkClaim(OpInfo op, Sample s, DType t, boolean claimed) {
        String ctx = op.name() + " / " + s + " as " + t;
        Tensor[] in = Harness.tensors(s, t);
        if (claimed) {
            try {
                Tensor[] out = op.fn().apply(in, s.args());
                for (Tensor o : out) o.toDoubleArray(); // force the values
            } catch (RuntimeException e) {
                fail(ctx + ": the op claims " + t + " but threw " + e, e);
            }
            return;
        }
        Pattern named = Pattern.compile("^(?:" + op.errorName() + "): ");
        try {
            Tensor[] out = op.fn().apply(in, s.args());
            StringBuilder sb = new StringBuilder();
            for (Tensor o : out) sb.append(' ').append(o.dtype()).append(java.util.Arrays.toString(o.shape()));
            fail(ctx + ": " + t + " is not a supported dtype, yet the op returned" + sb + " instead of throwing IllegalArgumentException");
        } catch (IllegalArgumentException e) {
            assertTrue(named.matcher(String.valueOf(e.getMessage())).find(),
                    ctx + ": the rejection should name the op (/" + named + "/), got \"" + e.getMessage() + "\"");
        } catch (RuntimeException e) {
            fail(ctx + ": expected IllegalArgumentException naming the op, got " + e, e);
        }
    }
}
