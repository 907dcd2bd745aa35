package dev.fluxion.examples.gan;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import dev.fluxion.examples.util.Steps;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.optimizers.RMSprop;
import dev.fluxion.random.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Wasserstein GAN with weight clipping (Arjovsky et al. 2017): the critic maximizes E[C(real)] - E[C(fake)] with
 * its weights kept in [-0.01, 0.01] by the layers' {@link Constraint#clip} constraints (the optimizer projects each
 * weight after its update); RMSprop 5e-5; the generator is updated once per {@value #N_CRITIC} critic steps.
 * {@code wasserstein} is the critic's estimate E[C(real)] - E[C(fake)] of the distance (up to a constant).
 */
public final class Wgan implements Example {
    static final int N_CRITIC = 5;
    static final double CLIP = 0.01;

    private Sequential generator, critic;
    private RMSprop generatorOptimizer, criticOptimizer; // created by train(): every run starts fresh
    private Rng noise;

    @Override public String name() { return "wgan"; }

    @Override public String description() {
        return "WGAN on MNIST: critic weights clipped to [-0.01, 0.01] by constraints, RMSprop 5e-5, 5 critic steps per generator step";
    }

    Map<String, Tensor> criticStep(Tensor real) {
        Tensor fake = generator.call(noise.normal(new int[] {real.dim(0), GanModels.LATENT}, 0, 1), true);
        List<Variable> vars = critic.trainableVariables();
        Tensor loss;
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            loss = critic.call(fake, true).mean().sub(critic.call(real, true).mean());
            grads = tape.gradient(loss, vars);
        }
        criticOptimizer.applyGradients(grads, vars); // then Constraints.apply clips every critic weight
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("c_loss", loss);
        out.put("wasserstein", loss.neg());
        return out;
    }

    Map<String, Tensor> generatorStep(Tensor real) {
        return GanLoop.wassersteinGeneratorStep(generator, critic, generatorOptimizer, noise, real.dim(0));
    }

    /** The largest absolute critic weight (at most {@link #CLIP} once the critic has taken a step). */
    double largestCriticWeight() {
        double max = 0;
        for (Variable v : critic.trainableVariables()) max = Math.max(max, v.value().abs().max().item());
        return max;
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        train(options);
    }

    public EpochLog train(ExampleOptions o) throws Exception {
        Rng.setGlobalSeed(o.seed());
        noise = new Rng(o.seed() + 2);
        generatorOptimizer = (RMSprop) new RMSprop(5e-5).named("generator_optimizer");
        criticOptimizer = (RMSprop) new RMSprop(5e-5).named("critic_optimizer");
        generator = GanModels.generator();
        critic = GanModels.critic("critic", Constraint.clip(CLIP));
        critic.summary();
        Tensor images = GanLoop.images(o);
        var cStep = Steps.of("wgan_critic_step", o.mode(), this::criticStep);
        var gStep = Steps.of("wgan_generator_step", o.mode(), this::generatorStep);
        EpochLog log = GanLoop.train(name(), o, images, generator, GanLoop.criticThenGenerator(cStep, gStep, N_CRITIC));
        System.out.printf("largest |critic weight| after training: %.5f (clip %.2f)%n", largestCriticWeight(), CLIP);
        return log;
    }
}
