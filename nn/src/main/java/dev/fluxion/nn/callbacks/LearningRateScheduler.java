package dev.fluxion.nn.callbacks;

import java.util.Map;

/** Sets the learning rate at each epoch start to {@code schedule(epoch, currentLr)} (epoch from 0; Keras' LearningRateScheduler). */
public final class LearningRateScheduler extends Callback {
    /** The schedule: epoch index (0-based) and current rate to new rate. */
    @FunctionalInterface
    public interface Schedule {
        double apply(int epoch, double lr);
    }

    private final Schedule schedule;

    public LearningRateScheduler(Schedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        double lr = model().optimizer().learningRate().item();
        double next = schedule.apply(epoch, lr);
        if (!Double.isFinite(next)) throw new IllegalArgumentException("LearningRateScheduler: the schedule returned " + next + " at epoch " + epoch);
        model().optimizer().setLearningRate(next);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("lr", model().optimizer().learningRate().item());
    }
}
