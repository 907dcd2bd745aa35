package dev.fluxion.nn;

import dev.fluxion.Shapes;
import dev.fluxion.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model defined by the functional API (Keras' {@code keras.Model(inputs, outputs)}): a graph of layer calls from
 * symbolic {@link Input}s to outputs. Multi-input and multi-output graphs are supported, and a layer object applied
 * twice is one layer with one set of weights (shared layers). Calling the model on real tensors runs the layer
 * calls in topological order.
 *
 * <pre>{@code
 * KerasTensor a = Input.shape(8), b = Input.shape(8);
 * Dense shared = new Dense(4, "relu");
 * KerasTensor out = new Dense(1).apply(new Concatenate().apply(shared.apply(a), shared.apply(b)));
 * Functional model = Functional.of(List.of(a, b), List.of(out));
 * Tensor y = model.call(List.of(xa, xb), false);
 * }</pre>
 */
public class Functional extends Model {
    private final List<KerasTensor> inputs, outputs;
    private final List<KerasTensor> order = new ArrayList<>();

    public Functional(List<KerasTensor> inputs, List<KerasTensor> outputs, String name) {
        super(name);
        if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("Functional: needs at least one input");
        if (outputs == null || outputs.isEmpty()) throw new IllegalArgumentException("Functional: needs at least one output");
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        Set<KerasTensor> declared = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (KerasTensor k : this.inputs) {
            if (!k.isInput()) throw new IllegalArgumentException("Functional: inputs must come from Input.shape(...), got " + k);
            if (!declared.add(k)) throw new IllegalArgumentException("Functional: input " + k.inputName() + " is listed twice");
        }
        Set<KerasTensor> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (KerasTensor o : this.outputs) visit(o, declared, visited);
        Set<Layer> layers = new LinkedHashSet<>();
        for (KerasTensor k : order) layers.add(k.layer());
        for (Layer l : layers) track(l);
        setBuilt();
        setOutputShape(this.outputs.get(0).shape());
    }

    public static Functional of(KerasTensor input, KerasTensor output) {
        return new Functional(List.of(input), List.of(output), null);
    }

    public static Functional of(List<KerasTensor> inputs, List<KerasTensor> outputs) {
        return new Functional(inputs, outputs, null);
    }

    private void visit(KerasTensor k, Set<KerasTensor> declared, Set<KerasTensor> visited) {
        if (k == null) throw new IllegalArgumentException("Functional: an output is null");
        if (visited.contains(k)) return;
        if (k.isInput()) {
            if (!declared.contains(k))
                throw new IllegalArgumentException("Functional: the outputs depend on input " + k.inputName() + " " + Layer.formatShape(k.shape())
                        + ", which is not among the model's inputs");
            visited.add(k);
            return;
        }
        for (KerasTensor in : k.inputs()) visit(in, declared, visited);
        visited.add(k);
        order.add(k);
    }

    public List<KerasTensor> inputs() {
        return inputs;
    }

    public List<KerasTensor> outputs() {
        return outputs;
    }

    /** The layer calls in the order they run (one per call: a shared layer appears once per use). */
    public List<KerasTensor> nodes() {
        return java.util.Collections.unmodifiableList(order);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return single(run(List.of(x), training));
    }

    @Override
    protected Tensor forward(List<Tensor> xs, boolean training) {
        return single(run(xs, training));
    }

    @Override
    protected List<Tensor> forwardAll(List<Tensor> xs, boolean training) {
        return run(xs, training);
    }

    @Override
    protected boolean acceptsList() {
        return inputs.size() > 1;
    }

    private Tensor single(List<Tensor> ys) {
        if (ys.size() != 1)
            throw new IllegalStateException("model '" + name() + "' has " + ys.size() + " outputs; use callAll(inputs, training) to get them all");
        return ys.get(0);
    }

    private List<Tensor> run(List<Tensor> xs, boolean training) {
        if (xs.size() != inputs.size())
            throw new IllegalArgumentException("model '" + name() + "' takes " + inputs.size() + " inputs, got " + xs.size());
        Map<KerasTensor, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < xs.size(); i++) {
            checkInput(name(), inputs.get(i), xs.get(i));
            values.put(inputs.get(i), xs.get(i));
        }
        for (KerasTensor k : order) {
            List<Tensor> args = new ArrayList<>(k.inputs().size());
            for (KerasTensor in : k.inputs()) args.add(values.get(in));
            Tensor y = k.listCall() ? k.layer().call(args, training) : k.layer().call(args.get(0), training);
            values.put(k, y);
        }
        List<Tensor> out = new ArrayList<>(outputs.size());
        for (KerasTensor o : outputs) out.add(values.get(o));
        return out;
    }

    /** Checks a real tensor against an Input's declared shape (batch dimension free). */
    static void checkInput(String model, KerasTensor input, Tensor x) {
        int[] want = input.shape(), got = x.shape();
        boolean ok = want.length == got.length;
        for (int i = 1; ok && i < want.length; i++) ok = want[i] < 0 || want[i] == got[i];
        if (!ok)
            throw new IllegalArgumentException("model '" + model + "': input " + input.inputName() + " expects shape " + Layer.formatShape(want)
                    + ", got " + Shapes.format(got));
    }
}
