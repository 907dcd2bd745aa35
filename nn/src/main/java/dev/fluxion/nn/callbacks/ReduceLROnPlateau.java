package dev.fluxion.nn.callbacks;

import dev.fluxion.nn.optimizers.Optimizer;

import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored value has not improved by more than {@code minDelta}
 * for {@code patience} epochs, then waits {@code cooldown} epochs before counting again; never below {@code minLr}
 * (Keras' ReduceLROnPlateau: defaults factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0; mode AUTO maximizes
 * when the name contains "acc"). Adds the current rate to the epoch logs as {@code lr}.
 */
public final class ReduceLROnPlateau extends Callback implements StatefulCallback {
    private String monitor = "val_loss";
    private double factor = 0.1;
    private int patience = 10;
    private Mode mode = Mode.AUTO;
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;
    private boolean verbose;

    private final MonitorState state = new MonitorState("ReduceLROnPlateau");
    private int cooldownCounter;

    public ReduceLROnPlateau() {}

    public ReduceLROnPlateau monitor(String name) {
        monitor = name;
        return this;
    }

    public ReduceLROnPlateau factor(double f) {
        if (!(f < 1.0) || !(f > 0)) throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0 (or <= 0), got " + f);
        factor = f;
        return this;
    }

    public ReduceLROnPlateau patience(int p) {
        patience = p;
        return this;
    }

    public ReduceLROnPlateau mode(Mode m) {
        mode = m;
        return this;
    }

    public ReduceLROnPlateau minDelta(double d) {
        minDelta = d;
        return this;
    }

    public ReduceLROnPlateau cooldown(int c) {
        cooldown = c;
        return this;
    }

    public ReduceLROnPlateau minLr(double lr) {
        minLr = lr;
        return this;
    }

    public ReduceLROnPlateau verbose(boolean v) {
        verbose = v;
        return this;
    }

    private boolean maximize() {
        return Mode.maximizeContains(mode, monitor);
    }

    @Override
    public Map<String, String> saveState() {
        return state.save(Map.of("cooldown", Integer.toString(cooldownCounter)));
    }

    @Override
    public void restoreState(Map<String, String> saved) {
        state.restore(saved);
        cooldownCounter = Integer.parseInt(saved.get("cooldown"));
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        state.reset(maximize());
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Optimizer opt = model().optimizer();
        double lr = opt.learningRate().item();
        logs.put("lr", lr);
        Double current = state.read(monitor, logs);
        if (current == null) return;
        if (cooldownCounter > 0) {
            cooldownCounter--;
            state.wait = 0;
        }
        boolean better = maximize() ? current > state.best + minDelta : current < state.best - minDelta;
        if (better) {
            state.best = current;
            state.wait = 0;
        } else if (cooldownCounter == 0) {
            state.wait++;
            if (state.wait >= patience && lr > (float) minLr) {
                double newLr = Math.max(lr * factor, minLr);
                opt.setLearningRate(newLr);
                if (verbose) System.out.printf("%nEpoch %d: ReduceLROnPlateau reducing learning rate to %s.%n", epoch + 1, newLr);
                cooldownCounter = cooldown;
                state.wait = 0;
            }
        }
    }
}
