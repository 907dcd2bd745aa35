package dev.fluxion.nn.optimizers;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.assertClose;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.g;
import static dev.fluxion.nn.optimizers.OptimizerFeaturesTest.var;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adamax, Adadelta and Lion against their update rules written out in float64, eagerly and in a traced step. */
class MoreOptimizersTest {
    /** Gradients of a two-element variable at five steps, signs and sizes mixed. Rates below are powers of two, exact in
     * the float32 learning-rate variable, so the float64 updates can be compared to the last bit's neighbourhood. */
    static final double[][] GRADS = {{0.5, -1}, {-0.2, 0.3}, {2, 0}, {0.1, -0.4}, {-1.5, 0.25}};

    interface Rule {
        /** Updates w (and the rule's state) in place for one step t (1-based). */
        void step(double[] w, double[] g, int t);
    }

    private static void check(java.util.function.Supplier<Optimizer> make, Rule rule) {
        check(make, rule, 1e-12);
    }

    private static void check(java.util.function.Supplier<Optimizer> make, Rule rule, double tolerance) {
        double[] want = {1, -2};
        for (int t = 1; t <= GRADS.length; t++) rule.step(want, GRADS[t - 1], t);
        for (boolean traced : new boolean[] {false, true}) {
            Optimizer opt = make.get();
            Variable w = var("w", 1, -2);
            var step = Fx.function("step", (Tensor grad) -> {
                opt.applyGradients(List.of(grad), List.of(w));
                return null;
            });
            for (double[] grad : GRADS) {
                if (traced) step.call(g(grad));
                else opt.applyGradients(List.of(g(grad)), List.of(w));
            }
            assertClose(want, w, tolerance);
        }
    }

    @Test
    void adamax() {
        double lr = 0.125, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        double[] m = new double[2], u = new double[2];
        check(() -> new Adamax(lr), (w, g, t) -> {
            for (int i = 0; i < 2; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                u[i] = Math.max(b2 * u[i], Math.abs(g[i]));
                w[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / (u[i] + eps);
            }
        });
    }

    @Test
    void nadam() {
        double lr = 0.125, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        double[] m = new double[2], v = new double[2], product = {1};
        // u_product is float32 state, as Keras keeps it, so the updates match the float64 rule to about 1e-8
        check(() -> new Nadam(lr), (w, g, t) -> {
            double ut = b1 * (1 - 0.5 * Math.pow(0.96, t)), ut1 = b1 * (1 - 0.5 * Math.pow(0.96, t + 1));
            product[0] *= ut;
            double productNext = product[0] * ut1;
            for (int i = 0; i < 2; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = ut1 * m[i] / (1 - productNext) + (1 - ut) * g[i] / (1 - product[0]);
                double vHat = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }, 1e-6);
        Optimizer nadam = new Nadam();
        Variable w = var("w", 1);
        nadam.applyGradients(List.of(g(0.5)), List.of(w));
        nadam.applyGradients(List.of(g(0.5)), List.of(w));
        assertEquals(List.of("Nadam/iterations", "Nadam/learning_rate", "Nadam/u_product", "w/m", "w/v"),
                nadam.variables().stream().map(Variable::name).toList());
        double u1 = 0.9 * (1 - 0.5 * 0.96), u2 = 0.9 * (1 - 0.5 * 0.96 * 0.96);
        assertEquals(u1 * u2, nadam.variables().get(2).value().item(), 1e-7, "the running product after two updates");
    }

    @Test
    void adadelta() {
        double lr = 1.0, rho = 0.95, eps = 1e-7;
        double[] acc = new double[2], delta = new double[2];
        check(() -> new Adadelta(lr), (w, g, t) -> {
            for (int i = 0; i < 2; i++) {
                acc[i] = rho * acc[i] + (1 - rho) * g[i] * g[i];
                double d = Math.sqrt(delta[i] + eps) / Math.sqrt(acc[i] + eps) * g[i];
                delta[i] = rho * delta[i] + (1 - rho) * d * d;
                w[i] -= lr * d;
            }
        });
    }

    @Test
    void lion() {
        // beta2 0.5 lets the momentum outweigh a gradient of the other sign, so the interpolation decides the sign
        double lr = 0.0078125, b1 = 0.9, b2 = 0.5;
        double[] m = new double[2];
        check(() -> new Lion(lr, b1, b2), (w, g, t) -> {
            for (int i = 0; i < 2; i++) {
                w[i] -= lr * Math.signum(b1 * m[i] + (1 - b1) * g[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
        });
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Lion(0.1, 1.5, 0.9)), "Lion", "beta1 and beta2 must be in [0, 1]", "1.5");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Lion(0.1, 0.9, -0.1)), "Lion", "-0.1");
        new Lion(0.1, 0, 1); // the ends are allowed
    }

    @Test
    void byKerasNameWithTheirSlots() {
        assertInstanceOf(Adamax.class, Optimizers.get("adamax"));
        assertInstanceOf(Adadelta.class, Optimizers.get("Adadelta"));
        assertInstanceOf(Lion.class, Optimizers.get("lion"));
        Optimizer adamax = new Adamax();
        Variable w = var("w", 1);
        adamax.build(List.of(w));
        assertEquals(List.of("Adamax/iterations", "Adamax/learning_rate", "w/m", "w/u"), adamax.variables().stream().map(Variable::name).toList());
        Optimizer adadelta = new Adadelta();
        adadelta.build(List.of(w));
        assertEquals(List.of("Adadelta/iterations", "Adadelta/learning_rate", "w/accumulated_grad", "w/accumulated_delta"),
                adadelta.variables().stream().map(Variable::name).toList());
    }
}
