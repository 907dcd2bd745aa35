package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Keras' {@code InverseTimeDecay}: {@code initial / (1 + decayRate · step / decaySteps)}, with
 * {@code step / decaySteps} floored when {@code staircase}.
 */
public final class InverseTimeDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double decayRate;
    private final boolean staircase;

    public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase) {
        if (decaySteps <= 0) throw new IllegalArgumentException("InverseTimeDecay: decaySteps must be > 0, got " + decaySteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.decayRate = decayRate;
        this.staircase = staircase;
    }

    public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor p = Ops.cast(step, DType.FLOAT32).div((double) decaySteps);
        if (staircase) p = Ops.floor(p);
        return Ops.constantLike(initialLearningRate, p).div(p.mul(decayRate).add(1));
    }
}
