package dev.fluxion.nn.optimizers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Adagrad (Keras' {@code Adagrad}: lr 0.001, initial accumulator 0.1, epsilon 1e-7):
 * {@code accumulator += g²; w -= lr · g / sqrt(accumulator + epsilon)}. Slot: accumulator.
 */
public class Adagrad extends Optimizer {
    private final double initialAccumulatorValue, epsilon;

    public Adagrad() {
        this(0.001);
    }

    public Adagrad(double learningRate) {
        this(learningRate, 0.1, 1e-7);
    }

    public Adagrad(double learningRate, double initialAccumulatorValue, double epsilon) {
        super("Adagrad", learningRate);
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.epsilon = epsilon;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "accumulator", initialAccumulatorValue);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable acc = slot(var, "accumulator");
        Tensor aNew = acc.value().add(grad.square());
        assign(acc, aNew);
        Tensor w = var.value();
        assign(var, w.sub(lr.mul(grad).div(aNew.add(epsilon).sqrt())));
    }
}
