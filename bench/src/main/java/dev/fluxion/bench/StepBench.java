package dev.fluxion.bench;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.random.Rng;

import java.util.Arrays;

/**
 * Times the mlp training step eagerly and as a graph function in the same process, and the per-step overhead of a
 * tiny graph (Dense 784→10 step at batch 32). Prints milliseconds per step and the ratio.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp core/target/classes:bench/target/classes
 * dev.fluxion.bench.StepBench [steps]}
 */
public final class StepBench {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Rng data = new Rng(1);
        Tensor x = data.uniform(new int[] {128, 28, 28, 1}, DType.FLOAT32);
        Tensor y = data.uniform(new int[] {128}, 0, 10).cast(DType.INT32);

        MlpStep eager = new MlpStep(3, 784, 128, 10);
        MlpStep traced = new MlpStep(3, 784, 128, 10);
        GraphFunction<Tensor> step = Fx.function("mlp_step", traced::trainStep);

        double eagerMs = time(() -> eager.trainStep(x, y), steps);
        double graphMs = time(() -> step.call(x, y), steps);
        System.out.printf("mlp step (batch 128): eager %.3f ms, graph %.3f ms, graph speed-up %.2fx%n", eagerMs, graphMs, eagerMs / graphMs);

        Tensor tx = data.uniform(new int[] {32, 784}, DType.FLOAT32);
        Tensor ty = data.uniform(new int[] {32}, 0, 10).cast(DType.INT32);
        MlpTiny tinyEager = new MlpTiny(5), tinyTraced = new MlpTiny(5);
        GraphFunction<Tensor> tinyStep = Fx.function("tiny_step", tinyTraced::trainStep);
        double tinyEagerUs = time(() -> tinyEager.trainStep(tx, ty), steps * 5) * 1000;
        double tinyGraphUs = time(() -> tinyStep.call(tx, ty), steps * 5) * 1000;
        System.out.printf("tiny step (Dense 784->10, batch 32, Adam): eager %.1f us, graph %.1f us%n", tinyEagerUs, tinyGraphUs);

        // the same graph on 1-element tensors: what remains is the framework's per-step cost
        Tensor ox = Tensor.ones(1, 1), oy = Tensor.of(new int[] {1}, 1);
        MlpTiny overheadEager = new MlpTiny(5, 1, 2), overheadTraced = new MlpTiny(5, 1, 2);
        GraphFunction<Tensor> overheadStep = Fx.function("overhead_step", overheadTraced::trainStep);
        double overheadEagerUs = time(() -> overheadEager.trainStep(ox, oy), steps * 20) * 1000;
        double overheadGraphUs = time(() -> overheadStep.call(ox, oy), steps * 20) * 1000;
        int ops = overheadStep.lastGraph().opCount();
        System.out.printf("per-step overhead (same step, Dense 1->2, batch 1; %d graph ops): eager %.1f us, graph %.1f us (%.2f us/op)%n",
                ops, overheadEagerUs, overheadGraphUs, overheadGraphUs / ops);
    }

    /** Median milliseconds per call over 5 rounds after a warm-up. */
    static double time(Runnable body, int steps) {
        for (int i = 0; i < Math.max(20, steps / 2); i++) body.run();
        double[] rounds = new double[5];
        for (int r = 0; r < rounds.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) body.run();
            rounds[r] = (System.nanoTime() - t0) / 1e6 / steps;
        }
        Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }
}
