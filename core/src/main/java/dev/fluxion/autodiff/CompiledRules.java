package dev.fluxion.autodiff;

import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tape's way to {@link Gradients}: eagerly on the CPU, a unary op's rule that takes several elementwise ops
 * (relu's step and product, elu's minimum, sum and product, tanh's and sigmoid's three) runs as one compiled graph
 * function per op and signature, so it reads and writes a large tensor once instead of once per op, as inside a
 * traced step. The rule is the same {@link Gradients} rule, traced. Under a recording outer tape the function runs
 * its body eagerly (see {@link GraphFunction}), so a gradient of the gradient still sees every op.
 */
public final class CompiledRules {
    private CompiledRules() {}

    /** Below this many elements a compiled call costs more than the passes it saves. */
    static final long MIN_ELEMENTS = 1 << 15;

    /** Unary ops whose rule is more than one elementwise op (the others gain nothing from compiling). */
    private static final Set<UnaryFn> MULTI_OP = EnumSet.of(UnaryFn.ABS, UnaryFn.EXPM1, UnaryFn.LOG1P, UnaryFn.SQRT,
            UnaryFn.RSQRT, UnaryFn.RECIPROCAL, UnaryFn.SQUARE, UnaryFn.SIN, UnaryFn.COS, UnaryFn.TANH, UnaryFn.SIGMOID,
            UnaryFn.RELU, UnaryFn.ELU, UnaryFn.ERF);

    /** Shapes compiled per op; further shapes (inputs whose shape keeps changing) run the ops' rule eagerly. */
    static final int TRACE_LIMIT = 32;

    private static final Map<UnaryFn, GraphFunction<Tensor>> UNARY = new ConcurrentHashMap<>();

    /** {@code -Dfluxion.eager.compileRules=false} turns compiled rules off (read on each call, for A/B runs). */
    private static boolean enabled() {
        return !"false".equals(System.getProperty("fluxion.eager.compileRules"));
    }

    /** Whether the rule of this op has been compiled (for tests). */
    static boolean isCompiled(UnaryFn fn) {
        return UNARY.containsKey(fn);
    }

    /** As {@link Gradients#of(Op, Tensor[], Tensor, Tensor, boolean[])}, compiled where that pays. */
    public static Tensor[] of(Op op, Tensor[] in, Tensor out, Tensor g, boolean[] wanted) {
        if (op instanceof Op.Unary u && MULTI_OP.contains(u.fn()) && g.size() >= MIN_ELEMENTS && enabled()
                && Dispatcher.isEager() && Device.CPU.equals(g.device()) && Device.CPU.equals(out.device())) {
            GraphFunction<Tensor> rule = UNARY.computeIfAbsent(u.fn(), fn -> Fx.functionOf(
                    "gradient_of_" + fn.name().toLowerCase(java.util.Locale.ROOT),
                    args -> Gradients.of(new Op.Unary(fn), new Tensor[] {(Tensor) args[0]}, (Tensor) args[1],
                            (Tensor) args[2])[0]).withTraceLimit(TRACE_LIMIT));
            return new Tensor[] {rule.call(in[0], out, g)};
        }
        return Gradients.of(op, in, out, g, wanted);
    }
}
