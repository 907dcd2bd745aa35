package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * {@code initial · rate^(step / decaySteps)}, with the exponent floored when {@code staircase} (Keras'
 * {@code ExponentialDecay}).
 */
public final class ExponentialDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double decayRate;
    private final boolean staircase;

    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase) {
        if (decaySteps <= 0) throw new IllegalArgumentException("ExponentialDecay: decaySteps must be > 0, got " + decaySteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.decayRate = decayRate;
        this.staircase = staircase;
    }

    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor p = Ops.cast(step, DType.FLOAT32).div((double) decaySteps);
        if (staircase) p = Ops.floor(p);
        return Ops.pow(Ops.constantLike(decayRate, p), p).mul(initialLearningRate);
    }
}
