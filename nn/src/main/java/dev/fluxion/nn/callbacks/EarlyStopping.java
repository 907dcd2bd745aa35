package dev.fluxion.nn.callbacks;

import dev.fluxion.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored value stops improving (Keras' EarlyStopping). An epoch improves when
 * {@code current - minDelta} beats the best (minimizing; {@code current + minDelta} when maximizing); after
 * {@code patience} epochs without improvement training stops. With a baseline, the value must beat it to count.
 * With {@code restoreBestWeights}, the best epoch's weights are restored at the end of training.
 */
public final class EarlyStopping extends Callback implements StatefulCallback {
    private String monitor = "val_loss";
    private double minDelta;
    private int patience;
    private Mode mode = Mode.AUTO;
    private Double baseline;
    private boolean restoreBestWeights;
    private int startFromEpoch;

    private final MonitorState state = new MonitorState("EarlyStopping");
    private int stoppedEpoch = -1;
    private int bestEpoch = -1;
    private List<Tensor> bestWeights;

    public EarlyStopping() {}

    /**
     * Epochs without improvement before stopping (Keras' {@code patience}, default 0). An instance setter like the
     * others, so that a chain {@code new EarlyStopping().monitor("loss").patience(3)} keeps every setting.
     */
    public EarlyStopping patience(int p) {
        if (p < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + p);
        patience = p;
        return this;
    }

    public EarlyStopping monitor(String name) {
        monitor = name;
        return this;
    }

    public EarlyStopping minDelta(double d) {
        minDelta = Math.abs(d);
        return this;
    }

    public EarlyStopping mode(Mode m) {
        mode = m;
        return this;
    }

    public EarlyStopping baseline(double b) {
        baseline = b;
        return this;
    }

    public EarlyStopping restoreBestWeights(boolean on) {
        restoreBestWeights = on;
        return this;
    }

    public EarlyStopping startFromEpoch(int e) {
        startFromEpoch = e;
        return this;
    }

    /** The epoch (0-based) at which training was stopped, or -1. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (0-based) of the best value, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return state.best;
    }

    public int waitCount() {
        return state.wait;
    }

    private boolean maximize() {
        return Mode.maximizeSuffix(mode, monitor);
    }

    private boolean improves(double current, double reference) {
        return maximize() ? current - minDelta > reference : current + minDelta < reference;
    }

    /** Wait count, best value and epoch; the best weights themselves are not checkpointed. */
    @Override
    public Map<String, String> saveState() {
        return state.save(Map.of("bestEpoch", Integer.toString(bestEpoch)));
    }

    @Override
    public void restoreState(Map<String, String> saved) {
        state.restore(saved);
        bestEpoch = Integer.parseInt(saved.get("bestEpoch"));
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        state.reset(maximize());
        stoppedEpoch = -1;
        bestEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double v = state.read(monitor, logs);
        if (v == null || epoch < startFromEpoch) return;
        double current = v;
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = model().getWeights(); // the first epoch's weights, as Keras does
            bestEpoch = epoch;
        }
        state.wait++;
        if (improves(current, state.best)) {
            state.best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model().getWeights();
            if (baseline == null || improves(current, baseline)) state.wait = 0;
            return;
        }
        if (state.wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model().setStopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (restoreBestWeights && bestWeights != null) model().setWeights(bestWeights);
    }
}
