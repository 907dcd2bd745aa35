package dev.fluxion.nn.layers;

import dev.fluxion.CustomGradient;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.autodiff.Gradients;
import dev.fluxion.ops.Op;
import dev.fluxion.ops.ReduceFn;
import dev.fluxion.ops.UnaryFn;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;

import java.util.Arrays;
import java.util.List;

/**
 * Batch normalization (Keras {@code BatchNormalization}; defaults axis -1, momentum 0.99, epsilon 1e-3).
 *
 * <p>In training, normalizes with the batch mean and (population) variance over every axis but {@code axis}, and
 * updates the non-trainable moving statistics with {@code moving = moving * momentum + batch * (1 - momentum)}
 * through {@code Variable.assign}, so the update also happens in a compiled step. In inference, or whenever the
 * layer is frozen with {@code setTrainable(false)} (TF2 behaviour), it uses the moving statistics.
 * gamma (scale) and beta (center) are trainable: 4 * C parameters, 2 * C of them trainable.
 *
 * <p>{@link #virtualBatchSize(int)} gives "ghost" batch normalization: in training the batch is split into
 * sub-batches of that size (it must divide the batch) that are normalized separately with shared gamma and beta;
 * the moving statistics are updated with the sub-batch statistics averaged, as in tf.keras.
 */
public class BatchNormalization extends Layer {
    private int axis = -1;
    private double momentum = 0.99, epsilon = 1e-3;
    private boolean center = true, scale = true;
    private Initializer gammaInitializer = Initializers.ones(), betaInitializer = Initializers.zeros();
    private Initializer movingMeanInitializer = Initializers.zeros(), movingVarianceInitializer = Initializers.ones();
    private Regularizer gammaRegularizer, betaRegularizer;
    private Variable gamma, beta, movingMean, movingVariance;
    private int resolvedAxis, rank;
    private int virtualBatchSize;

    public BatchNormalization() {
        super(null);
    }

    public BatchNormalization axis(int axis) { checkUnbuilt(); this.axis = axis; return this; }
    public BatchNormalization momentum(double m) {
        if (!(m >= 0 && m <= 1)) throw new IllegalArgumentException("BatchNormalization: momentum must be in [0, 1], got " + m);
        momentum = m; return this;
    }
    public BatchNormalization epsilon(double e) {
        if (!(e > 0)) throw new IllegalArgumentException("BatchNormalization: epsilon must be positive, got " + e);
        epsilon = e; return this;
    }
    /** Ghost batch normalization over sub-batches of this size in training (0, the default, turns it off). */
    public BatchNormalization virtualBatchSize(int size) {
        if (size < 0) throw new IllegalArgumentException("BatchNormalization: virtualBatchSize must be >= 0, got " + size);
        virtualBatchSize = size; return this;
    }
    public BatchNormalization center(boolean c) { checkUnbuilt(); center = c; return this; }
    public BatchNormalization scale(boolean s) { checkUnbuilt(); scale = s; return this; }
    public BatchNormalization gammaInitializer(Initializer i) { checkUnbuilt(); gammaInitializer = i; return this; }
    public BatchNormalization betaInitializer(Initializer i) { checkUnbuilt(); betaInitializer = i; return this; }
    public BatchNormalization movingMeanInitializer(Initializer i) { checkUnbuilt(); movingMeanInitializer = i; return this; }
    public BatchNormalization movingVarianceInitializer(Initializer i) { checkUnbuilt(); movingVarianceInitializer = i; return this; }
    public BatchNormalization gammaRegularizer(Regularizer r) { checkUnbuilt(); gammaRegularizer = r; return this; }
    public BatchNormalization betaRegularizer(Regularizer r) { checkUnbuilt(); betaRegularizer = r; return this; }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("BatchNormalization '" + name() + "': options must be set before the layer is built");
    }

    /** The compiled closed form (eager CPU training) of this layer alone, and of it followed by an activation. */
    private ClosedForm plain, activated;

    /** Both halves of a closed form, compiled; {@code activation} (or null) follows the normalization. */
    private record ClosedForm(UnaryFn activation, GraphFunction<List<Tensor>> forward,
                              GraphFunction<List<Tensor>> backward) {}

    public Variable gamma() { return gamma; }
    public Variable beta() { return beta; }
    public Variable movingMean() { return movingMean; }
    public Variable movingVariance() { return movingVariance; }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length < 1) throw new IllegalArgumentException("BatchNormalization '" + name() + "': needs an input of rank >= 1, got a 0-d tensor");
        rank = inputShape.length;
        resolvedAxis = Shapes.axis("BatchNormalization '" + name() + "'", axis, rank);
        int[] c = {inputShape[resolvedAxis]};
        if (scale) gamma = addWeight("gamma", c, gammaInitializer, true, gammaRegularizer, null);
        if (center) beta = addWeight("beta", c, betaInitializer, true, betaRegularizer, null);
        movingMean = addWeight("moving_mean", c, movingMeanInitializer, false);
        movingVariance = addWeight("moving_variance", c, movingVarianceInitializer, false);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int channels = movingMean.shape()[0];
        if (x.rank() != rank || x.dim(resolvedAxis) != channels)
            throw new IllegalArgumentException("BatchNormalization '" + name() + "': built for inputs of rank " + rank + " with " + channels
                    + " features on axis " + resolvedAxis + ", got shape " + Shapes.format(x.shape()));
        int[] bshape = statisticsShape(channels);
        if (training && isTrainable() && virtualBatchSize > 0) return ghost(x, bshape, channels);
        if (training && isTrainable()) {
            // a rank-1 input has no axis to reduce: Keras' moments over no axes, mean x and variance 0
            int[] axes = reducedAxes();
            // the closed-form gradient takes 7 full-size passes where the ops' own rules take about twice as many;
            // nested tapes (a gradient of a gradient) need the ops' rules, which an outer tape can differentiate
            return GradientTape.nestedRecording() || !FusedLinear.enabled() ? normalizeBatch(x, axes, bshape, channels)
                    : Fx.customGradient(t -> normalizeBatchClosedForm(t, axes, bshape, channels, null), inputs(x));
        }
        Tensor centered = x.sub(movingMean.value().reshape(bshape));
        return scaleAndShift(centered, movingVariance.value().reshape(bshape), bshape);
    }

    /**
     * In eager CPU training, this layer and a following {@link Activation} whose gradient needs only its output (relu,
     * elu, tanh) as one closed form: the activation is applied in the normalization's pass and its gradient in the
     * gradient's, so neither the normalized tensor nor its gradient is written out (on the seed model's first block,
     * 16 MB each per step). The same ops as the two layers apply in turn, so the same values.
     */
    @Override
    protected Tensor forwardThen(Layer next, Tensor x, boolean training) {
        if (!(next instanceof Activation a) || a.outputOnlyPrimitive() == null || !training || !isTrainable()
                || virtualBatchSize > 0 || !FusedLinear.eagerOnCpu(x) || x.rank() != rank) return null;
        int channels = movingMean.shape()[0];
        if (x.dim(resolvedAxis) != channels) return null; // forward names the mismatch
        int[] axes = reducedAxes(), bshape = statisticsShape(channels);
        return Fx.customGradient(in -> normalizeBatchClosedForm(in, axes, bshape, channels, a.outputOnlyPrimitive()),
                inputs(x));
    }

    /** The activation this layer's compiled closed form has fused (for tests), or null. */
    UnaryFn fusedActivation() {
        return activated == null ? null : activated.activation();
    }

    private int[] reducedAxes() {
        int[] axes = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) if (i != resolvedAxis) axes[j++] = i;
        return axes;
    }

    private int[] statisticsShape(int channels) {
        int[] bshape = new int[rank];
        Arrays.fill(bshape, 1);
        bshape[resolvedAxis] = channels;
        return bshape;
    }

    /**
     * Training: normalizes with the batch statistics and updates the moving statistics, recorded op by op (the
     * closed form's forward, differentiated by the ops' own rules).
     */
    private Tensor normalizeBatch(Tensor x, int[] axes, int[] bshape, int channels) {
        List<Tensor> f = closedFormForward(inputs(x), axes, bshape);
        updateMovingStatistics(f.get(3), f.get(4), channels);
        return f.get(0);
    }

    /**
     * {@link #normalizeBatch} with the closed-form gradient, inputs {x, gamma?, beta?}: with xhat = (x - mean) * inv,
     * dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)), dgamma = sum(dy * xhat), dbeta = sum(dy). Eagerly
     * on the CPU both halves run as compiled graph functions, so their elementwise passes fuse as in a traced step.
     */
    private CustomGradient normalizeBatchClosedForm(Tensor[] in, int[] axes, int[] bshape, int channels,
                                                    UnaryFn activation) {
        ClosedForm compiled = Dispatcher.isEager() && Device.CPU.equals(in[0].device())
                ? closedForm(activation, axes, bshape) : null;
        List<Tensor> f = compiled != null ? compiled.forward().call((Object[]) in)
                : activate(closedFormForward(in, axes, bshape), activation);
        updateMovingStatistics(f.get(3), f.get(4), channels);
        Tensor y = f.get(0), scale = f.get(1), inv = f.get(2), mean = f.get(3);
        return new CustomGradient(y, dy -> {
            Tensor[] args = activation == null ? new Tensor[] {dy, in[0], mean, scale, inv}
                    : new Tensor[] {dy, in[0], mean, scale, inv, y};
            List<Tensor> g = compiled != null ? compiled.backward().call((Object[]) args)
                    : closedFormBackward(args, axes, activation);
            Tensor[] grads = new Tensor[in.length];
            grads[0] = g.get(0);
            if (gamma != null) grads[1] = g.get(1).reshape(channels);
            if (beta != null) grads[in.length - 1] = g.get(2).reshape(channels);
            return grads;
        });
    }

    /** The compiled closed form for this activation (or none), made on first use. */
    private ClosedForm closedForm(UnaryFn activation, int[] axes, int[] bshape) {
        ClosedForm cf = activation == null ? plain : activated;
        if (cf != null && cf.activation() == activation) return cf;
        String prefix = activation == null ? name() : name() + "_" + activation.name().toLowerCase(java.util.Locale.ROOT);
        cf = new ClosedForm(activation,
                Fx.functionOf(prefix + "_forward", args -> activate(closedFormForward(tensors(args), axes, bshape), activation))
                        .withTraceLimit(FusedLinear.TRACE_LIMIT),
                Fx.functionOf(prefix + "_backward", args -> closedFormBackward(tensors(args), axes, activation))
                        .withTraceLimit(FusedLinear.TRACE_LIMIT));
        if (activation == null) plain = cf;
        else activated = cf;
        return cf;
    }

    /** The closed form's outputs with y replaced by activation(y) (unchanged for none). */
    private static List<Tensor> activate(List<Tensor> f, UnaryFn activation) {
        if (activation == null) return f;
        List<Tensor> out = new java.util.ArrayList<>(f);
        out.set(0, Ops.unary(activation, f.get(0)));
        return out;
    }

    private static Tensor[] tensors(Object[] args) {
        return Arrays.copyOf(args, args.length, Tensor[].class);
    }

    /**
     * {x, gamma?, beta?} to [y, scale = gamma * inv, inv = 1 / sqrt(variance + epsilon), mean, variance]. x - mean is
     * not an output: the gradient computes it again inside its own passes, which read x instead, so the forward
     * writes one full-size tensor (y) rather than two.
     */
    private List<Tensor> closedFormForward(Tensor[] in, int[] axes, int[] bshape) {
        Tensor x = in[0];
        Tensor mean = Ops.mean(x, axes, true);
        Tensor centered = x.sub(mean); // shared by the variance and the output: one pass fewer than Ops.variance
        Tensor variance = Ops.mean(centered.square(), axes, true);
        Tensor inv = Ops.rsqrt(variance.add(epsilon));
        Tensor scale = gamma != null ? inv.mul(in[1].reshape(bshape)) : inv;
        Tensor y = centered.mul(scale);
        if (beta != null) y = y.add(in[in.length - 1].reshape(bshape));
        return List.of(y, scale, inv, mean, variance);
    }

    /**
     * {dy, x, mean, scale, inv} to [dx, dgamma, dbeta] (the last two with the statistics' kept dimensions); with an
     * activation, dy is its output's gradient and a sixth input its output, and its own rule comes first.
     */
    private static List<Tensor> closedFormBackward(Tensor[] in, int[] axes, UnaryFn activation) {
        Tensor dy = activation == null ? in[0]
                : Gradients.of(new Op.Unary(activation), new Tensor[] {null}, in[5], in[0])[0];
        Tensor centered = in[1].sub(in[2]), scale = in[3], inv = in[4];
        double count = (double) dy.size() / scale.size();
        Tensor sumDy = Ops.reduce(ReduceFn.SUM, dy, axes, true);
        Tensor sumDyCentered = Ops.reduce(ReduceFn.SUM, dy.mul(centered), axes, true);
        // dx = scale * dy - scale * sum(dy) / count - centered * scale * inv^2 * sum(dy * centered) / count
        Tensor perCentered = scale.mul(inv.square()).mul(sumDyCentered).mul(-1 / count);
        Tensor dx = dy.mul(scale).add(centered.mul(perCentered)).add(scale.mul(sumDy).mul(-1 / count));
        return List.of(dx, sumDyCentered.mul(inv), sumDy);
    }

    private Tensor[] inputs(Tensor x) {
        java.util.List<Tensor> in = new java.util.ArrayList<>(3);
        in.add(x);
        if (gamma != null) in.add(gamma.value());
        if (beta != null) in.add(beta.value());
        return in.toArray(Tensor[]::new);
    }

    private void updateMovingStatistics(Tensor mean, Tensor variance, int channels) {
        Tensor batchMean = Ops.stopGradient(mean).reshape(channels);
        Tensor batchVar = Ops.stopGradient(variance).reshape(channels);
        Tensor mm = Ops.stopGradient(movingMean.value()), mv = Ops.stopGradient(movingVariance.value());
        movingMean.assign(mm.mul(momentum).add(batchMean.mul(1 - momentum)));
        movingVariance.assign(mv.mul(momentum).add(batchVar.mul(1 - momentum)));
    }

    /** Inference: (centered) * gamma / sqrt(variance + epsilon) + beta, with the moving statistics. */
    private Tensor scaleAndShift(Tensor centered, Tensor variance, int[] bshape) {
        Tensor inv = Ops.rsqrt(variance.add(epsilon));
        if (gamma != null) inv = inv.mul(gamma.value().reshape(bshape));
        Tensor y = centered.mul(inv);
        if (beta != null) y = y.add(beta.value().reshape(bshape));
        return y;
    }

    private Tensor ghost(Tensor x, int[] bshape, int channels) {
        if (resolvedAxis == 0) throw new IllegalArgumentException("BatchNormalization '" + name() + "': virtualBatchSize needs a feature axis other than 0");
        int n = x.dim(0), v = virtualBatchSize;
        if (n % v != 0)
            throw new IllegalArgumentException("BatchNormalization '" + name() + "': virtualBatchSize " + v + " must divide the batch size, got shape " + Shapes.format(x.shape()));
        int[] s = x.shape();
        int[] grouped = new int[rank + 1];
        grouped[0] = n / v;
        grouped[1] = v;
        System.arraycopy(s, 1, grouped, 2, rank - 1);
        Tensor xr = x.reshape(grouped);
        int featureAxis = resolvedAxis + 1;
        int[] axes = new int[rank - 1];
        for (int i = 1, j = 0; i <= rank; i++) if (i != featureAxis) axes[j++] = i;
        Tensor mean = Ops.mean(xr, axes, true), centered = xr.sub(mean), variance = Ops.mean(centered.square(), axes, true);
        int[] gshape = new int[rank + 1];
        Arrays.fill(gshape, 1);
        gshape[featureAxis] = channels;
        Tensor inv = Ops.rsqrt(variance.add(epsilon));
        if (gamma != null) inv = inv.mul(gamma.value().reshape(gshape));
        Tensor y = centered.mul(inv);
        if (beta != null) y = y.add(beta.value().reshape(gshape));
        Tensor batchMean = Ops.stopGradient(Ops.mean(mean, new int[] {0}, false)).reshape(channels);
        Tensor batchVar = Ops.stopGradient(Ops.mean(variance, new int[] {0}, false)).reshape(channels);
        movingMean.assign(Ops.stopGradient(movingMean.value()).mul(momentum).add(batchMean.mul(1 - momentum)));
        movingVariance.assign(Ops.stopGradient(movingVariance.value()).mul(momentum).add(batchVar.mul(1 - momentum)));
        return y.reshape(s);
    }

    /** Passes a mask on unchanged (Keras' {@code supports_masking}). */
    @Override
    protected boolean supportsMasking() {
        return true;
    }
}
