package dev.fluxion.nn.training;

import dev.fluxion.nn.callbacks.Callback;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch values of a {@code fit} run (loss, metrics, {@code val_*}), returned by {@code fit}; also a callback. */
public final class History extends Callback {
    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> history = new LinkedHashMap<>();

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        // Keras keeps appending across fit calls on the same History; a new History is made per fit here.
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        int row = epochs.size() - 1;
        for (var e : logs.entrySet()) {
            List<Double> col = history.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            while (col.size() < row) col.add(Double.NaN); // a key that appeared late
            col.add(e.getValue());
        }
        for (List<Double> col : history.values()) while (col.size() < row + 1) col.add(Double.NaN);
    }

    /** The epoch indices recorded (0-based), in order. */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** All series by name. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        history.forEach((k, v) -> m.put(k, Collections.unmodifiableList(v)));
        return Collections.unmodifiableMap(m);
    }

    /** One series, e.g. {@code get("val_loss")}. */
    public List<Double> get(String name) {
        List<Double> v = history.get(name);
        if (v == null) throw new IllegalArgumentException("history has no '" + name + "' (has " + history.keySet() + ")");
        return Collections.unmodifiableList(v);
    }

    /** The last epoch's value of a series. */
    public double last(String name) {
        List<Double> v = get(name);
        return v.get(v.size() - 1);
    }

    @Override
    public String toString() {
        return "History" + history;
    }
}
