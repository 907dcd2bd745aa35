package dev.fluxion.nn.callbacks;

import java.util.Map;

/**
 * Stops training after a batch whose {@code loss} is NaN or infinite (Keras' TerminateOnNaN). With {@code raiseError}
 * it throws instead, skipping {@code onTrainEnd} so that other callbacks (BackupAndRestore deleting its backup,
 * EarlyStopping restoring weights) do not act on a diverged run.
 */
public final class TerminateOnNaN extends Callback {
    private final boolean raiseError;
    private int stoppedAtBatch = -1;

    public TerminateOnNaN() {
        this(false);
    }

    public TerminateOnNaN(boolean raiseError) {
        this.raiseError = raiseError;
    }

    /** The batch index that had a non-finite loss, or -1. */
    public int stoppedAtBatch() {
        return stoppedAtBatch;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && (loss.isNaN() || loss.isInfinite())) {
            stoppedAtBatch = batch;
            if (raiseError) throw new IllegalStateException("TerminateOnNaN: batch " + batch + " has loss " + loss);
            System.err.println("Batch " + batch + ": invalid loss " + loss + ", terminating training");
            model().setStopTraining(true);
        }
    }
}
