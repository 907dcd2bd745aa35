package dev.fluxion.nn.optimizers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Lion (Chen et al. 2023; Keras 3's {@code Lion}: lr 0.001, beta1 0.9, beta2 0.99): the step is the sign of an
 * interpolation of momentum and gradient, {@code w -= lr · sign(beta1 · m + (1 - beta1) · g)}, then
 * {@code m = beta2 · m + (1 - beta2) · g}. Every coordinate moves by lr, so it wants a rate 3-10x smaller than
 * Adam's. Slot: m.
 */
public class Lion extends Optimizer {
    private final double beta1, beta2;

    public Lion() {
        this(0.001);
    }

    public Lion(double learningRate) {
        this(learningRate, 0.9, 0.99);
    }

    public Lion(double learningRate, double beta1, double beta2) {
        super("Lion", learningRate);
        if (!(beta1 >= 0 && beta1 <= 1) || !(beta2 >= 0 && beta2 <= 1))
            throw new IllegalArgumentException("Lion: beta1 and beta2 must be in [0, 1], got " + beta1 + " and " + beta2);
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "m", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable m = slot(var, "m");
        Tensor direction = Ops.sign(m.value().mul(beta1).add(grad.mul(1 - beta1)));
        assign(var, var.value().sub(direction.mul(lr)));
        assign(m, m.value().mul(beta2).add(grad.mul(1 - beta2)));
    }
}
