package dev.fluxion.nn.optimizers;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The first steps of each optimizer against its published update rule, computed here by hand in float64
 * (float64 variables; learning rates exactly representable in float32, where the learning-rate variable lives).
 */
class OptimizersTest {
    static final double[] W0 = {1.0, -2.0, 0.5};
    static final double[][] GRADS = {{0.1, -0.2, 0.3}, {0.4, 0.05, -0.6}, {-0.3, 0.25, 0.2}};

    static Variable var(String name) {
        return new Variable(Tensor.of(W0.clone(), 3), name);
    }

    static void step(Optimizer opt, Variable v, double[] g) {
        opt.applyGradients(List.of(Tensor.of(g.clone(), 3)), List.of(v));
    }

    static void assertClose(double[] expected, Variable v, double tol) {
        double[] a = v.value().toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(expected[i], a[i], tol, v.name() + "[" + i + "]");
    }

    @Test
    void sgdPlain() {
        Optimizer opt = new SGD(0.5);
        Variable v = var("w");
        double[] w = W0.clone();
        for (double[] g : GRADS) {
            step(opt, v, g);
            for (int i = 0; i < 3; i++) w[i] -= 0.5 * g[i];
            assertClose(w, v, 1e-12);
        }
        assertEquals(3, opt.iterations().value().item());
        assertEquals(2, opt.variables().size(), "iterations and learning rate, no slots");
    }

    @Test
    void sgdMomentumAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            Optimizer opt = new SGD(0.25, 0.9, nesterov);
            Variable v = var("w");
            double[] w = W0.clone(), m = new double[3];
            for (double[] g : GRADS) {
                step(opt, v, g);
                for (int i = 0; i < 3; i++) {
                    m[i] = 0.9 * m[i] - 0.25 * g[i];
                    w[i] += nesterov ? 0.9 * m[i] - 0.25 * g[i] : m[i];
                }
                assertClose(w, v, 1e-12);
            }
            assertEquals("w/momentum", opt.variables().get(2).name());
        }
    }

    static double[] adamReference(double lr, double wd, boolean amsgrad, int steps) {
        return adamReference(lr, wd, amsgrad, steps, GRADS);
    }

    static double[] adamReference(double lr, double wd, boolean amsgrad, int steps, double[][] grads) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-7;
        double[] w = W0.clone(), m = new double[3], v = new double[3], vhat = new double[3];
        for (int t = 1; t <= steps; t++) {
            double[] g = grads[t - 1];
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < 3; i++) {
                w[i] -= w[i] * wd * lr;
                m[i] += (g[i] - m[i]) * (1 - b1);
                v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
                vhat[i] = Math.max(vhat[i], v[i]);
                w[i] -= m[i] * alpha / (Math.sqrt(amsgrad ? vhat[i] : v[i]) + eps);
            }
        }
        return w;
    }

    @Test
    void adamWithAndWithoutAmsgrad() {
        for (boolean amsgrad : new boolean[] {false, true}) {
            Optimizer opt = new Adam(0.125, 0.9, 0.999, 1e-7, amsgrad);
            Variable v = var("dense/kernel");
            for (int t = 1; t <= 3; t++) {
                step(opt, v, GRADS[t - 1]);
                assertClose(adamReference(0.125, 0, amsgrad, t), v, 1e-12);
            }
            List<String> names = opt.variables().stream().map(Variable::name).toList();
            assertEquals(amsgrad ? List.of("Adam/iterations", "Adam/learning_rate", "dense/kernel/m", "dense/kernel/v", "dense/kernel/vhat")
                    : List.of("Adam/iterations", "Adam/learning_rate", "dense/kernel/m", "dense/kernel/v"), names);
        }
        // amsgrad changes the result once v decreases: a large gradient, then small ones
        double[][] shrinking = {{1, 1, 1}, {0.001, 0.001, 0.001}, {0.001, 0.001, 0.001}};
        Optimizer ams = new Adam(0.125, 0.9, 0.999, 1e-7, true);
        Variable v = var("w");
        for (double[] g : shrinking) step(ams, v, g);
        assertClose(adamReference(0.125, 0, true, 3, shrinking), v, 1e-12);
        assertNotEquals(adamReference(0.125, 0, false, 3, shrinking)[0], adamReference(0.125, 0, true, 3, shrinking)[0], 1e-6);
    }

    @Test
    void adamW() {
        Optimizer opt = new AdamW(0.125, 0.5);
        Variable v = var("w");
        for (int t = 1; t <= 3; t++) {
            step(opt, v, GRADS[t - 1]);
            assertClose(adamReference(0.125, 0.5, false, t), v, 1e-12);
        }
        assertEquals(0.004, new AdamW().weightDecay());
        // excluded variables get plain Adam updates
        Optimizer ex = new AdamW(0.125, 0.5).excludeFromWeightDecay(null, "bias");
        Variable kernel = var("dense/kernel"), bias = var("dense/bias");
        for (int t = 1; t <= 2; t++) ex.applyGradients(List.of(Tensor.of(GRADS[t - 1].clone(), 3), Tensor.of(GRADS[t - 1].clone(), 3)), List.of(kernel, bias));
        assertClose(adamReference(0.125, 0.5, false, 2), kernel, 1e-12);
        assertClose(adamReference(0.125, 0, false, 2), bias, 1e-12);
    }

    @Test
    void rmsprop() {
        for (int variant = 0; variant < 3; variant++) { // plain, momentum, centered + momentum
            double momentum = variant == 0 ? 0 : 0.5;
            boolean centered = variant == 2;
            double rho = 0.9, eps = 1e-7, lr = 0.0625;
            Optimizer opt = new RMSprop(lr, rho, momentum, eps, centered);
            Variable v = var("w");
            double[] w = W0.clone(), vel = new double[3], mom = new double[3], avg = new double[3];
            for (double[] g : GRADS) {
                step(opt, v, g);
                for (int i = 0; i < 3; i++) {
                    vel[i] = rho * vel[i] + (1 - rho) * g[i] * g[i];
                    double den = vel[i];
                    if (centered) {
                        avg[i] = rho * avg[i] + (1 - rho) * g[i];
                        den -= avg[i] * avg[i];
                    }
                    double inc = lr * g[i] / Math.sqrt(den + eps);
                    if (momentum > 0) {
                        mom[i] = momentum * mom[i] + inc;
                        w[i] -= mom[i];
                    } else {
                        w[i] -= inc;
                    }
                }
                assertClose(w, v, 1e-12);
            }
            assertEquals(2 + 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0), opt.variables().size());
        }
    }

    @Test
    void adagrad() {
        Optimizer opt = new Adagrad(0.5);
        Variable v = var("w");
        double[] w = W0.clone(), acc = {0.1, 0.1, 0.1};
        for (double[] g : GRADS) {
            step(opt, v, g);
            for (int i = 0; i < 3; i++) {
                acc[i] += g[i] * g[i];
                w[i] -= 0.5 * g[i] / Math.sqrt(acc[i] + 1e-7);
            }
            assertClose(w, v, 1e-12);
        }
        assertEquals("w/accumulator", opt.variables().get(2).name());
    }

    @Test
    void float32VariablesAndNullGradients() {
        Optimizer opt = new Adam(1e-3);
        Variable a = new Variable(Tensor.vector(1, 2), "a"), b = new Variable(Tensor.vector(3), "b");
        java.util.ArrayList<Tensor> grads = new java.util.ArrayList<>();
        grads.add(Tensor.vector(0.5f, -0.5f));
        grads.add(null);
        opt.applyGradients(grads, List.of(a, b));
        assertArrayEquals(new float[] {1 - 1e-3f, 2 + 1e-3f}, a.value().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {3}, b.value().toFloatArray());
        assertEquals(4, opt.variables().size(), "slots only for variables with gradients");
        java.util.ArrayList<Tensor> none = new java.util.ArrayList<>();
        none.add(null);
        assertThrows(IllegalArgumentException.class, () -> opt.applyGradients(none, List.of(b)));
        assertThrows(IllegalArgumentException.class, () -> opt.applyGradients(List.of(Tensor.vector(1)), List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> opt.applyGradients(List.of(Tensor.vector(1)), List.of(a, b)));
    }

    @Test
    void setLearningRate() {
        Optimizer opt = new SGD(0.5);
        assertEquals(0.5, opt.learningRate().item());
        opt.setLearningRate(0.25);
        assertEquals(0.25, opt.learningRate().item());
        Variable v = var("w");
        step(opt, v, GRADS[0]);
        assertClose(new double[] {1 - 0.025, -2 + 0.05, 0.5 - 0.075}, v, 1e-12);
        assertEquals(0.01, Optimizers.get("sgd").learningRate().item(), 1e-9);
        assertTrue(Optimizers.get("adamw") instanceof AdamW);
    }
}
