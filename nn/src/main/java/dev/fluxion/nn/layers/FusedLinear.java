package dev.fluxion.nn.layers;

import dev.fluxion.CustomGradient;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.UnconnectedGradients;
import dev.fluxion.autodiff.Gradients;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.UnaryFn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * A linear map (a matmul or a convolution), a bias and an activation, run eagerly on the CPU as one operation of the
 * tape whose forward pass and gradient are compiled graph functions (one per input signature): the bias and the
 * activation become the product's epilogue, and the activation's gradient, the bias gradient's sum and the
 * product's gradients share passes, as inside a compiled training step. PyTorch's eager mode gets the same from its
 * fused kernels (addmm, convolution with bias). The rules stay the ops' own: the product's from a tape traced inside
 * the backward function (the product it records is dead code there and is dropped), the activation's from its
 * output by {@link Gradients}.
 *
 * <p>Used only when it gives the same gradients as the ops would: eagerly (a traced step fuses by itself), on the
 * CPU, with at most one recording tape (an outer tape could not differentiate the compiled rule), and for an
 * activation whose gradient needs only its output.
 */
final class FusedLinear {
    /**
     * Input types compiled per layer: a layer fed shapes that keep changing takes the ops' path for the others, where
     * tracing and compiling each would cost more than it saves (and the backward body, run eagerly, would compute
     * the product again).
     */
    static final int TRACE_LIMIT = 16;

    private final InputTypes compiledInputs = new InputTypes();

    private final BinaryOperator<Tensor> linear;
    private final UnaryFn activation; // null: the identity
    private final GraphFunction<List<Tensor>> forward, backward;

    FusedLinear(String name, BinaryOperator<Tensor> linear, Activation activation) {
        this.linear = linear;
        this.activation = activation == null || activation.isLinear() ? null : activation.outputOnlyPrimitive();
        this.forward = Fx.functionOf(name + "_forward", this::forwardBody);
        this.backward = Fx.functionOf(name + "_backward", this::backwardBody);
    }

    /** The optimized backward graph of the latest signature (for tests). */
    dev.fluxion.graph.Graph backwardGraph() {
        return backward.lastGraph();
    }

    /** Whether the fused form computes a call on {@code x} with this activation (see the class comment). */
    static boolean applies(Tensor x, Activation activation) {
        return eagerOnCpu(x) && (activation == null || activation.isLinear() || activation.outputOnlyPrimitive() != null);
    }

    /**
     * The conditions every fused eager form shares: fusing on, eager, a floating CPU tensor, at most one recording
     * tape.
     */
    static boolean eagerOnCpu(Tensor x) {
        return enabled() && Dispatcher.isEager() && Device.CPU.equals(x.device()) && x.dtype().isFloating()
                && !GradientTape.nestedRecording();
    }

    /**
     * {@code -Dfluxion.eager.fuseLayers=false} turns the fused eager forms of Dense, Conv2D and BatchNormalization
     * off (read on each call, so that one JVM can time both: {@code EagerAbBench}).
     */
    static boolean enabled() {
        return !"false".equals(System.getProperty("fluxion.eager.fuseLayers"));
    }

    /** Whether this layer compiles calls on inputs of x's type (at most {@link #TRACE_LIMIT} types). */
    boolean accepts(Tensor x) {
        return compiledInputs.accepts(x);
    }

    /** How many input types this layer has compiled (for tests). */
    int compiledInputCount() {
        return compiledInputs.size();
    }

    /** The input types a layer's fused form has compiled, at most {@link #TRACE_LIMIT}. */
    static final class InputTypes {
        private final Set<TensorType> types = new HashSet<>();

        /** Whether calls on x's type are compiled: already, or newly while under the limit. */
        synchronized boolean accepts(Tensor x) {
            return types.contains(x.type()) || (types.size() < TRACE_LIMIT && types.add(x.type()));
        }

        synchronized int size() {
            return types.size();
        }
    }

    /** activation(linear(x, kernel) + bias); bias may be null. Callers check {@link #accepts} first. */
    Tensor apply(Tensor x, Tensor kernel, Tensor bias) {
        Tensor[] inputs = bias == null ? new Tensor[] {x, kernel} : new Tensor[] {x, kernel, bias};
        return Fx.customGradient(in -> {
            Tensor y = forward.call((Object[]) in).get(0);
            return new CustomGradient(y, (dy, wanted) -> gradients(in, y, dy, wanted));
        }, inputs);
    }

    private Tensor[] gradients(Tensor[] in, Tensor y, Tensor dy, boolean[] wanted) {
        Tensor[] grads = new Tensor[in.length];
        boolean any = false;
        for (boolean w : wanted) any |= w;
        if (!any) return grads;
        boolean wantBias = in.length > 2 && wanted[2];
        List<Tensor> computed = backward.call(dy, in[0], in[1], y, wanted[0], wanted[1], wantBias);
        int k = 0;
        for (int i = 0; i < in.length; i++) if (wanted[i]) grads[i] = computed.get(k++);
        return grads;
    }

    private List<Tensor> forwardBody(Object[] args) {
        Tensor z = linear.apply((Tensor) args[0], (Tensor) args[1]);
        if (args.length > 2) z = z.add((Tensor) args[2]);
        return List.of(activation == null ? z : Ops.unary(activation, z));
    }

    /** (dy, x, kernel, y, wantX, wantKernel, wantBias) to the wanted gradients, in that order. */
    private List<Tensor> backwardBody(Object[] args) {
        Tensor dy = (Tensor) args[0], x = (Tensor) args[1], kernel = (Tensor) args[2], y = (Tensor) args[3];
        boolean wantX = (Boolean) args[4], wantKernel = (Boolean) args[5], wantBias = (Boolean) args[6];
        Tensor dz = activation == null ? dy : Gradients.of(new Op.Unary(activation), new Tensor[] {null}, y, dy)[0];
        List<Tensor> out = new ArrayList<>(3);
        if (wantX || wantKernel) {
            List<Tensor> sources = new ArrayList<>(2);
            if (wantX) sources.add(x);
            if (wantKernel) sources.add(kernel);
            try (var tape = new GradientTape()) {
                for (Tensor s : sources) tape.watch(s);
                Tensor z = linear.apply(x, kernel);
                out.addAll(List.of(tape.gradient(z, sources.toArray(Tensor[]::new), dz, UnconnectedGradients.ZERO)));
            }
        }
        if (wantBias) out.add(Gradients.unbroadcast(dz, new int[] {dz.dim(-1)}));
        return out;
    }
}
