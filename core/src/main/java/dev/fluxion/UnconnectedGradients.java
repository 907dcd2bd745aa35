package dev.fluxion;

/** What {@link GradientTape#gradient} returns for a source the target does not depend on (TF's option). */
public enum UnconnectedGradients {
    /** null, TensorFlow's default. */
    NONE,
    /** A zero tensor shaped like the source. */
    ZERO
}
