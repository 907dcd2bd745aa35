package dev.fluxion.opdb;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.opdb.OpInfo.Args;
import dev.fluxion.opdb.OpInfo.Builder;

import java.util.ArrayList;
import java.util.List;

import static dev.fluxion.DType.*;
import static dev.fluxion.opdb.OpInfo.Input.f;
import static dev.fluxion.opdb.OpInfo.Layout.*;
import static dev.fluxion.opdb.OpInfo.op;
import static dev.fluxion.opdb.Samples.s;

/** Layout ops: reshape, transpose, broadcast_to, squeeze, expand_dims, flatten and tile. */
final class ShapeOps {
    private ShapeOps() {}

    static final DType[] ALL = DType.values();

    static List<OpInfo> ops() {
        Gen g = new Gen("shape");
        List<OpInfo> ops = new ArrayList<>();
        ops.add(reshape(g));
        ops.add(transpose(g));
        ops.add(shapeOp("transpose (all axes)", "transpose").fn1((in, a) -> ArrayOps.transpose(in[0]))
                .ref1((in, a) -> {
                    int[] perm = new int[in[0].rank()];
                    for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
                    return in[0].permute(perm);
                })
                .sample("matrix", f(g.any(2, 3))).sample("rank 3", f(g.any(2, 3, 4))).sample("0-d", f(g.any()))
                .sample("empty", f(g.any(0, 3))).sample("strided view", f(g.any(3, 4), STRIDED))
                .sample("7x13", f(g.any(7, 13))).cannotFail().build());
        ops.add(shapeOp("matrix_transpose").fn1((in, a) -> ArrayOps.matrixTranspose(in[0]))
                .ref1((in, a) -> in[0].swapLast())
                .sample("matrix", f(g.any(2, 3))).sample("batched", f(g.any(2, 3, 4))).sample("empty batch", f(g.any(0, 3, 2)))
                .sample("transposed view", f(g.any(2, 4, 3), TRANSPOSED)).sample("reversed view", f(g.any(3, 2, 5), REVERSED))
                .iae("rank 1", "^matrix_transpose: needs rank >= 2, got \\[3\\]", () -> ArrayOps.matrixTranspose(Tensor.zeros(3)))
                .build());
        ops.add(broadcastTo(g));
        ops.add(squeeze(g));
        ops.add(expandDims(g));
        ops.add(shapeOp("flatten").fn1((in, a) -> in[0].flatten()).ref1((in, a) -> in[0].reshape(in[0].size()))
                .sample("rank 3", f(g.any(2, 3, 4))).sample("0-d", f(g.any())).sample("empty", f(g.any(2, 0, 3)))
                .sample("transposed view", f(g.any(3, 4), TRANSPOSED)).sample("reversed view", f(g.any(5, 3), REVERSED))
                .cannotFail().build());
        ops.add(tile(g));
        return ops;
    }

    /** A differentiable movement op accepting every dtype. */
    static Builder shapeOp(String name) {
        return op(name, "shape").secondOrder().dtypes(ALL).intExact();
    }

    static Builder shapeOp(String name, String errorName) {
        return shapeOp(name).errorName(errorName);
    }

    private static Args shape(int... s) {
        return Args.of("shape", s);
    }

    private static OpInfo reshape(Gen g) {
        return shapeOp("reshape").fn1((in, a) -> ArrayOps.reshape(in[0], a.ints("shape")))
                .ref1((in, a) -> {
                    int[] sh = a.ints("shape").clone();
                    int known = 1, unknown = -1;
                    for (int i = 0; i < sh.length; i++) if (sh[i] == -1) unknown = i; else known *= sh[i];
                    if (unknown >= 0) sh[unknown] = in[0].size() / known;
                    return in[0].reshape(sh);
                })
                .sample("merge axes", shape(6, 4), f(g.any(2, 3, 4)))
                .sample("-1 alone", shape(-1), f(g.any(2, 3, 4)))
                .sample("-1 in the middle", shape(4, -1, 2), f(g.any(2, 3, 4)))
                .sample("same shape", shape(2, 3, 4), f(g.any(2, 3, 4)))
                .sample("0-d to [1]", shape(1), f(g.any()))
                .sample("[1] to 0-d", shape(), f(g.any(1)))
                .sample("0-d to [1,1,1]", shape(1, 1, 1), f(g.any()))
                .sample("empty", shape(3, 0), f(g.any(0, 3)))
                .sample("empty with -1", shape(-1, 3), f(g.any(0, 3)))
                .sample("transposed view", shape(12), f(g.any(3, 4), TRANSPOSED))
                .sample("transposed view to 2-d", shape(2, 6), f(g.any(3, 4), TRANSPOSED))
                .sample("strided view", shape(5, 2), f(g.any(2, 5), STRIDED))
                .sample("reversed view", shape(-1), f(g.any(4, 3), REVERSED))
                .sample("prime 97", shape(97, 1), f(g.any(97)))
                .sample(OpInfo.Sample.of("broadcast (stride 0) view", shape(-1), f(Samples.repeated(g::any, 3, 4), EXPANDED)).forwardOnly())
                .sample("rank 5 view to rank 2", shape(6, -1), f(g.any(2, 1, 3, 2, 2), TRANSPOSED))
                .iae("wrong size", "^reshape: cannot reshape \\[2,3\\] \\(6 elements\\) to \\[4\\]", () -> ArrayOps.reshape(Tensor.zeros(2, 3), 4))
                .iae("-1 does not divide", "^reshape: cannot reshape \\[2,3\\] \\(6 elements\\) to \\[4,-1\\]", () -> ArrayOps.reshape(Tensor.zeros(2, 3), 4, -1))
                .iae("two -1", "^reshape: only one dimension can be -1, got \\[-1,-1\\]", () -> ArrayOps.reshape(Tensor.zeros(2, 3), -1, -1))
                .iae("-1 with a zero dimension", "^reshape: cannot reshape \\[0,3\\] \\(0 elements\\) to \\[-1,0\\]", () -> ArrayOps.reshape(Tensor.zeros(0, 3), -1, 0))
                .iae("negative dimension", "^reshape: invalid dimension -2 in \\[-2,3\\]", () -> ArrayOps.reshape(Tensor.zeros(2, 3), -2, 3))
                .build();
    }

    private static OpInfo transpose(Gen g) {
        return shapeOp("transpose").fn1((in, a) -> ArrayOps.transpose(in[0], a.ints("perm")))
                .ref1((in, a) -> in[0].permute(a.ints("perm")))
                .sample("matrix", Args.of("perm", s(1, 0)), f(g.any(2, 3)))
                .sample("rank 3 rotate left", Args.of("perm", s(1, 2, 0)), f(g.any(2, 3, 4)))
                .sample("rank 3 rotate right", Args.of("perm", s(2, 0, 1)), f(g.any(2, 3, 4)))
                .sample("identity", Args.of("perm", s(0, 1, 2)), f(g.any(2, 3, 4)))
                .sample("0-d", Args.of("perm", s()), f(g.any()))
                .sample("[1]", Args.of("perm", s(0)), f(g.any(1)))
                .sample("empty", Args.of("perm", s(2, 0, 1)), f(g.any(0, 2, 3)))
                .sample("transposed view back", Args.of("perm", s(1, 0)), f(g.any(3, 4), TRANSPOSED))
                .sample("strided view", Args.of("perm", s(2, 1, 0)), f(g.any(2, 3, 4), STRIDED))
                .sample("reversed view", Args.of("perm", s(1, 0, 2)), f(g.any(3, 2, 2), REVERSED))
                .sample("7x13", Args.of("perm", s(1, 0)), f(g.any(7, 13)))
                .sample("rank 5", Args.of("perm", s(4, 2, 0, 3, 1)), f(g.any(2, 1, 3, 2, 2), STRIDED))
                .iae("short permutation", "^transpose: permutation \\[0\\] does not match rank 2", () -> ArrayOps.transpose(Tensor.zeros(2, 3), 0))
                .iae("repeated axis", "^transpose: invalid permutation \\[0, 0\\]", () -> ArrayOps.transpose(Tensor.zeros(2, 3), 0, 0))
                .iae("axis out of range", "^transpose: invalid permutation \\[0, 2\\]", () -> ArrayOps.transpose(Tensor.zeros(2, 3), 0, 2))
                .build();
    }

    private static OpInfo broadcastTo(Gen g) {
        return shapeOp("broadcast_to").fn1((in, a) -> ArrayOps.broadcastTo(in[0], a.ints("shape")))
                .ref1((in, a) -> in[0].broadcastTo(a.ints("shape")))
                .sample("add leading axis", shape(2, 3), f(g.any(3)))
                .sample("expand size-1 axis", shape(2, 4), f(g.any(2, 1)))
                .sample("0-d", shape(2, 2), f(g.any()))
                .sample("rank 3", shape(2, 4, 3), f(g.any(1, 3)))
                .sample("same shape", shape(2, 3), f(g.any(2, 3)))
                .sample("to empty", shape(0, 3), f(g.any(0, 1)))
                .sample("size 1 to 0", shape(0), f(g.any(1)))
                .sample("strided view", shape(3, 4), f(g.any(1, 4), STRIDED))
                .sample("reversed view", shape(2, 3, 5), f(g.any(3, 1), REVERSED))
                .sample("prime", shape(7, 13), f(g.any(13)))
                .iae("incompatible", "^broadcast_to: cannot broadcast \\[2,3\\] to \\[4,3\\]", () -> ArrayOps.broadcastTo(Tensor.zeros(2, 3), 4, 3))
                .iae("lower rank", "^broadcast_to: cannot broadcast \\[2,3\\] to \\[3\\]", () -> ArrayOps.broadcastTo(Tensor.zeros(2, 3), 3))
                .build();
    }

    private static Nd squeezeRef(Nd x, int[] axes) {
        List<Integer> dims = new ArrayList<>();
        boolean[] drop = new boolean[x.rank()];
        if (axes.length == 0) for (int i = 0; i < x.rank(); i++) drop[i] = x.shape[i] == 1;
        for (int ax : axes) drop[Nd.axis(ax, x.rank())] = true;
        for (int i = 0; i < x.rank(); i++) if (!drop[i]) dims.add(x.shape[i]);
        return x.reshape(dims.stream().mapToInt(Integer::intValue).toArray());
    }

    private static OpInfo squeeze(Gen g) {
        return shapeOp("squeeze").fn1((in, a) -> ArrayOps.squeeze(in[0], a.ints("axes")))
                .ref1((in, a) -> squeezeRef(in[0], a.ints("axes")))
                .sample("all size-1 axes", Args.of("axes", s()), f(g.any(1, 3, 1)))
                .sample("axis 0", Args.of("axes", s(0)), f(g.any(1, 3, 1)))
                .sample("axis -1", Args.of("axes", s(-1)), f(g.any(1, 3, 1)))
                .sample("axes 0 and 2", Args.of("axes", s(0, 2)), f(g.any(1, 3, 1)))
                .sample("[1] to 0-d", Args.of("axes", s()), f(g.any(1)))
                .sample("0-d", Args.of("axes", s()), f(g.any()))
                .sample("empty", Args.of("axes", s()), f(g.any(1, 0, 1)))
                .sample("strided view", Args.of("axes", s(1)), f(g.any(2, 1, 3), STRIDED))
                .sample("transposed view", Args.of("axes", s(0)), f(g.any(1, 4, 3), TRANSPOSED))
                .iae("axis of size 3", "^squeeze: axis 1 of \\[1,3,1\\] has size 3, not 1", () -> ArrayOps.squeeze(Tensor.zeros(1, 3, 1), 1))
                .iae("axis out of range", "^squeeze: axis 3 is out of range for a tensor of rank 3", () -> ArrayOps.squeeze(Tensor.zeros(1, 3, 1), 3))
                .build();
    }

    private static OpInfo expandDims(Gen g) {
        return shapeOp("expand_dims").fn1((in, a) -> ArrayOps.expandDims(in[0], a.i("axis")))
                .ref1((in, a) -> in[0].reshape(Ref.insert(in[0].shape, Nd.axis(a.i("axis"), in[0].rank() + 1), 1)))
                .sample("axis 0", Args.of("axis", 0), f(g.any(2, 3)))
                .sample("axis 1", Args.of("axis", 1), f(g.any(2, 3)))
                .sample("axis 2 (end)", Args.of("axis", 2), f(g.any(2, 3)))
                .sample("axis -1", Args.of("axis", -1), f(g.any(2, 3)))
                .sample("axis -3", Args.of("axis", -3), f(g.any(2, 3)))
                .sample("0-d", Args.of("axis", 0), f(g.any()))
                .sample("empty", Args.of("axis", 0), f(g.any(0)))
                .sample("transposed view", Args.of("axis", 1), f(g.any(3, 4), TRANSPOSED))
                .sample("reversed view", Args.of("axis", -1), f(g.any(5), REVERSED))
                .iae("axis out of range", "^expand_dims: axis 3 is out of range for a tensor of rank 3", () -> ArrayOps.expandDims(Tensor.zeros(2, 3), 3))
                .iae("negative axis out of range", "^expand_dims: axis -4 is out of range for a tensor of rank 3", () -> ArrayOps.expandDims(Tensor.zeros(2, 3), -4))
                .build();
    }

    private static OpInfo tile(Gen g) {
        return shapeOp("tile").fn1((in, a) -> ArrayOps.tile(in[0], a.ints("reps")))
                .ref1((in, a) -> Ref.tile(in[0], a.ints("reps")))
                .sample("rows", Args.of("reps", s(2, 1)), f(g.any(2, 3)))
                .sample("columns", Args.of("reps", s(1, 3)), f(g.any(2, 3)))
                .sample("both", Args.of("reps", s(2, 2)), f(g.any(2, 3)))
                .sample("0-d", Args.of("reps", s()), f(g.any()))
                .sample("zero repetitions", Args.of("reps", s(0, 2)), f(g.any(2, 3)))
                .sample("vector", Args.of("reps", s(4)), f(g.any(3)))
                .sample("transposed view", Args.of("reps", s(2, 2)), f(g.any(2, 3), TRANSPOSED))
                .sample("strided view", Args.of("reps", s(1, 3)), f(g.any(3, 2), STRIDED))
                .sample("prime", Args.of("reps", s(7)), f(g.any(13)))
                .iae("wrong number of repetitions", "^tile: needs 2 repetitions for \\[2,3\\], got 1", () -> ArrayOps.tile(Tensor.zeros(2, 3), 2))
                .iae("negative repetition", "^tile: negative repetition -1", () -> ArrayOps.tile(Tensor.zeros(2, 3), -1, 2))
                .build();
    }
}
