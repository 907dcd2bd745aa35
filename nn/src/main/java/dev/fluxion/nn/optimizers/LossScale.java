package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;

import java.util.List;

/**
 * Dynamic loss scaling for float16 training (Keras's {@code LossScaleOptimizer}, PyTorch's {@code GradScaler}): the
 * loss is multiplied by a scale before differentiation so that small gradients survive float16's range; the
 * optimizer divides the gradients by it again, skips any step whose gradients hold an infinity or NaN and halves
 * the scale then, and doubles the scale after {@code growthSteps} finite steps in a row. The scale is a power of
 * two, so scaling and unscaling are exact. State: {@code <optimizer>/loss_scale} (float32) and
 * {@code <optimizer>/loss_scale_good_steps} (int64), both tensors, so a compiled step needs no retracing.
 */
final class LossScale {
    final Variable scale, goodSteps;
    private final int growthSteps;

    LossScale(String optimizerName, double initialScale, int growthSteps) {
        if (!(initialScale >= 1) || Math.getExponent(initialScale) < 0 || initialScale != Math.scalb(1.0, Math.getExponent(initialScale)))
            throw new IllegalArgumentException(optimizerName + ": the initial loss scale must be a power of two >= 1, got " + initialScale);
        if (growthSteps < 1) throw new IllegalArgumentException(optimizerName + ": loss-scale growth steps must be >= 1, got " + growthSteps);
        this.growthSteps = growthSteps;
        scale = new Variable(Dispatcher.initScope(() -> Tensor.scalar(initialScale, DType.FLOAT32)), optimizerName + "/loss_scale", false);
        goodSteps = new Variable(Dispatcher.initScope(() -> Tensor.zeros(DType.INT64)), optimizerName + "/loss_scale_good_steps", false);
    }

    Tensor scaleLoss(Tensor loss) {
        return loss.mul(Ops.cast(scale.value(), loss.dtype()));
    }

    /** True (0-d bool) when every gradient is finite: a sum of {@code g * 0} is 0 exactly then and NaN otherwise. */
    Tensor allFinite(List<Tensor> grads) {
        Tensor total = null;
        for (Tensor g : grads) {
            Tensor zeros = Ops.cast(g.mul(0).sum(), DType.FLOAT32);
            total = total == null ? zeros : total.add(zeros);
        }
        return Ops.equal(total, Ops.zerosOf(total));
    }

    List<Tensor> unscale(List<Tensor> grads) {
        Tensor inverse = Ops.constantLike(1, scale.value()).div(scale.value());
        return grads.stream().map(g -> g.mul(Ops.cast(inverse, g.dtype()))).toList();
    }

    /** After a step: count it when finite (doubling the scale every growthSteps), else halve the scale (not below 1). */
    void update(Tensor finite) {
        Tensor s = scale.value(), good = goodSteps.value();
        Tensor counted = Ops.where(finite, good.add(1), Ops.zerosOf(good));
        Tensor grow = Ops.greaterEqual(counted, Ops.constantLike(growthSteps, counted));
        Tensor halved = Ops.maximum(s.mul(0.5), Ops.constantLike(1, s));
        scale.assign(Ops.where(grow, s.mul(2), Ops.where(finite, s, halved)));
        goodSteps.assign(Ops.where(grow, Ops.zerosOf(counted), counted));
    }
}
