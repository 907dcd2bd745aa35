package dev.fluxion.cuda.memory;

/** A device allocation failed even after the cache was emptied; the message carries the allocator's statistics. */
public final class DeviceOutOfMemoryException extends RuntimeException {
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}
