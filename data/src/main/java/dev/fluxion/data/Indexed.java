package dev.fluxion.data;

import java.util.Objects;

/**
 * An element with its position, from {@link Dataset#enumerate()}.
 *
 * @param index the position in the stream, counting from the start given to enumerate
 * @param value the element
 */
public record Indexed<E>(long index, E value) {
    public Indexed {
        Objects.requireNonNull(value, "value");
    }
}
