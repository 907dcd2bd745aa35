package dev.fluxion.nn.metrics;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stateful metric (Keras' {@code Metric}): {@link #updateState} accumulates into non-trainable {@link Variable}s
 * with Tensor ops and assignments, so an update inside a graph function runs on every call of the compiled step;
 * {@link #result()} computes the value from the state (idempotent); {@link #reset()} zeroes the state.
 * State variables are created in the constructor, named {@code "<metric name>/<state name>"}.
 */
public abstract class Metric {
    private final String name;
    private final List<Variable> variables = new ArrayList<>();

    protected Metric(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Accumulates a batch. */
    public void updateState(Tensor yTrue, Tensor yPred) {
        updateState(yTrue, yPred, null);
    }

    /** Accumulates a batch with per-example weights (null: all 1). */
    public abstract void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight);

    /** The metric's value from the accumulated state (0-d unless documented otherwise). */
    public abstract Tensor result();

    /** Zeroes the state (Keras' {@code reset_state}). */
    public void reset() {
        for (Variable v : variables) v.assign(v.value().zerosLike()); // zeros on the state's device
    }

    /** The state variables, in creation order. */
    public List<Variable> variables() {
        return Collections.unmodifiableList(variables);
    }

    /** Creates a zero-initialized non-trainable state variable (initial value computed in the init scope). */
    protected final Variable addState(String stateName, DType dtype, int... shape) {
        Tensor zeros = Dispatcher.initScope(() -> Tensor.zeros(dtype, shape));
        Variable v = new Variable(zeros, name + "/" + stateName, false);
        variables.add(v);
        return v;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }
}
