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
     * A variable took this storage as its value. Storage whose lifetime is tied to a step (device memory owned by an
     * allocation scope) must outlive that step now; host memory needs nothing.
     */
    default void heldByVariable() {}

    /**
     * A variable replaced this storage with a new value. Device storage that no variable holds any more becomes a
     * temporary of the step that replaced it (released when that step's allocation scope closes), so a training loop
     * does not depend on the garbage collector to return old weights.
     */
    default void releasedByVariable() {}
}
