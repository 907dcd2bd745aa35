package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Keras' {@code PolynomialDecay}: {@code (initial - end) · (1 - step / decaySteps)^power + end}, with the step held
 * at {@code decaySteps} afterwards; with {@code cycle} the horizon instead grows to the next multiple of
 * {@code decaySteps} past the step, so the rate jumps back up and decays again.
 */
public final class PolynomialDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double endLearningRate;
    private final double power;
    private final boolean cycle;

    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate, double power, boolean cycle) {
        if (decaySteps <= 0) throw new IllegalArgumentException("PolynomialDecay: decaySteps must be > 0, got " + decaySteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.endLearningRate = endLearningRate;
        this.power = power;
        this.cycle = cycle;
    }

    /** Linear decay to {@code endLearningRate}, as Keras' defaults ({@code power} 1, no cycle). */
    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate) {
        this(initialLearningRate, decaySteps, endLearningRate, 1, false);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor s = Ops.cast(step, DType.FLOAT32);
        Tensor horizon = Ops.constantLike(decaySteps, s);
        if (cycle) {
            // step 0 keeps the first horizon (ceil(0) would make it 0)
            Tensor multiple = Ops.maximum(Ops.ceil(s.div((double) decaySteps)), Ops.constantLike(1, s));
            horizon = horizon.mul(multiple);
        } else {
            s = Ops.minimum(s, horizon);
        }
        Tensor left = Ops.constantLike(1, s).sub(s.div(horizon));
        return Ops.pow(left, Ops.constantLike(power, left)).mul(initialLearningRate - endLearningRate).add(endLearningRate);
    }
}
