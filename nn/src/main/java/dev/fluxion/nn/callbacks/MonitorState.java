package dev.fluxion.nn.callbacks;

import java.util.HashMap;
import java.util.Map;

/**
 * What EarlyStopping and ReduceLROnPlateau both keep about a monitored log value: its best value so far and the
 * epochs waited since it improved, reset at the start of training and saved with training checkpoints. Each callback
 * keeps its own Keras rule for what counts as an improvement.
 */
final class MonitorState {
    private final String callback;
    double best;
    int wait;

    MonitorState(String callback) {
        this.callback = callback;
    }

    /** Forgets the best value (the worst possible for the direction) and the wait count. */
    void reset(boolean maximize) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
    }

    /** The monitored value of this epoch, or null after a warning naming what the logs hold instead. */
    Double read(String monitor, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) System.err.println(callback + ": '" + monitor + "' is not in the logs " + logs.keySet() + "; nothing to monitor");
        return v;
    }

    /** The best value and wait count, plus the callback's own entries. */
    Map<String, String> save(Map<String, String> extra) {
        Map<String, String> state = new HashMap<>(extra);
        state.put("best", Double.toString(best));
        state.put("wait", Integer.toString(wait));
        return Map.copyOf(state);
    }

    void restore(Map<String, String> state) {
        best = Double.parseDouble(state.get("best"));
        wait = Integer.parseInt(state.get("wait"));
    }
}
