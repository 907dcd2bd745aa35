package dev.fluxion;

import dev.fluxion.graph.GraphFunction;
import dev.fluxion.ops.Op;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Graph functions and graph-aware control flow (TensorFlow's {@code tf.function}, {@code tf.print},
 * {@code tf.cond}, {@code tf.while_loop}).
 *
 * <pre>{@code
 * var step = Fx.function("train_step", (Tensor x, Tensor y) -> trainOnBatch(x, y));
 * Tensor loss = step.call(x, y);   // traced on the first call per signature, then runs the optimized graph
 * }</pre>
 */
public final class Fx {
    private Fx() {}

    /**
     * A function with its own gradient rule (TensorFlow's {@code tf.custom_gradient}): runs {@code body} on the inputs
     * with every tape paused, then records its output on the recording tapes as one operation whose gradient is the
     * body's rule. Use it for a cheaper or numerically safer gradient than the ops' own (batch normalization's
     * closed form, a clipped or straight-through gradient). Values the body computes are constants to enclosing
     * tapes: a second-order gradient through the rule flows only through what the rule computes from the inputs and
     * the output gradient.
     *
     * <pre>{@code
     * Tensor y = Fx.customGradient(in -> {
     *     Tensor e = in[0].exp();
     *     return new CustomGradient(e.add(1).log(), dy -> new Tensor[] {dy.mul(e.div(e.add(1)))});
     * }, x);
     * }</pre>
     */
    public static Tensor customGradient(Function<Tensor[], CustomGradient> body, Tensor... inputs) {
        return GradientTape.recordCustom(inputs, body);
    }

    /** A body of one tensor argument. */
    @FunctionalInterface
    public interface Fn1<R> {
        R apply(Tensor a);
    }

    /** A body of two tensor arguments. */
    @FunctionalInterface
    public interface Fn2<R> {
        R apply(Tensor a, Tensor b);
    }

    /** A body of three tensor arguments. */
    @FunctionalInterface
    public interface Fn3<R> {
        R apply(Tensor a, Tensor b, Tensor c);
    }

    /** Compiles a one-argument function. */
    public static <R> GraphFunction<R> function(String name, Fn1<R> body) {
        return new GraphFunction<>(name, args -> body.apply(tensor(name, args, 0, 1)));
    }

    /** Compiles a two-argument function. */
    public static <R> GraphFunction<R> function(String name, Fn2<R> body) {
        return new GraphFunction<>(name, args -> body.apply(tensor(name, args, 0, 2), tensor(name, args, 1, 2)));
    }

    /** Compiles a three-argument function. */
    public static <R> GraphFunction<R> function(String name, Fn3<R> body) {
        return new GraphFunction<>(name, args -> body.apply(tensor(name, args, 0, 3), tensor(name, args, 1, 3), tensor(name, args, 2, 3)));
    }

    /** Compiles a function of any arguments: tensors are traced, plain Java values are part of the signature. */
    public static <R> GraphFunction<R> functionOf(String name, GraphFunction.Body<R> body) {
        return new GraphFunction<>(name, body);
    }

    private static Tensor tensor(String name, Object[] args, int i, int arity) {
        if (args.length != arity) throw new IllegalArgumentException(name + ": takes " + arity + " argument(s), got " + args.length);
        if (args[i] instanceof Tensor t) return t;
        throw new IllegalArgumentException(name + ": argument " + i + " must be a Tensor, got " + (args[i] == null ? "null" : args[i].getClass().getSimpleName()));
    }

    /** Prints {@code label} and the tensor's value every time it runs, eagerly or in a compiled graph; returns x. */
    public static Tensor print(String label, Tensor x) {
        return Dispatcher.apply(new Op.Print(label), x);
    }

    /** Fails with an ArithmeticException naming {@code message} when x holds a NaN or an infinity; returns x. */
    public static Tensor checkNumerics(Tensor x, String message) {
        return Dispatcher.apply(new Op.CheckNumerics(message), x);
    }

    /**
     * Data-dependent choice. Eagerly only the chosen branch runs. In a graph both branches are traced and the
     * result is selected elementwise with {@code where}, so branches must not assign variables or print, and both
     * must return tensors of broadcast-compatible shapes. Differentiable either way.
     */
    public static Tensor cond(Tensor predicate, Supplier<Tensor> whenTrue, Supplier<Tensor> whenFalse) {
        requireScalarBool("cond", predicate);
        if (!predicate.isSymbolic()) return predicate.item() != 0 ? whenTrue.get() : whenFalse.get();
        return Ops.where(predicate, whenTrue.get(), whenFalse.get());
    }

    /**
     * Data-dependent loop: while {@code condition(vars)} holds, {@code vars = body(vars)}. Eagerly it is a Java
     * loop. In a graph it is unrolled into {@code maximumIterations} guarded steps (each step keeps the old values
     * once the condition has failed), which keeps it differentiable; a loop that would run longer fails.
     */
    public static Tensor[] whileLoop(Function<Tensor[], Tensor> condition, UnaryOperator<Tensor[]> body,
                                     Tensor[] loopVars, int maximumIterations) {
        if (maximumIterations < 0) throw new IllegalArgumentException("while_loop: maximumIterations must be >= 0");
        Tensor[] vars = loopVars.clone();
        for (int k = 0; k < vars.length; k++)
            if (vars[k] == null) throw new IllegalArgumentException("while_loop: loop variable " + k + " is null");
        boolean symbolic = Arrays.stream(vars).anyMatch(Tensor::isSymbolic);
        if (!symbolic) {
            for (int i = 0; ; i++) {
                Tensor c = condition.apply(vars);
                requireScalarBool("while_loop", c);
                if (c.item() == 0) return vars;
                if (i == maximumIterations)
                    throw new IllegalStateException("while_loop: still running after maximumIterations = " + maximumIterations);
                vars = step("while_loop", vars, body.apply(vars));
            }
        }
        Tensor active = null;
        for (int i = 0; i < maximumIterations; i++) {
            Tensor c = condition.apply(vars);
            requireScalarBool("while_loop", c);
            active = active == null ? c : Ops.logicalAnd(active, c);
            Tensor[] next = step("while_loop", vars, body.apply(vars));
            for (int k = 0; k < vars.length; k++) vars[k] = Ops.where(active, next[k], vars[k]);
        }
        Tensor last = condition.apply(vars);
        Tensor overrun = active == null ? last : Ops.logicalAnd(active, last);
        // a side-effecting check (never removed) that fails at run time if the loop needed more iterations
        checkNumerics(Ops.where(overrun, Tensor.scalar(Float.NaN), Tensor.scalar(0f)),
                "while_loop needed more than maximumIterations = " + maximumIterations + " iterations");
        return vars;
    }

    private static Tensor[] step(String op, Tensor[] vars, Tensor[] next) {
        if (next == null) throw new IllegalArgumentException(op + ": body returned null for " + vars.length + " loop variables");
        if (next.length != vars.length)
            throw new IllegalArgumentException(op + ": body returned " + next.length + " values for " + vars.length + " loop variables");
        for (int k = 0; k < vars.length; k++) {
            if (next[k] == null) throw new IllegalArgumentException(op + ": body returned null for loop variable " + k);
            if (next[k].dtype() != vars[k].dtype() || !Arrays.equals(next[k].shape(), vars[k].shape()))
                throw new IllegalArgumentException(op + ": loop variable " + k + " changed from " + vars[k].type() + " to " + next[k].type());
        }
        return next;
    }

    private static void requireScalarBool(String op, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": the condition is null; it must be a 0-d bool tensor");
        if (t.dtype() != DType.BOOL || t.rank() != 0)
            throw new IllegalArgumentException(op + ": the condition must be a 0-d bool tensor, got " + t.type());
    }
}
