package dev.fluxion.nn;

import dev.fluxion.Dispatcher;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.ops.Op;
import dev.fluxion.random.Rng;

import java.util.function.Supplier;

/**
 * An interpreter that computes nothing: every op yields a symbolic tensor of the type its shape rule infers,
 * variable assignments are dropped and random draws consume no state. Running a layer under it gives the layer's
 * output shape (and builds it) at the cost of the shape rules only — the functional API's symbolic pass.
 */
final class ShapeInference implements Dispatcher.Interpreter {
    private static final ShapeInference INSTANCE = new ShapeInference();
    private static final Object SYMBOL = "shape_inference";

    private ShapeInference() {}

    @Override
    public Tensor execute(Op op, Tensor[] inputs, TensorType out) {
        return Tensor.symbolic(out, SYMBOL);
    }

    @Override
    public boolean assignVariable(Variable variable, Tensor value) {
        return true; // dropped
    }

    @Override
    public Tensor randomKey(Rng rng, int[] shape, dev.fluxion.Device device) {
        return Tensor.of(new long[] {0, 0}, 2);
    }

    /** Runs {@code body} under shape inference, with gradient tapes paused. */
    static <T> T run(Supplier<T> body) {
        return Dispatcher.initScope(() -> Dispatcher.with(INSTANCE, body));
    }
}
