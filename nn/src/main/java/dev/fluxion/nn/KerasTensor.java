package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Tensor;

import java.util.List;

/**
 * A symbolic tensor of the functional API (Keras' {@code KerasTensor}): a shape whose dimension 0 is the unknown
 * batch (-1, shown as None), a dtype, and the layer call that produced it — or none for an {@link Input}. Layers
 * applied to KerasTensors with {@link Layer#apply} record a graph that {@link Functional} runs on real tensors.
 */
public final class KerasTensor {
    private final int[] shape;
    private final DType dtype;
    private final Layer layer; // null for an input
    private final List<KerasTensor> inputs;
    private final String inputName;
    private final boolean listCall;

    KerasTensor(int[] shape, DType dtype, Layer layer, List<KerasTensor> inputs, boolean listCall) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.layer = layer;
        this.inputs = inputs;
        this.inputName = null;
        this.listCall = listCall;
    }

    /** An input placeholder. */
    KerasTensor(int[] shape, DType dtype, String inputName) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.layer = null;
        this.inputs = List.of();
        this.inputName = inputName;
        this.listCall = false;
    }

    /** Whether the layer was called with the list form (merge layers, several inputs). */
    boolean listCall() {
        return listCall;
    }

    /** The shape, dimension 0 being the batch (-1 = unknown). */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public DType dtype() {
        return dtype;
    }

    /** The layer whose call produced this tensor, or null for an input. */
    public Layer layer() {
        return layer;
    }

    /** The symbolic inputs of that call (empty for an input). */
    public List<KerasTensor> inputs() {
        return inputs;
    }

    public boolean isInput() {
        return layer == null;
    }

    /** The name of an input ({@code input_layer}, {@code input_layer_1}, ...), null otherwise. */
    public String inputName() {
        return inputName;
    }

    /**
     * A placeholder used to run shape inference through a layer: batch 1, and {@code unknownSize} for the other
     * unknown dimensions (two passes with different sizes tell which output dimensions follow them).
     */
    Tensor placeholder(int unknownSize) {
        int[] s = shape.clone();
        for (int i = 0; i < s.length; i++) if (s[i] < 0) s[i] = i == 0 ? 1 : unknownSize;
        return Layer.placeholder(dtype, s);
    }

    /** Whether a dimension other than the batch is unknown (an {@code Input.shape(-1, features)}). */
    boolean hasUnknownNonBatch() {
        for (int i = 1; i < shape.length; i++) if (shape[i] < 0) return true;
        return false;
    }

    @Override
    public String toString() {
        return "KerasTensor(shape=" + Layer.formatShape(shape) + ", dtype=" + dtype
                + (layer != null ? ", from " + layer.name() : ", input " + inputName) + ")";
    }
}
