package dev.fluxion.graph;

import dev.fluxion.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The shape of what a traced body returned (a tensor, an array, a list, a map, or nothing), to rebuild it per call. */
final class OutputStructure {
    private enum Form { NONE, TENSOR, ARRAY, LIST, MAP }

    private final Form form;
    private final List<String> keys;
    private final Tensor[] tensors;

    private OutputStructure(Form form, List<String> keys, Tensor[] tensors) {
        this.form = form;
        this.keys = keys;
        this.tensors = tensors;
    }

    static OutputStructure of(String function, Object result) {
        return switch (result) {
            case null -> new OutputStructure(Form.NONE, List.of(), new Tensor[0]);
            case Tensor t -> new OutputStructure(Form.TENSOR, List.of(), new Tensor[] {t});
            case Tensor[] ts -> new OutputStructure(Form.ARRAY, List.of(), Arrays.stream(ts).map(t -> tensor(function, t)).toArray(Tensor[]::new));
            case List<?> l -> new OutputStructure(Form.LIST, List.of(), l.stream().map(o -> tensor(function, o)).toArray(Tensor[]::new));
            case Map<?, ?> m -> {
                List<String> keys = new ArrayList<>();
                List<Tensor> values = new ArrayList<>();
                m.forEach((k, v) -> {
                    keys.add(String.valueOf(k));
                    values.add(tensor(function, v));
                });
                yield new OutputStructure(Form.MAP, keys, values.toArray(Tensor[]::new));
            }
            default -> throw new IllegalArgumentException(function + ": a graph function must return a Tensor, Tensor[], List<Tensor>, "
                    + "Map<String, Tensor> or null; got " + result.getClass().getName());
        };
    }

    private static Tensor tensor(String function, Object o) {
        if (o instanceof Tensor t) return t;
        throw new IllegalArgumentException(function + ": a graph function's returned arrays and collections must hold tensors; got "
                + (o == null ? "null" : o.getClass().getName()));
    }

    Tensor[] tensors() {
        return tensors;
    }

    @SuppressWarnings("unchecked")
    <R> R rebuild(Tensor[] values) {
        return (R) switch (form) {
            case NONE -> null;
            case TENSOR -> values[0];
            case ARRAY -> values;
            case LIST -> Arrays.asList(values);
            case MAP -> {
                Map<String, Tensor> m = new LinkedHashMap<>();
                for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), values[i]);
                yield m;
            }
        };
    }
}
