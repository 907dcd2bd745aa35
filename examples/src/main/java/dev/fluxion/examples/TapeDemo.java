package dev.fluxion.examples;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.random.Rng;

import java.util.List;

/**
 * Trains a two-layer perceptron on real MNIST with a GradientTape and a hand-written Adam update, the training step
 * compiled as a graph function, then reports test accuracy. Everything a custom training loop needs, with core
 * ops only.
 *
 * <pre>java ... dev.fluxion.examples.TapeDemo [epochs] [eager|graph]</pre>
 */
public final class TapeDemo {
    private final Rng rng = new Rng(42);
    private final Variable w1 = new Variable(glorot(784, 128), "dense/kernel");
    private final Variable b1 = new Variable(Tensor.zeros(128), "dense/bias");
    private final Variable w2 = new Variable(glorot(128, 10), "dense_1/kernel");
    private final Variable b2 = new Variable(Tensor.zeros(10), "dense_1/bias");
    private final List<Variable> params = List.of(w1, b1, w2, b2);
    private final List<Variable> m = params.stream().map(p -> new Variable(p.value().zerosLike(), p.name() + "/m", false)).toList();
    private final List<Variable> v = params.stream().map(p -> new Variable(p.value().zerosLike(), p.name() + "/v", false)).toList();
    private final Variable step = new Variable(Tensor.zeros(), "iterations", false);

    private Tensor glorot(int in, int out) {
        double limit = Math.sqrt(6.0 / (in + out));
        return rng.uniform(new int[] {in, out}, -limit, limit);
    }

    Tensor logits(Tensor x) {
        Tensor h = x.reshape(x.dim(0), 784).matmul(w1.value()).add(b1.value()).relu();
        return h.matmul(w2.value()).add(b2.value());
    }

    /** One step of softmax cross-entropy and Adam(1e-3); returns the batch loss. */
    Tensor trainOnBatch(Tensor x, Tensor y) {
        try (var tape = new GradientTape()) {
            Tensor logits = logits(x);
            Tensor loss = ArrayOps.oneHot(y, 10).mul(logits.logSoftmax(-1)).sum(new int[] {1}, false).neg().mean();
            List<Tensor> grads = tape.gradient(loss, params);
            step.assignAdd(Tensor.scalar(1f));
            Tensor one = Tensor.scalar(1f), t = step.value();
            Tensor lr = one.sub(Ops.pow(Tensor.scalar(0.999f), t)).sqrt().div(one.sub(Ops.pow(Tensor.scalar(0.9f), t))).mul(1e-3);
            for (int i = 0; i < params.size(); i++) {
                Tensor g = grads.get(i);
                Tensor mi = m.get(i).value().mul(0.9).add(g.mul(0.1));
                Tensor vi = v.get(i).value().mul(0.999).add(g.square().mul(0.001));
                m.get(i).assign(mi);
                v.get(i).assign(vi);
                params.get(i).assignSub(mi.mul(lr).div(vi.sqrt().add(1e-7)));
            }
            return loss;
        }
    }

    /** Fraction of correctly classified examples. */
    double accuracy(Pair data) {
        long correct = 0;
        for (Pair b : Dataset.fromTensorSlices(data.x(), data.y()).batch(1000)) {
            Tensor predicted = Ops.argmax(logits(b.x()), 1, false).cast(DType.INT32);
            correct += (long) Ops.equal(predicted, b.y()).cast(DType.INT32).sum().item();
        }
        return (double) correct / data.y().dim(0);
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        boolean graph = args.length < 2 || !args[1].equals("eager");
        TrainTest mnist = Datasets.mnist();
        System.out.println("MNIST from " + mnist.source() + ": train " + java.util.Arrays.toString(mnist.train().x().shape())
                + ", test " + java.util.Arrays.toString(mnist.test().x().shape()));
        TapeDemo demo = new TapeDemo();
        GraphFunction<Tensor> step = Fx.function("train_step", demo::trainOnBatch);
        var train = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y()).shuffle(60_000, 7).batch(128).prefetch(2);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            double lossSum = 0;
            int batches = 0;
            for (Pair batch : train) {
                Tensor loss = graph ? step.call(batch.x(), batch.y()) : demo.trainOnBatch(batch.x(), batch.y());
                lossSum += loss.item();
                batches++;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("epoch %d/%d: loss %.4f, %.1f s (%s), test accuracy %.4f%n", epoch, epochs, lossSum / batches,
                    seconds, graph ? "graph function, traced " + step.tracingCount() + "x" : "eager", demo.accuracy(mnist.test()));
        }
    }
}
