package dev.fluxion.bench;

import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;

import java.util.Arrays;
import java.util.Locale;

/**
 * Paired A/B timing of an eager-mode option on a reference training step (the seed article's custom loop, run
 * eagerly), for a noisy shared machine: one model trains in one JVM while the system property alternates between
 * the given value (B) and unset (A, the default) every {@code steps} steps, so both see the same background load.
 * Prints the median ms/step of each, the median of the per-pair ratios B / A, and the bytes allocated per step.
 * The option must be one that is read on each call, such as {@code fluxion.eager.fuseLayers=false} (Dense, Conv2D
 * and BatchNormalization op by op).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes>
 * dev.fluxion.bench.EagerAbBench <mlp|cnn|seed> <property=value> [pairs] [steps per half]}
 */
public final class EagerAbBench {
    private EagerAbBench() {}

    public static void main(String[] args) {
        String workload = args[0];
        String[] option = args[1].split("=", 2);
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : workload.equals("seed") ? 4 : workload.equals("cnn") ? 10 : 100;
        Tensor[] batch = FitBench.CustomLoop.syntheticBatch(workload, new Rng(7));
        Tensor x = batch[0], y = batch[1];
        FitBench.CustomLoop loop = new FitBench.CustomLoop(workload);
        for (int i = 0; i < 3; i++) { // warm up both forms
            time(loop, x, y, steps, option, true);
            time(loop, x, y, steps, option, false);
        }
        double[] a = new double[pairs], b = new double[pairs], ratio = new double[pairs];
        double[] aMb = new double[pairs], bMb = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            boolean bFirst = p % 2 == 1; // alternate which half goes first
            if (bFirst) { b[p] = time(loop, x, y, steps, option, true); bMb[p] = lastMegabytesPerStep; }
            a[p] = time(loop, x, y, steps, option, false);
            aMb[p] = lastMegabytesPerStep;
            if (!bFirst) { b[p] = time(loop, x, y, steps, option, true); bMb[p] = lastMegabytesPerStep; }
            ratio[p] = b[p] / a[p];
        }
        System.out.printf(Locale.ROOT, "%s eager, %d pairs of %d steps, load average %s%n", workload, pairs, steps,
                MatmulBench.loadAverage());
        System.out.printf(Locale.ROOT, "A (default): %.2f ms/step; B (%s=%s): %.2f ms/step; B / A: %.3f (range %.3f-%.3f)%n",
                median(a), option[0], option[1], median(b), median(ratio),
                Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0));
        System.out.printf(Locale.ROOT, "allocated per step (all threads): A %.1f MB, B %.1f MB%n", median(aMb), median(bMb));
    }

    private static double time(FitBench.CustomLoop loop, Tensor x, Tensor y, int steps, String[] option, boolean b) {
        if (b) System.setProperty(option[0], option[1]);
        else System.clearProperty(option[0]);
        long bytes0 = allocatedBytes(), t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) loop.trainOnBatch(x, y).item();
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        lastMegabytesPerStep = (allocatedBytes() - bytes0) / 1e6 / steps;
        System.clearProperty(option[0]);
        return ms;
    }

    private static double lastMegabytesPerStep;

    /** Bytes allocated so far by all threads (the kernel threads included). */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getTotalThreadAllocatedBytes();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
