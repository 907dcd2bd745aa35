package dev.fluxion.data;

/**
 * A failure while producing an element: a map function or predicate that threw, a source that failed, or elements
 * that cannot be batched. Raised from {@link DataIterator#next()} in the consumer's thread, also when the failure
 * happened in a prefetch or parallel-map thread. The message names the stage and the element index; the cause is the
 * original exception.
 */
public class DataPipelineException extends RuntimeException {
    public DataPipelineException(String message) {
        super(message);
    }

    public DataPipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
