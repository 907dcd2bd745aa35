package dev.fluxion.nn.io;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Saving and loading variables in safetensors files keyed by variable name (what {@code Model.saveWeights} uses). */
public final class Weights {
    private Weights() {}

    /** Writes the variables' values to {@code file} atomically, keyed by their names (which must be unique). */
    public static void save(Path file, List<Variable> variables) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Variable v : variables)
            if (m.put(v.name(), v.value()) != null)
                throw new IllegalArgumentException(file + ": two variables are named '" + v.name() + "'; weights are keyed by name, which must be unique");
        Safetensors.save(file, m, Map.of("format", "pt"));
    }

    /** Loads {@code file} into the variables; every name must match both ways, with equal shapes and dtypes. */
    public static void load(Path file, List<Variable> variables) throws IOException {
        Safetensors.Contents c = Safetensors.load(file);
        try {
            assign(file.toString(), c.tensors(), variables);
        } catch (IllegalStateException e) {
            throw new SafetensorsException(e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code values} and {@code variables} match by name, shape and dtype (all problems in one message),
     * then assigns; nothing is assigned when anything mismatches. A second instance of the same architecture, whose
     * layers were numbered on from the first's ({@code dense_4/kernel} where the file says {@code dense_2/kernel}),
     * matches by structure, as Keras loads weights: each layer number is replaced by its rank among the numbers of
     * layers of that kind on the same side (the first layer of a kind, named without a number, counting as 0), and the
     * names must then agree both ways.
     */
    public static void assign(String source, Map<String, Tensor> values, List<Variable> variables) {
        List<String> names = variables.stream().map(Variable::name).toList();
        if (!values.keySet().equals(new java.util.HashSet<>(names))) {
            Map<String, String> fileKeys = canonical(values.keySet()), modelKeys = canonical(names);
            if (new java.util.HashSet<>(fileKeys.values()).equals(new java.util.HashSet<>(modelKeys.values()))) {
                Map<String, String> fileNameOf = new java.util.HashMap<>();
                fileKeys.forEach((name, key) -> fileNameOf.put(key, name));
                Map<String, Tensor> renamed = new LinkedHashMap<>();
                for (String name : names) renamed.put(name, values.get(fileNameOf.get(modelKeys.get(name))));
                values = renamed;
            }
        }
        assignByName(source, values, variables);
    }

    private static final java.util.regex.Pattern NUMBERED = java.util.regex.Pattern.compile("(.*)_(\\d+)");

    /**
     * Each name with the number of every {@code <kind>_<n>} path segment replaced by its rank among that kind's
     * numbers; a segment without a number is number 0 of its own kind (the first {@code embedding} before
     * {@code embedding_1}).
     */
    static Map<String, String> canonical(java.util.Collection<String> names) {
        Map<String, java.util.TreeSet<Long>> numbers = new java.util.HashMap<>();
        for (String name : names)
            for (String segment : name.split("/")) {
                String[] kn = kindAndNumber(segment);
                numbers.computeIfAbsent(kn[0], k -> new java.util.TreeSet<>()).add(Long.parseLong(kn[1]));
            }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : names) {
            StringBuilder key = new StringBuilder();
            for (String segment : name.split("/")) {
                String[] kn = kindAndNumber(segment);
                if (key.length() > 0) key.append('/');
                key.append(kn[0]).append('#').append(numbers.get(kn[0]).headSet(Long.parseLong(kn[1])).size());
            }
            out.put(name, key.toString());
        }
        return out;
    }

    /** {@code dense_4} as {"dense", "4"}; a segment without a number (or too long a one) as {segment, "0"}. */
    private static String[] kindAndNumber(String segment) {
        var m = NUMBERED.matcher(segment);
        return m.matches() && m.group(2).length() < 18 ? new String[] {m.group(1), m.group(2)} : new String[] {segment, "0"};
    }

    private static void assignByName(String source, Map<String, Tensor> values, List<Variable> variables) {
        List<String> problems = new ArrayList<>();
        Map<String, Variable> byName = new LinkedHashMap<>();
        for (Variable v : variables) byName.put(v.name(), v);
        for (Variable v : variables) {
            Tensor t = values.get(v.name());
            if (t == null) problems.add("variable '" + v.name() + "' " + Shapes.format(v.shape()) + " is missing from the file");
            else if (!Arrays.equals(t.shape(), v.shape()))
                problems.add("variable '" + v.name() + "' has shape " + Shapes.format(v.shape()) + " but the file holds shape " + Shapes.format(t.shape()));
            else if (t.dtype() != v.dtype())
                problems.add("variable '" + v.name() + "' has dtype " + v.dtype() + " but the file holds " + t.dtype());
        }
        for (var e : values.entrySet())
            if (!byName.containsKey(e.getKey()))
                problems.add("the file holds '" + e.getKey() + "' " + Shapes.format(e.getValue().shape()) + ", which matches no variable of the model");
        if (!problems.isEmpty()) throw new IllegalStateException(source + ": weights do not match the model: " + String.join("; ", problems));
        for (Variable v : variables) v.assign(values.get(v.name()).to(v.type().device())); // files load to the host
    }
}
