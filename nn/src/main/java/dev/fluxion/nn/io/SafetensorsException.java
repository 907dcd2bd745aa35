package dev.fluxion.nn.io;

import java.io.IOException;

/** A safetensors file (or checkpoint) that is malformed or corrupt; the message names the file and, where known, the tensor. */
public class SafetensorsException extends IOException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
