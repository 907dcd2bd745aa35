package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;

/**
 * Keras' {@code GRU} with its TF2 default {@code reset_after=true}: gates in Keras' order update, reset, candidate;
 * an input bias and a recurrent bias (bias [2, 3·units]); {@code z = σ(x_z + r_z)}, {@code r = σ(x_r + r_r)},
 * {@code ĥ = tanh(x_h + r·r_h)}, {@code h = z·h + (1 - z)·ĥ}, where x = x·W + b_in and r = h·U + b_rec.
 */
public class GRU extends Recurrent<GRU> {
    public GRU(int units) { super(units); }

    @Override protected int gates() { return 3; }
    @Override protected int[] biasShape() { return new int[] {2, 3 * units}; }
    @Override protected Initializer biasInitializer() { return Initializers.zeros(); }
    @Override protected int stateCount() { return 1; }

    @Override
    protected Tensor inputBias() {
        return ArrayOps.slice(bias.value(), 0, 0, 1, 1).reshape(3 * units);
    }

    @Override
    protected Tensor[] step(Tensor xw, Tensor[] state) {
        Tensor h = state[0];
        Tensor recurrentBias = ArrayOps.slice(bias.value(), 0, 1, 2, 1).reshape(3 * units);
        Tensor r = recurrentProduct(h).add(recurrentBias);
        Tensor z = Ops.sigmoid(gate(xw, 0).add(gate(r, 0)));
        Tensor reset = Ops.sigmoid(gate(xw, 1).add(gate(r, 1)));
        Tensor candidate = Ops.tanh(gate(xw, 2).add(reset.mul(gate(r, 2))));
        return new Tensor[] {z.mul(h).add(Ops.onesOf(z).sub(z).mul(candidate))};
    }
}
