package dev.fluxion.nn.layers;

import dev.fluxion.CustomGradient;
import dev.fluxion.Fx;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.autodiff.Gradients;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;

/**
 * An activation layer run eagerly on the CPU as one operation of the tape whose gradient is a compiled graph
 * function of (dy, y): the ops' own rule ({@link Gradients}), its elementwise steps fused into one pass. ELU's
 * rule alone is three full-size passes (min, add, mul), which took 17 ms of the seed model's eager step on its
 * first layer. Used under the conditions of {@link FusedLinear#eagerOnCpu}, for activations whose gradient needs only
 * their output, and for at most {@link FusedLinear#TRACE_LIMIT} input types per layer.
 */
final class FusedActivation {
    private final FusedLinear.InputTypes compiledInputs = new FusedLinear.InputTypes();
    private final UnaryFn primitive;
    private final GraphFunction<Tensor> gradient;

    FusedActivation(String name, UnaryFn primitive) {
        this.primitive = primitive;
        this.gradient = Fx.function(name + "_gradient",
                (Tensor dy, Tensor y) -> Gradients.of(new Op.Unary(primitive), new Tensor[] {null}, y, dy)[0]);
    }

    /** Whether a call on x takes this form (the caller checks {@link FusedLinear#eagerOnCpu} first). */
    boolean applies(Tensor x) {
        return compiledInputs.accepts(x);
    }

    /** How many input types this layer has compiled (for tests). */
    int compiledInputCount() {
        return compiledInputs.size();
    }

    Tensor apply(Tensor x) {
        return Fx.customGradient(in -> {
            Tensor y = Ops.unary(primitive, in[0]);
            return new CustomGradient(y, dy -> new Tensor[] {gradient.call(dy, y)});
        }, x);
    }
}
