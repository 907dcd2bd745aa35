package dev.fluxion.examples.gan;

import dev.fluxion.DType;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import dev.fluxion.examples.util.Steps;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.random.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WGAN-GP (Gulrajani et al. 2017): instead of clipping, the critic pays {@code λ (‖∇x̂ C(x̂)‖₂ - 1)²} at random
 * interpolates x̂ between real and fake images (λ = 10). The gradient ∇x̂ C comes from an inner tape; the outer tape
 * differentiates the penalty through it, a second-order gradient through the critic. {@code grad_norm} is the mean
 * of ‖∇x̂ C(x̂)‖₂ over each epoch's interpolates: the penalty pulls it toward 1 (a 1-Lipschitz critic); the penalty
 * is soft, so while fakes are still far from the data the critic trades some penalty for a larger distance estimate
 * and the norm can rise above 1. The paper's settings: 5 critic steps per generator step, Adam 1e-4 with beta1 0 and
 * beta2 0.9 (samples need several epochs to look like digits).
 */
public final class WganGp implements Example {
    static final int N_CRITIC = 5;
    static final double LAMBDA = 10;

    private Sequential generator, critic;
    private Adam generatorOptimizer, criticOptimizer; // created by train(): every run starts fresh
    private Rng noise;

    @Override public String name() { return "wgan-gp"; }

    @Override public String description() {
        return "WGAN-GP on MNIST: gradient penalty from a nested tape (second-order gradients), logs the critic's gradient norm";
    }

    /** The per-example L2 norm of the critic's input gradient at {@code x}, recorded by an inner tape. */
    static Tensor criticGradientNorm(Layer critic, Tensor x) {
        Tensor grad;
        try (GradientTape inner = new GradientTape()) {
            inner.watch(x);
            grad = inner.gradient(critic.call(x, true), x)[0]; // the gradient of the sum: per example, its own gradient
        }
        // a tiny offset keeps sqrt differentiable where a gradient is exactly zero
        return Ops.sqrt(grad.square().sum(new int[] {1, 2, 3}, false).add(1e-12));
    }

    Map<String, Tensor> criticStep(Tensor real) {
        int n = real.dim(0);
        Tensor fake = generator.call(noise.normal(new int[] {n, GanModels.LATENT}, 0, 1), true);
        Tensor eps = noise.uniform(new int[] {n, 1, 1, 1}, DType.FLOAT32);
        Tensor interpolates = real.mul(eps).add(fake.mul(Ops.onesOf(eps).sub(eps)));
        List<Variable> vars = critic.trainableVariables();
        Tensor wasserstein, penalty, norms;
        List<Tensor> grads;
        try (GradientTape outer = new GradientTape()) {
            wasserstein = critic.call(real, true).mean().sub(critic.call(fake, true).mean());
            norms = criticGradientNorm(critic, interpolates);
            penalty = norms.sub(1.0).square().mean();
            Tensor loss = wasserstein.neg().add(penalty.mul(LAMBDA));
            grads = outer.gradient(loss, vars);
        }
        criticOptimizer.applyGradients(grads, vars);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("c_loss", wasserstein.neg().add(penalty.mul(LAMBDA)));
        out.put("wasserstein", wasserstein);
        out.put("gp", penalty);
        out.put("grad_norm", norms.mean());
        return out;
    }

    Map<String, Tensor> generatorStep(Tensor real) {
        return GanLoop.wassersteinGeneratorStep(generator, critic, generatorOptimizer, noise, real.dim(0));
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        train(options);
    }

    /** Trains; each epoch's row holds c_loss, wasserstein, gp, grad_norm (means over the epoch) and g_loss. */
    public EpochLog train(ExampleOptions o) throws Exception {
        Rng.setGlobalSeed(o.seed());
        noise = new Rng(o.seed() + 2);
        generatorOptimizer = (Adam) new Adam(1e-4, 0.0, 0.9, 1e-7, false).named("generator_optimizer");
        criticOptimizer = (Adam) new Adam(1e-4, 0.0, 0.9, 1e-7, false).named("critic_optimizer");
        generator = GanModels.generator();
        critic = GanModels.critic("critic", null);
        critic.summary();
        Tensor images = GanLoop.images(o);
        var cStep = Steps.of("wgan_gp_critic_step", o.mode(), this::criticStep);
        var gStep = Steps.of("wgan_gp_generator_step", o.mode(), this::generatorStep);
        return GanLoop.train(name(), o, images, generator, GanLoop.criticThenGenerator(cStep, gStep, N_CRITIC));
    }
}
