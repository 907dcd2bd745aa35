package dev.fluxion.data;

/** Thrown by {@link Cursor#save()} of a stage whose position cannot be captured exactly. */
final class UnsaveableException extends UnsupportedOperationException {
    UnsaveableException(String message) {
        super(message);
    }
}
