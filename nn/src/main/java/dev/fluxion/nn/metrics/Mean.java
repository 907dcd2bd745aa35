package dev.fluxion.nn.metrics;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * The (weighted) mean of all values seen: state {@code total} and {@code count} (float32 scalars), result
 * total / count, or 0 before any update. Like Keras' {@code Mean}, {@code updateState(values)} and
 * {@code updateState(values, sampleWeight)} take the values directly; the weight broadcasts against the values and
 * a weight of 0 masks.
 */
public class Mean extends Metric {
    private final Variable total;
    private final Variable count;

    public Mean() {
        this("mean");
    }

    public Mean(String name) {
        super(name);
        total = addState("total", DType.FLOAT32);
        count = addState("count", DType.FLOAT32);
    }

    /** Adds values (any shape) with weight 1 each. */
    public void updateState(Tensor values) {
        updateValues(values, null);
    }

    /** Adds values weighted by {@code sampleWeight} (null: weight 1). Note: this is Keras' (values, sample_weight). */
    @Override
    public void updateState(Tensor values, Tensor sampleWeight) {
        updateValues(values, sampleWeight);
    }

    /** Not meaningful for a plain mean: use {@link #updateState(Tensor)} or {@link #updateState(Tensor, Tensor)}. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        throw new UnsupportedOperationException(name() + ": a Mean metric takes values, not (yTrue, yPred): call updateState(values) or updateState(values, sampleWeight)");
    }

    /** Accumulates weighted values (the shared implementation of mean-style metrics). */
    protected final void updateValues(Tensor values, Tensor sampleWeight) {
        Tensor v = Ops.cast(values, DType.FLOAT32);
        Tensor weightedSum, weightCount;
        if (sampleWeight == null) {
            weightedSum = v.sum();
            weightCount = Tensor.scalar(v.size(), DType.FLOAT32);
        } else {
            Tensor w = matchWeight(Ops.cast(sampleWeight, DType.FLOAT32), v);
            int[] shape = dev.fluxion.Shapes.broadcast(v.shape(), w.shape());
            weightedSum = v.mul(w).sum();
            weightCount = ArrayOps.broadcastTo(w, shape).sum();
        }
        total.assignAdd(weightedSum);
        count.assignAdd(weightCount);
    }

    /** Squeezes trailing size-1 axes of the weight, or appends axes, so that it broadcasts from the front. */
    static Tensor matchWeight(Tensor w, Tensor values) {
        while (w.rank() > values.rank() && w.dim(-1) == 1) w = ArrayOps.squeeze(w, -1);
        while (w.rank() < values.rank() && w.rank() > 0) w = ArrayOps.expandDims(w, -1);
        return w;
    }

    @Override
    public Tensor result() {
        Tensor c = count.value(), t = total.value();
        Tensor positive = Ops.greater(c, Ops.zerosOf(c));
        return Ops.where(positive, t.div(Ops.where(positive, c, Ops.onesOf(c))), Ops.zerosOf(t));
    }
}
