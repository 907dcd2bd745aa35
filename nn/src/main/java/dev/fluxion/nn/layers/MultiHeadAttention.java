package dev.fluxion.nn.layers;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.nn.Layer;
import dev.fluxion.nn.Masks;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.initializers.Initializers;
import dev.fluxion.nn.regularizers.Regularizer;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head scaled dot-product attention (Keras 3 {@code MultiHeadAttention}), the block transformers are built
 * from. Inputs are rank 3: a query [batch, T, features], a value [batch, S, features] and an optional key [batch, S,
 * features] (the value when absent). Each head projects them, takes {@code softmax(Q K^T / sqrt(keyDim))} over the S
 * key steps, averages the value projections by it, and an output projection maps the heads back to
 * {@code outputShape} features (the query's by default): the output is [batch, T, outputShape].
 *
 * <p><b>Weights</b> are Keras' own layout and names, so that summaries, parameter counts and saved files line up with
 * Keras: {@code query/kernel} [features, numHeads, keyDim] and {@code query/bias} [numHeads, keyDim], the same for
 * {@code key} and for {@code value} (with valueDim), {@code attention_output/kernel} [numHeads, valueDim, outputShape]
 * and {@code attention_output/bias} [outputShape]; kernels glorot-uniform and biases zeros by default.
 *
 * <p><b>Calling.</b> {@code call(query, value)} (self-attention: {@code call(x, x)}),
 * {@link #call(Tensor, Tensor, Tensor, Tensor, boolean)} with a key and an attention mask, and
 * {@link #callWithScores} for Keras' {@code return_attention_scores}. The layer takes several inputs, so it has no
 * place in a {@code Sequential}; in the functional API it is applied to two to four symbolic tensors in the order
 * query, value, key, attention mask: {@code mha.apply(x, x)}, {@code mha.apply(q, v, k)}, {@code mha.apply(q, v, v,
 * mask)} (a key equal to the value is Keras' default). The list form {@code call(List.of(q, v, k, mask), training)}
 * is the same order.
 *
 * <p><b>Masks</b>, as in Keras 3: an attention mask [batch, T, S] (true or nonzero: the query step may attend to that
 * key step), the causal mask of {@link #useCausalMask} (query step i attends to key steps j &le; i), and the Keras
 * masks the inputs carry ({@link Masks}: a query mask [batch, T] becomes [batch, T, 1], a value or key mask [batch, S]
 * becomes [batch, 1, S]) are combined by AND. Masked scores are replaced by -1e9 before the softmax and the
 * probabilities multiplied by the mask after it, as Keras 3's {@code Softmax} layer does with a mask, so a query step
 * that may attend to nothing gets all-zero weights instead of a uniform average. The output carries the query's mask.
 *
 * <p>{@link #dropout} drops attention probabilities in training (Keras' {@code dropout}); its generator is seeded by
 * {@link #seed} or, else, from {@code Rng.global()} as {@link Dropout}'s is.
 */
public class MultiHeadAttention extends Layer {
    /** What Keras 3's Softmax puts in place of masked logits (float16's -3e4 does not arise: layers are float32/64). */
    static final double MASKED_LOGIT = -1e9;

    private final int numHeads, keyDim;
    private int valueDim;
    private int outputDim = -1; // -1: the query's last dimension
    private double dropout;
    private Rng rng;
    private boolean useBias = true, causal;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer biasInitializer = Initializers.zeros();
    private Regularizer kernelRegularizer, biasRegularizer;
    private Constraint kernelConstraint, biasConstraint;
    private Variable queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias;
    private int queryFeatures, keyFeatures, valueFeatures;

    /** {@code numHeads} heads, each projecting queries and keys to {@code keyDim} (and values to keyDim unless set). */
    public MultiHeadAttention(int numHeads, int keyDim) {
        super(null);
        if (numHeads <= 0 || keyDim <= 0)
            throw new IllegalArgumentException("MultiHeadAttention: numHeads and keyDim must be positive, got numHeads " + numHeads + " and keyDim " + keyDim);
        this.numHeads = numHeads;
        this.keyDim = keyDim;
        this.valueDim = keyDim;
    }

    /** The size of each head's value projection (Keras' {@code value_dim}; keyDim by default). */
    public MultiHeadAttention valueDim(int dim) {
        checkUnbuilt();
        if (dim <= 0) throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': valueDim must be positive, got " + dim);
        valueDim = dim;
        return this;
    }

    /** The number of output features (Keras' {@code output_shape}); by default the query's last dimension. */
    public MultiHeadAttention outputShape(int dim) {
        checkUnbuilt();
        if (dim <= 0) throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': outputShape must be positive, got " + dim);
        outputDim = dim;
        return this;
    }

    /** Drops attention probabilities with probability {@code rate} in training, scaling the rest by 1/(1 - rate). */
    public MultiHeadAttention dropout(double rate) {
        if (!(rate >= 0 && rate < 1))
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': dropout must be in [0, 1), got " + rate);
        dropout = rate;
        if (rate > 0 && rng == null) rng = new Rng(NoiseLayer.seedFromGlobal());
        return this;
    }

    /** Seeds the dropout generator (Keras' {@code seed}); in either order with {@link #dropout}. */
    public MultiHeadAttention seed(long seed) {
        rng = new Rng(seed);
        return this;
    }

    /** Masks every call causally: query step i attends to key steps 0..i only (Keras' {@code use_causal_mask}). */
    public MultiHeadAttention useCausalMask(boolean on) { causal = on; return this; }
    public MultiHeadAttention useBias(boolean on) { checkUnbuilt(); useBias = on; return this; }
    public MultiHeadAttention kernelInitializer(Initializer i) { checkUnbuilt(); kernelInitializer = i; return this; }
    public MultiHeadAttention biasInitializer(Initializer i) { checkUnbuilt(); biasInitializer = i; return this; }
    public MultiHeadAttention kernelRegularizer(Regularizer r) { checkUnbuilt(); kernelRegularizer = r; return this; }
    public MultiHeadAttention biasRegularizer(Regularizer r) { checkUnbuilt(); biasRegularizer = r; return this; }
    public MultiHeadAttention kernelConstraint(Constraint c) { checkUnbuilt(); kernelConstraint = c; return this; }
    public MultiHeadAttention biasConstraint(Constraint c) { checkUnbuilt(); biasConstraint = c; return this; }

    private void checkUnbuilt() {
        if (isBuilt()) throw new IllegalStateException("MultiHeadAttention '" + name() + "': options must be set before the layer is built");
    }

    public int numHeads() { return numHeads; }
    public int keyDim() { return keyDim; }
    public int valueDim() { return valueDim; }
    public double dropoutRate() { return dropout; }
    /** The dropout generator (null while dropout is off and no seed was given). */
    public Rng rng() { return rng; }

    // ---------------------------------------------------------------- calling

    /** Attention of {@code query} over {@code value} (also the key), in inference mode. */
    public Tensor call(Tensor query, Tensor value) {
        return call(query, value, null, null, false);
    }

    public Tensor call(Tensor query, Tensor value, boolean training) {
        return call(query, value, null, null, training);
    }

    /**
     * Attention of {@code query} over {@code key} (null: the value), averaging {@code value}, under
     * {@code attentionMask} [batch, T, S] (null: none; bool, or nonzero = attend) and the inputs' masks.
     */
    public Tensor call(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean training) {
        return call(inputs(query, value, key, attentionMask), training);
    }

    /**
     * Keras' {@code return_attention_scores}: the output, then the attention probabilities [batch, numHeads, T, S]
     * (before dropout, as Keras returns them). The output carries the query's mask.
     */
    public List<Tensor> callWithScores(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean training) {
        return callAll(inputs(query, value, key, attentionMask), training);
    }

    private List<Tensor> inputs(Tensor query, Tensor value, Tensor key, Tensor attentionMask) {
        if (query == null || value == null)
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': needs a query and a value, got " + (query == null ? "no query" : "no value"));
        List<Tensor> in = new ArrayList<>(4);
        in.add(query);
        in.add(value);
        if (key != null || attentionMask != null) in.add(key == null ? value : key);
        if (attentionMask != null) in.add(attentionMask);
        return in;
    }

    @Override
    protected boolean acceptsList() {
        return true;
    }

    @Override
    protected void build(int[] inputShape) {
        throw oneInput();
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        throw oneInput();
    }

    private IllegalArgumentException oneInput() {
        return new IllegalArgumentException("MultiHeadAttention '" + name() + "': takes a query and a value (call(query, value), or a list of query, "
                + "value, key, attention mask), got one input");
    }

    @Override
    protected void build(List<int[]> shapes) {
        checkShapes(shapes);
        queryFeatures = shapes.get(0)[2];
        valueFeatures = shapes.get(1)[2];
        keyFeatures = shapes.size() > 2 ? shapes.get(2)[2] : valueFeatures;
        int out = outputDim > 0 ? outputDim : queryFeatures;
        // Keras' order: query, key, value, then the output projection
        queryKernel = kernel("query", new int[] {queryFeatures, numHeads, keyDim});
        queryBias = bias("query", new int[] {numHeads, keyDim});
        keyKernel = kernel("key", new int[] {keyFeatures, numHeads, keyDim});
        keyBias = bias("key", new int[] {numHeads, keyDim});
        valueKernel = kernel("value", new int[] {valueFeatures, numHeads, valueDim});
        valueBias = bias("value", new int[] {numHeads, valueDim});
        outputKernel = kernel("attention_output", new int[] {numHeads, valueDim, out});
        outputBias = bias("attention_output", new int[] {out});
    }

    private Variable kernel(String part, int[] shape) {
        return addWeight(part + "/kernel", shape, kernelInitializer, true, kernelRegularizer, kernelConstraint);
    }

    private Variable bias(String part, int[] shape) {
        return useBias ? addWeight(part + "/bias", shape, biasInitializer, true, biasRegularizer, biasConstraint) : null;
    }

    /** Input count, ranks, batch and step agreement, and the attention mask's shape; features are checked against the kernels later. */
    private void checkShapes(List<int[]> shapes) {
        if (shapes.size() == 1) throw oneInput();
        if (shapes.size() < 2 || shapes.size() > 4)
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': takes 2 to 4 inputs (query, value, key, attention mask), got "
                    + shapes.size() + ": " + shapes.stream().map(Shapes::format).toList());
        String[] what = {"query", "value", "key"};
        for (int i = 0; i < Math.min(3, shapes.size()); i++)
            if (shapes.get(i).length != 3)
                throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': the " + what[i] + " must have rank 3 [batch, steps, features], got shape "
                        + Shapes.format(shapes.get(i)));
        int[] q = shapes.get(0), v = shapes.get(1), k = shapes.size() > 2 ? shapes.get(2) : v;
        if (!same(q[0], v[0]) || !same(q[0], k[0]))
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': query, value and key must have the same batch size, got query "
                    + Shapes.format(q) + ", value " + Shapes.format(v) + " and key " + Shapes.format(k));
        if (!same(k[1], v[1]))
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': key and value must have the same number of steps, got key "
                    + Shapes.format(k) + " and value " + Shapes.format(v));
        if (shapes.size() == 4) {
            int[] m = shapes.get(3);
            if (m.length != 3 || !(same(m[0], q[0]) || m[0] == 1) || !same(m[1], q[1]) || !same(m[2], v[1]))
                throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': the attention mask must have shape [batch, query steps, key steps] = "
                        + Shapes.format(new int[] {q[0], q[1], v[1]}) + " for query " + Shapes.format(q) + " and value " + Shapes.format(v)
                        + ", got " + Shapes.format(m));
        }
    }

    private static boolean same(int a, int b) {
        return a == b || a == Shapes.UNKNOWN || b == Shapes.UNKNOWN;
    }

    private void checkFeatures(String what, Tensor x, int built) {
        if (x.dim(2) != built)
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': built for a " + what + " of " + built + " features, got shape "
                    + Shapes.format(x.shape()));
    }

    @Override
    protected Tensor forward(List<Tensor> xs, boolean training) {
        return attend(xs, training)[0];
    }

    @Override
    protected List<Tensor> forwardAll(List<Tensor> xs, boolean training) {
        Tensor[] r = attend(xs, training);
        Masks.attach(r[0], Masks.of(xs.get(0))); // callAll attaches no masks itself
        return List.of(r[0], r[1]);
    }

    @Override
    protected boolean supportsMasking() {
        return true;
    }

    /** The output carries the query's mask (Keras). */
    @Override
    protected Tensor computeMask(List<Tensor> xs, List<Tensor> masks) {
        return masks.get(0);
    }

    /** The output [batch, T, out] and the attention probabilities [batch, heads, T, S] before dropout. */
    private Tensor[] attend(List<Tensor> xs, boolean training) {
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : xs) shapes.add(t.shape());
        checkShapes(shapes);
        Tensor query = xs.get(0), value = xs.get(1), key = xs.size() > 2 ? xs.get(2) : value;
        checkFeatures("query", query, queryFeatures);
        checkFeatures("value", value, valueFeatures);
        checkFeatures("key", key, keyFeatures);
        int t = query.dim(1), s = value.dim(1);
        if (t == Shapes.UNKNOWN || s == Shapes.UNKNOWN)
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': the numbers of steps must be known, got query "
                    + Shapes.format(query.shape()) + " and value " + Shapes.format(value.shape()));
        Tensor mask = attentionMask(xs, query, key, value, t, s);

        Tensor q = heads(query, queryKernel, queryBias, keyDim).mul(1 / Math.sqrt(keyDim)); // [B, H, T, keyDim]
        Tensor k = heads(key, keyKernel, keyBias, keyDim);                                  // [B, H, S, keyDim]
        Tensor v = heads(value, valueKernel, valueBias, valueDim);                          // [B, H, S, valueDim]
        Tensor scores = Ops.matmul(q, k, false, true);                                      // [B, H, T, S]
        Tensor probs;
        if (mask == null) {
            probs = NnOps.softmax(scores, -1);
        } else {
            Tensor m = ArrayOps.expandDims(mask, 1); // [B or 1, 1, T, S]: the same for every head
            probs = NnOps.softmax(Ops.where(m, scores, Ops.constantLike(MASKED_LOGIT, scores)), -1).mul(Ops.cast(m, scores.dtype()));
        }
        Tensor used = training && dropout > 0 ? NnOps.dropout(probs, dropout, rng) : probs;
        Tensor context = ArrayOps.transpose(Ops.matmul(used, v), 0, 2, 1, 3).reshape(-1, numHeads * valueDim); // [B·T, H·valueDim]
        int out = outputKernel.shape()[2];
        Tensor y = Ops.matmul(context, outputKernel.value().reshape(numHeads * valueDim, out));
        if (outputBias != null) y = y.add(outputBias.value());
        return new Tensor[] {y.reshape(-1, t, out), probs};
    }

    /** x [B, steps, features] projected to [B, H, steps, dim] by kernel [features, H, dim] and bias [H, dim]. */
    private Tensor heads(Tensor x, Variable kernel, Variable bias, int dim) {
        int features = x.dim(2), steps = x.dim(1);
        Tensor p = Ops.matmul(x.reshape(-1, features), kernel.value().reshape(features, numHeads * dim));
        if (bias != null) p = p.add(bias.value().reshape(numHeads * dim));
        return ArrayOps.transpose(p.reshape(-1, steps, numHeads, dim), 0, 2, 1, 3);
    }

    /** The AND of the attention mask, the causal mask and the inputs' Keras masks, [B or 1, T, S] bool; null when none. */
    private Tensor attentionMask(List<Tensor> xs, Tensor query, Tensor key, Tensor value, int t, int s) {
        Tensor mask = null;
        Tensor qm = keras("query", query), vm = keras("value", value), km = key == value ? null : keras("key", key);
        if (qm != null) mask = ArrayOps.expandDims(qm, 2);                // [B, T, 1]
        if (vm != null) mask = and(mask, ArrayOps.expandDims(vm, 1));     // [B, 1, S]
        if (km != null) mask = and(mask, ArrayOps.expandDims(km, 1));
        if (causal) {
            boolean[] lower = new boolean[t * s];
            for (int i = 0; i < t; i++) for (int j = 0; j <= i && j < s; j++) lower[i * s + j] = true;
            mask = and(mask, Tensor.of(lower, 1, t, s).to(query.device()));
        }
        if (xs.size() == 4) {
            Tensor given = xs.get(3);
            Tensor b = given.dtype() == DType.BOOL ? given : Ops.notEqual(given, Ops.zerosOf(given));
            mask = and(b, mask);
        }
        return mask;
    }

    private Tensor keras(String what, Tensor x) {
        Tensor m = Masks.of(x);
        if (m == null) return null;
        if (m.rank() != 2)
            throw new IllegalArgumentException("MultiHeadAttention '" + name() + "': the " + what + "'s mask must be [batch, steps], got shape "
                    + Shapes.format(m.shape()) + " for a " + what + " of shape " + Shapes.format(x.shape()));
        return m.dtype() == DType.BOOL ? m : Ops.notEqual(m, Ops.zerosOf(m));
    }

    private static Tensor and(Tensor a, Tensor b) {
        return a == null ? b : b == null ? a : Ops.logicalAnd(a, b);
    }
}
