package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;

/**
 * Constant pieces (Keras' {@code PiecewiseConstantDecay}): {@code values[0]} while step ≤ boundaries[0],
 * {@code values[i]} while boundaries[i-1] < step ≤ boundaries[i], and the last value after the last boundary.
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final long[] boundaries;
    private final double[] values;

    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        if (values.length != boundaries.length + 1)
            throw new IllegalArgumentException("PiecewiseConstantDecay: needs one more value than boundaries, got "
                    + values.length + " values for " + boundaries.length + " boundaries");
        for (int i = 1; i < boundaries.length; i++)
            if (boundaries[i] <= boundaries[i - 1]) throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must increase");
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor s = Ops.cast(step, DType.INT64);
        Tensor lr = Tensor.scalar(values[values.length - 1], DType.FLOAT32);
        for (int i = boundaries.length - 1; i >= 0; i--) {
            Tensor inPiece = Ops.lessEqual(s, Tensor.scalar(boundaries[i], DType.INT64));
            lr = Ops.where(inPiece, Tensor.scalar(values[i], DType.FLOAT32), lr);
        }
        return lr;
    }
}
