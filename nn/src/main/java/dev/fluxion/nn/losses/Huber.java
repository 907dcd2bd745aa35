package dev.fluxion.nn.losses;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/** Huber loss averaged over the last axis: 0.5·e² where |e| ≤ delta, else delta·(|e| - 0.5·delta). */
public class Huber extends Loss {
    private final double delta;

    public Huber() {
        this(1.0, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public Huber(double delta) {
        this(delta, Reduction.SUM_OVER_BATCH_SIZE);
    }

    public Huber(double delta, Reduction reduction) {
        super("huber_loss", reduction);
        if (!(delta > 0)) throw new IllegalArgumentException("huber_loss: delta must be > 0, got " + delta);
        this.delta = delta;
    }

    public double delta() {
        return delta;
    }

    @Override
    public Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor y = matchingLabels(yTrue, yPred);
        Tensor abs = yPred.sub(y).abs();
        Tensor quadratic = Ops.minimum(abs, Ops.constantLike(delta, abs));
        Tensor linear = abs.sub(quadratic);
        Tensor values = quadratic.square().mul(0.5).add(linear.mul(delta));
        return Ops.mean(values, new int[] {-1}, false);
    }
}
