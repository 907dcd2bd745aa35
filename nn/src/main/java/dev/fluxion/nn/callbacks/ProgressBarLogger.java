package dev.fluxion.nn.callbacks;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Prints training progress (Keras' ProgbarLogger), added by {@code fit} for verbose 1 (a progress bar per epoch) and
 * verbose 2 (one line per epoch). Reads {@code epochs}, {@code steps} and {@code stateful} from the run parameters;
 * a custom {@code trainStep}'s logs are averaged over the epoch, the compiled loss and metrics shown as they are.
 */
public final class ProgressBarLogger extends Callback {
    private final PrintStream out;
    private final ProgressBar.Style style;
    private ProgressBar bar;
    private int epochs;
    private Map<String, Double> lastBatch = Map.of();

    /** A progress bar per epoch on System.out, drawn in place on a terminal and as sparse lines otherwise. */
    public ProgressBarLogger() {
        this(System.out, System.console() != null ? ProgressBar.Style.TERMINAL : ProgressBar.Style.LINES);
    }

    public ProgressBarLogger(PrintStream out, ProgressBar.Style style) {
        this.out = out;
        this.style = style;
    }

    /** The averaged values of the running epoch, as the bar shows them (empty before the first batch). */
    public Map<String, Double> currentValues() {
        return bar == null ? Map.of() : bar.values();
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        Object e = params().get("epochs");
        epochs = e instanceof Integer i ? i : 0;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        Object steps = params().get("steps");
        Object st = params().get("stateful");
        Set<String> stateful = st instanceof Set<?> s ? (Set<String>) s : Set.of();
        long total = steps instanceof Number n ? n.longValue() : -1;
        bar = new ProgressBar(total, "Epoch " + (epoch + 1) + "/" + epochs, out, style, stateful);
        lastBatch = Map.of();
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (bar != null) bar.update(batch + 1L, logs);
        lastBatch = logs;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (bar == null) return;
        Map<String, Double> extra = new LinkedHashMap<>();
        // the epoch's values (what History records) override the bar's own averages for the same names
        extra.putAll(logs);
        bar.finish(extra);
        bar = null;
    }
}
