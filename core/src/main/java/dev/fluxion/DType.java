package dev.fluxion;

/** Element types of tensors. float32 is the working type; float64 serves references and gradient checks. */
public enum DType {
    FLOAT32("float32", 4, true),
    FLOAT64("float64", 8, true),
    INT32("int32", 4, false),
    INT64("int64", 8, false),
    BOOL("bool", 1, false);

    private final String displayName;
    private final int byteSize;
    private final boolean floating;

    DType(String displayName, int byteSize, boolean floating) {
        this.displayName = displayName;
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** float32 or float64: the dtypes that can be differentiated. */
    public boolean isFloating() {
        return floating;
    }

    /** int32 or int64. */
    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    /** The NumPy-style name (float32, int64, bool, ...). */
    @Override
    public String toString() {
        return displayName;
    }

    /** Looks a dtype up by its NumPy-style name. */
    public static DType parse(String name) {
        for (DType t : values()) if (t.displayName.equals(name)) return t;
        throw new IllegalArgumentException("unknown dtype '" + name + "' (expected float32, float64, int32, int64 or bool)");
    }
}
