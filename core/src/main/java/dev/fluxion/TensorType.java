package dev.fluxion;

import java.util.Arrays;

/**
 * The abstract value of a tensor: dtype, shape and device. Shape rules map input types to an output type; the graph
 * tracer works with these alone. A dimension of -1 means "unknown" (only in traced signatures).
 */
public record TensorType(DType dtype, int[] shape, Device device) {
    public TensorType {
        shape = shape.clone();
    }

    public TensorType(DType dtype, int[] shape) {
        this(dtype, shape, Device.CPU);
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return Shapes.size(shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
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
        return dtype + Shapes.format(shape) + (device.equals(Device.CPU) ? "" : "@" + device);
    }
}
