package dev.fluxion.bench;

import dev.fluxion.data.DataIterator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.Pair;
import dev.fluxion.data.TrainTest;
import java.util.Arrays;

/**
 * Input-pipeline throughput over real MNIST: {@code fromTensorSlices(x, y).shuffle(60000).batch(128).prefetch(2)},
 * the pipeline of a typical training loop, timed per epoch (469 batches) with an empty consumer, so the number is
 * the most batches per second the pipeline can deliver. The same pipeline without prefetch is timed for reference.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.fluxion.bench.PipelineBench [epochs]}.
 */
public final class PipelineBench {
    private PipelineBench() {}

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long t0 = System.nanoTime();
        TrainTest mnist = Datasets.mnist();
        System.out.printf("MNIST loaded from %s in %.2f s: x %s, y %s%n", mnist.source(), (System.nanoTime() - t0) / 1e9,
                Arrays.toString(mnist.train().x().shape()), Arrays.toString(mnist.train().y().shape()));
        Dataset<Pair> slices = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y());
        double pipeline = run("shuffle(60000) -> batch(128) -> prefetch(2)", slices.shuffle(60_000, 42).batch(128).prefetch(2), epochs);
        run("shuffle(60000) -> batch(128)", slices.shuffle(60_000, 42).batch(128), epochs);

        // the training step the pipeline has to keep up with: the mlp workload as a graph function
        MlpStep mlp = new MlpStep(3, 784, 128, 10);
        var step = dev.fluxion.Fx.function("mlp_step", mlp::trainStep);
        Pair batch = slices.batch(128).iterator().next();
        double stepMs = StepBench.time(() -> step.call(batch.x(), batch.y()), 200);
        double stepsPerSecond = 1000 / stepMs;
        System.out.printf("mlp training step (graph): %.3f ms = %.0f steps/s; pipeline / step rate = %.1fx%n",
                stepMs, stepsPerSecond, pipeline / stepsPerSecond);
    }

    private static double run(String name, Dataset<Pair> ds, int epochs) {
        long checksum = 0;
        double[] rates = new double[epochs];
        for (int e = -1; e < epochs; e++) { // epoch -1 warms up the JIT
            long t = System.nanoTime();
            int batches = 0;
            try (DataIterator<Pair> it = ds.iterator()) {
                while (it.hasNext()) {
                    Pair b = it.next();
                    checksum += b.y().shape()[0];
                    batches++;
                }
            }
            double s = (System.nanoTime() - t) / 1e9;
            if (e >= 0) rates[e] = batches / s;
            System.out.printf("  %-45s epoch %2d: %4d batches in %.3f s = %8.0f batches/s%n", name, e, batches, s, batches / s);
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf("%-47s median %8.0f batches/s (%.0f examples/s) over %d epochs [checksum %d]%n", name, median,
                median * 128, epochs, checksum);
        return median;
    }
}
