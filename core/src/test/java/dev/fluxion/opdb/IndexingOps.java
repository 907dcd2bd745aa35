package dev.fluxion.opdb;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Args;

import java.util.ArrayList;
import java.util.List;

import static dev.fluxion.DType.*;
import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Input.fixed;
import static dev.fluxion.opdb.OpInfo.Layout.*;
import static dev.fluxion.opdb.OpInfo.op;
import static dev.fluxion.opdb.Samples.s;
import static dev.fluxion.opdb.ShapeOps.shapeOp;

/** Slicing, indexing, padding, joining and splitting, gather/take and one_hot. */
final class IndexingOps {
    private IndexingOps() {}

    static final int MIN = Integer.MIN_VALUE, MAX = Integer.MAX_VALUE;

    static List<OpInfo> ops() {
        Gen g = new Gen("indexing");
        List<OpInfo> ops = new ArrayList<>();
        ops.add(slice(g));
        ops.add(shapeOp("slice (rows)", "slice").fn1((in, a) -> in[0].slice(a.i("from"), a.i("to")))
                .ref1((in, a) -> Ref.slice(in[0], 0, a.i("from"), a.i("to"), 1))
                .sample("rows 1..3", Args.of("from", 1, "to", 3), f(g.any(4, 3)))
                .sample("negative bounds", Args.of("from", -3, "to", -1), f(g.any(5)))
                .sample("empty", Args.of("from", 2, "to", 2), f(g.any(4, 3)))
                .sample("reversed view", Args.of("from", 0, "to", 2), f(g.any(3, 2), REVERSED))
                .iae("0-d", "^slice: axis 0 is out of range for a tensor of rank 0", () -> Tensor.scalar(1f).slice(0, 1))
                .build());
        ops.add(index(g));
        ops.add(shapeOp("get", "index").fn1((in, a) -> in[0].get(a.i("i"))).ref1((in, a) -> in[0].take(0, a.i("i"), 1, 1).reshape(tail(in[0].shape)))
                .sample("row 1", Args.of("i", 1), f(g.any(3, 4)))
                .sample("element of a vector", Args.of("i", 4), f(g.any(5)))
                .sample("transposed view", Args.of("i", 2), f(g.any(3, 4), TRANSPOSED))
                .iae("out of range", "^index: index 3 is out of range for axis 0 with size 3", () -> Tensor.zeros(3, 2).get(3))
                .build());
        ops.add(flip(g));
        ops.add(pad(g));
        ops.add(concat(g));
        ops.add(stack(g));
        ops.add(split(g));
        ops.add(gather(g));
        ops.add(shapeOp("take", "gather").fn1((in, a) -> ArrayOps.take(in[0], in[1])).ref1((in, a) -> Ref.gather(in[0], in[1], 0))
                .sample("rows with duplicates", f(g.any(5, 3)), fixed(Nd.of(s(4), 4, 0, 4, 2), INT32))
                .sample("2-d int64 indices", f(g.any(4)), fixed(Nd.of(s(2, 3), 3, 0, 1, 1, 2, 3), INT64))
                .sample("strided view", f(g.any(6, 2), STRIDED), fixed(Nd.of(s(3), 5, 5, 0), INT32))
                .iae("index out of range", "^gather: index 5 is out of range \\[0, 5\\) for axis 0 of \\[5,3\\]",
                        () -> ArrayOps.take(Tensor.zeros(5, 3), ElementwiseOps.i32(1, 5)))
                .build());
        ops.add(oneHot(g));
        return ops;
    }

    private static int[] tail(int[] s) {
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    private static Args sl(int axis, int from, int to, int step) {
        return Args.of("axis", axis, "from", from, "to", to, "step", step);
    }

    private static OpInfo slice(Gen g) {
        return shapeOp("slice").fn1((in, a) -> ArrayOps.slice(in[0], a.i("axis"), a.i("from"), a.i("to"), a.i("step")))
                .ref1((in, a) -> Ref.slice(in[0], a.i("axis"), a.i("from"), a.i("to"), a.i("step")))
                .sample("rows 1..4", sl(0, 1, 4, 1), f(g.any(6, 4)))
                .sample("step 2", sl(0, 0, 6, 2), f(g.any(6, 4)))
                .sample("step 4 with a tail", sl(1, 1, 4, 4), f(g.any(6, 4)))
                .sample("reverse (step -1, open end)", sl(1, 3, MIN, -1), f(g.any(6, 4)))
                .sample("step -2", sl(0, 5, 0, -2), f(g.any(6, 4)))
                .sample("negative bounds", sl(-1, -3, -1, 1), f(g.any(6, 4)))
                .sample("negative bounds, step -1", sl(0, -1, -5, -1), f(g.any(6, 4)))
                .sample("clamped bounds", sl(0, -100, 100, 3), f(g.any(6, 4)))
                .sample("clamped bounds, step -3", sl(0, 100, -100, -3), f(g.any(7, 2)))
                .sample("open both ends reversed", sl(0, MAX, MIN, -1), f(g.any(5, 3)))
                .sample("empty (from > to)", sl(0, 3, 1, 1), f(g.any(6, 4)))
                .sample("empty (step -1, from < to)", sl(1, 1, 3, -1), f(g.any(6, 4)))
                .sample("empty input", sl(0, 0, 2, 1), f(g.any(0, 3)))
                .sample("empty input, other axis", sl(1, 0, 2, 1), f(g.any(0, 3)))
                .sample("transposed view, step -2", sl(1, 4, MIN, -2), f(g.any(3, 5), TRANSPOSED))
                .sample("strided view, step 2", sl(0, 1, MAX, 2), f(g.any(4, 7), STRIDED))
                .sample("reversed view, step -1", sl(0, MAX, MIN, -1), f(g.any(5, 3), REVERSED))
                .sample("rank 3 middle axis", sl(1, 2, 0, -1), f(g.any(2, 3, 4)))
                .sample("prime 13, step -3", sl(0, -1, MIN, -3), f(g.any(13)))
                .sample("prime 97, step 7", sl(0, 3, 90, 7), f(g.any(97)))
                .iae("step 0", "^slice: step must be nonzero", () -> ArrayOps.slice(Tensor.zeros(4), 0, 0, 4, 0))
                .iae("axis out of range", "^slice: axis 2 is out of range for a tensor of rank 2", () -> ArrayOps.slice(Tensor.zeros(2, 3), 2, 0, 1, 1))
                .iae("0-d", "^slice: axis 0 is out of range for a tensor of rank 0", () -> ArrayOps.slice(Tensor.scalar(1f), 0, 0, 1, 1))
                .build();
    }

    private static OpInfo index(Gen g) {
        return shapeOp("index").fn1((in, a) -> ArrayOps.index(in[0], a.i("axis"), a.i("i")))
                .ref1((in, a) -> {
                    int ax = Nd.axis(a.i("axis"), in[0].rank()), n = in[0].shape[ax];
                    int i = a.i("i") < 0 ? a.i("i") + n : a.i("i");
                    Nd t = in[0].take(ax, i, 1, 1);
                    int[] sh = new int[in[0].rank() - 1];
                    for (int k = 0, j = 0; k < in[0].rank(); k++) if (k != ax) sh[j++] = in[0].shape[k];
                    return t.reshape(sh);
                })
                .sample("row", Args.of("axis", 0, "i", 2), f(g.any(4, 3)))
                .sample("last column", Args.of("axis", 1, "i", -1), f(g.any(4, 3)))
                .sample("vector to 0-d", Args.of("axis", 0, "i", 0), f(g.any(5)))
                .sample("axis -1 of rank 3", Args.of("axis", -1, "i", 1), f(g.any(2, 3, 2)))
                .sample("empty", Args.of("axis", 1, "i", 1), f(g.any(0, 3)))
                .sample("transposed view", Args.of("axis", 0, "i", 3), f(g.any(4, 3), TRANSPOSED))
                .sample("strided view", Args.of("axis", 1, "i", -2), f(g.any(3, 5), STRIDED))
                .sample("reversed view", Args.of("axis", 0, "i", 0), f(g.any(4, 3), REVERSED))
                .iae("index out of range", "^index: index 5 is out of range for axis 0 with size 3", () -> ArrayOps.index(Tensor.zeros(3, 2), 0, 5))
                .iae("negative index out of range", "^index: index -4 is out of range for axis 0 with size 3", () -> ArrayOps.index(Tensor.zeros(3, 2), 0, -4))
                .iae("axis out of range", "^index: axis 2 is out of range for a tensor of rank 2", () -> ArrayOps.index(Tensor.zeros(3, 2), 2, 0))
                .build();
    }

    private static OpInfo flip(Gen g) {
        return shapeOp("flip").fn1((in, a) -> ArrayOps.flip(in[0], a.i("axis")))
                .ref1((in, a) -> {
                    int ax = Nd.axis(a.i("axis"), in[0].rank());
                    int n = in[0].shape[ax];
                    return in[0].take(ax, n - 1, n, -1);
                })
                .sample("rows", Args.of("axis", 0), f(g.any(4, 3)))
                .sample("columns", Args.of("axis", -1), f(g.any(4, 3)))
                .sample("prime 13", Args.of("axis", 0), f(g.any(13)))
                .sample("rank 3 middle", Args.of("axis", 1), f(g.any(2, 3, 4)))
                .sample("empty axis", Args.of("axis", 0), f(g.any(0, 3)))
                .sample("empty other axis", Args.of("axis", 0), f(g.any(3, 0)))
                .sample("transposed view", Args.of("axis", 1), f(g.any(3, 4), TRANSPOSED))
                .sample("strided view", Args.of("axis", 1), f(g.any(3, 5), STRIDED))
                .sample("reversed view (flips back)", Args.of("axis", 0), f(g.any(5, 2), REVERSED))
                .sample("prime 97", Args.of("axis", 0), f(g.any(97)))
                .iae("axis out of range", "^flip: axis 2 is out of range for a tensor of rank 2", () -> ArrayOps.flip(Tensor.zeros(2, 3), 2))
                .iae("0-d", "^flip: axis 0 is out of range for a tensor of rank 0", () -> ArrayOps.flip(Tensor.scalar(1f), 0))
                .build();
    }

    private static Args pads(double value, int[]... p) {
        return Args.of("pads", p, "value", value);
    }

    private static OpInfo pad(Gen g) {
        return shapeOp("pad").fn1((in, a) -> ArrayOps.pad(in[0], (int[][]) a.get("pads"), a.d("value")))
                .ref1((in, a) -> Ref.pad(in[0], (int[][]) a.get("pads"), a.d("value")))
                .sample("matrix", pads(0, s(1, 0), s(2, 1)), f(g.any(2, 3)))
                .sample("no padding", pads(0, s(0, 0), s(0, 0)), f(g.any(2, 3)))
                .sample("vector, value -1.5", pads(-1.5, s(3, 2)), f(g.any(4)))
                .sample("0-d", pads(7), f(g.any()))
                .sample("empty input", pads(2, s(1, 1), s(0, 1)), f(g.any(0, 2)))
                .sample("rank 3", pads(0.5, s(0, 1), s(1, 0), s(1, 1)), f(g.any(2, 2, 3)))
                .sample("transposed view", pads(0, s(1, 1), s(1, 1)), f(g.any(3, 4), TRANSPOSED))
                .sample("strided view", pads(3, s(0, 2), s(1, 0)), f(g.any(2, 5), STRIDED))
                .sample("reversed view", pads(-1, s(2, 0), s(0, 0)), f(g.any(3, 3), REVERSED))
                .sample("prime 13", pads(0, s(2, 3)), f(g.any(13)))
                .sample("prime 97", pads(1, s(0, 5)), f(g.any(97)))
                .sample(OpInfo.Sample.of("broadcast (stride 0) view", pads(0, s(1, 0), s(0, 2)), f(Samples.repeated(g::any, 3, 2), EXPANDED)).forwardOnly())
                .iae("wrong number of pairs", "^pad: needs 2 \\(before, after\\) pairs for \\[2,3\\], got 1",
                        () -> ArrayOps.pad(Tensor.zeros(2, 3), new int[][] {{1, 1}}, 0))
                .iae("negative padding", "^pad: negative padding on axis 1", () -> ArrayOps.pad(Tensor.zeros(2, 3), new int[][] {{1, 1}, {0, -1}}, 0))
                .iae("pair of three", "^pad: pair 0 must have 2 entries", () -> ArrayOps.pad(Tensor.zeros(2, 3), new int[][] {{1, 1, 1}, {0, 0}}, 0))
                .build();
    }

    private static OpInfo concat(Gen g) {
        return shapeOp("concat").fn1((in, a) -> ArrayOps.concat(a.i("axis"), in))
                .ref1((in, a) -> Nd.concat(Nd.axis(a.i("axis"), in[0].rank()), in))
                .sample("two rows", Args.of("axis", 0), f(g.any(2, 3)), f(g.any(2, 3)))
                .sample("three pieces on axis 1", Args.of("axis", 1), f(g.any(2, 1)), f(g.any(2, 3)), f(g.any(2, 2)))
                .sample("axis -1 of rank 3", Args.of("axis", -1), f(g.any(2, 2, 1)), f(g.any(2, 2, 3)))
                .sample("empty piece", Args.of("axis", 0), f(g.any(0, 3)), f(g.any(2, 3)))
                .sample("all empty", Args.of("axis", 0), f(g.any(0, 3)), f(g.any(0, 3)))
                .sample("single input", Args.of("axis", 0), f(g.any(3, 2)))
                .sample("transposed and strided views", Args.of("axis", 0), f(g.any(3, 4), TRANSPOSED), f(g.any(2, 4), STRIDED))
                .sample("reversed view", Args.of("axis", 1), f(g.any(3, 2), REVERSED), f(g.any(3, 5)))
                .sample("primes", Args.of("axis", 0), f(g.any(13)), f(g.any(7)), f(g.any(97)))
                .sample(OpInfo.Sample.of("broadcast (stride 0) view", Args.of("axis", 1), f(Samples.repeated(g::any, 3, 2), EXPANDED), f(g.any(3, 4))).forwardOnly())
                .iae("dtypes differ", "^concat: dtypes differ", () -> ArrayOps.concat(0, Tensor.zeros(2, 3), Tensor.zeros(FLOAT64, 2, 3)))
                .iae("shapes differ", "^concat: shapes \\[2,3\\] and \\[2,4\\] differ outside axis 0",
                        () -> ArrayOps.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)))
                .iae("ranks differ", "^concat: shapes \\[2,3\\] and \\[3\\] differ outside axis 0",
                        () -> ArrayOps.concat(0, Tensor.zeros(2, 3), Tensor.zeros(3)))
                .iae("axis out of range", "^concat: axis 2 is out of range for a tensor of rank 2",
                        () -> ArrayOps.concat(2, Tensor.zeros(2, 3), Tensor.zeros(2, 3)))
                .iae("no tensors", "^concat: needs at least one tensor", () -> ArrayOps.concat(0))
                .iae("0-d tensors", "^concat: axis 0 is out of range for a tensor of rank 0",
                        () -> ArrayOps.concat(0, Tensor.scalar(1f), Tensor.scalar(2f)))
                .build();
    }

    private static OpInfo stack(Gen g) {
        return shapeOp("stack").fn1((in, a) -> ArrayOps.stack(a.i("axis"), in))
                .ref1((in, a) -> Ref.stack(a.i("axis"), in))
                .sample("vectors on axis 0", Args.of("axis", 0), f(g.any(3)), f(g.any(3)))
                .sample("vectors on axis 1", Args.of("axis", 1), f(g.any(3)), f(g.any(3)))
                .sample("three matrices on axis -1", Args.of("axis", -1), f(g.any(2, 2)), f(g.any(2, 2)), f(g.any(2, 2)))
                .sample("three matrices on axis 1", Args.of("axis", 1), f(g.any(2, 2)), f(g.any(2, 2)), f(g.any(2, 2)))
                .sample("0-d", Args.of("axis", 0), f(g.any()), f(g.any()), f(g.any()))
                .sample("empty on axis 0", Args.of("axis", 0), f(g.any(0)), f(g.any(0)))
                .sample("empty on axis 1", Args.of("axis", 1), f(g.any(0)), f(g.any(0)))
                .sample("single input", Args.of("axis", 0), f(g.any(2, 3)))
                .sample("views", Args.of("axis", 2), f(g.any(2, 3), TRANSPOSED), f(g.any(2, 3), STRIDED))
                .sample("prime 97", Args.of("axis", 1), f(g.any(97)), f(g.any(97), REVERSED))
                .iae("shapes differ", "^stack: tensor 1 has shape \\[3\\], tensor 0 has \\[2\\]", () -> ArrayOps.stack(0, Tensor.zeros(2), Tensor.zeros(3)))
                .iae("no tensors", "^stack: needs at least one tensor", () -> ArrayOps.stack(0))
                .iae("axis out of range", "^stack: axis 2 is out of range for a tensor of rank 2", () -> ArrayOps.stack(2, Tensor.zeros(2), Tensor.zeros(2)))
                .iae("dtypes differ", "^stack: dtypes differ", () -> ArrayOps.stack(0, Tensor.zeros(2), Tensor.zeros(FLOAT64, 2)))
                .build();
    }

    private static OpInfo split(Gen g) {
        return shapeOp("split").fn((in, a) -> a.has("parts") ? ArrayOps.split(in[0], a.i("parts"), a.i("axis"))
                        : ArrayOps.split(in[0], a.ints("sizes"), a.i("axis")))
                .ref((in, a) -> {
                    int ax = Nd.axis(a.i("axis"), in[0].rank()), n = in[0].shape[ax];
                    int[] sizes;
                    if (a.has("parts")) {
                        sizes = new int[a.i("parts")];
                        java.util.Arrays.fill(sizes, n / sizes.length);
                    } else sizes = a.ints("sizes");
                    Nd[] out = new Nd[sizes.length];
                    for (int i = 0, start = 0; i < sizes.length; start += sizes[i], i++) out[i] = in[0].take(ax, start, sizes[i], 1);
                    return out;
                })
                .sample("3 equal parts", Args.of("parts", 3, "axis", 0), f(g.any(6, 2)))
                .sample("sizes on axis 1", Args.of("sizes", s(1, 2, 3), "axis", 1), f(g.any(2, 6)))
                .sample("zero-size pieces", Args.of("sizes", s(0, 6, 0), "axis", 1), f(g.any(2, 6)))
                .sample("axis -1", Args.of("parts", 2, "axis", -1), f(g.any(3, 4)))
                .sample("one part", Args.of("parts", 1, "axis", 0), f(g.any(3, 2)))
                .sample("empty other axis", Args.of("parts", 2, "axis", 1), f(g.any(0, 4)))
                .sample("transposed view", Args.of("sizes", s(1, 3), "axis", 0), f(g.any(4, 6), TRANSPOSED))
                .sample("strided view", Args.of("parts", 2, "axis", 1), f(g.any(3, 4), STRIDED))
                .sample("prime 13", Args.of("sizes", s(6, 7), "axis", 0), f(g.any(13)))
                .iae("unequal parts", "^split: axis 0 of size 5 cannot be split into 2 equal parts", () -> ArrayOps.split(Tensor.zeros(5), 2, 0))
                .iae("zero parts", "^split: axis 0 of size 5 cannot be split into 0 equal parts", () -> ArrayOps.split(Tensor.zeros(5), 0, 0))
                .iae("sizes do not sum up", "^split: sizes \\[1, 2\\] sum to 3, axis 0 has 5", () -> ArrayOps.split(Tensor.zeros(5), new int[] {1, 2}, 0))
                .iae("negative size", "^split: ", () -> ArrayOps.split(Tensor.zeros(5), new int[] {-1, 6}, 0))
                .iae("axis out of range", "^split: axis 1 is out of range for a tensor of rank 1", () -> ArrayOps.split(Tensor.zeros(4), 2, 1))
                .build();
    }

    private static OpInfo gather(Gen g) {
        return shapeOp("gather").fn1((in, a) -> ArrayOps.gather(in[0], in[1], a.i("axis")))
                .ref1((in, a) -> Ref.gather(in[0], in[1], a.i("axis")))
                .sample("axis 0, int32, duplicates", Args.of("axis", 0), f(g.any(5, 3)), fixed(Nd.of(s(4), 4, 0, 4, 2), INT32))
                .sample("axis 1, int64 2-d indices", Args.of("axis", 1), f(g.any(3, 5)), fixed(Nd.of(s(2, 2), 0, 4, 4, 1), INT64))
                .sample("axis -1, rank 3", Args.of("axis", -1), f(g.any(2, 3, 4)), fixed(Nd.of(s(3), 3, 3, 0), INT32))
                .sample("0-d index", Args.of("axis", 0), f(g.any(4, 3)), fixed(Nd.scalar(2), INT32))
                .sample("0-d index on axis 1", Args.of("axis", 1), f(g.any(4, 3)), fixed(Nd.scalar(1), INT64))
                .sample("vector params", Args.of("axis", 0), f(g.any(7)), fixed(Nd.of(s(3, 2), 6, 0, 1, 1, 5, 2), INT64))
                .sample("empty indices", Args.of("axis", 0), f(g.any(4, 3)), fixed(Nd.zeros(0), INT32))
                .sample("empty params", Args.of("axis", 1), f(g.any(0, 3)), fixed(Nd.of(s(2), 2, 0), INT32))
                .sample("transposed view", Args.of("axis", 1), f(g.any(3, 4), TRANSPOSED), fixed(Nd.of(s(3), 1, 3, 0), INT32))
                .sample("strided params, reversed indices", Args.of("axis", 0), f(g.any(5, 4), STRIDED), fixed(Nd.of(s(6), 0, 1, 4, 4, 3, 2), INT32, REVERSED))
                .sample("prime 97", Args.of("axis", 0), f(g.any(97)), fixed(g.ints(0, 96, 13), INT32))
                .sample(OpInfo.Sample.of("broadcast (stride 0) params and indices", Args.of("axis", 1), f(Samples.repeated(g::any, 3, 4), EXPANDED),
                        OpInfo.Input.fixed(Nd.of(s(1, 3), 3, 0, 3).broadcastTo(2, 3), INT32, EXPANDED)).forwardOnly())
                .iae("index out of range", "^gather: index 5 is out of range \\[0, 5\\) for axis 0 of \\[5,3\\]",
                        () -> ArrayOps.gather(Tensor.zeros(5, 3), ElementwiseOps.i32(0, 5), 0))
                .iae("negative index", "^gather: index -1 is out of range", () -> ArrayOps.gather(Tensor.zeros(5, 3), ElementwiseOps.i32(-1), 0))
                .iae("float indices", "^gather: indices must be int32 or int64, got float32", () -> ArrayOps.gather(Tensor.zeros(5, 3), Tensor.zeros(2), 0))
                .iae("axis out of range", "^gather: axis 2 is out of range for a tensor of rank 2", () -> ArrayOps.gather(Tensor.zeros(5, 3), ElementwiseOps.i32(0), 2))
                .build();
    }

    private static OpInfo oneHot(Gen g) {
        return op("one_hot", "indexing")
                .fn1((in, a) -> a.has("dtype") ? ArrayOps.oneHot(in[0], a.i("depth"), a.dtype("dtype")) : ArrayOps.oneHot(in[0], a.i("depth")))
                .ref1((in, a) -> Ref.oneHot(in[0], a.i("depth")))
                .outDType((t, a) -> a.has("dtype") ? a.dtype("dtype") : FLOAT32)
                .sample("int32 labels", Args.of("depth", 5), fixed(Nd.of(s(5), 0, 2, 1, 4, 3), INT32))
                .sample("int64, out-of-range rows are zeros", Args.of("depth", 4), fixed(Nd.of(s(2, 3), -1, 5, 3, 0, 7, 2), INT64))
                .sample("0-d label", Args.of("depth", 3), fixed(Nd.scalar(1), INT32))
                .sample("empty labels", Args.of("depth", 3), fixed(Nd.zeros(0), INT32))
                .sample("depth 0", Args.of("depth", 0), fixed(Nd.of(s(2), 0, 1), INT32))
                .sample("float64 output", Args.of("depth", 3, "dtype", FLOAT64), fixed(Nd.of(s(4), 2, 1, 0, 2), INT32))
                .sample("int32 output", Args.of("depth", 3, "dtype", INT32), fixed(Nd.of(s(4), 2, 1, 0, 2), INT64))
                .sample("bool output", Args.of("depth", 3, "dtype", BOOL), fixed(Nd.of(s(4), 2, 1, 0, 2), INT64))
                .sample("strided view, prime depth", Args.of("depth", 13), fixed(g.ints(0, 12, 13), INT32, STRIDED))
                .notDifferentiable().dtypes(INT32, INT64)
                .iae("float labels", "^one_hot: labels must be int32 or int64, got float32", () -> ArrayOps.oneHot(Tensor.zeros(3), 4))
                .iae("negative depth", "^one_hot: depth must be >= 0, got -1", () -> ArrayOps.oneHot(ElementwiseOps.i32(1, 2), -1))
                .build();
    }
}
