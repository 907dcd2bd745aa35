package dev.fluxion.cuda.codegen;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.NnOps;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.graph.Graph;
import dev.fluxion.random.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Real optimized graphs traced with Fx.function, the source of the fused groups the CUDA tests compile. */
public final class TracedGraphs {
    private TracedGraphs() {}

    private static Map<String, Graph> cache;

    /** Every graph, by name; traced once per test JVM (graphs are immutable). */
    public static synchronized Map<String, Graph> all() {
        if (cache == null) cache = trace();
        return cache;
    }

    private static Map<String, Graph> trace() {
        Map<String, Graph> graphs = new LinkedHashMap<>();
        graphs.put("mlp_train_step", mlpTrainStep());
        graphs.put("elementwise_chain_f32", chain(DType.FLOAT32));
        graphs.put("elementwise_chain_f64", chain(DType.FLOAT64));
        graphs.put("batch_norm_f32", batchNorm(DType.FLOAT32));
        graphs.put("batch_norm_f64", batchNorm(DType.FLOAT64));
        return graphs;
    }

    /**
     * Batch normalization of an NHWC input over N, H and W with its statistics and a per-channel scale: reductions
     * whose input is a fused chain (a square of a difference, a product with the normalized value) and whose kept
     * axis is innermost, as the column reduction kernels take them.
     */
    static Graph batchNorm(DType t) {
        int[] axes = {0, 1, 2};
        var f = Fx.function("batch_norm", (Tensor x, Tensor gamma) -> {
            double count = x.shape()[0] * x.shape()[1] * x.shape()[2];
            Tensor mean = x.sum(axes, true).div(count);
            Tensor centered = x.sub(mean);
            Tensor variance = centered.square().sum(axes, true).div(count);
            Tensor y = centered.div(variance.add(1e-5).sqrt()).mul(gamma);
            return new Tensor[] {y, y.mul(centered).sum(axes, false), y.abs().sum(new int[] {3}, false)};
        });
        Rng rng = new Rng(4);
        f.call(Ops.cast(rng.normal(new int[] {4, 5, 6, 8}, 0.5, 2), t), Ops.cast(rng.normal(new int[] {8}, 1, 0.1), t));
        return f.lastGraph();
    }

    /**
     * A 784-128-10 MLP training step: dropout, softmax cross-entropy, the tape's backward pass and an Adam update,
     * as in the project's main example (smaller batch; shapes do not change the kernels).
     */
    static Graph mlpTrainStep() {
        Rng rng = new Rng(1);
        Variable w1 = new Variable(rng.normal(new int[] {784, 128}, 0, 0.05), "w1"), b1 = new Variable(Tensor.zeros(128), "b1");
        Variable w2 = new Variable(rng.normal(new int[] {128, 10}, 0, 0.05), "w2"), b2 = new Variable(Tensor.zeros(10), "b2");
        List<Variable> vars = List.of(w1, b1, w2, b2);
        List<Variable> m = vars.stream().map(v -> new Variable(v.value().zerosLike(), v.name() + "_m")).toList();
        List<Variable> s = vars.stream().map(v -> new Variable(v.value().zerosLike(), v.name() + "_v")).toList();
        Rng dropoutRng = new Rng(2);
        Fx.Fn2<Tensor> step = (x, labels) -> {
            try (var tape = new GradientTape()) {
                Tensor h = NnOps.dropout(x.matmul(w1.value()).add(b1.value()).relu(), 0.2, dropoutRng);
                Tensor logits = h.matmul(w2.value()).add(b2.value());
                Tensor loss = ArrayOps.oneHot(labels, 10).mul(NnOps.logSoftmax(logits, -1)).sum(new int[] {1}, false).neg().mean();
                List<Tensor> grads = tape.gradient(loss, vars);
                for (int i = 0; i < vars.size(); i++) { // Adam with bias correction folded into the step size
                    Tensor g = grads.get(i);
                    m.get(i).assign(m.get(i).value().mul(0.9).add(g.mul(0.1)));
                    s.get(i).assign(s.get(i).value().mul(0.999).add(g.square().mul(0.001)));
                    vars.get(i).assignSub(m.get(i).value().div(s.get(i).value().sqrt().add(1e-7)).mul(1e-3));
                }
                return loss;
            }
        };
        var f = Fx.function("mlp_train_step", step);
        f.call(rng.normal(new int[] {16, 784}, 0, 1), Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, 16));
        return f.lastGraph();
    }

    /** Unary, binary, compare, where, cast and broadcasting in one chain (as core's fusion tests use), in dtype t. */
    static Graph chain(DType t) {
        var f = Fx.function("chain", (Tensor x, Tensor bias) -> {
            Tensor h = x.mul(1.5).add(bias).tanh();
            Tensor mask = h.gt(Ops.constantLike(0, h));
            Tensor y = Ops.where(mask, h.square(), h.neg().exp());
            Tensor c = Ops.cast(mask, t).mul(y).add(NnOps.elu(x)).add(NnOps.gelu(x));
            return c.sum(new int[] {1}, false).add(y.mean());
        });
        Rng rng = new Rng(3);
        f.call(Ops.cast(rng.normal(new int[] {4, 8}, 0, 1), t), Ops.cast(rng.normal(new int[] {8}, 0, 1), t));
        return f.lastGraph();
    }
}
