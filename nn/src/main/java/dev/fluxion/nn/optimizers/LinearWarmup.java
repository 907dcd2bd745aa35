package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Linear warmup in front of another schedule: for step &lt; warmupSteps the rate goes linearly from
 * {@code warmupStart} to {@code after.apply(0)}; from then on it is {@code after.apply(step - warmupSteps)}, so the
 * wrapped schedule's steps count from the end of the warmup (as Keras 3's {@code CosineDecay(warmup_steps=...)}).
 */
public final class LinearWarmup implements LearningRateSchedule {
    private final LearningRateSchedule after;
    private final long warmupSteps;
    private final double warmupStart;

    public LinearWarmup(LearningRateSchedule after, long warmupSteps, double warmupStart) {
        if (warmupSteps <= 0) throw new IllegalArgumentException("LinearWarmup: warmupSteps must be > 0, got " + warmupSteps);
        this.after = after;
        this.warmupSteps = warmupSteps;
        this.warmupStart = warmupStart;
    }

    /** Warmup from 0. */
    public LinearWarmup(LearningRateSchedule after, long warmupSteps) {
        this(after, warmupSteps, 0);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor s = Ops.cast(step, DType.INT64);
        Tensor warm = Ops.less(s, Tensor.scalar(warmupSteps, DType.INT64));
        Tensor target = after.apply(Tensor.scalar(0, DType.INT64));
        Tensor fraction = Ops.cast(s, DType.FLOAT32).div((double) warmupSteps);
        Tensor warmupRate = target.sub(warmupStart).mul(fraction).add(warmupStart);
        Tensor shifted = Ops.maximum(s.sub(Tensor.scalar(warmupSteps, DType.INT64)), Tensor.scalar(0, DType.INT64));
        return Ops.where(warm, warmupRate, after.apply(shifted));
    }
}
