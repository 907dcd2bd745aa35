package dev.fluxion.nn.optimizers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

/**
 * Nadam, Adam with Nesterov momentum (Keras 3's {@code Nadam}: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7), with
 * Keras' momentum schedule {@code u_t = beta1 · (1 - 0.5 · 0.96^t)} and its running product {@code u_product}, kept
 * once for the whole optimizer:
 * <pre>
 * m = m + (g - m)(1 - beta1);  v = v + (g² - v)(1 - beta2)
 * m̂ = u_{t+1} · m / (1 - u_product_t · u_{t+1}) + (1 - u_t) · g / (1 - u_product_t);  v̂ = v / (1 - beta2^t)
 * w = w - lr · m̂ / (sqrt(v̂) + epsilon)
 * </pre>
 * Slots: m, v; optimizer state: u_product (starting at 1).
 */
public class Nadam extends Optimizer {
    private final double beta1, beta2, epsilon;
    private Tensor uProduct; // this update's u_product, set by beforeUpdates

    public Nadam() {
        this(0.001);
    }

    public Nadam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    public Nadam(double learningRate, double beta1, double beta2, double epsilon) {
        super("Nadam", learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** Keras' momentum at update {@code step}: beta1 · (1 - 0.5 · 0.96^step). */
    private Tensor momentum(Tensor step) {
        return Ops.pow(constant(0.96, step), step).mul(-0.5).add(1).mul(beta1);
    }

    @Override
    protected void createSlots(Variable var) {
        addSlot(var, "m", 0);
        addSlot(var, "v", 0);
        optimizerVariable("u_product", 1);
    }

    @Override
    protected void beforeUpdates(Tensor step) {
        Variable product = optimizerVariable("u_product", 1);
        uProduct = product.value().mul(momentum(Ops.cast(step, product.dtype())));
        assign(product, uProduct);
    }

    @Override
    protected void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step) {
        Variable m = slot(var, "m"), v = slot(var, "v");
        Tensor one = constant(1, step);
        Tensor ut = momentum(step), ut1 = momentum(step.add(1));
        Tensor product = Ops.cast(uProduct, var.dtype()), productNext = product.mul(ut1);
        Tensor mNew = m.value().add(grad.sub(m.value()).mul(1 - beta1));
        Tensor vNew = v.value().add(grad.square().sub(v.value()).mul(1 - beta2));
        assign(m, mNew);
        assign(v, vNew);
        Tensor mHat = ut1.mul(mNew).div(one.sub(productNext)).add(one.sub(ut).mul(grad).div(one.sub(product)));
        Tensor vHat = vNew.div(one.sub(Ops.pow(constant(beta2, step), step)));
        assign(var, var.value().sub(lr.mul(mHat).div(vHat.sqrt().add(epsilon))));
    }
}
