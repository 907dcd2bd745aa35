package dev.fluxion.nn.layers;

/** Maximum over the spatial axes of an NHWC input: [N, H, W, C] → [N, C] (or [N, 1, 1, C] with keepDims). */
public class GlobalMaxPooling2D extends GlobalPooling {
    public GlobalMaxPooling2D() { this(false); }

    public GlobalMaxPooling2D(boolean keepDims) { super(keepDims, true, 2); }
}
