package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Tensor;

/**
 * A learning rate as a function of the optimizer's step (Keras' {@code LearningRateSchedule}). {@link #apply} is
 * written with Tensor ops so that it runs inside a compiled train step on the optimizer's {@code iterations}
 * variable: the rate changes every step without retracing.
 */
public interface LearningRateSchedule {
    /**
     * The learning rate at {@code step} (a 0-d tensor of any numeric dtype, counting from 0) as a 0-d float32
     * tensor.
     */
    Tensor apply(Tensor step);

    /** The learning rate at a step, computed eagerly. */
    default double valueAt(long step) {
        return dev.fluxion.Dispatcher.initScope(() -> apply(Tensor.scalar(step, DType.INT64)).item());
    }
}
