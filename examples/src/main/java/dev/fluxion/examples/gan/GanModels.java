package dev.fluxion.examples.gan;

import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.BatchNormalization;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Conv2DTranspose;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.Reshape;

/**
 * The small DCGAN networks the GAN examples share, sized so an MNIST epoch runs in minutes on a few CPU cores:
 * generator noise → Dense(7·7·64) → 7x7x64 → transposed conv to 14x14x32 → 28x28x1 in [-1, 1] (tanh);
 * discriminator/critic two strided convolutions → one logit (or, for a WGAN, an unbounded score).
 */
final class GanModels {
    private GanModels() {}

    /** Length of the generator's noise vector. */
    static final int LATENT = 64;

    /** The generator; batch normalization as in DCGAN. */
    static Sequential generator() {
        Sequential g = Sequential.of(Input.shape(LATENT),
                new Dense(7 * 7 * 64).useBias(false), new BatchNormalization(), Activation.leakyRelu(),
                new Reshape(7, 7, 64),
                new Conv2DTranspose(32, 4).strides(2).padding("same").useBias(false), new BatchNormalization(), Activation.leakyRelu(),
                new Conv2DTranspose(1, 4).strides(2).padding("same").activation("tanh"));
        g.setName("generator");
        return g;
    }

    /** The discriminator (DCGAN: a logit) or critic (WGAN: a score); {@code clip} null for no weight constraint. */
    static Sequential critic(String name, Constraint clip) {
        Conv2D c1 = new Conv2D(32, 4).strides(2).padding("same");
        Conv2D c2 = new Conv2D(64, 4).strides(2).padding("same");
        Dense out = new Dense(1);
        if (clip != null) {
            c1.kernelConstraint(clip).biasConstraint(clip);
            c2.kernelConstraint(clip).biasConstraint(clip);
            out.kernelConstraint(clip).biasConstraint(clip);
        }
        Sequential d = Sequential.of(Input.shape(28, 28, 1), c1, Activation.leakyRelu(), c2, Activation.leakyRelu(), new Flatten(), out);
        d.setName(name);
        return d;
    }
}
