package dev.fluxion.examples.gan;

import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.examples.Example;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.util.EpochLog;
import dev.fluxion.examples.util.Steps;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.losses.BinaryCrossentropy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.random.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DCGAN on MNIST (TensorFlow's DCGAN tutorial in Fluxion): every batch, one forward pass recorded by two tapes, the
 * discriminator's and the generator's, then one update of each with its own Adam (2e-4, beta1 0.5). The step is
 * compiled as a graph function in GRAPH mode (noise is drawn inside the graph, fresh on every call) and runs as
 * plain Java in EAGER mode.
 */
public final class Dcgan implements Example {
    private Sequential generator, discriminator;
    private final BinaryCrossentropy bce = new BinaryCrossentropy(true);
    private Adam generatorOptimizer, discriminatorOptimizer; // created by train(): every run starts fresh
    private Rng noise;

    @Override public String name() { return "dcgan"; }

    @Override public String description() {
        return "DCGAN on MNIST: two tapes, two Adam optimizers, a transposed-conv generator; sample grids per epoch";
    }

    /** One interleaved update of both networks on a batch of real images; returns both losses. */
    Map<String, Tensor> trainStep(Tensor real) {
        int n = real.dim(0);
        Tensor z = noise.normal(new int[] {n, GanModels.LATENT}, 0, 1);
        List<Variable> gVars = generator.trainableVariables(), dVars = discriminator.trainableVariables();
        Tensor gLoss, dLoss, realLogits, fakeLogits;
        List<Tensor> gGrads, dGrads;
        try (GradientTape gTape = new GradientTape(); GradientTape dTape = new GradientTape()) {
            Tensor fake = generator.call(z, true);
            realLogits = discriminator.call(real, true);
            fakeLogits = discriminator.call(fake, true);
            // the discriminator labels real 1 and fake 0; the generator wants its fakes labelled 1
            dLoss = bce.call(realLogits.onesLike(), realLogits).add(bce.call(fakeLogits.zerosLike(), fakeLogits));
            gLoss = bce.call(fakeLogits.onesLike(), fakeLogits);
            gGrads = gTape.gradient(gLoss, gVars);
            dGrads = dTape.gradient(dLoss, dVars);
        }
        discriminatorOptimizer.applyGradients(dGrads, dVars);
        generatorOptimizer.applyGradients(gGrads, gVars);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("d_loss", dLoss);
        out.put("g_loss", gLoss);
        // the discriminator's mean belief that real and fake images are real (0.5 each at equilibrium)
        out.put("d_real", realLogits.sigmoid().mean());
        out.put("d_fake", fakeLogits.sigmoid().mean());
        return out;
    }

    @Override
    public void run(ExampleOptions options) throws Exception {
        train(options);
    }

    /** Trains and returns the per-epoch losses. */
    public EpochLog train(ExampleOptions o) throws Exception {
        Rng.setGlobalSeed(o.seed());
        noise = new Rng(o.seed() + 2);
        generatorOptimizer = (Adam) new Adam(2e-4, 0.5, 0.999, 1e-7, false).named("generator_optimizer");
        discriminatorOptimizer = (Adam) new Adam(2e-4, 0.5, 0.999, 1e-7, false).named("discriminator_optimizer");
        generator = GanModels.generator();
        discriminator = GanModels.critic("discriminator", null);
        generator.summary();
        discriminator.summary();
        Tensor images = GanLoop.images(o);
        var step = Steps.of("dcgan_step", o.mode(), this::trainStep);
        System.out.println("mode " + o.mode() + (Steps.compiled(o.mode()) ? ": the step runs as a graph function" : ": the step runs eagerly"));
        return GanLoop.train(name(), o, images, generator, (real, s) -> step.apply(real));
    }
}
