package dev.fluxion.bench;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.random.Rng;

import java.util.Arrays;

/**
 * Paired A/B timing of one CPU-plan option on a reference training step, for a noisy shared machine: the same
 * workload is compiled twice in one JVM, once with the system property set while it compiles (B) and once without
 * (A), and the two steps then run alternately, so both see the same background load. Prints the median ms/step of
 * each and the median of the per-pair ratios B / A.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes>
 * dev.fluxion.bench.PlanAbBench <mlp|cnn|seed> <property=value> [pairs] [steps per sample]}, e.g.
 * {@code PlanAbBench seed fluxion.graph.fuseReductions=false 20}. The option must be one the plan reads when it is
 * built (not a static setting).
 */
public final class PlanAbBench {
    private PlanAbBench() {}

    public static void main(String[] args) {
        String workload = args[0];
        String[] option = args[1].split("=", 2);
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Tensor[] batch = FitBench.CustomLoop.syntheticBatch(workload, new Rng(7));
        Tensor x = batch[0], y = batch[1];

        GraphFunction<Tensor> a = Fx.function(workload + "_a", new FitBench.CustomLoop(workload)::trainOnBatch);
        a.call(x, y).item();
        String previous = System.setProperty(option[0], option[1]);
        GraphFunction<Tensor> b = Fx.function(workload + "_b", new FitBench.CustomLoop(workload)::trainOnBatch);
        b.call(x, y).item();
        if (previous == null) System.clearProperty(option[0]); else System.setProperty(option[0], previous);

        // warm up both for 10 s (at least 3 rounds): short steps need thousands of calls before the JIT has compiled
        // every kernel and generated loop
        long warmUntil = System.nanoTime() + 10_000_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < warmUntil; i++) { time(a, x, y, steps); time(b, x, y, steps); }
        double[] ta = new double[pairs], tb = new double[pairs], ratio = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            boolean aFirst = i % 2 == 0;
            double first = time(aFirst ? a : b, x, y, steps), second = time(aFirst ? b : a, x, y, steps);
            ta[i] = aFirst ? first : second;
            tb[i] = aFirst ? second : first;
            ratio[i] = tb[i] / ta[i];
        }
        System.out.println("CPU: " + MatmulBench.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; load average " + MatmulBench.loadAverage());
        System.out.printf("%s, %d pairs of %d steps: A (default) %.2f ms/step, B (%s) %.2f ms/step, median B/A %.3f%n", workload, pairs, steps,
                median(ta), args[1], median(tb), median(ratio));
    }

    /** Mean milliseconds per step over {@code steps} calls. */
    private static double time(GraphFunction<Tensor> step, Tensor x, Tensor y, int steps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.call(x, y).item();
        return (System.nanoTime() - t0) / 1e6 / steps;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
