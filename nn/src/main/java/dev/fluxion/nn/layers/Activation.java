package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.losses.ActivationLogits;

import java.util.function.UnaryOperator;

/**
 * An elementwise activation, usable as a layer ({@code Activation.elu()}) and as the {@code activation} argument of
 * {@link Dense} and {@link Conv2D}. {@link #get(String)} looks one up by its Keras name ("relu", "elu", ...).
 */
public class Activation extends Layer {
    private final String function;
    private final UnaryOperator<Tensor> fn;
    /** The primitive this activation is, when its gradient needs only its output (relu, elu, tanh); else null. */
    private final UnaryFn outputOnlyPrimitive;
    /** The eager form with a compiled gradient, made on the first eager CPU call. */
    private FusedActivation fused;

    /** An activation layer of a custom function; {@code function} names it (e.g. in summaries). */
    public Activation(String function, UnaryOperator<Tensor> fn) {
        this(function, fn, null);
    }

    private Activation(String function, UnaryOperator<Tensor> fn, UnaryFn outputOnlyPrimitive) {
        super(null);
        if (fn == null) throw new IllegalArgumentException("Activation: function is null");
        this.function = function;
        this.fn = fn;
        this.outputOnlyPrimitive = outputOnlyPrimitive;
    }

    /** The activation of the given Keras name. */
    public Activation(String function) {
        this(get(function));
    }

    private Activation(Activation named) {
        this(named.function, named.fn, named.outputOnlyPrimitive);
    }

    /** The primitive op this activation applies when its gradient is a function of its output alone, else null. */
    UnaryFn outputOnlyPrimitive() {
        return outputOnlyPrimitive;
    }

    /** The function's name (relu, elu, ...). */
    public String function() {
        return function;
    }

    /** Applies the function (without the layer machinery). */
    public Tensor activate(Tensor x) {
        return fn.apply(x);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (outputOnlyPrimitive != null && FusedLinear.eagerOnCpu(x)) {
            if (fused == null) fused = new FusedActivation(name(), outputOnlyPrimitive);
            if (fused.applies(x)) return fused.apply(x);
        }
        return fn.apply(x);
    }

    /** The eager form with a compiled gradient, or null before its first use (for tests). */
    FusedActivation fusedForm() {
        return fused;
    }

    public static Activation relu() { return new Activation("relu", NnOps::relu, UnaryFn.RELU); }
    public static Activation relu6() { return new Activation("relu6", NnOps::relu6); }
    public static Activation elu() { return new Activation("elu", NnOps::elu, UnaryFn.ELU); }
    public static Activation elu(double alpha) { return new Activation("elu", x -> NnOps.elu(x, alpha)); }
    public static Activation selu() { return new Activation("selu", NnOps::selu); }
    /** Exact GELU (Keras' default, approximate = false). */
    public static Activation gelu() { return new Activation("gelu", NnOps::gelu); }
    public static Activation geluTanh() { return new Activation("gelu", NnOps::geluTanh); }
    public static Activation sigmoid() { return new Activation("sigmoid", ActivationLogits::sigmoid); }
    public static Activation tanh() { return new Activation("tanh", Tensor::tanh, UnaryFn.TANH); }
    /** Softmax over the last axis. */
    public static Activation softmax() { return softmax(-1); }
    /** Softmax; its output remembers its logits, so a cross-entropy on it computes from them (see {@link ActivationLogits}). */
    public static Activation softmax(int axis) { return new Activation("softmax", x -> ActivationLogits.softmax(x, axis)); }
    public static Activation logSoftmax() { return new Activation("log_softmax", x -> NnOps.logSoftmax(x, -1)); }
    public static Activation softplus() { return new Activation("softplus", NnOps::softplus); }
    public static Activation softsign() { return new Activation("softsign", NnOps::softsign); }
    /** Leaky ReLU with slope 0.2 (keras.activations.leaky_relu's default). */
    public static Activation leakyRelu() { return leakyRelu(0.2); }
    public static Activation leakyRelu(double alpha) { return new Activation("leaky_relu", x -> NnOps.leakyRelu(x, alpha)); }
    public static Activation linear() { return new Activation("linear", IDENTITY); }

    private static final UnaryOperator<Tensor> IDENTITY = x -> x;

    /** Whether this is the identity ("linear"). */
    boolean isLinear() {
        return fn == IDENTITY;
    }
    public static Activation swish() { return new Activation("swish", NnOps::swish); }

    /** Looks an activation up by its Keras name; null or "linear" gives the identity. */
    public static Activation get(String name) {
        if (name == null) return linear();
        return switch (name.toLowerCase()) {
            case "relu" -> relu();
            case "relu6" -> relu6();
            case "elu" -> elu();
            case "selu" -> selu();
            case "gelu" -> gelu();
            case "sigmoid" -> sigmoid();
            case "tanh" -> tanh();
            case "softmax" -> softmax();
            case "log_softmax" -> logSoftmax();
            case "softplus" -> softplus();
            case "softsign" -> softsign();
            case "leaky_relu", "leakyrelu" -> leakyRelu();
            case "linear", "none", "" -> linear();
            case "swish", "silu" -> swish();
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'; known: relu, relu6, elu, selu, gelu, "
                    + "sigmoid, tanh, softmax, log_softmax, softplus, softsign, leaky_relu, linear, swish");
        };
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
