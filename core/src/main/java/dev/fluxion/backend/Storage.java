package dev.fluxion.backend;

import dev.fluxion.DType;
import dev.fluxion.Device;

/** The memory behind one or more tensors; a tensor's layout (shape, strides, offset) is kept apart from it. */
public interface Storage {
    Device device();

    DType dtype();

    /** Number of elements the storage holds. */
    int size();
}
