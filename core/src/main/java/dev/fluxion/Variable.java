package dev.fluxion;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A named, mutable holder of a tensor value: model weights, optimizer slots, counters. Tensors themselves are
 * immutable, so {@link #assign} swaps in a new value and the values a tape already recorded stay intact.
 *
 * <p>Trainable variables are watched by every {@link GradientTape} automatically (TensorFlow's rule): reading
 * {@link #value()} inside a tape makes the tape track it, and {@code tape.gradient(loss, variables)} works without
 * an explicit {@code watch}.
 */
public final class Variable {
    private static final AtomicLong IDS = new AtomicLong();

    private final String name;
    private final boolean trainable;
    private final long id = IDS.incrementAndGet();
    private Tensor value;
    /** Whether {@link #value()} handed the current value out since it was assigned (see {@link #peekValue()}). */
    private boolean handedOut;

    /** A trainable variable. */
    public Variable(Tensor initial, String name) {
        this(initial, name, true);
    }

    public Variable(Tensor initial, String name, boolean trainable) {
        if (initial == null) throw new IllegalArgumentException("variable '" + name + "': initial value is null");
        this.name = name;
        this.trainable = trainable;
        if (initial.isSymbolic())
            throw new IllegalArgumentException("variable '" + name + "': the initial value is a symbolic tensor of a graph function; "
                    + "compute initial values eagerly, e.g. inside Dispatcher.initScope(...)");
        this.value = adopt(initial);
        if (!initial.isSymbolic()) value.storage().holdBeyondScopes();
        Dispatcher.current().variableCreated(this);
    }

    /** A trainable variable with a generated name. */
    public Variable(Tensor initial) {
        this(initial, null, true);
    }

    public String name() {
        return name != null ? name : "variable_" + id;
    }

    public boolean trainable() {
        return trainable;
    }

    public TensorType type() {
        return value.type();
    }

    public int[] shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    /** The current value. Operations on it are differentiable with respect to this variable. */
    public Tensor value() {
        handedOut = true;
        return Dispatcher.current().readVariable(this, value);
    }

    /**
     * The current value, for a graph executable that uses it during one call and lets nothing of it escape (it
     * calls {@link #markHandedOut()} when an output shares it). Unlike {@link #value()} this does not count as
     * handing the value out: while it has not been handed out, nothing outside the executable can hold it, so once
     * the executable replaces it the executable may reuse its memory. Not for user code.
     */
    public Tensor peekValue() {
        return value;
    }

    /** Whether the current value has been handed out (read through {@link #value()}) since it was assigned. */
    public boolean valueHandedOut() {
        return handedOut;
    }

    /** Records that the current value reached code outside an executable (an output shares its memory). */
    public void markHandedOut() {
        handedOut = true;
    }

    /** Replaces the value; its dtype and shape must match the variable's. */
    public void assign(Tensor newValue) {
        check("assign", newValue);
        Tensor adopted = adopt(newValue);
        if (!Dispatcher.current().assignVariable(this, adopted)) replaceValue(adopted);
    }

    /**
     * Moves this variable to {@code device} (PyTorch's {@code module.to(device)} for one weight): its value is copied
     * there and later assignments must come from that device. Eager only; optimizer slots created afterwards follow.
     */
    public void moveTo(Device device) {
        if (value.device().equals(device)) return;
        if (!Dispatcher.isEager())
            throw new IllegalStateException("moveTo: variable '" + name + "' cannot change device inside a graph function or tape interpreter");
        replaceValue(adopt(value.to(device)));
    }

    private void replaceValue(Tensor adopted) {
        Tensor old = value;
        value = adopted;
        handedOut = false;
        if (adopted.isSymbolic() || old.isSymbolic() || adopted.storage() == old.storage()) return;
        adopted.storage().holdBeyondScopes();
        old.storage().endHold();
    }

    /** {@code this = this + delta}. */
    public void assignAdd(Tensor delta) {
        assign(Ops.add(Ops.stopGradient(value()), delta));
    }

    /** {@code this = this - delta}. */
    public void assignSub(Tensor delta) {
        assign(Ops.sub(Ops.stopGradient(value()), delta));
    }

    private void check(String op, Tensor v) {
        if (v == null) throw new IllegalArgumentException(op + ": value for variable '" + name() + "' is null");
        if (v.isSymbolic() && Dispatcher.isEager()) // else the variable would hold a tensor without a value
            throw new IllegalArgumentException(op + ": the value for variable '" + name() + "' is a symbolic tensor of a graph function, "
                    + "used outside of it; return values from the function instead of keeping its intermediate tensors");
        Tensor value = this.value;
        if (v.dtype() != value.dtype() || !java.util.Arrays.equals(v.shape(), value.shape()))
            throw new IllegalArgumentException(op + ": variable '" + name() + "' is " + value.type() + " but the value is " + v.type());
        if (!v.device().equals(value.device()))
            throw new IllegalArgumentException(op + ": variable '" + name() + "' lives on " + value.device() + " but the value is on " + v.device());
    }

    /**
     * A fresh tensor object sharing {@code v}'s storage (or graph node), marked as this variable's value so that
     * tapes watch it. For interpreters such as the graph tracer.
     */
    public Tensor adopt(Tensor v) {
        Tensor t = v.isSymbolic() ? Tensor.symbolic(v.type(), v.symbol())
                : Tensor.wrap(v.storage(), v.shape(), v.strides(), v.offset());
        t.variable = this;
        return t;
    }

    @Override
    public String toString() {
        return "Variable(" + name() + ", " + value.type() + (trainable ? "" : ", non-trainable") + ")";
    }
}
