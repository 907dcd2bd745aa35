package dev.fluxion.nn.layers;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.DataIterator;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.initializers.Initializers;

import java.util.Arrays;

/**
 * Feature-wise normalization (Keras 3 {@code Normalization}): {@code (x - mean) / max(sqrt(variance), 1e-7)}, or with
 * {@link #invert(boolean)} the inverse {@code mean + x * max(sqrt(variance), 1e-7)}. The floor 1e-7 is Keras'
 * {@code backend.epsilon()}: a constant feature (variance 0) maps to 0 instead of NaN.
 *
 * <p>{@link #axis(int...)} names the axes that keep their own statistics (default -1, one mean per feature of the
 * last axis); the statistics are taken over every other axis. {@code axis()} with no axes keeps none: one global mean
 * and variance, Keras' {@code axis=None}.
 *
 * <p>The statistics come either from {@link #mean(Tensor)} and {@link #variance(Tensor)} (constants, broadcast to the
 * kept axes with numpy's rules, so a scalar serves every feature), or from {@link #adapt(Tensor)} /
 * {@link #adapt(Dataset)}, which store them as the non-trainable weights {@code mean} and {@code variance} of the kept
 * axes' shape, so they travel with {@code saveWeights}/{@code loadWeights} and count as non-trainable parameters.
 * Until either (or {@code loadWeights}) sets them, the statistics are mean 0 and variance 1, so the layer passes its
 * input through, as in Keras 3: a model can be built, placed and loaded before {@code adapt}. Integer inputs are cast
 * to the layer's dtype. Masks pass through.
 */
public class Normalization extends Layer {
    /** Keras' {@code backend.epsilon()}, the floor of the standard deviation. */
    public static final double EPSILON = 1e-7;

    private int[] axis = {-1};
    private boolean invert;
    private Tensor fixedMean, fixedVariance;
    private Variable mean, variance;
    private int rank;
    private int[] buildShape, keep, reduce, broadcastShape, statisticsShape;
    private Tensor constMean, constVariance;

    public Normalization() {
        super(null);
    }

    /** The axes with their own statistics (default -1); none for one global mean and variance (Keras' axis=None). */
    public Normalization axis(int... axes) {
        checkUnbuilt();
        if (axes == null) throw new IllegalArgumentException("Normalization '" + name() + "': axis is null");
        axis = axes.clone();
        return this;
    }

    /** Applies the inverse transform, mean + x * std (Keras' {@code invert=True}), e.g. to de-normalize predictions. */
    public Normalization invert(boolean invert) {
        this.invert = invert;
        return this;
    }

    /** A fixed mean, broadcast to the kept axes' shape; needs {@link #variance(Tensor)} too. */
    public Normalization mean(Tensor mean) {
        checkUnbuilt();
        fixedMean = checkStatistic("mean", mean);
        return this;
    }

    /** A fixed variance, broadcast to the kept axes' shape; needs {@link #mean(Tensor)} too. */
    public Normalization variance(Tensor variance) {
        checkUnbuilt();
        fixedVariance = checkStatistic("variance", variance);
        return this;
    }

    /** A fixed mean: one value for every feature, or one per feature of the kept axes. */
    public Normalization mean(double... values) {
        return mean(statistic("mean", values));
    }

    /** A fixed variance: one value for every feature, or one per feature of the kept axes. */
    public Normalization variance(double... values) {
        return variance(statistic("variance", values));
    }

    private Tensor statistic(String what, double[] values) {
        if (values == null || values.length == 0)
            throw new IllegalArgumentException("Normalization '" + name() + "': " + what + " needs at least one value");
        return values.length == 1 ? Tensor.scalar(values[0], DType.FLOAT64) : Tensor.of(values, values.length);
    }

    private Tensor checkStatistic(String what, Tensor t) {
        if (t == null) throw new IllegalArgumentException("Normalization '" + name() + "': " + what + " is null");
        if (t.isSymbolic())
            throw new IllegalArgumentException("Normalization '" + name() + "': " + what + " must be a concrete tensor, got a symbolic one");
        return t;
    }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("Normalization '" + name() + "': options must be set before the layer is built");
    }

    /** The adapted mean (non-trainable weight), or null when the statistics are fixed or the layer is unbuilt. */
    public Variable adaptedMean() { return mean; }

    /** The adapted variance (non-trainable weight), or null when the statistics are fixed or the layer is unbuilt. */
    public Variable adaptedVariance() { return variance; }

    /** The statistics in use, of the kept axes' shape (null before build). */
    public Tensor meanValue() {
        return constMean != null ? constMean.reshape(statisticsShape) : mean == null ? null : mean.value();
    }

    /** The variance in use, of the kept axes' shape (null before build). */
    public Tensor varianceValue() {
        return constVariance != null ? constVariance.reshape(statisticsShape) : variance == null ? null : variance.value();
    }

    @Override
    protected void build(int[] inputShape) {
        if ((fixedMean == null) != (fixedVariance == null))
            throw new IllegalArgumentException("Normalization '" + name() + "': set both mean and variance or neither (got only "
                    + (fixedMean != null ? "mean" : "variance") + ")");
        rank = inputShape.length;
        buildShape = inputShape.clone();
        String op = "Normalization '" + name() + "'";
        for (int a : axis)
            if (a < -rank || a >= rank)
                throw new IllegalArgumentException(op + ": axis " + a + " is out of range for inputs of shape " + Shapes.format(inputShape));
        keep = Shapes.axes(op, axis, rank);
        reduce = new int[rank - keep.length];
        broadcastShape = new int[rank];
        statisticsShape = new int[keep.length];
        for (int d = 0, r = 0, k = 0; d < rank; d++) {
            boolean kept = Arrays.binarySearch(keep, d) >= 0;
            if (kept && inputShape[d] == Shapes.UNKNOWN)
                throw new IllegalArgumentException(op + ": kept axis " + d + " needs a known size, got shape " + Shapes.format(inputShape));
            broadcastShape[d] = kept ? inputShape[d] : 1;
            if (kept) statisticsShape[k++] = inputShape[d];
            else reduce[r++] = d;
        }
        if (fixedMean != null) {
            constMean = broadcastStatistic("mean", fixedMean);
            constVariance = broadcastStatistic("variance", fixedVariance);
        } else {
            mean = addWeight("mean", statisticsShape, Initializers.zeros(), false);
            variance = addWeight("variance", statisticsShape, Initializers.ones(), false);
        }
    }

    /** A fixed statistic broadcast to the kept axes (numpy rules) and reshaped to broadcast against the input. */
    private Tensor broadcastStatistic(String what, Tensor t) {
        if (!Shapes.broadcastsTo(t.shape(), statisticsShape))
            throw new IllegalArgumentException("Normalization '" + name() + "': " + what + " of shape " + Shapes.format(t.shape())
                    + " does not broadcast to the kept axes' shape " + Shapes.format(statisticsShape));
        return held(Dispatcher.initScope(() -> Ops.cast(t, dtype()).broadcastTo(statisticsShape).reshape(broadcastShape).contiguous()));
    }

    /** A constant the layer keeps across calls: like a variable's value, outside every memory scope. */
    private static Tensor held(Tensor t) {
        t.storage().holdBeyondScopes();
        return t;
    }

    /** Moves the adapted statistics with the other weights, and the fixed ones too (constants, not variables). */
    @Override
    public void moveTo(Device device) {
        super.moveTo(device);
        if (constMean != null && !constMean.device().equals(device)) {
            constMean = held(constMean.to(device));
            constVariance = held(constVariance.to(device));
        }
    }

    /**
     * Sets the statistics to the mean and (population) variance of {@code data} over the reduced axes, computed in
     * float64. Builds the layer from the data's shape if needed; the kept axes must match the built shape.
     */
    public Normalization adapt(Tensor data) {
        if (data == null) throw new IllegalArgumentException("Normalization '" + name() + "': adapt data is null");
        Accumulator acc = start(data);
        acc.add(data);
        return finish(acc);
    }

    /**
     * Sets the statistics from a dataset of batches (Tensors, or {@link Pair}s whose x is used), one batch at a time,
     * combining the batches exactly as Keras' running update does (the count-weighted means, and the variances plus
     * the squared shifts of each part's mean): the result equals the statistics of all the data at once, in float64.
     * A dataset of single examples should be batched first, e.g. {@code data.batch(128)}.
     */
    public Normalization adapt(Dataset<?> data) {
        if (data == null) throw new IllegalArgumentException("Normalization '" + name() + "': adapt data is null");
        Accumulator acc = null;
        try (DataIterator<?> it = data.iterator()) {
            while (it.hasNext()) {
                Object e = it.next();
                Tensor batch = switch (e) {
                    case Tensor t -> t;
                    case Pair p -> p.x();
                    case null -> throw new IllegalArgumentException("Normalization '" + name() + "': adapt got a null dataset element");
                    default -> throw new IllegalArgumentException("Normalization '" + name() + "': adapt needs a dataset of Tensors or Pairs, got a "
                            + e.getClass().getSimpleName());
                };
                if (acc == null) acc = start(batch);
                acc.add(batch);
            }
        }
        if (acc == null) throw new IllegalArgumentException("Normalization '" + name() + "': adapt got an empty dataset");
        return finish(acc);
    }

    private Accumulator start(Tensor first) {
        if (fixedMean != null || fixedVariance != null)
            throw new IllegalStateException("Normalization '" + name() + "': adapt is for a layer without a fixed mean and variance");
        if (!isBuilt()) {
            build(first.shape());
            setBuilt();
        }
        return new Accumulator(Shapes.size(statisticsShape));
    }

    private Normalization finish(Accumulator acc) {
        mean.assign(Ops.cast(Tensor.of(acc.mean, statisticsShape), dtype()));
        variance.assign(Ops.cast(Tensor.of(acc.variance, statisticsShape), dtype()));
        return this;
    }

    /** The running float64 mean and variance of the batches seen, and their element count per statistic. */
    private final class Accumulator {
        final double[] mean, variance;
        double count;

        Accumulator(int n) {
            mean = new double[n];
            variance = new double[n];
        }

        void add(Tensor batch) {
            checkShape(batch, "adapt");
            long n = 1;
            for (int d : reduce) n *= batch.dim(d);
            if (n == 0) return;
            Tensor x = Ops.cast(batch, DType.FLOAT64);
            Tensor m = Ops.mean(x, reduce, false), v = Ops.variance(x, reduce, false);
            double[] bm = m.toDoubleArray(), bv = v.toDoubleArray();
            count += n;
            double w = n / count, keepW = 1 - w;
            for (int i = 0; i < mean.length; i++) {
                double newMean = mean[i] * keepW + bm[i] * w;
                double shiftOld = mean[i] - newMean, shiftNew = bm[i] - newMean;
                variance[i] = (variance[i] + shiftOld * shiftOld) * keepW + (bv[i] + shiftNew * shiftNew) * w;
                mean[i] = newMean;
            }
        }
    }

    private void checkShape(Tensor x, String where) {
        boolean ok = x.rank() == rank;
        for (int k = 0; ok && k < keep.length; k++) ok = x.dim(keep[k]) == buildShape[keep[k]];
        if (!ok)
            throw new IllegalArgumentException("Normalization '" + name() + "': " + where + " got shape " + Shapes.format(x.shape())
                    + ", but the layer was built for inputs of shape " + Shapes.format(buildShape) + " keeping axes " + Arrays.toString(keep));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        checkShape(x, "call");
        if (!x.dtype().isFloating()) x = Ops.cast(x, dtype());
        Tensor m = constMean != null ? constMean : mean.value().reshape(broadcastShape);
        Tensor v = constVariance != null ? constVariance : variance.value().reshape(broadcastShape);
        Tensor std = Ops.maximum(Ops.sqrt(v), Ops.constantLike(EPSILON, v));
        return invert ? m.add(x.mul(std)) : x.sub(m).div(std);
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
