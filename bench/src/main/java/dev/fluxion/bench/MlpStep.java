package dev.fluxion.bench;

import dev.fluxion.ArrayOps;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference "mlp" workload written with core ops only: Flatten → Dense(128, relu) → Dropout(0.2) →
 * Dense(10), softmax cross-entropy from logits, Adam(1e-3). Used to time eager against graph execution.
 */
final class MlpStep {
    final List<Variable> params = new ArrayList<>();
    private final List<Variable> m = new ArrayList<>(), v = new ArrayList<>();
    private final Variable step = new Variable(Tensor.zeros(), "step", false);
    private final Rng rng;
    private final Variable w1, b1, w2, b2;

    MlpStep(long seed, int inputs, int hidden, int classes) {
        rng = new Rng(seed);
        w1 = add(glorot(inputs, hidden), "w1");
        b1 = add(Tensor.zeros(hidden), "b1");
        w2 = add(glorot(hidden, classes), "w2");
        b2 = add(Tensor.zeros(classes), "b2");
    }

    private Tensor glorot(int in, int out) {
        double limit = Math.sqrt(6.0 / (in + out));
        return rng.uniform(new int[] {in, out}, -limit, limit);
    }

    private Variable add(Tensor init, String name) {
        Variable p = new Variable(init, name);
        params.add(p);
        m.add(new Variable(init.zerosLike(), name + "/m", false));
        v.add(new Variable(init.zerosLike(), name + "/v", false));
        return p;
    }

    /** One training step on a batch x [n,28,28,1] float32 and labels y [n] int32; returns the mean loss. */
    Tensor trainStep(Tensor x, Tensor y) {
        try (var tape = new GradientTape()) {
            Tensor flat = x.reshape(x.dim(0), -1);
            Tensor h = flat.matmul(w1.value()).add(b1.value()).relu();
            h = NnOps.dropout(h, 0.2, rng);
            Tensor logits = h.matmul(w2.value()).add(b2.value());
            Tensor labels = ArrayOps.oneHot(y, logits.dim(1));
            Tensor loss = labels.mul(logits.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
            adam(tape.gradient(loss, params));
            return loss;
        }
    }

    private void adam(List<Tensor> grads) {
        double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        step.assignAdd(Tensor.scalar(1f));
        Tensor t = step.value();
        // bias-corrected step size, computed as tensors so a graph function reads the live step count
        Tensor one = Tensor.scalar(1f);
        Tensor alpha = one.sub(Ops.pow(Tensor.scalar((float) b2), t)).sqrt().div(one.sub(Ops.pow(Tensor.scalar((float) b1), t))).mul(lr);
        for (int i = 0; i < params.size(); i++) {
            Tensor g = grads.get(i);
            Tensor mi = m.get(i).value().mul(b1).add(g.mul(1 - b1));
            Tensor vi = v.get(i).value().mul(b2).add(g.square().mul(1 - b2));
            m.get(i).assign(mi);
            v.get(i).assign(vi);
            params.get(i).assignSub(mi.mul(alpha).div(vi.sqrt().add(eps)));
        }
    }
}
