package dev.fluxion.nn.optimizers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Adamax, Adam with the infinity norm (Keras' {@code Adamax}: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7):
 * {@code m = m + (g - m)(1 - beta1); u = max(beta2 · u, |g|); w -= lr / (1 - beta1^t) · m / (u + epsilon)}.
 * Slots: m, u.
 */
public class Adamax extends Optimizer {
    private final double beta1, beta2, epsilon;

    public Adamax() {
        this(0.001);
    }

    public Adamax(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    public Adamax(double learningRate, double beta1, double beta2, double epsilon) {
        super("Adamax", learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "m", 0);
        addSlot(var, "u", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable m = slot(var, "m"), u = slot(var, "u");
        Tensor mNew = m.value().add(grad.sub(m.value()).mul(1 - beta1));
        Tensor uNew = Ops.maximum(u.value().mul(beta2), grad.abs());
        assign(m, mNew);
        assign(u, uNew);
        Tensor correction = constant(1, step).sub(Ops.pow(constant(beta1, step), step));
        assign(var, var.value().sub(lr.div(correction).mul(mNew).div(uNew.add(epsilon))));
    }
}
