package dev.fluxion.nn.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes training curves for TensorBoard (Keras' TensorBoard callback, scalars only): event files under
 * {@code logDir/train} and {@code logDir/validation}, with {@code epoch_<name>} per epoch (the {@code val_} values
 * under validation, without the prefix, so the two curves share a chart) and {@code epoch_learning_rate}; with
 * {@link #updateFreq(int)} also {@code batch_<name>} every N training batches, stepped by the batch count since
 * training began. Files are flushed after each epoch; view them with {@code tensorboard --logdir logDir}.
 */
public final class TensorBoard extends Callback {
    private final Path logDir;
    private int updateFreq; // 0: per epoch only
    private EventFile train, validation;
    private long trainBatches;

    public TensorBoard(Path logDir) {
        this.logDir = java.util.Objects.requireNonNull(logDir, "logDir");
    }

    /** Also writes the batch logs every {@code batches} training batches (Keras' integer {@code update_freq}). */
    public TensorBoard updateFreq(int batches) {
        if (batches < 0) throw new IllegalArgumentException("TensorBoard: updateFreq must be >= 0 (0: per epoch only), got " + batches);
        this.updateFreq = batches;
        return this;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        try {
            train = EventFile.create(logDir.resolve("train"));
            validation = EventFile.create(logDir.resolve("validation"));
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot create event files under " + logDir + ": " + e.getMessage(), e);
        }
        trainBatches = 0;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        trainBatches++;
        if (updateFreq == 0 || trainBatches % updateFreq != 0) return;
        for (var e : logs.entrySet()) scalar(train, "batch_" + e.getKey(), e.getValue(), trainBatches);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        for (var e : logs.entrySet()) {
            boolean val = e.getKey().startsWith("val_");
            String name = "epoch_" + (val ? e.getKey().substring(4) : e.getKey());
            scalar(val ? validation : train, name, e.getValue(), epoch);
        }
        if (model() != null && model().optimizer() != null)
            scalar(train, "epoch_learning_rate", model().optimizer().learningRate().item(), epoch);
        try {
            train.flush();
            validation.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write under " + logDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        try {
            if (train != null) train.close();
            if (validation != null) validation.close();
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot close the event files under " + logDir + ": " + e.getMessage(), e);
        } finally {
            train = validation = null;
        }
    }

    private void scalar(EventFile file, String tag, Double value, long step) {
        if (value == null) return;
        try {
            file.scalar(tag, value, step);
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write " + file.path() + ": " + e.getMessage(), e);
        }
    }
}
