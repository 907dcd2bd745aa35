package dev.fluxion.nn.metrics;

import dev.fluxion.DType;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/** The (weighted) sum of all values seen (state {@code total}, float32). Takes values like {@link Mean}. */
public class Sum extends Metric {
    private final Variable total;

    public Sum() {
        this("sum");
    }

    public Sum(String name) {
        super(name);
        total = addState("total", DType.FLOAT32);
    }

    public void updateState(Tensor values) {
        updateState(values, (Tensor) null);
    }

    /** Adds values weighted by {@code sampleWeight} (null: weight 1). */
    @Override
    public void updateState(Tensor values, Tensor sampleWeight) {
        Tensor v = Ops.cast(values, DType.FLOAT32);
        if (sampleWeight != null) v = v.mul(Mean.matchWeight(Ops.cast(sampleWeight, DType.FLOAT32), v));
        total.assignAdd(v.sum());
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        throw new UnsupportedOperationException(name() + ": a Sum metric takes values, not (yTrue, yPred): call updateState(values) or updateState(values, sampleWeight)");
    }

    @Override
    public Tensor result() {
        return total.value();
    }

}
