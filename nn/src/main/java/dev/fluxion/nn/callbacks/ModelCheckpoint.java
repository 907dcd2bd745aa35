package dev.fluxion.nn.callbacks;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves the model's weights (safetensors, written atomically) at the end of epochs, or every {@link #saveFreq(int)}
 * training batches (Keras' ModelCheckpoint). The path may hold {@code {epoch}} (1-based, as in Keras;
 * {@code {epoch:02d}} pads), {@code {batch}} (1-based, with {@code saveFreq}) and log values such as
 * {@code {val_loss:.4f}}; saves between epochs see the batch logs, which have no {@code val_} values. With {@code saveBestOnly} it saves only when the monitored value improves on the best so far
 * (mode AUTO: maximize when the name contains "acc" or starts with "fmeasure", else minimize); a missing monitored value
 * skips the save with a warning. Fluxion saves weights only (no architecture serialization): {@code saveWeightsOnly}
 * is accepted for Keras parity and must be true.
 */
public final class ModelCheckpoint extends Callback implements StatefulCallback {
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    private final String filepath;
    private String monitor = "val_loss";
    private Mode mode = Mode.AUTO;
    private boolean saveBestOnly;
    private Double initialValueThreshold;
    private double best = Double.NaN;
    private int saves;
    private int saveFreq; // 0: at the end of each epoch
    private int batchesSinceSave;
    private int lastBatchSeen = -1; // batch callbacks may come once per group of steps (stepsPerExecution)
    private int epoch;

    public ModelCheckpoint(String filepath) {
        this.filepath = filepath;
    }

    /** Saves only when {@code val_loss} improves. */
    public static ModelCheckpoint bestOnly(String filepath) {
        return new ModelCheckpoint(filepath).saveBestOnly(true);
    }

    public ModelCheckpoint monitor(String name) {
        this.monitor = name;
        return this;
    }

    public ModelCheckpoint mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    public ModelCheckpoint saveBestOnly(boolean on) {
        this.saveBestOnly = on;
        return this;
    }

    public ModelCheckpoint saveWeightsOnly(boolean on) {
        if (!on) throw new UnsupportedOperationException("ModelCheckpoint: only weights are saved (safetensors); whole-model saving is not supported");
        return this;
    }

    /** Saves every {@code batches} training batches (counted across epochs) instead of at the end of each epoch. */
    public ModelCheckpoint saveFreq(int batches) {
        if (batches < 1) throw new IllegalArgumentException("ModelCheckpoint: saveFreq must be >= 1 batch, got " + batches);
        this.saveFreq = batches;
        return this;
    }

    /** A value the monitored quantity must beat before the first save (Keras' initial_value_threshold). */
    public ModelCheckpoint initialValueThreshold(double v) {
        this.initialValueThreshold = v;
        return this;
    }

    /** The best monitored value so far (NaN before any). */
    public double best() {
        return best;
    }

    /** How many times weights were written. */
    public int saveCount() {
        return saves;
    }

    @Override
    public Map<String, String> saveState() {
        return Map.of("best", Double.toString(best), "saves", Integer.toString(saves), "batches_since_save", Integer.toString(batchesSinceSave),
                "last_batch_seen", Integer.toString(lastBatchSeen));
    }

    @Override
    public void restoreState(Map<String, String> state) {
        best = Double.parseDouble(state.get("best"));
        saves = Integer.parseInt(state.get("saves"));
        batchesSinceSave = Integer.parseInt(state.getOrDefault("batches_since_save", "0"));
        lastBatchSeen = Integer.parseInt(state.getOrDefault("last_batch_seen", "-1"));
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        best = initialValueThreshold != null ? initialValueThreshold : Double.NaN;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        this.epoch = epoch;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (saveFreq == 0) return;
        batchesSinceSave += batch <= lastBatchSeen ? batch + 1 : batch - lastBatchSeen; // a new epoch starts at 0
        lastBatchSeen = batch;
        if (batchesSinceSave < saveFreq) return;
        batchesSinceSave = 0;
        save(epoch, batch, logs);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveFreq == 0) save(epoch, -1, logs);
    }

    private void save(int epoch, int batch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double current = logs.get(monitor);
            if (current == null || current.isNaN()) {
                System.err.println("ModelCheckpoint: can save best model only with '" + monitor + "' available, skipping (have " + logs.keySet() + ")");
                return;
            }
            boolean max = Mode.maximizeContains(mode, monitor);
            boolean better = Double.isNaN(best) || (max ? current > best : current < best);
            if (!better) return;
            best = current;
        }
        Path p = Path.of(format(filepath, epoch, batch, logs));
        model().saveWeights(p);
        saves++;
    }

    /** Fills {@code {epoch}} (1-based) and {@code {name[:spec]}} from the logs; spec is a Python-style format such as .4f or 02d. */
    public static String format(String pattern, int epoch, Map<String, Double> logs) {
        return format(pattern, epoch, -1, logs);
    }

    /** As {@link #format(String, int, Map)}, with {@code {batch}} (1-based) when {@code batch} is not negative. */
    public static String format(String pattern, int epoch, int batch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1), spec = m.group(2);
            String text;
            if (key.equals("epoch") || (key.equals("batch") && batch >= 0)) {
                int value = key.equals("epoch") ? epoch + 1 : batch + 1;
                text = spec == null ? Integer.toString(value) : formatField(pattern, key, spec, value);
            } else {
                Double v = logs.get(key);
                if (v == null) throw new IllegalArgumentException("ModelCheckpoint: filepath '" + pattern + "' needs '" + key + "', not in the logs " + logs.keySet());
                if (spec == null) text = Double.toString(v);
                else text = formatField(pattern, key, spec, spec.endsWith("d") ? (Object) Math.round(v) : v);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String formatField(String pattern, String key, String spec, Object value) {
        try {
            return String.format(Locale.ROOT, "%" + spec, value);
        } catch (java.util.IllegalFormatException e) {
            throw new IllegalArgumentException("ModelCheckpoint: filepath '" + pattern + "': cannot format '" + key + "' (" + value
                    + ") with spec '" + spec + "': " + e, e);
        }
    }
}
