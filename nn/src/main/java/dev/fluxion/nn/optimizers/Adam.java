package dev.fluxion.nn.optimizers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Adam (Keras' {@code Adam}: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7 as "epsilon hat"):
 * <pre>
 * m = m + (g - m)(1 - beta1);  v = v + (g² - v)(1 - beta2)        [amsgrad: vhat = max(vhat, v); use vhat]
 * alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)
 * w = w - alpha · m / (sqrt(v) + epsilon)
 * </pre>
 * Slots: m, v (and vhat with amsgrad).
 */
public class Adam extends Optimizer {
    private final double beta1, beta2, epsilon;
    private final boolean amsgrad;

    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7, false);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        this("Adam", learningRate, beta1, beta2, epsilon, amsgrad);
    }

    public Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super("Adam", schedule);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
    }

    protected Adam(String name, double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super(name, learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "m", 0);
        addSlot(var, "v", 0);
        if (amsgrad) addSlot(var, "vhat", 0);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable m = slot(var, "m"), v = slot(var, "v");
        Tensor one = constant(1, step);
        Tensor beta1Power = Ops.pow(constant(beta1, step), step);
        Tensor beta2Power = Ops.pow(constant(beta2, step), step);
        Tensor alpha = lr.mul(one.sub(beta2Power).sqrt()).div(one.sub(beta1Power));
        Tensor mNew = m.value().add(grad.sub(m.value()).mul(1 - beta1));
        Tensor vNew = v.value().add(grad.square().sub(v.value()).mul(1 - beta2));
        assign(m, mNew);
        assign(v, vNew);
        if (amsgrad) {
            Variable vhat = slot(var, "vhat");
            vNew = Ops.maximum(vhat.value(), vNew);
            assign(vhat, vNew);
        }
        Tensor w = var.value();
        assign(var, w.sub(mNew.mul(alpha).div(vNew.sqrt().add(epsilon))));
    }
}
