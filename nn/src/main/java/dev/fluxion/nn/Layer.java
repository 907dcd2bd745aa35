package dev.fluxion.nn;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.Ops;
import dev.fluxion.Shapes;
import dev.fluxion.Tensor;
import dev.fluxion.TensorType;
import dev.fluxion.Variable;
import dev.fluxion.nn.constraints.Constraint;
import dev.fluxion.nn.initializers.Initializer;
import dev.fluxion.nn.regularizers.Regularizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The base of every layer and model (Keras 3 {@code Layer}): a template with {@link #build} (create weights from the
 * first input shape with {@link #addWeight}) and {@link #forward} (the computation), driven by the final
 * {@link #call} methods.
 *
 * <p><b>Sublayers.</b> A layer that contains others registers them with {@link #track} (typically in its
 * constructor: {@code dense = track(new Dense(10));}). Tracked layers' weights, losses and trainable flags are
 * included recursively. This explicit helper is the one discovery mechanism (no reflection), so what a model owns
 * is visible in its code.
 *
 * <p><b>dtype.</b> Weights use the layer's dtype: float32 unless changed with {@link #setDtype} (before the layer is
 * built; a model passes it on to its tracked sublayers) or, for layers created afterwards, with
 * {@link #setDefaultDtype} (Keras' {@code set_floatx}). Floating inputs of another dtype are cast to the layer's dtype
 * (Keras' autocasting), so a float32 model fed float64 data still computes in float32.
 *
 * <p><b>Symbolic use.</b> {@link #apply(KerasTensor...)} applies the layer to symbolic {@link KerasTensor}s of the
 * functional API: it builds the layer and infers the output shape without computing anything.
 */
public abstract class Layer {
    private static final Map<String, AtomicInteger> NAME_COUNTERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<int[]> CALL_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static volatile DType defaultDtype = DType.FLOAT32;

    private String name;
    private boolean trainable = true;
    private boolean built;
    private DType dtype;
    private int[] outputShape;
    private final List<Weight> weights = new ArrayList<>();
    private final List<Layer> sublayers = new ArrayList<>();
    private final List<Tensor> callLosses = new ArrayList<>();

    private record Weight(Variable variable, boolean trainable, Regularizer regularizer) {}

    /** @param name the layer's name; null gives a unique name from the class, e.g. {@code dense}, {@code dense_1}. */
    protected Layer(String name) {
        this.name = name;
        this.dtype = defaultDtype;
    }

    /** The dtype of layers created from now on (float32 unless changed). */
    public static DType defaultDtype() {
        return defaultDtype;
    }

    /** Sets the dtype of layers created from now on (Keras' {@code set_floatx}); float32 or float64. */
    public static void setDefaultDtype(DType dtype) {
        if (dtype == null || !dtype.isFloating()) throw new IllegalArgumentException("default layer dtype must be float32 or float64, got " + dtype);
        defaultDtype = dtype;
    }

    // ---------------------------------------------------------------- identity and flags

    /** The layer's name; an automatic one is assigned on first request (so helper layers never consume names). */
    public String name() {
        if (name == null) name = uniqueName(baseName(getClass()));
        return name;
    }

    /** Renames the layer; only before it is built (weight names derive from it). */
    public void setName(String name) {
        if (built && !weights.isEmpty()) throw new IllegalStateException("layer '" + name() + "': cannot rename a built layer");
        this.name = name;
    }

    /** Keras' snake_case class name: Conv2D → conv2d, BatchNormalization → batch_normalization. */
    static String baseName(Class<?> c) {
        String s = c.getSimpleName();
        if (s.isEmpty()) s = c.getSuperclass() != null ? c.getSuperclass().getSimpleName() : "layer";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isUpperCase(ch) && i > 0) {
                char prev = s.charAt(i - 1);
                boolean nextLower = i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1));
                if (Character.isLowerCase(prev) || (Character.isUpperCase(prev) && nextLower)) b.append('_');
            }
            b.append(Character.toLowerCase(ch));
        }
        return b.toString();
    }

    static String uniqueName(String base) {
        int n = NAME_COUNTERS.computeIfAbsent(base, k -> new AtomicInteger()).getAndIncrement();
        return n == 0 ? base : base + "_" + n;
    }

    /** Restarts automatic naming (Keras' {@code clear_session}); for tests and notebooks. */
    public static void resetNames() {
        NAME_COUNTERS.clear();
    }

    public boolean isTrainable() {
        return trainable;
    }

    /**
     * Freezes or unfreezes the layer and, recursively, its sublayers: a frozen layer's weights move to
     * {@link #nonTrainableVariables()}. A frozen BatchNormalization also runs in inference mode (TF2 behaviour).
     */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        for (Layer l : sublayers) l.setTrainable(trainable);
    }

    public boolean isBuilt() {
        return built;
    }

    /** Marks the layer as built (for layers and models that build themselves outside {@link #call}). */
    protected final void setBuilt() {
        built = true;
    }

    /** The dtype of the layer's weights and computations (float32 by default). */
    public DType dtype() {
        return dtype;
    }

    /**
     * Sets the dtype of the layer's weights and computations, and of its tracked sublayers; before they are built.
     * Returns this layer.
     */
    public Layer setDtype(DType dtype) {
        if (dtype == null || !dtype.isFloating()) throw new IllegalArgumentException("layer '" + name() + "': dtype must be float32 or float64, got " + dtype);
        if (!weights.isEmpty()) throw new IllegalStateException("layer '" + name() + "': cannot change the dtype of a built layer");
        this.dtype = dtype;
        for (Layer l : sublayers) l.setDtype(dtype);
        return this;
    }

    /** The output shape of the first call (dimension 0 is the batch), or null before any call. */
    public int[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /** Records the output shape (for models that know it without a call). */
    protected final void setOutputShape(int[] shape) {
        outputShape = shape.clone();
    }

    // ---------------------------------------------------------------- calling

    /** Runs the layer in inference mode. */
    public final Tensor call(Tensor x) {
        return call(x, false);
    }

    /** Runs the layer; {@code training} switches Dropout and BatchNormalization. Builds on first use. */
    public final Tensor call(Tensor x, boolean training) {
        if (x == null) throw new IllegalArgumentException("layer '" + name() + "': input is null");
        return invoke(List.of(x), training, Mode.SINGLE).get(0);
    }

    /** Runs a layer of several inputs (Add, Concatenate, multi-input models). */
    public final Tensor call(List<Tensor> xs, boolean training) {
        return invoke(checkList(xs), training, Mode.LIST).get(0);
    }

    /**
     * Runs the layer and returns all its outputs: several for a multi-output {@link Functional} model, else the
     * one output of {@link #call(List, boolean)}.
     */
    public final List<Tensor> callAll(List<Tensor> xs, boolean training) {
        return invoke(checkList(xs), training, Mode.ALL);
    }

    private List<Tensor> checkList(List<Tensor> xs) {
        if (xs == null || xs.isEmpty()) throw new IllegalArgumentException("layer '" + name() + "': needs at least one input");
        for (Tensor t : xs) if (t == null) throw new IllegalArgumentException("layer '" + name() + "': an input is null");
        return List.copyOf(xs);
    }

    private enum Mode { SINGLE, LIST, ALL }

    private List<Tensor> invoke(List<Tensor> xs, boolean training, Mode mode) {
        int[] depth = CALL_DEPTH.get();
        if (depth[0] == 0) clearCallLosses();
        depth[0]++;
        try {
            if (!built) {
                List<int[]> shapes = new ArrayList<>();
                for (Tensor t : xs) shapes.add(t.shape());
                if (mode == Mode.SINGLE) build(shapes.get(0));
                else build(shapes);
                built = true;
            }
            List<Tensor> in = castInputs(xs);
            Tensor mask = mode == Mode.SINGLE ? Masks.of(in.get(0)) : null;
            List<Tensor> ys = switch (mode) {
                case SINGLE -> List.of(nonNull(forward(in.get(0), mask, training)));
                case LIST -> List.of(nonNull(forward(in, training)));
                case ALL -> forwardAll(in, training);
            };
            if (mode != Mode.ALL && supportsMasking() && Masks.of(ys.get(0)) == null) {
                Tensor outMask = mode == Mode.SINGLE ? computeMask(in.get(0), mask) : computeMask(in, masksOf(in));
                if (outMask != null) Masks.attach(ys.get(0), outMask);
            }
            if (outputShape == null && !ys.isEmpty()) outputShape = ys.get(0).shape().clone();
            return ys;
        } finally {
            depth[0]--;
        }
    }

    /**
     * Runs this layer and then {@code next} as one computation when this layer has a fused form for the pair (a
     * {@link Sequential} offers each layer its successor); null, having done nothing, otherwise. Only for built layers
     * of x's dtype, so that the pair needs none of {@link #call}'s building or casting.
     */
    final Tensor callThen(Layer next, Tensor x, boolean training) {
        if (!built || !next.built || x.dtype() != dtype || next.dtype != dtype) return null;
        return forwardThen(next, x, training);
    }

    /**
     * The fused form of this layer followed by {@code next}, or null when there is none (the default): the result
     * must be what {@code next.call(call(x, training), training)} gives, gradients and side effects included.
     */
    protected Tensor forwardThen(Layer next, Tensor x, boolean training) {
        return null;
    }

    private Tensor nonNull(Tensor y) {
        if (y == null) throw new IllegalStateException("layer '" + name() + "': forward returned null");
        return y;
    }

    /** All outputs of a call with several inputs; the default is the single output of {@link #forward(List, boolean)}. */
    protected List<Tensor> forwardAll(List<Tensor> xs, boolean training) {
        return List.of(nonNull(forward(xs, training)));
    }

    private List<Tensor> castInputs(List<Tensor> xs) {
        List<Tensor> out = new ArrayList<>(xs.size());
        for (Tensor t : xs) {
            if (!t.dtype().isFloating() || t.dtype() == dtype) out.add(t);
            else out.add(Masks.attach(Ops.cast(t, dtype), Masks.of(t))); // the cast keeps the input's mask
        }
        return out;
    }

    private static List<Tensor> masksOf(List<Tensor> xs) {
        List<Tensor> masks = new ArrayList<>(xs.size());
        for (Tensor t : xs) masks.add(Masks.of(t));
        return masks;
    }

    // ---------------------------------------------------------------- masking (see Masks)

    /**
     * Whether this layer passes a mask on: after a call, {@link #computeMask} gives the mask attached to its output.
     * False by default, so a layer that does not know about masks drops them (Keras' {@code supports_masking}).
     */
    protected boolean supportsMasking() {
        return false;
    }

    /** The mask of the output of a one-input layer that {@link #supportsMasking}; the default passes the input's on. */
    protected Tensor computeMask(Tensor x, Tensor mask) {
        return mask;
    }

    /** The output mask of a layer of several inputs that {@link #supportsMasking}, from one mask (or null) per input. */
    protected Tensor computeMask(List<Tensor> xs, List<Tensor> masks) {
        return null;
    }

    /**
     * The computation of a one-input layer given its input's mask (null when it has none); the default ignores the
     * mask. Layers that consume masks (recurrent layers, masked pooling) override this.
     */
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        return forward(x, training);
    }

    /** Creates the weights from the input shape (dimension 0 is the batch). The default creates none. */
    protected void build(int[] inputShape) {}

    /** Builds a layer of several inputs; the default builds from a single shape or does nothing. */
    protected void build(List<int[]> inputShapes) {
        if (inputShapes.size() == 1) build(inputShapes.get(0));
    }

    /** The computation of a one-input layer. */
    protected abstract Tensor forward(Tensor x, boolean training);

    /** The computation of a layer of several inputs; the default accepts exactly one. */
    protected Tensor forward(List<Tensor> xs, boolean training) {
        if (xs.size() != 1)
            throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + ") takes one input, got " + xs.size());
        return forward(xs.get(0), training);
    }

    // ---------------------------------------------------------------- functional API

    /**
     * Applies the layer to symbolic tensors of the functional API: builds it if needed and returns a symbolic
     * output recording this call. Several inputs call the multi-input form (Add, Concatenate, models).
     */
    public KerasTensor apply(KerasTensor... inputs) {
        if (inputs.length == 0) throw new IllegalArgumentException("layer '" + name() + "': apply needs at least one input");
        for (KerasTensor k : inputs) if (k == null) throw new IllegalArgumentException("layer '" + name() + "': a symbolic input is null");
        List<KerasTensor> in = List.of(inputs);
        boolean multi = inputs.length > 1 || acceptsList();
        return symbolicCall(in, multi);
    }

    /** Applies the layer to a list of symbolic tensors (always the multi-input form). */
    public KerasTensor apply(List<KerasTensor> inputs) {
        List<KerasTensor> in = List.copyOf(inputs);
        if (in.isEmpty()) throw new IllegalArgumentException("layer '" + name() + "': apply needs at least one input");
        return symbolicCall(in, true);
    }

    /** Whether the layer takes a list even when given one tensor (merge layers). */
    protected boolean acceptsList() {
        return false;
    }

    private KerasTensor symbolicCall(List<KerasTensor> in, boolean multi) {
        boolean first = outputShape == null;
        Tensor y = symbolicPass(in, multi, UNKNOWN_PROBES[0]);
        int[] s = y.shape();
        if (in.stream().anyMatch(KerasTensor::hasUnknownNonBatch)) {
            // unknown steps (Input.shape(-1, f)): the output dimensions that change with them are unknown too
            int[] t;
            try {
                t = symbolicPass(in, multi, UNKNOWN_PROBES[1]).shape();
            } catch (IllegalArgumentException | IllegalStateException e) { // built for one size, refused another
                throw new IllegalArgumentException("layer '" + name() + "' (" + getClass().getSimpleName() + ") needs a known size where its input "
                        + in.stream().map(k -> formatShape(k.shape())).toList() + " has None (taking None as " + UNKNOWN_PROBES[0] + " and then "
                        + UNKNOWN_PROBES[1] + " failed: " + e.getMessage() + ")", e);
            }
            if (t.length != s.length)
                throw new IllegalStateException("layer '" + name() + "': output rank depends on the unknown input dimensions ("
                        + Shapes.format(s) + " and " + Shapes.format(t) + ")");
            for (int i = 1; i < s.length; i++) if (s[i] != t[i]) s[i] = -1;
        }
        if (s.length > 0) s[0] = -1;
        if (first) outputShape = s.clone(); // the pass recorded the placeholder's sizes
        return new KerasTensor(s, y.dtype(), this, in, multi);
    }

    /** Sizes that stand in for unknown non-batch dimensions in the two symbolic passes: apart and coprime to strides. */
    private static final int[] UNKNOWN_PROBES = {24, 37};

    private Tensor symbolicPass(List<KerasTensor> in, boolean multi, int unknownSize) {
        return ShapeInference.run(() -> {
            List<Tensor> sym = new ArrayList<>();
            for (KerasTensor k : in) sym.add(k.placeholder(unknownSize));
            return invoke(sym, false, multi ? Mode.LIST : Mode.SINGLE).get(0);
        });
    }

    // ---------------------------------------------------------------- weights

    /**
     * Creates a weight of this layer. The initial value is computed inside {@code Dispatcher.initScope}, so a layer
     * built lazily inside a traced graph function gets a concrete value; the constraint (if any) is registered in
     * {@link Constraints}; the regularizer's penalty joins {@link #losses()}.
     */
    protected final Variable addWeight(String name, int[] shape, Initializer init, boolean trainable, Regularizer reg, Constraint c) {
        if (init == null) throw new IllegalArgumentException("layer '" + name() + "': weight '" + name + "' needs an initializer");
        int[] s = Shapes.check(name() + "/" + name, shape);
        DType dt = dtype();
        Tensor initial = Dispatcher.initScope(() -> {
            Tensor v = init.apply(s, dt);
            if (!Arrays.equals(v.shape(), s))
                throw new IllegalStateException("layer '" + name() + "': initializer of '" + name + "' returned shape " + Shapes.format(v.shape()) + ", expected " + Shapes.format(s));
            return v.dtype() == dt ? v : Ops.cast(v, dt);
        });
        Variable v = new Variable(initial, name() + "/" + name, trainable);
        if (c != null) Constraints.register(v, c);
        weights.add(new Weight(v, trainable, reg));
        return v;
    }

    protected final Variable addWeight(String name, int[] shape, Initializer init, boolean trainable) {
        return addWeight(name, shape, init, trainable, null, null);
    }

    protected final Variable addWeight(String name, int[] shape, Initializer init) {
        return addWeight(name, shape, init, true, null, null);
    }

    /** Registers a sublayer so its weights, losses and flags are included; returns it. */
    protected <L extends Layer> L track(L layer) {
        if (layer == null) throw new IllegalArgumentException("layer '" + name() + "': cannot track a null layer");
        if (layer == this) throw new IllegalArgumentException("layer '" + name() + "': cannot track itself");
        for (Layer l : sublayers) if (l == layer) return layer;
        sublayers.add(layer);
        return layer;
    }

    /** The direct sublayers, in the order they were tracked. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(sublayers);
    }

    /** Trainable variables, this layer's first, then sublayers' (recursive, each variable once). */
    public List<Variable> trainableVariables() {
        List<Variable> out = new ArrayList<>();
        collect(out, Collections.newSetFromMap(new IdentityHashMap<>()), true);
        return out;
    }

    /** Non-trainable variables (moving statistics, and every weight of a frozen layer). */
    public List<Variable> nonTrainableVariables() {
        List<Variable> out = new ArrayList<>();
        collect(out, Collections.newSetFromMap(new IdentityHashMap<>()), false);
        return out;
    }

    /**
     * Moves every weight of this layer and its sublayers to {@code device} (PyTorch's {@code module.to(device)}), for
     * training there: inputs must then come from that device too, and an optimizer keeps its state where the
     * variables it updates are. The layer must be built, since unbuilt layers have no weights yet.
     */
    public void moveTo(Device device) {
        if (!built) throw new IllegalStateException("moveTo: layer '" + name() + "' is not built yet; call it once or build it first");
        for (Variable v : variables()) v.moveTo(device);
    }

    /** All variables: trainable first, then non-trainable (Keras' {@code weights}). */
    public List<Variable> variables() {
        List<Variable> out = trainableVariables();
        out.addAll(nonTrainableVariables());
        return out;
    }

    private void collect(List<Variable> out, Set<Object> seen, boolean wantTrainable) {
        if (!seen.add(this)) return;
        for (Weight w : weights) {
            boolean isTrainable = trainable && w.trainable;
            if (isTrainable == wantTrainable && seen.add(w.variable)) out.add(w.variable);
        }
        for (Layer l : sublayers) l.collect(out, seen, wantTrainable);
    }

    /** Number of scalar weights (Keras' {@code count_params}). */
    public int countParams() {
        long n = 0;
        for (Variable v : variables()) n += Shapes.size(v.shape());
        return Math.toIntExact(n);
    }

    // ---------------------------------------------------------------- losses

    /**
     * The regularization penalties (Keras {@code model.losses}), recursive over sublayers: each regularized weight's
     * penalty computed from its current value (so it is the penalty of the latest forward pass, and is recorded by
     * an active tape or trace when called there), then the losses added with {@link #addLoss} during the latest
     * outermost call.
     */
    public List<Tensor> losses() {
        List<Tensor> out = new ArrayList<>();
        collectLosses(out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectLosses(List<Tensor> out, Set<Object> seen) {
        if (!seen.add(this)) return;
        for (Weight w : weights) if (w.regularizer != null && seen.add(w.variable)) out.add(w.regularizer.apply(w.variable.value()));
        out.addAll(callLosses);
        for (Layer l : sublayers) l.collectLosses(out, seen);
    }

    /** Adds a loss term for the current forward pass (Keras' {@code add_loss}, e.g. an activity penalty). */
    protected final void addLoss(Tensor loss) {
        callLosses.add(loss);
    }

    private void clearCallLosses() {
        clearCallLosses(Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private void clearCallLosses(Set<Layer> seen) {
        if (!seen.add(this)) return;
        callLosses.clear();
        for (Layer l : sublayers) l.clearCallLosses(seen);
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /** A placeholder tensor of the given type for shape inference (used by {@link KerasTensor}). */
    static Tensor placeholder(DType dtype, int[] shape) {
        return Tensor.symbolic(new TensorType(dtype, shape, Device.CPU), "keras_placeholder");
    }

    /** "(None, 32, 32, 3)": a shape with the batch dimension shown as None. */
    public static String formatShape(int[] shape) {
        if (shape == null) return "?";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(i == 0 || shape[i] < 0 ? "None" : String.valueOf(shape[i]));
        }
        if (shape.length == 1) b.append(",");
        return b.append(")").toString();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name() + ")";
    }
}
