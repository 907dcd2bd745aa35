package dev.fluxion.nn.optimizers;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter; Keras' {@code AdamW}: lr 0.001, weight decay 0.004):
 * {@code w -= w · weightDecay · lr} before each Adam update. Slots as {@link Adam}.
 */
public class AdamW extends Adam {
    public AdamW() {
        this(0.001, 0.004);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(learningRate, weightDecay, 0.9, 0.999, 1e-7, false);
    }

    public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super("AdamW", learningRate, beta1, beta2, epsilon, amsgrad);
        weightDecay(weightDecay);
    }
}
