package dev.fluxion.nn.layers;

import dev.fluxion.NnOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/** The shared part of {@link MaxPooling2D} and {@link AveragePooling2D}: NHWC windows, strides default to the pool size. */
public abstract class Pooling2D extends Layer {
    protected final int ph, pw;
    protected int sh, sw;
    protected NnOps.Padding padding = NnOps.Padding.VALID;

    protected Pooling2D(int ph, int pw) {
        super(null);
        if (ph <= 0 || pw <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": pool size must be positive, got " + ph + "x" + pw);
        this.ph = ph;
        this.pw = pw;
        this.sh = ph;
        this.sw = pw;
    }

    public Pooling2D strides(int h, int w) {
        if (h <= 0 || w <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": strides must be positive, got " + h + "x" + w);
        sh = h; sw = w; return this;
    }

    public Pooling2D strides(int s) { return strides(s, s); }

    public Pooling2D padding(NnOps.Padding p) {
        if (p == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": padding is null");
        padding = p; return this;
    }

    public Pooling2D padding(String p) { return padding(parsePadding(getClass().getSimpleName(), p)); }

    static NnOps.Padding parsePadding(String who, String p) {
        if (p == null) throw new IllegalArgumentException(who + ": padding is null");
        return switch (p.toLowerCase()) {
            case "valid" -> NnOps.Padding.VALID;
            case "same" -> NnOps.Padding.SAME;
            default -> throw new IllegalArgumentException(who + ": padding must be \"valid\" or \"same\", got \"" + p + "\"");
        };
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an NHWC input of rank 4, got shape " + Shapes.format(x.shape()));
        return pool(x);
    }

    protected abstract Tensor pool(Tensor x);
}
