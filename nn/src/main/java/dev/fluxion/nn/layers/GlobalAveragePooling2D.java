package dev.fluxion.nn.layers;

/** Mean over the spatial axes of an NHWC input: [N, H, W, C] → [N, C] (or [N, 1, 1, C] with keepDims). */
public class GlobalAveragePooling2D extends GlobalPooling {
    public GlobalAveragePooling2D() { this(false); }

    public GlobalAveragePooling2D(boolean keepDims) { super(keepDims, false, 2); }
}
