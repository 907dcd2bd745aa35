package dev.fluxion.opdb;

import dev.fluxion.opdb.OpInfo.Args;
import dev.fluxion.opdb.OpInfo.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Layout.*;

/** Standard sample sets shared by many ops: every shape class the generic tests must see. */
final class Samples {
    private Samples() {}

    static int[] s(int... dims) {
        return dims;
    }

    /**
     * Samples of an elementwise unary op: 0-d, small, empty, prime lengths (7, 13, 97 — SIMD tails), rank 3, and
     * transposed, strided and reversed views. Values come from {@code domain}.
     */
    static List<Sample> unary(Function<int[], Nd> domain) {
        List<Sample> out = new ArrayList<>();
        out.add(Sample.of("0-d", Args.NONE, f(domain.apply(s()))));
        out.add(Sample.of("prime 7", Args.NONE, f(domain.apply(s(7)))));
        out.add(Sample.of("matrix", Args.NONE, f(domain.apply(s(2, 3)))));
        out.add(Sample.of("empty", Args.NONE, f(domain.apply(s(0)))));
        out.add(Sample.of("empty 2-d", Args.NONE, f(domain.apply(s(3, 0)))));
        out.add(Sample.of("prime 13", Args.NONE, f(domain.apply(s(13)))));
        out.add(Sample.of("rank 3", Args.NONE, f(domain.apply(s(2, 3, 2)))));
        out.add(Sample.of("transposed view", Args.NONE, f(domain.apply(s(3, 4)), TRANSPOSED)));
        out.add(Sample.of("strided view", Args.NONE, f(domain.apply(s(2, 5)), STRIDED)));
        out.add(Sample.of("reversed view", Args.NONE, f(domain.apply(s(4, 3)), REVERSED)));
        out.add(Sample.of("prime 97", Args.NONE, f(domain.apply(s(97)))));
        out.add(Sample.of("strided view 5x13", Args.NONE, f(domain.apply(s(5, 13)), STRIDED)));
        out.add(Sample.of("transposed view 7x11", Args.NONE, f(domain.apply(s(7, 11)), TRANSPOSED)));
        out.add(Sample.of("rank 5 transposed view", Args.NONE, f(domain.apply(s(2, 1, 3, 2, 2)), TRANSPOSED)));
        out.add(Sample.of("broadcast (stride 0) view", Args.NONE, f(repeated(domain, 4, 5), EXPANDED)).forwardOnly());
        // above the kernels' parallel threshold (65536 elements): chunked multithreaded paths
        out.add(Sample.of("large 263x257", Args.NONE, f(domain.apply(s(263, 257)))));
        return out;
    }

    /** Values of shape [rows, cols] whose rows are all equal (for {@link OpInfo.Layout#EXPANDED} inputs). */
    static Nd repeated(Function<int[], Nd> domain, int rows, int cols) {
        return domain.apply(s(1, cols)).broadcastTo(rows, cols);
    }

    /** The first input's domain and the second's. */
    interface Pair {
        Nd a(int[] shape);

        Nd b(int[] shape);
    }

    static Pair pair(Function<int[], Nd> a, Function<int[], Nd> b) {
        return new Pair() {
            public Nd a(int[] shape) { return a.apply(shape); }
            public Nd b(int[] shape) { return b.apply(shape); }
        };
    }

    /**
     * Samples of a broadcasting binary op: equal shapes, one- and two-sided broadcasting, 0-d operands, empty
     * shapes, prime lengths and views. With {@code fullLeft}, the first input always has the full broadcast shape
     * (for ops such as mod whose domain couples the operands elementwise).
     */
    static List<Sample> binary(Pair d, boolean fullLeft) {
        List<Sample> out = new ArrayList<>();
        out.add(Sample.of("same shape", Args.NONE, f(d.a(s(2, 3))), f(d.b(s(2, 3)))));
        out.add(Sample.of("broadcast row", Args.NONE, f(d.a(s(2, 3))), f(d.b(s(3)))));
        out.add(Sample.of("broadcast column", Args.NONE, f(d.a(s(3, 4))), f(d.b(s(3, 1)))));
        if (!fullLeft) {
            out.add(Sample.of("broadcast both", Args.NONE, f(d.a(s(4, 1))), f(d.b(s(1, 5)))));
            out.add(Sample.of("rank 3 broadcast", Args.NONE, f(d.a(s(2, 1, 3))), f(d.b(s(4, 1)))));
            out.add(Sample.of("scalar left", Args.NONE, f(d.a(s())), f(d.b(s(2, 3)))));
            out.add(Sample.of("prime broadcast", Args.NONE, f(d.a(s(7, 1))), f(d.b(s(1, 13)))));
        }
        out.add(Sample.of("scalar right", Args.NONE, f(d.a(s(2, 3))), f(d.b(s()))));
        out.add(Sample.of("both 0-d", Args.NONE, f(d.a(s())), f(d.b(s()))));
        out.add(Sample.of("empty", Args.NONE, f(d.a(s(0, 3))), f(d.b(s(3)))));
        out.add(Sample.of("empty broadcast", Args.NONE, f(d.a(s(2, 0))), f(d.b(s(2, 1)))));
        out.add(Sample.of("prime 13", Args.NONE, f(d.a(s(13))), f(d.b(s(13)))));
        out.add(Sample.of("transposed and strided views", Args.NONE, f(d.a(s(3, 4)), TRANSPOSED), f(d.b(s(3, 4)), STRIDED)));
        out.add(Sample.of("reversed view, broadcast", Args.NONE, f(d.a(s(5, 2)), REVERSED), f(d.b(s(2)))));
        out.add(Sample.of("strided view, broadcast", Args.NONE, f(d.a(s(2, 3, 4))), f(d.b(s(3, 4)), STRIDED)));
        out.add(Sample.of("prime 97", Args.NONE, f(d.a(s(97))), f(d.b(s(97)))));
        out.add(Sample.of("prime 97 and 0-d", Args.NONE, f(d.a(s(97))), f(d.b(s()))));
        out.add(Sample.of("views 5x13", Args.NONE, f(d.a(s(5, 13)), STRIDED), f(d.b(s(5, 13)), TRANSPOSED)));
        out.add(Sample.of("rank 5 views", Args.NONE, f(d.a(s(2, 1, 3, 2, 2)), TRANSPOSED), f(d.b(s(2, 3, 1, 2)), STRIDED)));
        out.add(Sample.of("broadcast (stride 0) views", Args.NONE, f(repeated(d::a, 3, 4), EXPANDED), f(repeated(d::b, 3, 4), EXPANDED)).forwardOnly());
        // above the kernels' parallel threshold (65536 elements): chunked multithreaded paths
        out.add(Sample.of("large 263x257, broadcast row", Args.NONE, f(d.a(s(263, 257))), f(d.b(s(257)))));
        return out;
    }
}
