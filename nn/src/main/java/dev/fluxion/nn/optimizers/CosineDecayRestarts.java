package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Keras' {@code CosineDecayRestarts} (SGDR, Loshchilov and Hutter): cosine decay from {@code initial} to
 * {@code initial · alpha} over {@code firstDecaySteps}, then a restart; each period is {@code tMul} times longer
 * than the one before and starts {@code mMul} times lower.
 */
public final class CosineDecayRestarts implements LearningRateSchedule {
    private final double initialLearningRate;
    private final long firstDecaySteps;
    private final double tMul;
    private final double mMul;
    private final double alpha;

    public CosineDecayRestarts(double initialLearningRate, long firstDecaySteps, double tMul, double mMul, double alpha) {
        if (firstDecaySteps <= 0)
            throw new IllegalArgumentException("CosineDecayRestarts: firstDecaySteps must be > 0, got " + firstDecaySteps);
        if (!(tMul > 0)) throw new IllegalArgumentException("CosineDecayRestarts: tMul must be > 0, got " + tMul);
        this.initialLearningRate = initialLearningRate;
        this.firstDecaySteps = firstDecaySteps;
        this.tMul = tMul;
        this.mMul = mMul;
        this.alpha = alpha;
    }

    /** Keras' defaults: periods doubling ({@code tMul} 2), restarts at the full rate, decay to 0. */
    public CosineDecayRestarts(double initialLearningRate, long firstDecaySteps) {
        this(initialLearningRate, firstDecaySteps, 2, 1, 0);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor fraction = Ops.cast(step, DType.FLOAT32).div((double) firstDecaySteps);
        Tensor restarts; // completed periods
        if (tMul == 1) {
            restarts = Ops.floor(fraction);
            fraction = fraction.sub(restarts);
        } else {
            // periods 1, t, t², ...: i restarts are done once the fraction passes (1 - tⁱ) / (1 - t)
            restarts = Ops.floor(Ops.log(Ops.constantLike(1, fraction).sub(fraction.mul(1 - tMul))).div(Math.log(tMul)));
            Tensor done = Ops.constantLike(1, restarts).sub(Ops.pow(Ops.constantLike(tMul, restarts), restarts)).div(1 - tMul);
            fraction = fraction.sub(done).div(Ops.pow(Ops.constantLike(tMul, restarts), restarts));
        }
        Tensor scale = Ops.pow(Ops.constantLike(mMul, restarts), restarts);
        Tensor cosine = Ops.cos(fraction.mul(Math.PI)).add(1).mul(scale).mul(0.5);
        return cosine.mul(1 - alpha).add(alpha).mul(initialLearningRate);
    }
}
