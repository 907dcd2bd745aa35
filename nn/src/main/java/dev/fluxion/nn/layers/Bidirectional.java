package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Keras' {@code Bidirectional}: one recurrent layer reads the steps forward, a second one of the same configuration
 * reads them backward, and their outputs are merged ("concat" on the last axis by default, or "sum", "mul", "ave").
 * With {@code returnSequences} the backward outputs are put back in step order before merging, so step t's output
 * sees the whole sequence. The factory makes each direction's layer: {@code new Bidirectional(() -> new LSTM(32))}.
 * A mask on the input reaches both layers (the backward one reads it backward with the steps).
 */
public class Bidirectional extends Layer {
    private final Recurrent<?> forwardLayer, backwardLayer;
    private final String mergeMode;

    public Bidirectional(Supplier<? extends Recurrent<?>> layer) {
        this(layer, "concat");
    }

    public Bidirectional(Supplier<? extends Recurrent<?>> layer, String mergeMode) {
        super(null);
        Objects.requireNonNull(layer, "Bidirectional: layer factory");
        if (!java.util.List.of("concat", "sum", "mul", "ave").contains(mergeMode))
            throw new IllegalArgumentException("Bidirectional: mergeMode must be \"concat\", \"sum\", \"mul\" or \"ave\", got \"" + mergeMode + "\"");
        this.mergeMode = mergeMode;
        this.forwardLayer = track(layer.get());
        this.backwardLayer = track(layer.get());
        if (forwardLayer == backwardLayer) throw new IllegalArgumentException("Bidirectional: the factory must make a new layer on each call");
        backwardLayer.goBackwards(true);
    }

    public Recurrent<?> forwardLayer() { return forwardLayer; }
    public Recurrent<?> backwardLayer() { return backwardLayer; }

    @Override
    protected boolean supportsMasking() {
        return true;
    }

    @Override
    protected Tensor computeMask(Tensor x, Tensor mask) {
        return forwardLayer.returnsSequences() ? mask : null;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        // masked steps output zeros in both directions, so that the merged outputs of padded steps are zeros (Keras)
        boolean zeros = forwardLayer.returnsSequences();
        forwardLayer.zeroOutputForMask(zeros);
        backwardLayer.zeroOutputForMask(zeros);
        Tensor f = forwardLayer.call(x, training), b = backwardLayer.call(x, training);
        if (backwardLayer.returnsSequences()) b = ArrayOps.flip(b, 1);
        return switch (mergeMode) {
            case "concat" -> ArrayOps.concat(f.rank() - 1, f, b);
            case "sum" -> f.add(b);
            case "mul" -> f.mul(b);
            default -> f.add(b).mul(0.5);
        };
    }
}
