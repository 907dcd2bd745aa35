package dev.fluxion.nn.layers;

/** Maximum over the steps of a sequence: [N, steps, C] → [N, C] (or [N, 1, C] with keepDims). */
public class GlobalMaxPooling1D extends GlobalPooling {
    public GlobalMaxPooling1D() { this(false); }

    public GlobalMaxPooling1D(boolean keepDims) { super(keepDims, true, 1); }
}
