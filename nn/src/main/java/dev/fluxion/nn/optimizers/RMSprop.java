package dev.fluxion.nn.optimizers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * RMSprop (Keras' {@code RMSprop}: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false):
 * <pre>
 * velocity = rho·velocity + (1 - rho)·g²
 * [centered: average_gradient = rho·average_gradient + (1 - rho)·g; denominator = velocity - average_gradient²]
 * increment = lr · g / sqrt(denominator + epsilon)
 * momentum &gt; 0: momentum = momentum·momentum_slot + increment; w -= momentum   else: w -= increment
 * </pre>
 * Slots: velocity, momentum (when momentum &gt; 0), average_gradient (when centered).
 */
public class RMSprop extends Optimizer {
    private final double rho, momentum, epsilon;
    private final boolean centered;

    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 0, 1e-7, false);
    }

    public RMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
        super("RMSprop", learningRate);
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "velocity", 0);
        if (momentum > 0) addSlot(var, "momentum", 0);
        if (centered) addSlot(var, "average_gradient", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable velocity = slot(var, "velocity");
        Tensor vNew = velocity.value().mul(rho).add(grad.square().mul(1 - rho));
        assign(velocity, vNew);
        Tensor denominator = vNew;
        if (centered) {
            Variable avg = slot(var, "average_gradient");
            Tensor aNew = avg.value().mul(rho).add(grad.mul(1 - rho));
            assign(avg, aNew);
            denominator = vNew.sub(aNew.square());
        }
        Tensor increment = lr.mul(grad).div(denominator.add(epsilon).sqrt());
        Tensor w = var.value();
        if (momentum > 0) {
            Variable mom = slot(var, "momentum");
            Tensor mNew = mom.value().mul(momentum).add(increment);
            assign(mom, mNew);
            assign(var, w.sub(mNew));
        } else {
            assign(var, w.sub(increment));
        }
    }
}
