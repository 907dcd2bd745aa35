package dev.fluxion.nn;

import dev.fluxion.Variable;
import dev.fluxion.nn.constraints.Constraint;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The registry mapping a {@link Variable} to its weight {@link Constraint}. {@link Layer#addWeight} registers
 * constraints; optimizers call {@link #apply} after updating each variable. Weak keys: a dropped variable does not
 * leak.
 */
public final class Constraints {
    private Constraints() {}

    private static final Map<Variable, Constraint> REGISTRY = new WeakHashMap<>();

    /** Registers (or, with null, removes) the constraint of a variable. */
    public static synchronized void register(Variable variable, Constraint constraint) {
        if (variable == null) throw new IllegalArgumentException("Constraints.register: variable is null");
        if (constraint == null) REGISTRY.remove(variable);
        else REGISTRY.put(variable, constraint);
    }

    /** The constraint of a variable, or null. */
    public static synchronized Constraint get(Variable variable) {
        return REGISTRY.get(variable);
    }

    /**
     * Projects the variable with its constraint: {@code v.assign(c.apply(v))}. A no-op when it has none. Tensor ops
     * and an assign, so it traces inside a graph function.
     */
    public static void apply(Variable variable) {
        Constraint c = get(variable);
        if (c == null) return;
        variable.assign(c.apply(dev.fluxion.Ops.stopGradient(variable.value())));
    }
}
