package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;

/** Keras' {@code SimpleRNN}: {@code h = tanh(x·W + h·U + b)}. */
public class SimpleRNN extends Recurrent<SimpleRNN> {
    public SimpleRNN(int units) { super(units); }

    @Override protected int gates() { return 1; }
    @Override protected int[] biasShape() { return new int[] {units}; }
    @Override protected Initializer biasInitializer() { return Initializers.zeros(); }
    @Override protected int stateCount() { return 1; }

    @Override
    protected Tensor[] step(Tensor xw, Tensor[] state) {
        return new Tensor[] {Ops.tanh(xw.add(recurrentProduct(state[0])))};
    }
}
