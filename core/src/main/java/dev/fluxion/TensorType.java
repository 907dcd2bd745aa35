package dev.fluxion;

import java.util.Arrays;
import java.util.Objects;

/**
 * The abstract value of a tensor: dtype, shape and device. Shape rules map input types to an output type; the graph
 * tracer works with these alone. Immutable; the element count is computed once, since every kernel asks for it.
 */
public final class TensorType {
    private final DType dtype;
    private final int[] shape;
    private final Device device;
    private final int size;

    public TensorType(DType dtype, int[] shape, Device device) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        this.device = Objects.requireNonNull(device, "device");
        this.size = Shapes.size(this.shape);
    }

    public TensorType(DType dtype, int[] shape) {
        this(dtype, shape, Device.CPU);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public Device device() {
        return device;
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** Size of dimension i (no copy of the shape). */
    public int dim(int i) {
        return shape[i];
    }

    /** The same type with another shape. */
    public TensorType withShape(int[] newShape) {
        return new TensorType(dtype, newShape, device);
    }

    /** The same type with another dtype. */
    public TensorType withDType(DType newType) {
        return new TensorType(newType, shape, device);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && t.dtype == dtype && Arrays.equals(t.shape, shape) && t.device.equals(device);
    }

    @Override
    public int hashCode() {
        return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + device.hashCode();
    }

    @Override
    public String toString() {
        return dtype + Shapes.formatType(shape) + (device.equals(Device.CPU) ? "" : "@" + device);
    }
}
