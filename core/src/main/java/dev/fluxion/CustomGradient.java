package dev.fluxion;

import java.util.function.Function;

/**
 * What the body of {@link Fx#customGradient} returns: its output and the rule that maps the output's gradient to one
 * gradient per input (null for an input that gets none). Gradients shaped like the output's broadcast are summed
 * down to the inputs' shapes, as for built-in rules.
 */
public record CustomGradient(Tensor output, Rule rule) {
    /**
     * A gradient rule told which inputs need a gradient (those that lead to a tape's source): it may leave the
     * others null and skip their work.
     */
    @FunctionalInterface
    public interface Rule {
        Tensor[] gradients(Tensor outputGradient, boolean[] wanted);
    }

    public CustomGradient {
        if (output == null) throw new IllegalArgumentException("customGradient: the body returned a null output");
        if (rule == null) throw new IllegalArgumentException("customGradient: the body returned no gradient rule");
    }

    /** A rule that computes every input's gradient from the output's. */
    public CustomGradient(Tensor output, Function<Tensor, Tensor[]> gradient) {
        this(output, gradient == null ? null : (Rule) (dy, wanted) -> gradient.apply(dy));
    }
}
