package dev.fluxion.cuda.graph;

import dev.fluxion.ArrayOps;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.Graph;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Small traced training steps with everything needed to run them again: the graph function, its arguments, the
 * variables it updates and the generators it draws from. Traced on the CPU (a first call), so the graph and the
 * CPU executable's results are the reference the plan is checked against.
 */
final class TrainingSteps {
    private TrainingSteps() {}

    /** A traced step: call {@code function} with {@code args}; it updates {@code variables}. */
    record Traced(String name, GraphFunction<?> function, Object[] args, List<Variable> variables, List<Rng> rngs) {
        /** Calls the function once more on the CPU executable; its outputs as an array. */
        Tensor[] call() {
            Object r = function.call(args);
            return r instanceof Tensor t ? new Tensor[] {t} : (Tensor[]) r;
        }

        Graph graph() {
            return function.lastGraph();
        }

        Tensor[] tensorArgs() {
            List<Tensor> t = new ArrayList<>();
            for (Object a : args) if (a instanceof Tensor x) t.add(x);
            return t.toArray(Tensor[]::new);
        }
    }

    /** An Adam-like update (no bias correction) of every parameter and both of its moments. */
    static void adamUpdate(List<Variable> params, List<Tensor> grads, List<Variable> m, List<Variable> s) {
        for (int i = 0; i < params.size(); i++) {
            Tensor g = grads.get(i);
            m.get(i).assign(m.get(i).value().mul(0.9).add(g.mul(0.1)));
            s.get(i).assign(s.get(i).value().mul(0.999).add(g.square().mul(0.001)));
            params.get(i).assignSub(m.get(i).value().div(s.get(i).value().sqrt().add(1e-7)).mul(1e-2));
        }
    }

    static List<Traced> all() {
        return List.of(mlpAdam(true), mlpAdam(false), regressionMomentum(), swap(), oldValuesReadLate());
    }

    /**
     * A 20-16-5 MLP training step: optional dropout, softmax cross-entropy, the tape's gradients and an Adam
     * update of every weight and both moments (as TracedGraphs' larger step, small enough to run on the host).
     */
    static Traced mlpAdam(boolean dropout) {
        Rng init = new Rng(11);
        Variable w1 = new Variable(init.normal(new int[] {20, 16}, 0, 0.3), "w1"), b1 = new Variable(init.normal(new int[] {16}, 0, 0.1), "b1");
        Variable w2 = new Variable(init.normal(new int[] {16, 5}, 0, 0.3), "w2"), b2 = new Variable(init.normal(new int[] {5}, 0, 0.1), "b2");
        List<Variable> params = List.of(w1, b1, w2, b2);
        List<Variable> m = params.stream().map(v -> new Variable(v.value().zerosLike(), v.name() + "_m")).toList();
        List<Variable> s = params.stream().map(v -> new Variable(v.value().zerosLike(), v.name() + "_v")).toList();
        Rng dropoutRng = new Rng(12);
        Fx.Fn2<Tensor> step = (x, labels) -> {
            try (var tape = new GradientTape()) {
                Tensor h = x.matmul(w1.value()).add(b1.value()).relu();
                if (dropout) h = NnOps.dropout(h, 0.25, dropoutRng);
                Tensor logits = h.matmul(w2.value()).add(b2.value());
                Tensor loss = ArrayOps.oneHot(labels, 5).mul(NnOps.logSoftmax(logits, -1)).sum(new int[] {1}, false).neg().mean();
                adamUpdate(params, tape.gradient(loss, params), m, s);
                return loss;
            }
        };
        var f = Fx.function(dropout ? "mlp_adam_dropout" : "mlp_adam", step);
        Rng data = new Rng(13);
        Object[] args = {data.normal(new int[] {8, 20}, 0, 1), Tensor.of(new int[] {0, 1, 2, 3, 4, 0, 1, 2}, 8)};
        f.call(args);
        List<Variable> all = new ArrayList<>(params);
        all.addAll(m);
        all.addAll(s);
        return new Traced(f.name(), f, args, all, List.of(dropoutRng));
    }

    /**
     * Linear regression with momentum in float64: returns the loss and a transposed view of the weights (a result
     * that is a view of a variable read, so it must be copied out before the new weights are written back).
     */
    static Traced regressionMomentum() {
        Rng init = new Rng(21);
        Variable w = new Variable(dev.fluxion.Ops.cast(init.normal(new int[] {6, 3}, 0, 0.5), dev.fluxion.DType.FLOAT64), "w");
        Variable velocity = new Variable(w.value().zerosLike(), "velocity");
        Fx.Fn2<Tensor[]> step = (x, y) -> {
            try (var tape = new GradientTape()) {
                Tensor before = w.value().transpose();
                Tensor err = x.matmul(w.value()).sub(y);
                Tensor loss = err.square().mean();
                Tensor g = tape.gradient(loss, List.of(w)).getFirst();
                velocity.assign(velocity.value().mul(0.9).add(g));
                w.assignSub(velocity.value().mul(0.05));
                return new Tensor[] {loss, before};
            }
        };
        var f = Fx.function("regression_momentum", step);
        Rng data = new Rng(22);
        Object[] args = {dev.fluxion.Ops.cast(data.normal(new int[] {10, 6}, 0, 1), dev.fluxion.DType.FLOAT64),
                dev.fluxion.Ops.cast(data.normal(new int[] {10, 3}, 0, 1), dev.fluxion.DType.FLOAT64)};
        f.call(args);
        return new Traced(f.name(), f, args, List.of(w, velocity), List.of());
    }

    /**
     * Two variables exchanging values (a takes b's old value, b takes a's old value plus the sum of x) and the
     * input returned as it is: results that are sources, so the plan must copy every one of them out before any
     * variable is written back.
     */
    static Traced swap() {
        Variable a = new Variable(Tensor.of(new float[] {1, 2, 3}, 3), "a"), b = new Variable(Tensor.of(new float[] {10, 20, 30}, 3), "b");
        Fx.Fn1<Tensor[]> step = x -> {
            Tensor oldA = a.value(), oldB = b.value();
            a.assign(oldB);
            b.assign(oldA.add(x.sum()));
            return new Tensor[] {x, oldA};
        };
        var f = Fx.function("swap", step);
        Object[] args = {Tensor.of(new float[] {0.5f, 0.25f, 4}, 3)};
        f.call(args);
        return new Traced(f.name(), f, args, List.of(a, b), List.of());
    }

    /**
     * Updates a plan must not make in place: {@code t} takes its own transpose plus a sum (element i reads another
     * element), {@code c} doubles while a later product still reads its old value; {@code d}'s update may be.
     */
    static Traced oldValuesReadLate() {
        Variable t = new Variable(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3), "t");
        Variable c = new Variable(Tensor.of(new float[] {1, 2, 3}, 3), "c"), d = new Variable(Tensor.of(new float[] {4, 5, 6}, 3), "d");
        Fx.Fn1<Tensor> step = x -> {
            t.assign(t.value().transpose().add(x.sum()));
            Tensor oldC = c.value(), newC = oldC.mul(2);
            c.assign(newC);
            d.assign(d.value().add(x));
            return newC.reshape(1, 3).matmul(oldC.reshape(3, 1)); // needs the new value, so it runs after c's update
        };
        var f = Fx.function("old_values_read_late", step);
        Object[] args = {Tensor.of(new float[] {0.5f, 0.25f, 4}, 3)};
        f.call(args);
        return new Traced(f.name(), f, args, List.of(t, c, d), List.of());
    }
}
