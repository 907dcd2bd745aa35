package dev.fluxion.nn.optimizers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Adadelta (Keras' {@code Adadelta}: lr 0.001, rho 0.95, epsilon 1e-7):
 * {@code G = rho·G + (1 - rho)·g²; d = sqrt(D + epsilon) / sqrt(G + epsilon) · g; D = rho·D + (1 - rho)·d²;
 * w -= lr · d}. Slots: accumulated_grad (G), accumulated_delta (D).
 */
public class Adadelta extends Optimizer {
    private final double rho, epsilon;

    public Adadelta() {
        this(0.001);
    }

    public Adadelta(double learningRate) {
        this(learningRate, 0.95, 1e-7);
    }

    public Adadelta(double learningRate, double rho, double epsilon) {
        super("Adadelta", learningRate);
        this.rho = rho;
        this.epsilon = epsilon;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "accumulated_grad", 0);
        addSlot(var, "accumulated_delta", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable g2 = slot(var, "accumulated_grad"), d2 = slot(var, "accumulated_delta");
        Tensor gNew = g2.value().mul(rho).add(grad.square().mul(1 - rho));
        assign(g2, gNew);
        Tensor delta = d2.value().add(epsilon).sqrt().div(gNew.add(epsilon).sqrt()).mul(grad);
        assign(d2, d2.value().mul(rho).add(delta.square().mul(1 - rho)));
        assign(var, var.value().sub(delta.mul(lr)));
    }
}
