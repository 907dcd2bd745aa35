package dev.fluxion.bench;

import dev.fluxion.ArrayOps;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;

import java.util.List;

/**
 * The "tiny" workload: Dense(784 → 10) with softmax cross-entropy and Adam, for per-step framework overhead. Built
 * with other sizes (Dense 1 → 2) it has the same graph with next to no arithmetic, which isolates the overhead.
 */
final class MlpTiny {
    private final Variable w, b, mw, vw, mb, vb;
    private final Variable step = new Variable(Tensor.zeros(), "step", false);

    private final int classes;

    MlpTiny(long seed) {
        this(seed, 784, 10);
    }

    MlpTiny(long seed, int inputs, int classes) {
        this.classes = classes;
        Rng rng = new Rng(seed);
        w = new Variable(rng.uniform(new int[] {inputs, classes}, -0.08, 0.08), "w");
        b = new Variable(Tensor.zeros(classes), "b");
        mw = new Variable(Tensor.zeros(inputs, classes), "mw", false);
        vw = new Variable(Tensor.zeros(inputs, classes), "vw", false);
        mb = new Variable(Tensor.zeros(classes), "mb", false);
        vb = new Variable(Tensor.zeros(classes), "vb", false);
    }

    Tensor trainStep(Tensor x, Tensor y) {
        try (var tape = new GradientTape()) {
            Tensor logits = x.matmul(w.value()).add(b.value());
            Tensor loss = ArrayOps.oneHot(y, classes).mul(logits.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
            List<Tensor> g = tape.gradient(loss, List.of(w, b));
            step.assignAdd(Tensor.scalar(1f));
            Tensor one = Tensor.scalar(1f), t = step.value();
            Tensor alpha = one.sub(Ops.pow(Tensor.scalar(0.999f), t)).sqrt().div(one.sub(Ops.pow(Tensor.scalar(0.9f), t))).mul(1e-3);
            update(w, mw, vw, g.get(0), alpha);
            update(b, mb, vb, g.get(1), alpha);
            return loss;
        }
    }

    private static void update(Variable p, Variable m, Variable v, Tensor g, Tensor alpha) {
        Tensor mi = m.value().mul(0.9).add(g.mul(0.1));
        Tensor vi = v.value().mul(0.999).add(g.square().mul(0.001));
        m.assign(mi);
        v.assign(vi);
        p.assignSub(mi.mul(alpha).div(vi.sqrt().add(1e-7)));
    }
}
