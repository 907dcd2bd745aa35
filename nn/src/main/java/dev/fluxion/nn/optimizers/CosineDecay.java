package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Cosine decay from {@code initial} to {@code initial · alpha} over {@code decaySteps}, constant afterwards
 * (Keras' {@code CosineDecay}): {@code initial · ((1 - alpha) · 0.5 · (1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)}.
 * Warmup is a separate wrapper: {@link LinearWarmup}.
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double alpha;

    public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
        if (decaySteps <= 0) throw new IllegalArgumentException("CosineDecay: decaySteps must be > 0, got " + decaySteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.alpha = alpha;
    }

    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor s = Ops.cast(step, DType.FLOAT32);
        Tensor done = Ops.minimum(s, Ops.constantLike(decaySteps, s)).div((double) decaySteps);
        Tensor cosine = Ops.cos(done.mul(Math.PI)).add(1).mul(0.5);
        return cosine.mul(1 - alpha).add(alpha).mul(initialLearningRate);
    }
}
