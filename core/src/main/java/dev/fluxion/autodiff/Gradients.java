package dev.fluxion.autodiff;

import dev.fluxion.ArrayOps;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.ops.BinaryFn;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every gradient rule of Fluxion, in one place. Rules are written with the Tensor API, so they are recorded by
 * enclosing tapes (second-order gradients) and traced into graphs like any other code. A rule returns one gradient
 * per input, shaped like the op's output broadcast; the tape un-broadcasts them to the inputs' shapes.
 * The switches have no default: a new primitive does not compile until it has a rule here.
 */
public final class Gradients {
    private Gradients() {}

    /** Gradients of the inputs of {@code op} given the gradient {@code g} of its output (null: no gradient). */
    public static Tensor[] of(Op op, Tensor[] in, Tensor out, Tensor g) {
        return of(op, in, out, g, null);
    }

    /**
     * As {@link #of(Op, Tensor[], Tensor, Tensor)}, computing only the gradients of the inputs marked in
     * {@code wanted} (null: all): eagerly, a convolution whose input is data, or a dropout mask, would otherwise run a
     * whole kernel for a gradient nobody reads. Unwanted entries may be null.
     */
    public static Tensor[] of(Op op, Tensor[] in, Tensor out, Tensor g, boolean[] wanted) {
        return switch (op) {
            case Op.Unary u -> new Tensor[] {unary(u.fn(), in[0], out, g)};
            case Op.Binary b -> binary(b.fn(), in[0], in[1], out, g, wanted);
            case Op.Where w -> each(wanted, () -> null,
                    () -> Ops.where(in[0], g, zerosOf(g)), () -> Ops.where(in[0], zerosOf(g), g));
            case Op.Cast c -> new Tensor[] {in[0].dtype().isFloating() ? Ops.cast(g, in[0].dtype()) : null};
            case Op.StopGradient s -> new Tensor[] {null};
            case Op.Size z -> new Tensor[] {null};
            case Op.Print p -> new Tensor[] {g};
            case Op.CheckNumerics c -> new Tensor[] {g};
            case Op.Reduce r -> new Tensor[] {reduce(r, in[0], out, g)};
            case Op.ArgReduce a -> new Tensor[] {null};
            case Op.Reshape r -> new Tensor[] {ArrayOps.reshape(g, in[0].shape())};
            case Op.Permute p -> new Tensor[] {ArrayOps.transpose(g, inversePermutation(p.perm()))};
            case Op.Expand e -> new Tensor[] {g}; // the tape sums it back to the input's shape
            case Op.Slice s -> new Tensor[] {ArrayOps.unslice(g, in[0].shape(), s.begin(), s.step())};
            case Op.Pad p -> new Tensor[] {unpad(g, p)};
            case Op.Concat c -> concat(c.axis(), in, g);
            case Op.MatMul m -> matmul(m, in[0], in[1], g, wanted);
            case Op.Conv2D c -> each(wanted,
                    () -> Dispatcher.apply(new Op.Conv2DBackpropInput(in[0].shape(), c.window()), g, in[1]),
                    () -> Dispatcher.apply(new Op.Conv2DBackpropFilter(in[1].shape(), c.window()), in[0], g));
            case Op.Conv2DBackpropInput c -> each(wanted, // inputs (dy, w), output dx
                    () -> Dispatcher.apply(new Op.Conv2D(c.window()), g, in[1]),
                    () -> Dispatcher.apply(new Op.Conv2DBackpropFilter(in[1].shape(), c.window()), g, in[0]));
            case Op.Conv2DBackpropFilter c -> each(wanted, // inputs (x, dy), output dw
                    () -> Dispatcher.apply(new Op.Conv2DBackpropInput(in[0].shape(), c.window()), in[1], g),
                    () -> Dispatcher.apply(new Op.Conv2D(c.window()), in[0], g));
            case Op.Pool2D p -> p.max()
                    ? new Tensor[] {Dispatcher.apply(new Op.Pool2DGrad(p, in[0].shape()), in[0], g)}
                    : new Tensor[] {Dispatcher.apply(new Op.Pool2DGrad(p, in[0].shape()), g)};
            case Op.Pool2DGrad p -> p.forward().max()
                    // piecewise linear in dy with the routing fixed by x: zero with respect to x, a selection for dy
                    ? new Tensor[] {null, Dispatcher.apply(new Op.MaxPoolSelect(p.forward()), in[0], g)}
                    : new Tensor[] {Dispatcher.apply(p.forward(), g)}; // average pooling is linear: its adjoint's adjoint
            case Op.MaxPoolSelect m -> new Tensor[] {null, Dispatcher.apply(new Op.Pool2DGrad(m.forward(), in[0].shape()), in[0], g)};
            case Op.Gather ga -> new Tensor[] {
                    Dispatcher.apply(new Op.ScatterAdd(ga.axis(), in[0].shape()[ga.axis()]), g, in[1]), null};
            case Op.ScatterAdd sa -> new Tensor[] {Dispatcher.apply(new Op.Gather(sa.axis()), g, in[1]), null};
            case Op.Random r -> new Tensor[] {null};
        };
    }

    private static Tensor unary(UnaryFn fn, Tensor x, Tensor y, Tensor g) {
        return switch (fn) {
            case NEG -> g.neg();
            case ABS -> g.mul(Ops.unary(UnaryFn.SIGN, x));
            case EXP -> g.mul(y);
            case EXPM1 -> g.mul(y.add(1));
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1));
            case SQRT -> g.mul(0.5).div(y);
            case RSQRT -> g.mul(-0.5).mul(y).div(x);
            case RECIPROCAL -> g.neg().mul(y.square());
            case SQUARE -> g.mul(x).mul(2);
            case SIN -> g.mul(Ops.unary(UnaryFn.COS, x));
            case COS -> g.neg().mul(Ops.unary(UnaryFn.SIN, x));
            case TANH -> g.mul(Ops.constantLike(1, y).sub(y.square()));
            case SIGMOID -> g.mul(y).mul(Ops.constantLike(1, y).sub(y));
            // from the output: relu(x) > 0 exactly where x > 0, and NaN where x is NaN, so step(y) == step(x); a
            // conv or dense layer's pre-activation is then free to be fused away (bias/relu epilogues)
            case RELU -> g.mul(Ops.unary(UnaryFn.STEP, y));
            // from the output: y > 0 exactly where x > 0, and e^x = y + 1 elsewhere
            case ELU -> g.mul(Ops.minimum(y, Ops.zerosOf(y)).add(1));
            case ERF -> g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI));
            case SIGN, STEP, FLOOR, CEIL, ROUND, NOT -> ArrayOps.broadcastTo(zerosOf(g), g.shape());
        };
    }

    private static Tensor[] binary(BinaryFn fn, Tensor a, Tensor b, Tensor y, Tensor g, boolean[] wanted) {
        return switch (fn) {
            case ADD -> new Tensor[] {g, g};
            case SUB -> each(wanted, () -> g, g::neg);
            case MUL -> each(wanted, () -> g.mul(b), () -> g.mul(a));
            case DIV -> each(wanted, () -> g.div(b), () -> g.neg().mul(a).div(b.square()));
            // d/da = b a^(b-1); d/db = a^b log a, taken as 0 where a <= 0 (TF's convention)
            case POW -> each(wanted, () -> g.mul(b).mul(Ops.pow(a, b.sub(1))), () -> {
                Tensor positive = a.gt(zerosOf(a));
                Tensor safeA = Ops.where(positive, a, Ops.onesOf(a));
                return g.mul(y).mul(Ops.where(positive, safeA.log(), zerosOf(a)));
            });
            case MAX, MIN -> {
                Tensor pickA = Ops.binary(fn == BinaryFn.MAX ? BinaryFn.GE : BinaryFn.LE, a, b);
                Tensor zero = zerosOf(g);
                yield each(wanted, () -> Ops.where(pickA, g, zero), () -> Ops.where(pickA, zero, g));
            }
            case MOD -> each(wanted, () -> g, () -> g.neg().mul(Ops.unary(UnaryFn.FLOOR, a.div(b))));
            case ATAN2 -> {
                Tensor denom = a.square().add(b.square());
                yield each(wanted, () -> g.mul(b).div(denom), () -> g.neg().mul(a).div(denom));
            }
            case EQ, NE, LT, LE, GT, GE, AND, OR, XOR -> new Tensor[] {null, null};
        };
    }

    /** The rules' gradients for the wanted inputs only (null: all); the others stay null. */
    @SafeVarargs
    private static Tensor[] each(boolean[] wanted, Supplier<Tensor>... rules) {
        Tensor[] out = new Tensor[rules.length];
        for (int i = 0; i < rules.length; i++)
            if (wanted == null || wanted[i]) out[i] = rules[i].get();
        return out;
    }

    private static Tensor reduce(Op.Reduce r, Tensor x, Tensor y, Tensor g) {
        int[] keptShape = keepDimsShape(x.shape(), r.axes());
        Tensor gk = ArrayOps.reshape(g, keptShape);
        return switch (r.fn()) {
            case SUM -> ArrayOps.broadcastTo(gk, x.shape());
            case PROD -> ArrayOps.broadcastTo(gk.mul(ArrayOps.reshape(y, keptShape)), x.shape()).div(x);
            case MAX, MIN -> {
                // ties share the gradient equally, as in TensorFlow
                Tensor mask = Ops.cast(x.eq(ArrayOps.reshape(y, keptShape)), x.dtype());
                Tensor count = Ops.reduce(ReduceFn.SUM, mask, r.axes(), true);
                yield mask.mul(gk.div(count));
            }
        };
    }

    private static Tensor[] matmul(Op.MatMul m, Tensor a, Tensor b, Tensor g, boolean[] wanted) {
        boolean ta = m.transposeA(), tb = m.transposeB();
        if (!ta && !tb) return each(wanted, () -> Ops.matmul(g, b, false, true), () -> Ops.matmul(a, g, true, false));
        if (ta && !tb) return each(wanted, () -> Ops.matmul(b, g, false, true), () -> Ops.matmul(a, g, false, false));
        if (!ta) return each(wanted, () -> Ops.matmul(g, b, false, false), () -> Ops.matmul(g, a, true, false));
        return each(wanted, () -> Ops.matmul(b, g, true, true), () -> Ops.matmul(g, a, true, true));
    }

    private static Tensor[] concat(int axis, Tensor[] in, Tensor g) {
        Tensor[] out = new Tensor[in.length];
        int start = 0;
        for (int i = 0; i < in.length; i++) {
            int len = in[i].shape()[axis];
            out[i] = ArrayOps.slice(g, axis, start, start + len, 1);
            start += len;
        }
        return out;
    }

    private static Tensor unpad(Tensor g, Op.Pad p) {
        int[] s = g.shape();
        int[] begin = p.before().clone(), end = new int[s.length], step = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            end[i] = s[i] - p.after()[i];
            step[i] = 1;
        }
        return Dispatcher.apply(new Op.Slice(begin, end, step), g);
    }

    /** Sums {@code grad} down to {@code shape}, undoing NumPy broadcasting (done once, in the tape walk). */
    public static Tensor unbroadcast(Tensor grad, int[] shape) {
        int[] gs = grad.shape();
        if (java.util.Arrays.equals(gs, shape)) return grad;
        int lead = gs.length - shape.length;
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.length; i++)
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.add(i);
        Tensor summed = axes.isEmpty() ? grad
                : Ops.reduce(ReduceFn.SUM, grad, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        if (Shapes.size(summed.shape()) != Shapes.size(shape))
            throw new IllegalStateException("gradient of shape " + Shapes.format(gs) + " cannot be reduced to " + Shapes.format(shape));
        return ArrayOps.reshape(summed, shape);
    }

    private static int[] keepDimsShape(int[] shape, int[] axes) {
        int[] out = shape.clone();
        for (int a : axes) out[a] = 1;
        return out;
    }

    private static int[] inversePermutation(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    private static Tensor zerosOf(Tensor like) {
        return Ops.zerosOf(like);
    }
}
