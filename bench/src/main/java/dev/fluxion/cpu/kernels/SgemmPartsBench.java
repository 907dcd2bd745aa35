package dev.fluxion.cpu.kernels;

import java.util.Locale;
import java.util.Random;

/**
 * sgemm taken apart, for finding where a product's time goes (in this package to reach the engine's parts):
 * <ul>
 *   <li>{@code kernel KC ROWS [strided]}: the micro-kernel alone, ROWS rows of packed A (in L2 when large) against one
 *       packed B panel of KC steps (in L1), twelve rounds of GFLOP/s; {@code strided} reads A as whole rows (the
 *       layout row-major A is packed in on 8-row tiles) instead of step-major panels;</li>
 *   <li>{@code packing N}: microseconds to pack all of A and all of B of an N^3 product block by block, beside the
 *       whole product on one thread;</li>
 *   <li>{@code series N THREADS SECONDS}: an N^3 product repeated for SECONDS, GFLOP/s printed for every 0.3 s, to
 *       see whether speed holds steady or switches between levels during a run.</li>
 * </ul>
 * Run: {@code java --add-modules jdk.incubator.vector -Dfluxion.threads=T -cp core/target/classes:bench/target/classes
 * dev.fluxion.cpu.kernels.SgemmPartsBench MODE ARGS...}
 */
public final class SgemmPartsBench {
    private SgemmPartsBench() {}

    public static void main(String[] args) {
        switch (args.length == 0 ? "" : args[0]) {
            case "kernel" -> kernel(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3);
            case "packing" -> packing(Integer.parseInt(args[1]));
            case "series" -> series(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            default -> System.err.println("usage: SgemmPartsBench kernel KC ROWS [strided] | packing N | series N THREADS SECONDS");
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat();
        return x;
    }

    private static void kernel(int kc, int rows, boolean strided) {
        int mr = GemmMicroKernels.MR, nr = GemmMicroKernels.NR;
        Random rnd = new Random(1);
        float[] a = random(rnd, rows * kc + SgemmPacking.PACK_SLACK), b = random(rnd, kc * nr), c = new float[rows * nr];
        int reps = Math.max(1, (int) (1e9 / (2.0 * rows * nr * kc)));
        for (int round = 0; round < 12; round++) {
            long t0 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int ir = 0; ir + mr <= rows; ir += mr) {
                    if (strided) GemmMicroKernels.strided(kc, a, ir * kc, kc, mr, b, 0, c, ir * nr, nr, true);
                    else GemmMicroKernels.packed(kc, a, ir * kc, b, 0, c, ir * nr, nr, true);
                }
            }
            double s = (System.nanoTime() - t0) * 1e-9;
            System.out.printf(Locale.ROOT, "kernel kc=%d rows=%d %s: %.1f GFLOP/s%n", kc, rows, strided ? "strided" : "packed",
                    2.0 * (rows / mr * mr) * nr * kc * reps / s / 1e9);
        }
    }

    private static void packing(int n) {
        int kc = GemmEngine.KC, mc = GemmEngine.MC, nr = GemmMicroKernels.NR;
        Random rnd = new Random(1);
        float[] a = random(rnd, n * n), b = random(rnd, n * n), c = new float[n * n];
        float[] ap = new float[mc * kc + SgemmPacking.PACK_SLACK], bp = new float[kc * ((n + nr - 1) / nr * nr)];
        SgemmPacking.Left left = SgemmPacking.Left.of(false, a, 0, n);
        SgemmPacking.Right right = SgemmPacking.Right.of(false, b, 0, n);
        for (int round = 0; round < 10; round++) {
            int reps = 50;
            long t0 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++)
                for (int ic = 0; ic < n; ic += mc)
                    for (int p0 = 0; p0 < n; p0 += kc) left.pack(ic, Math.min(mc, n - ic), p0, Math.min(kc, n - p0), ap);
            long t1 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++)
                for (int p0 = 0; p0 < n; p0 += kc)
                    for (int j = 0; j < n; j += nr)
                        right.pack(p0, Math.min(kc, n - p0), j, Math.min(nr, n - j), bp, j / nr * kc * nr);
            long t2 = System.nanoTime();
            for (int rep = 0; rep < 5; rep++) Sgemm.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false, 1);
            long t3 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%d^3: pack A %.1f us, pack B %.1f us, product %.1f us (one thread)%n", n,
                    (t1 - t0) / 1e3 / reps, (t2 - t1) / 1e3 / reps, (t3 - t2) / 1e3 / 5);
        }
    }

    private static void series(int n, int threads, double seconds) {
        Random rnd = new Random(1);
        float[] a = random(rnd, n * n), b = random(rnd, n * n), c = new float[n * n];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        StringBuilder out = new StringBuilder();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int reps = 0;
            do {
                Sgemm.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false, threads);
                reps++;
            } while (System.nanoTime() - t0 < 300_000_000L);
            out.append(String.format(Locale.ROOT, "%.0f ", 2.0 * n * n * n * reps / ((System.nanoTime() - t0) * 1e-9) / 1e9));
        }
        System.out.println(n + "^3 on " + threads + " thread(s), GFLOP/s per 0.3 s: " + out.toString().trim());
    }
}
