package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Layer;

import java.util.Arrays;

/**
 * Reorders the non-batch axes (Keras {@code Permute}): {@code dims} is a permutation of 1..k for inputs of rank
 * k + 1, numbered from 1 because the batch axis stays first; {@code Permute(2, 1)} swaps the steps and features of
 * [N, T, F] into [N, F, T].
 */
public class Permute extends Layer {
    private final int[] dims;

    public Permute(int... dims) {
        super(null);
        if (dims == null || dims.length == 0) throw new IllegalArgumentException("Permute: dims must name at least one axis");
        int[] sorted = dims.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
            if (sorted[i] != i + 1)
                throw new IllegalArgumentException("Permute: dims must be a permutation of 1.." + dims.length + " (the batch axis 0 stays first), got "
                        + Arrays.toString(dims));
        this.dims = dims.clone();
    }

    public int[] dims() {
        return dims.clone();
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != dims.length + 1)
            throw new IllegalArgumentException("Permute '" + name() + "': dims " + Arrays.toString(dims) + " need an input of rank " + (dims.length + 1)
                    + ", got shape " + Shapes.format(x.shape()));
        int[] perm = new int[dims.length + 1];
        System.arraycopy(dims, 0, perm, 1, dims.length);
        return ArrayOps.transpose(x, perm);
    }
}
