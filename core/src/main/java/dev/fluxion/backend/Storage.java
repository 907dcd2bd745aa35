package dev.fluxion.backend;

import dev.fluxion.DType;
import dev.fluxion.Device;

/** The memory behind one or more tensors; a tensor's layout (shape, strides, offset) is kept apart from it. */
public interface Storage {
    Device device();

    DType dtype();

    /** Number of elements the storage holds. */
    int size();

    /**
     * A long-lived owner (a variable's value, a cached device constant) holds this storage: storage whose lifetime is
     * tied to a step (device memory owned by an allocation scope) must outlive that step now. Host memory needs nothing.
     */
    default void holdBeyondScopes() {}

    /**
     * A long-lived owner let go of this storage (a variable took a new value). Device storage that no owner holds any
     * more becomes a temporary of the current step (released when its allocation scope closes), so a training loop
     * does not depend on the garbage collector to return old weights.
     */
    default void endHold() {}
}
