package dev.fluxion.nn.callbacks;

/** Whether a monitored quantity should go down ({@link #MIN}) or up ({@link #MAX}); {@link #AUTO} infers it from the name. */
public enum Mode {
    AUTO, MIN, MAX;

    /** Keras' ModelCheckpoint / ReduceLROnPlateau rule: max when the name contains "acc" or starts with "fmeasure". */
    static boolean maximizeContains(Mode mode, String monitor) {
        if (mode != AUTO) return mode == MAX;
        return monitor.contains("acc") || monitor.startsWith("fmeasure");
    }

    /** Keras' EarlyStopping rule: max when the name ends with "acc", "accuracy" or "auc". */
    static boolean maximizeSuffix(Mode mode, String monitor) {
        if (mode != AUTO) return mode == MAX;
        return monitor.endsWith("acc") || monitor.endsWith("accuracy") || monitor.endsWith("auc");
    }
}
