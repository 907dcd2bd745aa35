package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import java.util.ArrayList;
import java.util.List;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.random.Rng;

/**
 * What {@link SimpleRNN}, {@link LSTM} and {@link GRU} share (Keras' recurrent layers, channels last): an input
 * [batch, steps, features], a kernel [features, gates·units] applied to every step at once, a recurrent kernel
 * [units, gates·units] applied step by step from a zero state, and the last output [batch, units] or, with
 * {@link #returnSequences}, every step's [batch, steps, units]. The loop over steps is Java, so a tape records it and
 * a graph function unrolls it (one trace per number of steps).
 *
 * <p>{@link #dropout} and {@link #recurrentDropout} (Keras' {@code dropout}, {@code recurrent_dropout}) draw one mask
 * per call for the inputs and one for the state entering the recurrent product, used at every step, in training only.
 *
 * <p>Masking (Keras' semantics): with a mask [batch, steps] on the input (from {@code Embedding.maskZero} or
 * {@code Masking}, see {@link dev.fluxion.nn.Masks}), a masked step leaves every state as it was and outputs the
 * previous step's output (zeros with {@link #zeroOutputForMask}), so the last output is that of the last real step;
 * with {@code returnSequences} the mask passes on to the output.
 */
public abstract class Recurrent<L extends Recurrent<L>> extends Layer {
    protected final int units;
    private boolean returnSequences, goBackwards, zeroOutputForMask;
    private double dropout, recurrentDropout;
    private Rng dropoutRng;
    private Tensor recurrentMask; // during a training call with recurrentDropout: [batch, units], scaled
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer recurrentInitializer = Initializers.orthogonal();
    protected Variable kernel, recurrentKernel, bias;

    protected Recurrent(int units) {
        super(null);
        if (units <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": units must be positive, got " + units);
        this.units = units;
    }

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    /** Returns every step's output [batch, steps, units] instead of the last one's. */
    public L returnSequences(boolean on) { returnSequences = on; return self(); }
    /** Reads the steps last to first; with {@code returnSequences} the outputs stay in that reversed order, as in Keras. */
    public L goBackwards(boolean on) { goBackwards = on; return self(); }
    /** Masked steps output zeros instead of the previous output (what Bidirectional sets with returnSequences, as Keras does). */
    public L zeroOutputForMask(boolean on) { zeroOutputForMask = on; return self(); }
    public boolean returnsSequences() { return returnSequences; }

    /**
     * Keras' {@code dropout}: in training, drops input features with probability {@code rate}, one mask per sequence
     * [batch, features] applied at every step (scaled by 1/(1 - rate), as Dropout does).
     */
    public L dropout(double rate) { dropout = checkRate("dropout", rate); return self(); }

    /** Keras' {@code recurrent_dropout}: the same for the state entering the recurrent product, one mask per sequence. */
    public L recurrentDropout(double rate) { recurrentDropout = checkRate("recurrentDropout", rate); return self(); }

    /** Seeds the generator of the dropout masks (else it is seeded from {@code Rng.global()} when a rate is set). */
    public L dropoutSeed(long seed) { dropoutRng = new Rng(seed); return self(); }

    private double checkRate(String what, double rate) {
        if (!(rate >= 0 && rate < 1))
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': " + what + " must be in [0, 1), got " + rate);
        if (rate > 0 && dropoutRng == null) dropoutRng = new Rng(NoiseLayer.seedFromGlobal());
        return rate;
    }
    public L kernelInitializer(Initializer i) { checkUnbuilt(); kernelInitializer = i; return self(); }
    public L recurrentInitializer(Initializer i) { checkUnbuilt(); recurrentInitializer = i; return self(); }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException(getClass().getSimpleName() + " '" + name() + "': options must be set before the layer is built");
    }

    public Variable kernel() { return kernel; }
    public Variable recurrentKernel() { return recurrentKernel; }
    public Variable bias() { return bias; }

    /** How many blocks of {@code units} the kernels produce (1, 4 for LSTM, 3 for GRU). */
    protected abstract int gates();

    /** The bias's shape and initial value. */
    protected abstract int[] biasShape();

    protected abstract Initializer biasInitializer();

    /** The part of the bias added to the input projection (all of it, except GRU's recurrent half). */
    protected Tensor inputBias() {
        return bias.value();
    }

    /** A zero state, one tensor per state the cell carries (h; h and c for LSTM). */
    protected abstract int stateCount();

    /** One step: {@code xw} is this step's input projection [batch, gates·units]; returns the new states, output first. */
    protected abstract Tensor[] step(Tensor xw, Tensor[] state);

    /** h · U, the recurrent product of a step, with h under the recurrent dropout mask in training. */
    protected final Tensor recurrentProduct(Tensor h) {
        return Ops.matmul(recurrentMask == null ? h : h.mul(recurrentMask), recurrentKernel.value());
    }

    /** Block {@code k} of a [batch, gates·units] tensor. */
    protected final Tensor gate(Tensor z, int k) {
        return ArrayOps.slice(z, 1, k * units, (k + 1) * units, 1);
    }

    @Override
    protected void build(int[] inputShape) {
        if (inputShape.length != 3)
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an input of rank 3 [batch, steps, features], got shape "
                    + Shapes.format(inputShape));
        kernel = addWeight("kernel", new int[] {inputShape[2], gates() * units}, kernelInitializer);
        recurrentKernel = addWeight("recurrent_kernel", new int[] {units, gates() * units}, recurrentInitializer);
        bias = addWeight("bias", biasShape(), biasInitializer());
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected boolean supportsMasking() {
        return true;
    }

    @Override
    protected Tensor computeMask(Tensor x, Tensor mask) {
        return returnSequences ? mask : null;
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        return sequence(x, mask, training, List.of())[0];
    }

    /**
     * Keras' {@code return_state} and {@code initial_state}: the output (as {@link #call} gives it) followed by the
     * final states, h (and c for LSTM), starting from {@code initialState} (one [batch, units] tensor per state, in
     * that order; empty or null: zeros). An encoder's states can start a decoder:
     * {@code decoder.callWithState(y, encoder.callWithState(x, null, true).subList(1, 3), true)}.
     */
    public List<Tensor> callWithState(Tensor x, List<Tensor> initialState, boolean training) {
        List<Tensor> in = new ArrayList<>();
        in.add(x);
        if (initialState != null) in.addAll(initialState);
        return callAll(in, training);
    }

    @Override
    protected void build(List<int[]> inputShapes) {
        build(inputShapes.get(0)); // the input; the initial states have no weights
    }

    @Override
    protected List<Tensor> forwardAll(List<Tensor> xs, boolean training) {
        return List.of(sequence(xs.get(0), Masks.of(xs.get(0)), training, xs.subList(1, xs.size())));
    }

    /** The output, then the final states, over the steps of x from the given initial states (empty: zeros). */
    private Tensor[] sequence(Tensor x, Tensor mask, boolean training, List<Tensor> initialState) {
        if (x.rank() != 3 || x.dim(2) != kernel.shape()[0])
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected an input [batch, steps, " + kernel.shape()[0]
                    + "], got shape " + Shapes.format(x.shape()));
        int steps = x.dim(1), features = x.dim(2);
        if (steps == Shapes.UNKNOWN) throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': the number of steps must be known");
        if (mask != null && (mask.rank() != 2 || mask.dim(1) != steps))
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected a mask [batch, " + steps + "] for an input of shape "
                    + Shapes.format(x.shape()) + ", got shape " + Shapes.format(mask.shape()));
        // the dropout masks, drawn in Keras' order (inputs, then state): one per sequence, the same at every step
        Tensor in = training && dropout > 0 ? x.mul(NnOps.dropout(ArrayOps.slice(x, 1, 0, 1, 1).zerosLike().add(1.0), dropout, dropoutRng)) : x;
        // every step's input projection in one product: [batch·steps, features] · [features, gates·units]
        Tensor xw = Ops.matmul(in.reshape(-1, features), kernel.value()).add(inputBias()).reshape(-1, steps, gates() * units);
        Tensor[] state = new Tensor[stateCount()];
        Tensor zero = gate(ArrayOps.slice(xw, 1, 0, 1, 1).reshape(-1, gates() * units), 0).zerosLike(); // [batch, units]
        java.util.Arrays.fill(state, zero);
        if (!initialState.isEmpty()) {
            if (initialState.size() != state.length)
                throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': expected " + state.length + " initial state"
                        + (state.length == 1 ? " (h)" : "s (h, c)") + ", got " + initialState.size());
            for (int i = 0; i < state.length; i++) {
                Tensor s0 = initialState.get(i);
                if (s0.rank() != 2 || s0.dim(1) != units || (s0.dim(0) != x.dim(0) && x.dim(0) != Shapes.UNKNOWN))
                    throw new IllegalArgumentException(getClass().getSimpleName() + " '" + name() + "': initial state " + i + " must be [" + x.dim(0) + ", "
                            + units + "] for an input of shape " + Shapes.format(x.shape()) + ", got " + Shapes.format(s0.shape()));
                state[i] = s0;
            }
        }
        recurrentMask = training && recurrentDropout > 0 ? NnOps.dropout(zero.add(1.0), recurrentDropout, dropoutRng) : null;
        try {
            return unroll(xw, state, zero, steps, mask);
        } finally {
            recurrentMask = null;
        }
    }

    private Tensor[] unroll(Tensor xw, Tensor[] state, Tensor zero, int steps, Tensor mask) {
        Tensor[] outputs = returnSequences ? new Tensor[steps] : null;
        for (int k = 0; k < steps; k++) {
            int t = goBackwards ? steps - 1 - k : k;
            Tensor[] next = step(ArrayOps.slice(xw, 1, t, t + 1, 1).reshape(-1, gates() * units), state);
            Tensor output = next[0];
            if (mask != null) {
                Tensor real = ArrayOps.slice(mask, 1, t, t + 1, 1); // [batch, 1]
                for (int i = 0; i < next.length; i++) next[i] = Ops.where(real, next[i], state[i]);
                output = zeroOutputForMask ? Ops.where(real, output, zero) : next[0];
            }
            state = next;
            if (outputs != null) outputs[k] = ArrayOps.expandDims(output, 1);
        }
        Tensor[] result = new Tensor[state.length + 1];
        result[0] = outputs != null ? ArrayOps.concat(1, outputs) : state[0];
        System.arraycopy(state, 0, result, 1, state.length);
        return result;
    }
}
