package dev.fluxion.backend;

import dev.fluxion.Device;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.ops.Op;

/**
 * The narrow interface a device implements: run one primitive on concrete tensors, and copy tensors onto the
 * device. Graph compilation for a device is a separate, optional interface: {@link dev.fluxion.graph.GraphCompiler}.
 */
public interface Backend {
    Device device();

    /**
     * Runs {@code op} on concrete inputs that all live on this device. {@code out} is the type the op's shape rule
     * inferred; the result must have it.
     */
    Tensor execute(Op op, Tensor[] inputs, TensorType out);

    /** A copy of a concrete CPU tensor on this device. */
    Tensor copyFrom(Tensor source);

    /** A contiguous CPU copy of a concrete tensor living on this device. */
    Tensor toHost(Tensor source);
}
