package dev.fluxion.nn.optimizers;

import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Dispatcher;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Constraints;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Base of the optimizers (Keras 3 style). Every update is Tensor ops plus {@link Variable#assign}, so
 * {@link #applyGradients} inside a graph function updates the real variables on every call of the compiled step.
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@link #iterations()}: an int64 0-d non-trainable variable counting {@code applyGradients} calls (with
 *       gradient accumulation it counts every call, like Keras 3's "real" steps).</li>
 *   <li>The learning rate: a float32 0-d non-trainable variable ({@link #setLearningRate} changes it without
 *       retracing) or a {@link LearningRateSchedule} evaluated on {@code iterations} before the step.</li>
 *   <li>Slot variables, created on the first {@code applyGradients} (or {@link #build}) for each variable, with
 *       initial values computed in {@link Dispatcher#initScope}; named {@code "<variable name>/<slot>"}, e.g.
 *       {@code dense/kernel/m}.</li>
 * </ul>
 * {@link #variables()} lists, for checkpoints: {@code iterations}; the learning-rate variable (absent with a
 * schedule); the optimizer's own state, if its rule keeps any ({@link #optimizerVariable}: Nadam's u_product); then,
 * per variable in the order first seen, its slots in the optimizer's declared order (SGD: momentum; Adam/AdamW: m, v[,
 * vhat]; Nadam: m, v; Adamax: m, u; RMSprop: velocity[, momentum][, average_gradient]; Adagrad: accumulator; Adadelta:
 * accumulated_grad, accumulated_delta; Lion: m) followed by {@code grad_accumulator} when gradient accumulation is on
 * and {@code average} when moving averages are ({@link #useEma}); then {@code loss_scale} and {@code
 * loss_scale_good_steps} when loss scaling is on ({@link #lossScaling}).
 *
 * <h2>One step</h2>
 * Keras' order: drop null gradients → (accumulate) → clip (clipnorm per tensor, or globalClipnorm over all, or
 * clipvalue per element; as in Keras 3 at most one of them may be set) → weight decay {@code w -= w·wd·lr} →
 * update rule → moving averages ({@link #useEma}) → constraints ({@link Constraints#apply}) →
 * {@code iterations += 1}.
 *
 * <h2>Gradient accumulation</h2>
 * With {@link #gradientAccumulationSteps(int) k} &gt; 1 each call adds the gradients into {@code grad_accumulator}
 * slots; every k-th call (when {@code (iterations + 1) % k == 0}) applies the mean of the k gradients and zeroes the
 * accumulators. Eagerly the choice is made in Java; in a traced graph both outcomes are computed and selected with
 * {@code where} on the iteration counter, so one compiled step serves every call. The update rule's step number
 * (Adam's bias correction) counts applied updates, {@code (iterations + 1) / k}, so k micro-batches give exactly one
 * step on the mean gradient (Keras 3 uses the real step there); learning-rate schedules see the real step.
 * Clipping and weight decay also act on the update steps only, on the mean gradient (Keras 3 clips each
 * micro-batch gradient and decays on every call), for the same reason.
 */
public abstract class Optimizer {
    private String name;
    private Variable iterations; // created on first use, named "<optimizer name>/iterations"
    private Variable learningRate; // created on first use; stays null with a schedule
    private final double initialLearningRate;
    private final LearningRateSchedule schedule;
    private Double clipnorm, globalClipnorm, clipvalue;
    private double weightDecay;
    private final java.util.Set<Variable> noDecayVariables = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final List<String> noDecayNames = new ArrayList<>();
    private int accumulationSteps = 1;
    private final Map<Variable, Map<String, Variable>> slots = new LinkedHashMap<>(); // Variable has identity equality
    private final Map<Variable, Variable> accumulators = new LinkedHashMap<>();
    private Double emaMomentum; // null unless useEma() turned the moving averages on
    private int emaOverwriteFrequency;
    private final Map<Variable, Variable> averages = new LinkedHashMap<>();
    private final List<Variable> ownState = new ArrayList<>(); // state of the whole optimizer, not per variable (Nadam)
    private Tensor gate; // while a traced accumulation update is being built: the "is update step" predicate
    private boolean compileUpdates = true;
    private LossScale lossScale; // null unless lossScaling() turned it on
    /** Eager updates compiled per list of variables (identity: Variable does not override equals). */
    private final Map<List<Variable>, GraphFunction<Tensor>> compiledUpdates = new java.util.HashMap<>();

    protected Optimizer(String name, double learningRate) {
        this.name = name;
        this.schedule = null;
        this.initialLearningRate = learningRate;
    }

    protected Optimizer(String name, LearningRateSchedule schedule) {
        if (schedule == null) throw new IllegalArgumentException(name + ": the learning-rate schedule is null");
        this.name = name;
        this.schedule = schedule;
        this.initialLearningRate = Double.NaN;
    }

    /** The name, used as the prefix of the {@code iterations} and {@code learning_rate} variables. */
    public String name() {
        return name;
    }

    /**
     * Renames the optimizer (e.g. "generator_optimizer" and "critic_optimizer" for a GAN's two optimizers, so their
     * checkpoint names differ). Only before its variables exist: before the first step, {@link #learningRate},
     * {@link #iterations} or {@link #variables}.
     */
    public Optimizer named(String newName) {
        if (newName == null || newName.isEmpty()) throw new IllegalArgumentException("optimizer name must not be empty");
        if (iterations != null) throw new IllegalStateException(name + ": rename the optimizer before its variables are created");
        name = newName;
        return this;
    }

    /** Creates iterations and the learning-rate variable on first use (values in the init scope), on the CPU. */
    private void ensureState() {
        if (iterations != null) return;
        iterations = new Variable(Dispatcher.initScope(() -> Tensor.zeros(DType.INT64)), name + "/iterations", false);
        if (schedule == null) {
            double lr = initialLearningRate;
            learningRate = new Variable(Dispatcher.initScope(() -> Tensor.scalar(lr, DType.FLOAT32)), name + "/learning_rate", false);
        }
    }

    /** The step counter and learning rate live where the trained variables do, so updates never mix devices. */
    private void placeStateOn(Device device) {
        ensureState();
        if (iterations.type().device().equals(device)) return;
        Dispatcher.initScope(() -> {
            iterations.moveTo(device);
            if (learningRate != null) learningRate.moveTo(device);
            for (Variable v : ownState) v.moveTo(device);
            if (lossScale != null) {
                lossScale.scale.moveTo(device);
                lossScale.goodSteps.moveTo(device);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ options

    /** Clips each gradient to this L2 norm (tf.clip_by_norm). At most one of the three clipping options may be set. */
    public Optimizer clipnorm(double value) {
        requirePositive("clipnorm", value);
        requireOneClipping("clipnorm", globalClipnorm, clipvalue);
        clipnorm = value;
        return this;
    }

    /** Scales all gradients together so their global L2 norm is at most this (tf.clip_by_global_norm). */
    public Optimizer globalClipnorm(double value) {
        requirePositive("globalClipnorm", value);
        requireOneClipping("globalClipnorm", clipnorm, clipvalue);
        globalClipnorm = value;
        return this;
    }

    /** Clips each gradient element to [-value, value]. */
    public Optimizer clipvalue(double value) {
        requirePositive("clipvalue", value);
        requireOneClipping("clipvalue", clipnorm, globalClipnorm);
        clipvalue = value;
        return this;
    }

    /** Decoupled weight decay {@code w -= w · weightDecay · lr} before each update (0 disables). */
    public Optimizer weightDecay(double value) {
        if (!(value >= 0)) throw new IllegalArgumentException(name + ": weightDecay must be >= 0, got " + value);
        weightDecay = value;
        return this;
    }

    /**
     * Exempts variables from weight decay (Keras' {@code exclude_from_weight_decay}): these variables, and every
     * variable whose name contains one of {@code nameParts} (e.g. "bias", "gamma").
     */
    public Optimizer excludeFromWeightDecay(List<Variable> vars, String... nameParts) {
        if (vars != null) noDecayVariables.addAll(vars);
        noDecayNames.addAll(Arrays.asList(nameParts));
        return this;
    }

    private boolean decays(Variable v) {
        if (weightDecay == 0 || noDecayVariables.contains(v)) return false;
        for (String part : noDecayNames) if (v.name().contains(part)) return false;
        return true;
    }

    /** Applies the mean gradient of every k calls (1 = every call). Set it before the first step. */
    public Optimizer gradientAccumulationSteps(int k) {
        if (k < 1) throw new IllegalArgumentException(name + ": gradientAccumulationSteps must be >= 1, got " + k);
        if (!slots.isEmpty()) throw new IllegalStateException(name + ": set gradientAccumulationSteps before the first step");
        if (lossScale != null && k > 1) throw new IllegalStateException(name + ": loss scaling and gradient accumulation cannot be combined");
        accumulationSteps = k;
        return this;
    }

    /** {@link #useEma(double, int)} without overwriting the variables during training. */
    public Optimizer useEma(double momentum) {
        return useEma(momentum, 0);
    }

    /**
     * Keeps an exponential moving average of every trained variable (Keras' {@code use_ema}): after each update
     * {@code average = momentum · average + (1 - momentum) · variable}, the first update copying the variable. Every
     * {@code overwriteFrequency} updates (0: never) the variables take their averages' values; at the end of
     * {@code fit}, and whenever {@link #finalizeVariableValues} is called, they take them for good. The averages are
     * optimizer variables, so checkpoints keep them. Set it before the first step.
     */
    public Optimizer useEma(double momentum, int overwriteFrequency) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException(name + ": EMA momentum must be in [0, 1), got " + momentum);
        if (overwriteFrequency < 0)
            throw new IllegalArgumentException(name + ": EMA overwrite frequency must be >= 0 (0: never), got " + overwriteFrequency);
        if (!slots.isEmpty()) throw new IllegalStateException(name + ": turn moving averages on before the first step");
        emaMomentum = momentum;
        emaOverwriteFrequency = overwriteFrequency;
        return this;
    }

    /** The moving average of {@code var} (see {@link #useEma}), or null when there is none. */
    public Variable average(Variable var) {
        return averages.get(var);
    }

    /** Copies each moving average into its variable (Keras' {@code finalize_variable_values}); nothing without EMA. */
    public void finalizeVariableValues() {
        for (var e : averages.entrySet()) e.getKey().assign(e.getValue().value());
    }

    public int gradientAccumulationSteps() {
        return accumulationSteps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Keras 3: "Only one of clipnorm, clipvalue and global_clipnorm can be set" (tf_keras only forbade the two norms). */
    private void requireOneClipping(String option, Double other1, Double other2) {
        if (other1 != null || other2 != null)
            throw new IllegalArgumentException(name + ": only one of clipnorm, clipvalue and globalClipnorm can be set; "
                    + "cannot set " + option + " with clipnorm=" + clipnorm + ", clipvalue=" + clipvalue + ", globalClipnorm=" + globalClipnorm);
    }

    private void requirePositive(String option, double value) {
        if (!(value > 0)) throw new IllegalArgumentException(name + ": " + option + " must be > 0, got " + value);
    }

    // ------------------------------------------------------------------ learning rate and state

    /** The step counter (int64, 0-d): the number of {@code applyGradients} calls so far. */
    public Variable iterations() {
        ensureState();
        return iterations;
    }

    /** The current learning rate as a 0-d float32 tensor (the schedule's value at {@code iterations} if any). */
    public Tensor learningRate() {
        ensureState();
        return schedule != null ? schedule.apply(iterations.value()) : learningRate.value();
    }

    /** Sets the learning rate; a compiled step sees the new value without retracing. Fails with a schedule. */
    public void setLearningRate(double value) {
        if (schedule != null) throw new IllegalStateException(name + ": the learning rate comes from a schedule and cannot be set");
        ensureState();
        learningRate.assign(Tensor.scalar(value, DType.FLOAT32).to(learningRate.type().device()));
    }

    /** The schedule, or null when the learning rate is a variable. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** The learning-rate variable, or null with a schedule. */
    public Variable learningRateVariable() {
        ensureState();
        return learningRate;
    }

    /** All state for checkpoints, in the order documented on the class. */
    public List<Variable> variables() {
        ensureState();
        List<Variable> out = new ArrayList<>();
        out.add(iterations);
        if (learningRate != null) out.add(learningRate);
        out.addAll(ownState);
        for (var e : slots.entrySet()) {
            out.addAll(e.getValue().values());
            Variable acc = accumulators.get(e.getKey());
            if (acc != null) out.add(acc);
            Variable avg = averages.get(e.getKey());
            if (avg != null) out.add(avg);
        }
        if (lossScale != null) {
            out.add(lossScale.scale);
            out.add(lossScale.goodSteps);
        }
        return Collections.unmodifiableList(out);
    }

    /** Creates the slots of these variables now (e.g. before restoring a checkpoint); idempotent. */
    public void build(List<Variable> vars) {
        if (vars.isEmpty()) ensureState();
        else placeStateOn(vars.get(0).type().device());
        for (Variable v : vars) {
            if (slots.containsKey(v)) continue;
            slots.put(v, new LinkedHashMap<>());
            createSlots(v);
            if (accumulationSteps > 1) accumulators.put(v, newStateVariable(v, "grad_accumulator", 0));
            if (emaMomentum != null) averages.put(v, newStateVariable(v, "average", 0));
        }
    }

    // ------------------------------------------------------------------ applying gradients

    /** Computes the gradients of {@code loss} with a fresh tape and applies them; returns the loss. */
    public Tensor minimize(Supplier<Tensor> loss, List<Variable> vars) {
        Tensor value;
        List<Tensor> grads;
        try (GradientTape tape = new GradientTape()) {
            value = loss.get();
            grads = tape.gradient(value, vars);
        }
        applyGradients(grads, vars);
        return value;
    }

    /** Applies one step; null gradients (and their variables) are skipped. */
    public void applyGradients(List<Tensor> grads, List<Variable> vars) {
        if (grads.size() != vars.size())
            throw new IllegalArgumentException(name + ": " + grads.size() + " gradients for " + vars.size() + " variables");
        List<Tensor> g = new ArrayList<>();
        List<Variable> v = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            Tensor gi = grads.get(i);
            Variable vi = vars.get(i);
            if (vi == null) throw new IllegalArgumentException(name + ": variable " + i + " is null");
            if (gi == null) continue;
            if (!Arrays.equals(gi.shape(), vi.shape()))
                throw new IllegalArgumentException(name + ": gradient of shape " + Arrays.toString(gi.shape()) + " for variable '"
                        + vi.name() + "' of shape " + Arrays.toString(vi.shape()));
            if (!vi.dtype().isFloating()) throw new IllegalArgumentException(name + ": variable '" + vi.name() + "' is " + vi.dtype() + ", not a float type");
            g.add(Ops.cast(gi, vi.dtype()));
            v.add(vi);
        }
        if (v.isEmpty()) {
            List<String> names = vars.stream().map(Variable::name).toList();
            throw new IllegalArgumentException(name + ": no gradients provided for any variable: " + names);
        }
        if (compileUpdates && Dispatcher.isEager() && applyCompiled(g, v)) return;
        applyChecked(g, v);
    }

    /**
     * Eagerly, the update runs as a graph function traced once per list of variables: a few fused passes instead of
     * a dozen ops per variable, like TensorFlow's fused ApplyAdam kernels and PyTorch's fused optimizers, and on a
     * GPU one replayed CUDA graph instead of a launch per op. The arithmetic is the same ops, so the results are the
     * eager ones. Returns false (and turns compilation off for this optimizer) when the update cannot be traced, for
     * example a constraint that reads a value on the host; the caller then runs it eagerly.
     */
    private boolean applyCompiled(List<Tensor> grads, List<Variable> vars) {
        GraphFunction<Tensor> update = compiledUpdates.get(vars);
        if (update == null) {
            List<Variable> fixed = List.copyOf(vars);
            update = new GraphFunction<>(name + "_apply_gradients", args -> {
                List<Tensor> g = new ArrayList<>(args.length);
                for (Object a : args) g.add((Tensor) a);
                applyChecked(g, fixed);
                return iterations.value();
            });
            compiledUpdates.put(fixed, update);
        }
        GraphFunction<Tensor> f = update;
        try {
            Dispatcher.initScope(() -> f.call(grads.toArray())); // tapes paused: an update is not differentiated
            return true;
        } catch (RuntimeException e) {
            if (f.tracingCount() > 0 && !f.signatures().isEmpty()) throw e; // it ran before: a real failure
            compileUpdates = false;
            compiledUpdates.clear();
            System.err.println(name + ": applyGradients runs eagerly from now on; its update could not be traced: " + e.getMessage());
            return false;
        }
    }

    /**
     * Turns on dynamic loss scaling for float16 training (Keras's LossScaleOptimizer): initial scale 2^15, doubled
     * after 2000 finite steps in a row. See {@link #lossScaling(double, int)}.
     */
    public Optimizer lossScaling() {
        return lossScaling(32768, 2000);
    }

    /**
     * Dynamic loss scaling: differentiate {@link #scaleLoss}{@code (loss)} (the Keras {@code fit} step does), and
     * {@code applyGradients} divides the gradients by the scale, skips a step whose gradients are not all finite
     * (no update, {@code iterations} unchanged) and halves the scale then, and doubles it after
     * {@code growthSteps} finite steps in a row. The scale is a power of two, so with finite gradients the updates
     * are exactly the unscaled ones. Not combinable with gradient accumulation. Set it before the first step.
     */
    public Optimizer lossScaling(double initialScale, int growthSteps) {
        if (accumulationSteps > 1) throw new IllegalStateException(name + ": loss scaling and gradient accumulation cannot be combined");
        if (iterations != null) throw new IllegalStateException(name + ": turn loss scaling on before the optimizer's first step");
        lossScale = new LossScale(name, initialScale, growthSteps);
        return this;
    }

    /** The loss multiplied by the current loss scale; the loss itself when loss scaling is off. */
    public Tensor scaleLoss(Tensor loss) {
        return lossScale == null ? loss : lossScale.scaleLoss(loss);
    }

    /** The current loss scale (float32, 0-d), or null when loss scaling is off. */
    public Variable lossScale() {
        return lossScale == null ? null : lossScale.scale;
    }

    /**
     * Whether eager {@link #applyGradients} calls run the update as a graph function (default true). As inside any
     * compiled train step, an update step, schedule or constraint then runs its Java code once, when it is traced:
     * what changes from call to call must be a tensor or a variable (like {@link #setLearningRate}), not a Java field.
     */
    public Optimizer compileUpdates(boolean on) {
        compileUpdates = on;
        if (!on) compiledUpdates.clear();
        return this;
    }

    /** How many compiled updates this optimizer holds (one per list of variables it was applied to eagerly). */
    int compiledUpdateCount() {
        return compiledUpdates.size();
    }

    private void applyChecked(List<Tensor> g, List<Variable> v) {
        build(v);
        if (lossScale != null) {
            applyScaled(g, v);
            return;
        }
        Tensor iter = iterations.value();
        Tensor lr = learningRate();
        Tensor next = iter.add(1);
        if (accumulationSteps == 1) {
            update(clip(g), v, lr, Ops.cast(next, DType.FLOAT32));
        } else {
            Tensor k = Ops.constantLike(accumulationSteps, next);
            Tensor isUpdate = Ops.equal(Ops.mod(next, k), Ops.zerosOf(next));
            Tensor step = Ops.cast(next.div(k), DType.FLOAT32);
            List<Tensor> sums = new ArrayList<>(), means = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                Tensor s = accumulators.get(v.get(i)).value().add(g.get(i));
                sums.add(s);
                means.add(s.div(accumulationSteps));
            }
            if (!isUpdate.isSymbolic()) {
                boolean apply = isUpdate.item() != 0;
                if (apply) update(clip(means), v, lr, step);
                for (int i = 0; i < v.size(); i++) {
                    Variable acc = accumulators.get(v.get(i));
                    acc.assign(apply ? acc.value().zerosLike() : sums.get(i));
                }
            } else {
                gate = isUpdate;
                try {
                    update(clip(means), v, lr, step);
                } finally {
                    gate = null;
                }
                for (int i = 0; i < v.size(); i++) {
                    Variable acc = accumulators.get(v.get(i));
                    Tensor s = sums.get(i);
                    acc.assign(Ops.where(isUpdate, Ops.zerosOf(s), s));
                }
            }
        }
        for (Variable var : v) Constraints.apply(var);
        iterations.assign(next);
    }

    /** A step with loss scaling: unscale, then update only when every gradient is finite (see {@link #lossScaling}). */
    private void applyScaled(List<Tensor> scaled, List<Variable> v) {
        Tensor finite = lossScale.allFinite(scaled);
        List<Tensor> g = clip(lossScale.unscale(scaled));
        Tensor iter = iterations.value(), next = iter.add(1);
        if (!finite.isSymbolic()) { // eagerly: a Java branch
            boolean ok = finite.item() != 0;
            lossScale.update(finite);
            if (!ok) return;
            update(g, v, learningRate(), Ops.cast(next, DType.FLOAT32));
            for (Variable var : v) Constraints.apply(var);
            iterations.assign(next);
            return;
        }
        gate = finite; // traced: both outcomes computed, the skipped one never assigned
        try {
            update(g, v, learningRate(), Ops.cast(next, DType.FLOAT32));
            for (Variable var : v) {
                Tensor before = var.value();
                Constraints.apply(var);
                var.assign(Ops.where(finite, var.value(), before));
            }
        } finally {
            gate = null;
        }
        iterations.assign(Ops.where(finite, next, iter));
        lossScale.update(finite);
    }

    private void update(List<Tensor> grads, List<Variable> vars, Tensor lr, Tensor step) {
        beforeUpdates(step);
        for (int i = 0; i < vars.size(); i++) {
            Variable var = vars.get(i);
            Tensor lrv = Ops.cast(lr, var.dtype());
            if (decays(var)) {
                Tensor w = var.value();
                assign(var, w.sub(w.mul(lrv).mul(weightDecay)));
            }
            updateStep(var, grads.get(i), lrv, Ops.cast(step, var.dtype()));
        }
        if (emaMomentum != null) updateAverages(vars, step);
    }

    /** Moves each average toward its updated variable; {@code step} is the 1-based update number. */
    private void updateAverages(List<Variable> vars, Tensor step) {
        for (Variable var : vars) {
            Variable average = averages.get(var);
            Tensor s = Ops.cast(step, var.dtype());
            Tensor m = Ops.cast(Ops.greater(s, constant(1, s)), var.dtype()).mul(emaMomentum); // 0 on the first update
            Tensor next = average.value().mul(m).add(var.value().mul(constant(1, m).sub(m)));
            assign(average, next);
            if (emaOverwriteFrequency > 0) {
                Tensor due = Ops.equal(Ops.mod(s, constant(emaOverwriteFrequency, s)), Ops.zerosOf(s));
                assign(var, Ops.where(due, next, var.value()));
            }
        }
    }

    private List<Tensor> clip(List<Tensor> grads) {
        if (clipnorm != null) {
            double c = clipnorm;
            return grads.stream().map(g -> g.mul(Ops.constantLike(c, g).div(Ops.maximum(norm(g), Ops.constantLike(c, g))))).toList();
        }
        if (globalClipnorm != null) {
            Tensor total = null;
            for (Tensor g : grads) {
                Tensor s = Ops.cast(g.square().sum(), DType.FLOAT32);
                total = total == null ? s : total.add(s);
            }
            Tensor c = Tensor.scalar(globalClipnorm, DType.FLOAT32);
            Tensor scale = c.div(Ops.maximum(total.sqrt(), c));
            return grads.stream().map(g -> g.mul(Ops.cast(scale, g.dtype()))).toList();
        }
        if (clipvalue != null) {
            double c = clipvalue;
            return grads.stream().map(g -> Ops.clip(g, -c, c)).toList();
        }
        return grads;
    }

    private static Tensor norm(Tensor g) {
        return g.square().sum().sqrt();
    }

    // ------------------------------------------------------------------ for subclasses

    /** Declares the slots of a variable with {@link #addSlot}; called once per variable, in a stable order. */
    protected abstract void createSlots(Variable var);

    /**
     * Computes and assigns (with {@link #assign}) the new value of {@code var} and its slots.
     *
     * @param grad the (clipped) gradient, in the variable's dtype
     * @param lr the learning rate, 0-d in the variable's dtype
     * @param step the 1-based number of this update, 0-d in the variable's dtype
     */
    protected abstract void updateStep(Variable var, Tensor grad, Tensor lr, Tensor step);

    /**
     * Called once per update, before the variables' update steps, with the 1-based update number (float32); for
     * rules that keep state for the whole optimizer. Assign with {@link #assign}. The default does nothing.
     */
    protected void beforeUpdates(Tensor step) {}

    /**
     * A float32 0-d variable named {@code "<optimizer>/<name>"} for state of the whole optimizer (listed in
     * {@link #variables()} after the learning rate); made on the first call, the same one after.
     */
    protected final Variable optimizerVariable(String stateName, double initial) {
        String full = name + "/" + stateName;
        for (Variable v : ownState) if (v.name().equals(full)) return v;
        Device device = iterations == null ? Device.CPU : iterations.type().device();
        Variable v = new Variable(Dispatcher.initScope(() -> Tensor.scalar(initial, DType.FLOAT32).to(device)), full, false);
        ownState.add(v);
        return v;
    }

    /** Creates a slot named {@code "<var>/<slot>"} of the variable's shape and dtype filled with {@code initial}. */
    protected final Variable addSlot(Variable var, String slot, double initial) {
        Variable s = newStateVariable(var, slot, initial);
        slots.get(var).put(slot, s);
        return s;
    }

    /** A slot created by {@link #addSlot}. */
    protected final Variable slot(Variable var, String slot) {
        Map<String, Variable> m = slots.get(var);
        Variable s = m == null ? null : m.get(slot);
        if (s == null) throw new IllegalStateException(name + ": no slot '" + slot + "' for variable '" + var.name() + "'");
        return s;
    }

    /** Assigns a variable or slot; inside a traced accumulation step, only on update steps. */
    protected final void assign(Variable target, Tensor value) {
        Tensor v = Ops.cast(value, target.dtype());
        if (gate != null) v = Ops.where(gate, v, target.value());
        target.assign(v);
    }

    /** A 0-d constant of {@code like}'s dtype. */
    protected static Tensor constant(double value, Tensor like) {
        return Ops.constantLike(value, like);
    }

    private Variable newStateVariable(Variable var, String slot, double initial) {
        DType dtype = var.dtype();
        int[] shape = var.shape();
        Device device = var.type().device();
        Tensor init = Dispatcher.initScope(() -> Tensor.full(initial, dtype, shape).to(device));
        return new Variable(init, var.name() + "/" + slot, false);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }
}
