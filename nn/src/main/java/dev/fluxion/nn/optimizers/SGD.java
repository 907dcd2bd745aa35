package dev.fluxion.nn.optimizers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Stochastic gradient descent (Keras' {@code SGD}, default lr 0.01): {@code w -= lr·g}; with momentum
 * {@code m = momentum·m - lr·g; w += m}, and with Nesterov {@code w += momentum·m - lr·g}. Slot: momentum.
 */
public class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0, false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        super("SGD", learningRate);
        this.momentum = check(momentum);
        this.nesterov = nesterov;
    }

    public SGD(LearningRateSchedule schedule, double momentum, boolean nesterov) {
        super("SGD", schedule);
        this.momentum = check(momentum);
        this.nesterov = nesterov;
    }

    private static double check(double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("SGD: momentum must be in [0, 1], got " + momentum);
        return momentum;
    }

    @Override
    protected void createSlots(Variable var) {
        if (momentum != 0) addSlot(var, "momentum", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Tensor w = var.value();
        Tensor delta = grad.mul(lr);
        if (momentum == 0) {
            assign(var, w.sub(delta));
            return;
        }
        Variable m = slot(var, "momentum");
        Tensor mNew = m.value().mul(momentum).sub(delta);
        assign(m, mNew);
        assign(var, nesterov ? w.add(mNew.mul(momentum)).sub(delta) : w.add(mNew));
    }
}
