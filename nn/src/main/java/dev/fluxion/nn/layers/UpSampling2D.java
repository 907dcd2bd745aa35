package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

/**
 * Nearest-neighbour upsampling of NHWC inputs (Keras {@code UpSampling2D}, interpolation "nearest"): each pixel
 * repeated {@code sizeH} times down and {@code sizeW} times across, [N, H, W, C] → [N, H·sizeH, W·sizeW, C].
 * Built from a broadcast and a reshape, so its gradient sums each block back onto its pixel.
 */
public class UpSampling2D extends Layer {
    private final int sizeH, sizeW;

    public UpSampling2D(int size) { this(size, size); }

    public UpSampling2D(int sizeH, int sizeW) {
        super(null);
        if (sizeH <= 0 || sizeW <= 0) throw new IllegalArgumentException("UpSampling2D: size must be positive, got " + sizeH + "x" + sizeW);
        this.sizeH = sizeH;
        this.sizeW = sizeW;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Spatial.requireNhwc(this, x);
        int h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Tensor blocks = ArrayOps.reshape(x, -1, h, 1, w, 1, c); // [N, H, 1, W, 1, C]
        blocks = ArrayOps.broadcastTo(blocks, x.dim(0), h, sizeH, w, sizeW, c);
        return ArrayOps.reshape(blocks, -1, h * sizeH, w * sizeW, c);
    }
}
