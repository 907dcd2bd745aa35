package dev.fluxion.nn.layers;

import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.initializers.Initializer;

/**
 * Keras' {@code LSTM} (tanh and sigmoid, {@code unit_forget_bias}): gates in Keras' order input, forget, cell, output;
 * {@code z = x·W + h·U + b}, {@code c = σ(z_f)·c + σ(z_i)·tanh(z_c)}, {@code h = σ(z_o)·tanh(c)}. The forget gate's
 * bias starts at 1, so early training keeps the cell's memory.
 */
public class LSTM extends Recurrent<LSTM> {
    public LSTM(int units) { super(units); }

    @Override protected int gates() { return 4; }
    @Override protected int[] biasShape() { return new int[] {4 * units}; }
    @Override protected int stateCount() { return 2; }

    @Override
    protected Initializer biasInitializer() {
        return (shape, dtype) -> {
            double[] b = new double[4 * units];
            java.util.Arrays.fill(b, units, 2 * units, 1.0); // the forget gate
            return Tensor.of(b, shape).cast(dtype);
        };
    }

    @Override
    protected Tensor[] step(Tensor xw, Tensor[] state) {
        Tensor h = state[0], c = state[1];
        Tensor z = xw.add(recurrentProduct(h));
        Tensor i = Ops.sigmoid(gate(z, 0)), f = Ops.sigmoid(gate(z, 1)), g = Ops.tanh(gate(z, 2)), o = Ops.sigmoid(gate(z, 3));
        Tensor cNext = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(Ops.tanh(cNext)), cNext};
    }
}
