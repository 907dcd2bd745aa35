package dev.fluxion.examples.gan;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.UnconnectedGradients;
import dev.fluxion.Variable;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The second-order gradient WGAN-GP relies on: the outer tape's gradient of the penalty (computed from an inner
 * tape's input gradient through a strided conv critic) matches central finite differences, in float64.
 */
class GradientPenaltyGradientTest {
    @AfterEach
    void restoreDtype() {
        Layer.setDefaultDtype(DType.FLOAT32);
    }

    @Test
    void penaltyGradientMatchesFiniteDifferences() {
        Layer.setDefaultDtype(DType.FLOAT64);
        Sequential critic = Sequential.of(Input.shape(6, 6, 1),
                new Conv2D(3, 3).strides(2).padding("same").kernelInitializer(Initializers.randomNormal(0, 0.5, 1L))
                        .biasInitializer(Initializers.randomNormal(0, 0.1, 2L)),
                Activation.leakyRelu(), new Flatten(), new Dense(1).kernelInitializer(Initializers.randomNormal(0, 0.5, 3L)));
        Tensor x = new Rng(4).normal(new int[] {2, 6, 6, 1}, 0, 1, DType.FLOAT64);
        Supplier<Tensor> penalty = () -> WganGp.criticGradientNorm(critic, x).sub(1.0).square().mean();
        List<Variable> vars = critic.trainableVariables();
        List<Tensor> grads;
        try (GradientTape outer = new GradientTape()) {
            // biases do not reach a piecewise-linear critic's input gradient: their gradient is zero, not missing
            grads = outer.gradient(penalty.get(), vars, UnconnectedGradients.ZERO);
        }
        double h = 1e-6;
        int checked = 0;
        for (int k = 0; k < vars.size(); k++) {
            Variable v = vars.get(k);
            assertNotNull(grads.get(k), "no gradient for " + v.name());
            double[] g = grads.get(k).toDoubleArray(), w = v.value().toDoubleArray();
            for (int i = 0; i < w.length; i++) {
                double orig = w[i];
                w[i] = orig + h;
                v.assign(Tensor.of(w, v.shape()));
                double up = penalty.get().item();
                w[i] = orig - h;
                v.assign(Tensor.of(w, v.shape()));
                double down = penalty.get().item();
                w[i] = orig;
                v.assign(Tensor.of(w, v.shape()));
                double fd = (up - down) / (2 * h);
                assertEquals(fd, g[i], 1e-6 * Math.max(1, Math.abs(fd)), v.name() + "[" + i + "]");
                if (Math.abs(fd) > 1e-4) checked++;
            }
        }
        assertTrue(checked > 10, "too few non-zero gradient entries to mean anything: " + checked);
    }
}
