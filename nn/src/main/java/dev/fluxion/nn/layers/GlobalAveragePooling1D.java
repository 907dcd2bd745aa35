package dev.fluxion.nn.layers;

/** Mean over the steps of a sequence: [N, steps, C] → [N, C] (or [N, 1, C] with keepDims). */
public class GlobalAveragePooling1D extends GlobalPooling {
    public GlobalAveragePooling1D() { this(false); }

    public GlobalAveragePooling1D(boolean keepDims) { super(keepDims, false, 1); }
}
