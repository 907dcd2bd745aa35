package dev.fluxion.nn.callbacks;

import java.util.Map;

/**
 * A callback whose counters belong in a training checkpoint (best value, patience counter, cooldown), so that a
 * resumed run (BackupAndRestore) continues them instead of starting over — the gap Keras leaves (keras #17012).
 * {@code restoreState} is called after every callback's {@code onTrainBegin}.
 */
public interface StatefulCallback {
    Map<String, String> saveState();

    void restoreState(Map<String, String> state);
}
