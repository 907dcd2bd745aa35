package dev.fluxion.nn.callbacks;

import dev.fluxion.nn.Model;

import java.util.Map;

/**
 * A hook into {@code fit}, {@code evaluate} and {@code predict} (Keras' Callback). Every method has an empty default,
 * so a callback overrides only what it needs. {@code logs} maps names to values: after a batch, the step's logs (for
 * the compiled loss and metrics, running values since the epoch began); after an epoch, the epoch's values including
 * {@code val_*}. Epoch and batch indices count from 0. Set {@code model().setStopTraining(true)} to end {@code fit}
 * after the current batch. In a custom loop, drive callbacks with a {@link CallbackList}.
 */
public abstract class Callback {
    private Model model;
    private Map<String, Object> params = Map.of();

    /** Called by the framework before training (or by a custom loop). */
    public void setModel(Model model) {
        this.model = model;
    }

    /** The model being trained; null before {@link #setModel}. */
    public Model model() {
        return model;
    }

    /** Run parameters: {@code epochs}, {@code steps} (null when unknown), {@code verbose}. */
    public void setParams(Map<String, Object> params) {
        this.params = params;
    }

    public Map<String, Object> params() {
        return params;
    }

    public void onTrainBegin(Map<String, Double> logs) {}

    public void onTrainEnd(Map<String, Double> logs) {}

    public void onEpochBegin(int epoch, Map<String, Double> logs) {}

    public void onEpochEnd(int epoch, Map<String, Double> logs) {}

    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {}

    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {}

    public void onTestBegin(Map<String, Double> logs) {}

    public void onTestEnd(Map<String, Double> logs) {}

    public void onTestBatchBegin(int batch, Map<String, Double> logs) {}

    public void onTestBatchEnd(int batch, Map<String, Double> logs) {}

    public void onPredictBegin(Map<String, Double> logs) {}

    public void onPredictEnd(Map<String, Double> logs) {}

    public void onPredictBatchBegin(int batch, Map<String, Double> logs) {}

    public void onPredictBatchEnd(int batch, Map<String, Double> logs) {}
}
