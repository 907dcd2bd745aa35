package dev.fluxion.nn.training;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.data.Pair;

import java.util.Map;

/**
 * The loss weights of a batch, as Keras forms them before its train step: the element's sample weights times the class
 * weights of its labels. Checked on the host, where batches come from: one weight per example (first axes agree) and
 * every weight finite. Keras accepts any float; a NaN weight would turn the loss and every weight it trains into NaN
 * without a word, so it is rejected here with the position of the first one (negative weights stay allowed).
 */
final class SampleWeights {
    private SampleWeights() {}

    /**
     * Checks weights given for tensor inputs against x: rank at least 1, the same first dimension, finite values.
     * {@code what} names the op and the option, e.g. "fit: sampleWeight".
     */
    static void checkForInputs(String what, Tensor w, Tensor x) {
        if (w == null) return;
        if (w.rank() == 0 || w.dim(0) != x.dim(0))
            throw new IllegalArgumentException(what + " of shape " + Shapes.format(w.shape()) + " does not match x of shape "
                    + Shapes.format(x.shape()) + ": give one weight per sample, shape [" + x.dim(0) + "] (the first axes must agree)");
        requireFinite(what, w, -1);
    }

    /** Rejects NaN and infinite weights, naming the first one's position ({@code batch} &lt; 0: not a batch of a Dataset). */
    static void requireFinite(String what, Tensor w, long batch) {
        if (!w.dtype().isFloating()) return;
        double[] v = (w.device().equals(Device.CPU) ? w : w.to(Device.CPU)).cast(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < v.length; i++)
            if (!Double.isFinite(v[i]))
                throw new IllegalArgumentException(what + (batch >= 0 ? " (batch " + batch + ")" : "") + " holds " + v[i] + " at flat index "
                        + i + " of shape " + Shapes.format(w.shape()) + "; sample weights must be finite (negative ones are allowed)");
    }

    /**
     * The batch with the weights its loss and metrics get: the element's own sample weights (checked) times the class
     * weights of its labels when {@code classWeight} is given; the batch itself when it has neither.
     */
    static Pair lossWeights(String what, Pair batch, Map<Integer, Double> classWeight, long index) {
        Tensor w = batch.sampleWeight();
        if (w != null) {
            if (w.rank() == 0 || w.dim(0) != batch.x().dim(0))
                throw new IllegalArgumentException(what + ": the sample weights of batch " + index + " have shape " + Shapes.format(w.shape())
                        + " but its x has shape " + Shapes.format(batch.x().shape()) + "; batch the weights with x (one per example)");
            requireFinite(what + ": sample weights", w, index);
        }
        if (classWeight == null) return batch;
        Tensor c = Trainer.classWeights(batch.y(), classWeight);
        if (w == null) return batch.withSampleWeight(c);
        Tensor sw = w.dtype() == DType.FLOAT32 ? w : w.cast(DType.FLOAT32);
        while (c.rank() < sw.rank()) c = ArrayOps.expandDims(c, -1); // per-step weights: the class weight spans the steps
        return batch.withSampleWeight(sw.mul(c)); // Keras multiplies the two
    }

    /** Rows {@code from}..{@code to} of optional weights, contiguous (null stays null). */
    static Tensor slice(Tensor w, int from, int to) {
        return w == null ? null : w.slice(from, to).contiguous();
    }

    /** The rows at {@code idx} of optional weights (null stays null). */
    static Tensor gather(Tensor w, Tensor idx) {
        return w == null ? null : ArrayOps.gather(w, idx, 0);
    }
}
