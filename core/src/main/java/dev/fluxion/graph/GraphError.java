package dev.fluxion.graph;

import java.util.function.Function;

/** Re-raises errors from tracing or running a graph with the op and the user's line of code in the message (for every executable). */
public final class GraphError {
    private GraphError() {}

    /**
     * An exception of the same kind as {@code cause} (IllegalArgumentException, ArithmeticException, ...) whose
     * message starts with {@code context}; the original is kept as the cause.
     */
    public static RuntimeException withContext(String context, RuntimeException cause) {
        String message = context + ": " + cause.getMessage();
        Function<String, RuntimeException> make = switch (cause) {
            case IllegalArgumentException e -> IllegalArgumentException::new;
            case ArithmeticException e -> ArithmeticException::new;
            case IllegalStateException e -> IllegalStateException::new;
            case UnsupportedOperationException e -> UnsupportedOperationException::new;
            default -> m -> new RuntimeException(m);
        };
        RuntimeException wrapped = make.apply(message);
        wrapped.initCause(cause);
        return wrapped;
    }

    /** The first frame of {@code e}'s stack outside Fluxion's own code: the user's line. */
    static String userFrame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            String c = f.getClassName();
            if (!c.startsWith("dev.fluxion.") || c.startsWith("dev.fluxion.examples") || c.endsWith("Test") || c.contains("Test$"))
                return f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
        }
        return "unknown";
    }
}
