package dev.fluxion.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras' model summary table (tf.keras 2 layout): one row per layer with its name and type, output shape (None for
 * the batch) and parameter count, then the total, trainable and non-trainable parameter counts with thousands
 * separators. Functional models also list their inputs as {@code InputLayer} rows.
 */
public final class Summary {
    private Summary() {}

    /** The summary of a model (or any layer) as a String. */
    public static String render(Layer model) {
        if (!model.isBuilt() && model.variables().isEmpty())
            throw new IllegalStateException("model '" + model.name() + "' is not built yet: call it on data once, or start it with "
                    + "Input.shape(...) so it builds at once");
        boolean graph = model instanceof Functional;
        List<String[]> rows = new ArrayList<>();
        if (model instanceof Functional f) {
            for (KerasTensor in : f.inputs()) rows.add(new String[] {in.inputName() + " (InputLayer)", Layer.formatShape(in.shape()), "0", "[]"});
            for (Layer l : f.layers())
                rows.add(new String[] {label(l), Layer.formatShape(l.outputShape()), thousands(l.countParams()), connections(f, l)});
        } else {
            List<Layer> layers = model.layers();
            if (layers.isEmpty()) layers = List.of(model);
            for (Layer l : layers) rows.add(new String[] {label(l), Layer.formatShape(l.outputShape()), thousands(l.countParams())});
        }

        String[] header = graph ? new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[] {"Layer (type)", "Output Shape", "Param #"};
        int[] width = graph ? new int[] {28, 26, 10, 20} : new int[] {28, 26, 10};
        for (String[] r : rows)
            for (int c = 0; c < r.length; c++) width[c] = Math.max(width[c], r[c].length() + 2);
        int total = 1;
        for (int w : width) total += w;

        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(model.name()).append("\"\n");
        b.append("_".repeat(total)).append('\n');
        b.append(row(header, width)).append('\n');
        b.append("=".repeat(total)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            b.append(row(rows.get(i), width)).append('\n');
            if (i < rows.size() - 1) b.append('\n');
        }
        b.append("=".repeat(total)).append('\n');
        long trainable = count(model.trainableVariables()), nonTrainable = count(model.nonTrainableVariables());
        b.append("Total params: ").append(thousands(trainable + nonTrainable)).append('\n');
        b.append("Trainable params: ").append(thousands(trainable)).append('\n');
        b.append("Non-trainable params: ").append(thousands(nonTrainable)).append('\n');
        b.append("_".repeat(total)).append('\n');
        return b.toString();
    }

    private static String label(Layer l) {
        return l.name() + " (" + l.getClass().getSimpleName() + ")";
    }

    /** Keras' "Connected to": ['producer[call][0]', ...] over every call of the layer. */
    private static String connections(Functional f, Layer l) {
        List<String> parts = new ArrayList<>();
        for (KerasTensor node : f.nodes()) {
            if (node.layer() != l) continue;
            for (KerasTensor in : node.inputs()) {
                if (in.isInput()) {
                    parts.add("'" + in.inputName() + "[0][0]'");
                } else {
                    int call = 0;
                    for (KerasTensor other : f.nodes()) {
                        if (other == in) break;
                        if (other.layer() == in.layer()) call++;
                    }
                    parts.add("'" + in.layer().name() + "[" + call + "][0]'");
                }
            }
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static String row(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder(" ");
        for (int c = 0; c < cells.length; c++) b.append(String.format(Locale.ROOT, "%-" + width[c] + "s", cells[c]));
        return b.toString().stripTrailing();
    }

    private static long count(List<dev.fluxion.Variable> vars) {
        long n = 0;
        for (var v : vars) n += dev.fluxion.Shapes.size(v.shape());
        return n;
    }

    /** 1148138 → "1,148,138". */
    public static String thousands(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
