package dev.fluxion.bench;

import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.cpu.kernels.Sgemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * How close the sgemm kernel runs to the core's arithmetic peak at this moment: a loop of 12 independent fused
 * multiply-add chains on the preferred vector species (the peak), then a single-threaded product (by default
 * 128x256x128, whose operands stay in cache: the micro-kernel with its packing), alternately, each timed by the thread's CPU time.
 * Prints both in GFLOP/s per round and the median ratio. On a shared machine the peak itself moves from minute to
 * minute; the ratio is the figure that says whether the kernel or the machine is slow.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -Dfluxion.threads=1 -cp core/target/classes:bench/target/classes
 * dev.fluxion.bench.PeakBench [rounds] [MxKxN]}
 */
public final class PeakBench {
    private PeakBench() {}

    private static final VectorSpecies<Float> S = KernelConfig.FLOATS;
    private static final ThreadMXBean CLOCK = ManagementFactory.getThreadMXBean();
    /** Keeps the FMA chains' result alive. */
    static volatile float sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String[] shape = (args.length > 1 ? args[1] : "128x256x128").split("x");
        int m = Integer.parseInt(shape[0]), k = Integer.parseInt(shape[1]), n = Integer.parseInt(shape[2]);
        Random rnd = new Random(1);
        float[] a = MatmulBench.random(rnd, m * k), b = MatmulBench.random(rnd, k * n), c = new float[m * n];
        int iters = 1_000_000;
        double peakFlops = 12.0 * S.length() * 2 * iters, gemmFlops = 2.0 * m * n * k;
        double[] peak = new double[rounds], gemm = new double[rounds], ratio = new double[rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms both up
            double p = gflops(() -> sink = fmaChains(iters), peakFlops);
            double g = gflops(() -> Sgemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false), gemmFlops);
            if (r < 0) continue;
            peak[r] = p;
            gemm[r] = g;
            ratio[r] = g / p;
            System.out.printf(Locale.ROOT, "round %d: FMA peak %.1f GFLOP/s, sgemm %dx%dx%d %.1f GFLOP/s, ratio %.2f%n",
                    r + 1, p, m, k, n, g, g / p);
        }
        System.out.printf(Locale.ROOT, "species %s, load average %s: median peak %.1f, median sgemm %.1f, median ratio %.2f%n",
                S, MatmulBench.loadAverage(), median(peak), median(gemm), median(ratio));
    }

    private static float fmaChains(int iters) {
        FloatVector x = FloatVector.broadcast(S, 1.0001f), y = FloatVector.broadcast(S, 0.9999f);
        FloatVector c0 = x, c1 = x, c2 = x, c3 = x, c4 = x, c5 = x, c6 = x, c7 = x, c8 = x, c9 = x, c10 = x, c11 = x;
        for (int i = 0; i < iters; i++) {
            // each chain is the addend (as in the micro-kernels): vfmadd231 in place, no register copies
            c0 = x.fma(y, c0); c1 = x.fma(y, c1); c2 = x.fma(y, c2); c3 = x.fma(y, c3);
            c4 = x.fma(y, c4); c5 = x.fma(y, c5); c6 = x.fma(y, c6); c7 = x.fma(y, c7);
            c8 = x.fma(y, c8); c9 = x.fma(y, c9); c10 = x.fma(y, c10); c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** Median GFLOP/s of 5 runs of about 0.1 s of CPU time each, after a warm-up. */
    private static double gflops(Runnable call, double flopsPerCall) {
        for (int i = 0; i < 3; i++) call.run();
        long t0 = CLOCK.getCurrentThreadCpuTime();
        int reps = 0;
        while (CLOCK.getCurrentThreadCpuTime() - t0 < 100_000_000L) {
            call.run();
            reps++;
        }
        double[] g = new double[5];
        for (int r = 0; r < g.length; r++) {
            long s = CLOCK.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) call.run();
            g[r] = flopsPerCall * reps / (CLOCK.getCurrentThreadCpuTime() - s);
        }
        return median(g);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
