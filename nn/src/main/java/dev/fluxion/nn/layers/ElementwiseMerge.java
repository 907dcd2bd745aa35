package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.nn.Masks;

import java.util.ArrayList;
import java.util.List;

/**
 * The base of the elementwise merges ({@link Subtract}, {@link Multiply}, {@link Average}, {@link Maximum},
 * {@link Minimum}) with Keras' shape rule: the batch sizes must agree, and the other dimensions are aligned from the
 * right and broadcast (equal, or 1 on one side). An input of lower rank gets size-1 axes after its batch axis, as
 * Keras' merge layers insert them, so that [N, 3] combines with [N, 4, 3] into [N, 4, 3].
 */
public abstract class ElementwiseMerge extends Merge {
    protected ElementwiseMerge() {}

    /** The fewest inputs the layer takes (2). */
    protected int minInputs() {
        return 2;
    }

    /** The most inputs the layer takes (no limit). */
    protected int maxInputs() {
        return Integer.MAX_VALUE;
    }

    protected final String label() {
        return getClass().getSimpleName() + " '" + name() + "'";
    }

    @Override
    protected final Tensor merge(List<Tensor> xs) {
        if (xs.size() < minInputs() || xs.size() > maxInputs()) {
            String want = minInputs() == maxInputs() ? "exactly " + minInputs() : "at least " + minInputs();
            throw new IllegalArgumentException(label() + ": needs " + want + " inputs, got " + xs.size() + " of shapes " + shapes(xs));
        }
        int rank = 0;
        for (Tensor x : xs) {
            if (x.rank() == 0) throw new IllegalArgumentException(label() + ": inputs need a batch axis, got shapes " + shapes(xs));
            rank = Math.max(rank, x.rank());
        }
        int[] first = xs.get(0).shape();
        for (int i = 1; i < xs.size(); i++) {
            int[] s = xs.get(i).shape();
            if (s[0] != first[0])
                throw new IllegalArgumentException(label() + ": inputs must have the same batch size, got " + Shapes.format(first) + " (input 0) and "
                        + Shapes.format(s) + " (input " + i + ")");
        }
        int[] out = new int[rank];
        out[0] = first[0];
        for (int d = 1; d < rank; d++) out[d] = 1;
        for (int i = 0; i < xs.size(); i++) {
            int[] s = xs.get(i).shape();
            for (int k = 1; k < s.length; k++) {
                int d = rank - s.length + k, v = s[k];
                if (out[d] == 1) out[d] = v;
                else if (v != 1 && v != out[d])
                    throw new IllegalArgumentException(label() + ": input shapes do not broadcast: " + shapes(xs) + " (input " + i + " has "
                            + v + " where another has " + out[d] + ")");
            }
        }
        List<Tensor> aligned = new ArrayList<>(xs.size());
        for (Tensor x : xs) {
            Tensor a = x;
            while (a.rank() < rank) a = ArrayOps.expandDims(a, 1);
            aligned.add(a);
        }
        return combine(aligned, xs, out);
    }

    /**
     * Combines inputs already brought to the output's rank; {@code original} are the inputs as given (with their
     * masks), {@code outShape} the broadcast output shape.
     */
    protected abstract Tensor combine(List<Tensor> aligned, List<Tensor> original, int[] outShape);

    static String shapes(List<Tensor> xs) {
        List<String> s = new ArrayList<>(xs.size());
        for (Tensor x : xs) s.add(Shapes.format(x.shape()));
        return s.toString();
    }

    /** An input's mask extended with trailing size-1 axes and broadcast to {@code shape}; null without a mask. */
    static Tensor spreadMask(Tensor input, int[] shape) {
        Tensor m = Masks.of(input);
        if (m == null) return null;
        while (m.rank() < shape.length) m = ArrayOps.expandDims(m, -1);
        return ArrayOps.broadcastTo(m, shape);
    }

    /** An elementwise boolean mask reduced back to the rank of the step mask {@code like}: real where any element is. */
    static Tensor stepMask(Tensor elementMask, Tensor like) {
        Tensor m = elementMask;
        while (m.rank() > like.rank()) {
            Tensor any = Ops.max(Ops.cast(m, dev.fluxion.DType.FLOAT32), m.rank() - 1);
            m = Ops.greater(any, Ops.zerosOf(any));
        }
        return m;
    }
}
