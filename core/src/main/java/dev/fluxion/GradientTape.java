package dev.fluxion;

import dev.fluxion.autodiff.Gradients;
import dev.fluxion.ops.Op;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;

/**
 * Records operations on watched tensors so that gradients can be computed in reverse (TensorFlow's
 * {@code tf.GradientTape}). Use it with try-with-resources: it records from construction until {@link #close}.
 *
 * <ul>
 *   <li>Trainable {@link Variable}s are watched automatically; tensors need {@link #watch}.</li>
 *   <li>A non-persistent tape allows one {@link #gradient} call; {@link #persistent()} tapes allow many.</li>
 *   <li>Tapes nest: an outer tape records the gradient computation of an inner one, giving second-order
 *       gradients (a WGAN-GP penalty is the gradient of a gradient norm).</li>
 *   <li>The gradient of a non-scalar target is the gradient of its sum.</li>
 * </ul>
 */
public final class GradientTape implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<GradientTape>> ACTIVE = ThreadLocal.withInitial(ArrayDeque::new);

    /** One recorded operation: a primitive op, or (op null) a custom gradient rule. */
    private record Entry(Op op, Tensor[] inputs, Tensor output, CustomGradient.Rule rule) {}

    private final boolean persistent;
    private final boolean watchAccessedVariables;
    private final Map<Tensor, Boolean> tracked = new IdentityHashMap<>();
    private final Set<Variable> accessed = new java.util.LinkedHashSet<>(); // Variable has identity equality
    private final List<Entry> entries = new ArrayList<>();
    private boolean open = true;
    private int paused;
    private boolean used;

    /** A non-persistent tape that watches trainable variables. */
    public GradientTape() {
        this(false, true);
    }

    public GradientTape(boolean persistent, boolean watchAccessedVariables) {
        this.persistent = persistent;
        this.watchAccessedVariables = watchAccessedVariables;
        ACTIVE.get().push(this);
    }

    /** A tape whose {@link #gradient} may be called several times. */
    public static GradientTape persistent() {
        return new GradientTape(true, true);
    }

    /** Makes the tape track operations on these tensors. */
    public GradientTape watch(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (!t.dtype().isFloating())
                throw new IllegalArgumentException("watch: cannot watch a " + t.dtype() + " tensor; gradients need float32 or float64");
            tracked.put(t, Boolean.TRUE);
        }
        return this;
    }

    /** Makes the tape track a variable (useful for non-trainable ones or with watchAccessedVariables off). */
    public GradientTape watch(Variable variable) {
        accessed.add(variable);
        return watch(variable.value());
    }

    /** The variables this tape has seen used, in no particular order. */
    public List<Variable> watchedVariables() {
        return new ArrayList<>(accessed);
    }

    /** Pauses recording until the returned handle is closed (tf's {@code stop_recording}). */
    public AutoCloseable stopRecording() {
        paused++;
        return () -> paused--;
    }

    /** Stops recording; gradients can still be computed afterwards. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        ACTIVE.get().remove(this);
    }

    /** Discards everything recorded so far; the tape keeps recording if open. */
    public void reset() {
        entries.clear();
        tracked.clear();
        accessed.clear();
        used = false;
    }

    // ------------------------------------------------------------------ recording (called by the Dispatcher)

    static void recordOnActiveTapes(Op op, Tensor[] inputs, Tensor output) {
        ArrayDeque<GradientTape> tapes = ACTIVE.get();
        if (tapes.isEmpty() || op instanceof Op.StopGradient || !output.dtype().isFloating()) return;
        for (GradientTape tape : tapes) tape.record(op, inputs, output);
    }

    private void record(Op op, Tensor[] inputs, Tensor output) {
        if (!recording()) return;
        for (Tensor in : inputs) {
            if (isTracked(in)) {
                tracked.put(output, Boolean.TRUE);
                entries.add(new Entry(op, inputs, output, null));
                return;
            }
        }
    }

    /** Runs a {@link Fx#customGradient} body with every tape paused, then records it as one operation. */
    static Tensor recordCustom(Tensor[] inputs, Function<Tensor[], CustomGradient> body) {
        for (int i = 0; i < inputs.length; i++)
            if (inputs[i] == null) throw new IllegalArgumentException("customGradient: input " + i + " is null");
        CustomGradient result;
        try (var ignored = pauseAll()) {
            result = body.apply(inputs.clone());
        }
        if (result == null) throw new IllegalArgumentException("customGradient: the body returned null");
        Tensor out = result.output();
        if (!out.dtype().isFloating()) return out;
        for (GradientTape tape : ACTIVE.get()) {
            if (!tape.recording()) continue;
            for (Tensor in : inputs)
                if (tape.isTracked(in)) {
                    tape.tracked.put(out, Boolean.TRUE);
                    tape.entries.add(new Entry(null, inputs.clone(), out, result.rule()));
                    break;
                }
        }
        return out;
    }

    /** Whether the tapes of this thread that are recording number more than one (nested tapes). */
    public static boolean nestedRecording() {
        int n = 0;
        for (GradientTape t : ACTIVE.get()) if (t.recording()) n++;
        return n > 1;
    }

    /** Whether ops run now are recorded: not paused, and not a non-persistent tape whose gradient was taken. */
    private boolean recording() {
        return paused == 0 && (persistent || !used);
    }

    /**
     * Whether a recording tape on this thread would record an operation reading any of these tensors (watched
     * tensors, results of recorded ops, trainable variables' values). A graph function asks this before running its
     * compiled graph, which no tape can see into: when the answer is yes it runs its body eagerly instead.
     */
    public static boolean wouldRecord(List<Tensor> reads) {
        for (GradientTape tape : ACTIVE.get()) {
            if (!tape.recording()) continue;
            for (Tensor t : reads) if (t.dtype().isFloating() && tape.isTracked(t)) return true;
        }
        return false;
    }

    private boolean isTracked(Tensor t) {
        if (tracked.containsKey(t)) return true;
        Variable v = t.variable;
        if (v != null && v.trainable() && watchAccessedVariables && v.value() == t) {
            tracked.put(t, Boolean.TRUE);
            accessed.add(v);
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ gradients

    /** Gradients of {@code target} with respect to each source; null for unconnected sources. */
    public Tensor[] gradient(Tensor target, Tensor... sources) {
        return gradient(target, sources, null, UnconnectedGradients.NONE);
    }

    /** Gradients of {@code target} with respect to the variables' current values, in the same order. */
    public List<Tensor> gradient(Tensor target, List<Variable> variables) {
        return gradient(target, variables, UnconnectedGradients.NONE);
    }

    /** Gradients with respect to variables, choosing what unconnected variables get. */
    public List<Tensor> gradient(Tensor target, List<Variable> variables, UnconnectedGradients unconnected) {
        Tensor[] sources = new Tensor[variables.size()];
        for (int i = 0; i < sources.length; i++) sources[i] = variables.get(i).value();
        return Arrays.asList(gradient(target, sources, null, unconnected));
    }

    /**
     * The general form: {@code outputGradient} (shaped like the target; null means ones) seeds the reverse pass,
     * and {@code unconnected} decides what sources the target does not depend on receive.
     */
    public Tensor[] gradient(Tensor target, Tensor[] sources, Tensor outputGradient, UnconnectedGradients unconnected) {
        if (used && !persistent)
            throw new IllegalStateException("GradientTape.gradient can only be called once on a non-persistent tape; "
                    + "create it with GradientTape.persistent() to compute several gradients");
        used = true;
        if (target == null) throw new IllegalArgumentException("gradient: target is null");
        if (!target.dtype().isFloating())
            throw new IllegalArgumentException("gradient: target has dtype " + target.dtype() + "; it must be float32 or float64");
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] == null) throw new IllegalArgumentException("gradient: source " + i + " is null");
            if (!sources[i].dtype().isFloating())
                throw new IllegalArgumentException("gradient: source " + i + " has dtype " + sources[i].dtype()
                        + "; gradients are only defined for float32 and float64 sources (cast it to a float type and watch that)");
        }
        if (outputGradient != null && (outputGradient.dtype() != target.dtype() || !Arrays.equals(outputGradient.shape(), target.shape())))
            throw new IllegalArgumentException("gradient: output gradient " + outputGradient.type() + " does not match target " + target.type());
        Map<Tensor, Tensor> grads;
        paused++; // the gradient computation itself is recorded by enclosing tapes only
        try {
            grads = backward(target, sources, outputGradient);
        } finally {
            paused--;
        }
        Tensor[] result = new Tensor[sources.length];
        for (int i = 0; i < sources.length; i++) {
            Tensor g = grads.get(sources[i]);
            if (g == null && unconnected == UnconnectedGradients.ZERO) g = sources[i].zerosLike();
            result[i] = g;
        }
        if (!persistent) {
            entries.clear();
            tracked.clear();
        }
        return result;
    }

    private Map<Tensor, Tensor> backward(Tensor target, Tensor[] sources, Tensor seed) {
        // forward sweep: which recorded outputs depend on a source (only those need gradient rules)
        Map<Tensor, Boolean> fromSource = new IdentityHashMap<>();
        for (Tensor s : sources) if (isTracked(s)) fromSource.put(s, Boolean.TRUE);
        for (Entry e : entries)
            for (Tensor in : e.inputs)
                if (fromSource.containsKey(in)) {
                    fromSource.put(e.output, Boolean.TRUE);
                    break;
                }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        if (!fromSource.containsKey(target)) return grads;
        grads.put(target, seed != null ? seed : target.onesLike());
        for (int k = entries.size() - 1; k >= 0; k--) {
            Entry e = entries.get(k);
            Tensor g = grads.get(e.output);
            if (g == null || !fromSource.containsKey(e.output)) continue;
            boolean[] wanted = new boolean[e.inputs.length];
            for (int i = 0; i < wanted.length; i++) wanted[i] = fromSource.containsKey(e.inputs[i]);
            Tensor[] inputGrads = e.rule != null ? customRule(e, g, wanted) : Gradients.of(e.op, e.inputs, e.output, g, wanted);
            for (int i = 0; i < e.inputs.length; i++) {
                Tensor in = e.inputs[i];
                if (inputGrads[i] == null || !fromSource.containsKey(in)) continue;
                Tensor gi = Gradients.unbroadcast(inputGrads[i], in.shape());
                Tensor prev = grads.get(in);
                grads.put(in, prev == null ? gi : Ops.add(prev, gi));
            }
        }
        return grads;
    }

    private static Tensor[] customRule(Entry e, Tensor g, boolean[] wanted) {
        Tensor[] grads = e.rule.gradients(g, wanted.clone());
        if (grads == null || grads.length != e.inputs.length)
            throw new IllegalStateException("customGradient: the gradient rule returned "
                    + (grads == null ? "null" : grads.length + " gradients") + " for " + e.inputs.length + " inputs");
        for (int i = 0; i < grads.length; i++) {
            Tensor gi = grads[i], in = e.inputs[i];
            if (gi == null) continue;
            // the tape sums broadcast axes away; any other shape (a transposed or flattened gradient) is a wrong rule
            int[] gs = gi.shape(), s = in.shape();
            boolean reducible = Shapes.broadcastsTo(s, gs) || (Shapes.broadcastsTo(gs, s) && Shapes.size(gs) == Shapes.size(s));
            if (gi.dtype() != in.dtype() || !reducible)
                throw new IllegalStateException("customGradient: the gradient rule returned " + gi.type() + " for input " + i
                        + " of type " + in.type());
        }
        return grads;
    }

    /** Package-level view for tests: how many operations were recorded. */
    int recordedCount() {
        return entries.size();
    }

    /** Package-level view for tests: the recorded operations, in order. */
    List<Op> recordedOps() {
        return entries.stream().map(Entry::op).toList();
    }

    /** Pauses every active tape on this thread until the handle is closed. */
    static AutoCloseable0 pauseAll() {
        var tapes = new ArrayList<>(ACTIVE.get());
        for (GradientTape t : tapes) t.paused++;
        return () -> {
            for (GradientTape t : tapes) t.paused--;
        };
    }

    /** An AutoCloseable whose close throws nothing. */
    interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether any tape is recording on this thread. */
    public static boolean anyRecording() {
        for (GradientTape t : ACTIVE.get()) if (t.recording()) return true;
        return false;
    }
}
