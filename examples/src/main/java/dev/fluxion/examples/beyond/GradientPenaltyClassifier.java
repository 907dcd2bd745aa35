package dev.fluxion.examples.beyond;

import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Model;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.training.Logs;

import java.util.List;

/**
 * An MNIST classifier whose {@link #trainStep} (TensorFlow 2.2's override point) adds an input-gradient penalty,
 * "double backpropagation" (Drucker and LeCun 1992): {@code λ · mean_i ‖∂ℓ_i/∂x_i‖²} penalizes sensitivity of each
 * example's loss to its pixels, for smoother, more robust decision functions. An inner tape gives the input
 * gradients; the outer tape differentiates the penalty through them. The step also logs the mean input-gradient norm
 * as a custom metric; {@code fit} keeps its callbacks, validation and progress bar.
 */
public final class GradientPenaltyClassifier extends Model {
    private final Flatten flatten = track(new Flatten());
    private final Dense hidden = track(new Dense(128, "relu"));
    private final Dense logits = track(new Dense(10));
    private final double lambda;

    public GradientPenaltyClassifier(double lambda) {
        super("gradient_penalty_classifier");
        if (!(lambda >= 0)) throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        this.lambda = lambda;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return logits.call(hidden.call(flatten.call(x, training), training), training);
    }

    @Override
    protected Logs trainStep(Pair batch) {
        Tensor x = batch.x(), y = batch.y();
        int n = x.dim(0);
        Tensor yPred, loss, gradNorms;
        List<Variable> vars;
        List<Tensor> grads;
        try (GradientTape outer = new GradientTape()) {
            Tensor inputGrad;
            try (GradientTape inner = new GradientTape()) {
                inner.watch(x);
                yPred = call(x, true);
                loss = computeLoss(y, yPred, sampleWeight());
                // the loss is a batch mean: times n, each example's gradient is that of its own loss
                inputGrad = inner.gradient(loss.mul((double) n), x)[0];
            }
            Tensor squaredNorms = inputGrad.square().sum(new int[] {1, 2, 3}, false);
            gradNorms = Ops.sqrt(squaredNorms.add(1e-12));
            Tensor total = loss.add(squaredNorms.mean().mul(lambda));
            vars = trainableVariables();
            grads = outer.gradient(total, vars);
        }
        optimizer().applyGradients(grads, vars);
        Logs logs = computeMetrics(y, yPred, loss, n);
        logs.put("input_grad_norm", gradNorms.mean()); // per batch; fit averages it over the epoch
        return logs;
    }
}
