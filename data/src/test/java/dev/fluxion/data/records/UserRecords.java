package dev.fluxion.data.records;

import dev.fluxion.Tensor;

/** A record of tensors declared outside the library's package and not public, as an application declares its own. */
public final class UserRecords {
    private UserRecords() {}

    record Example(Tensor image, Tensor label) {}

    public static Object example(Tensor image, Tensor label) {
        return new Example(image, label);
    }

    public static Tensor image(Object example) {
        return ((Example) example).image();
    }

    public static Tensor label(Object example) {
        return ((Example) example).label();
    }
}
