package dev.fluxion.examples.article;

import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.BatchNormalization;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.MaxPooling2D;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * The article's CIFAR-10 classifier: three blocks of Conv2D (32, 64, 128 filters, 3x3, same padding, no bias, since
 * batch normalization follows) → BatchNormalization → ELU → MaxPooling2D(2), then Flatten → Dense(512, elu) →
 * Dense(10, softmax). The same blocks take 28x28x1 images (MNIST, Fashion-MNIST): 28 → 14 → 7 → 3 pixels.
 *
 * <p>The losses take the softmax's probabilities ({@code fromLogits = false}, as in the article). As in Keras, a
 * cross-entropy given a softmax activation's output computes from the logits behind it, so examples the model gets
 * badly wrong keep their gradient (clipped probabilities would lose it; this model's first Adam step makes many).
 */
public final class ArticleModel {
    private ArticleModel() {}

    /**
     * The model for images of {@code imageShape} (height, width, channels), its weights drawn from {@code seed}. Layer
     * names restart (Keras' {@code clear_session}): checkpoints are keyed by variable name, so every build names its
     * variables alike ({@code conv2d/kernel}, ...) and loads a checkpoint saved by another build.
     */
    public static Sequential build(int[] imageShape, long seed) {
        Layer.resetNames();
        Rng.setGlobalSeed(seed);
        List<Layer> layers = new ArrayList<>();
        for (int filters : new int[] {32, 64, 128}) {
            layers.add(new Conv2D(filters, 3).padding("same").useBias(false));
            layers.add(new BatchNormalization());
            layers.add(Activation.elu());
            layers.add(new MaxPooling2D(2));
        }
        layers.add(new Flatten());
        layers.add(new Dense(512, Activation.elu()));
        layers.add(new Dense(10, "softmax"));
        return Sequential.of(Input.shape(imageShape), layers.toArray(Layer[]::new));
    }
}
