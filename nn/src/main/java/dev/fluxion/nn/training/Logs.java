package dev.fluxion.nn.training;

import dev.fluxion.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a train, test or predict step returns: named scalar tensors in insertion order (Keras' logs dict). Inside a
 * compiled step the tensors are symbolic; {@code fit} converts them to doubles after each call, outside the graph.
 */
public final class Logs {
    private final Map<String, Tensor> values = new LinkedHashMap<>();

    public Logs() {}

    /** Logs from alternating names and tensors: {@code Logs.of("d_loss", dLoss, "g_loss", gLoss)}. */
    public static Logs of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("Logs.of: expected name, tensor pairs, got " + namesAndValues.length + " arguments");
        Logs l = new Logs();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String name)) throw new IllegalArgumentException("Logs.of: argument " + i + " must be a name (String)");
            if (!(namesAndValues[i + 1] instanceof Tensor t)) throw new IllegalArgumentException("Logs.of: value of '" + name + "' must be a Tensor");
            l.put(name, t);
        }
        return l;
    }

    /** Adds or replaces a value; it must hold one element (any shape of size 1). */
    public Logs put(String name, Tensor value) {
        if (name == null || value == null) throw new IllegalArgumentException("Logs.put: name and value must be non-null");
        if (value.size() != 1) throw new IllegalArgumentException("Logs.put: '" + name + "' must be a scalar, got shape " + java.util.Arrays.toString(value.shape()));
        values.put(name, value);
        return this;
    }

    public Tensor get(String name) {
        return values.get(name);
    }

    /** The values, in insertion order (read-only). */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(values);
    }

    /** Converts concrete (non-symbolic) tensor logs to doubles, keeping the order. */
    public static Map<String, Double> toDoubles(Map<String, Tensor> tensors) {
        Map<String, Double> out = new LinkedHashMap<>();
        tensors.forEach((k, t) -> out.put(k, t.reshape().item()));
        return out;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
