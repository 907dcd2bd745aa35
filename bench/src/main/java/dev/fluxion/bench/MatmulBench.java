package dev.fluxion.bench;

import dev.fluxion.cpu.kernels.Conv2dGeometry;
import dev.fluxion.cpu.kernels.Conv2dKernels;
import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.cpu.kernels.Sgemm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * GFLOP/s of the float32 kernels: sgemm at 128x784x128, 512^3 and 2048^3, and conv2d forward / input gradient /
 * filter gradient at the seed CIFAR model's and the MNIST cnn's shapes (batch 128), on 1 and 2 threads. Each thread
 * count runs in its own JVM ({@code -Dfluxion.threads=N}, read once by KernelConfig); each case is warmed up, then
 * timed several times, and the median (and the best) run is reported as a markdown table.
 *
 * <p>Run: {@code mvn -q -o install -DskipTests && java --add-modules jdk.incubator.vector
 * -cp core/target/classes:bench/target/classes dev.fluxion.bench.MatmulBench [quick]}
 */
public final class MatmulBench {
    private MatmulBench() {}

    private static final int[] THREAD_COUNTS = {1, 2};

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("quick");
        if (Arrays.asList(args).contains("--child")) {
            child(quick);
            return;
        }
        System.out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores; Java "
                + Runtime.version() + "; species " + KernelConfig.FLOATS + (KernelConfig.SIMD ? "" : " (SIMD off)"));
        Map<String, double[]> median = new LinkedHashMap<>(), best = new LinkedHashMap<>();
        for (int t = 0; t < THREAD_COUNTS.length; t++) {
            // other processes skew the numbers: the load average before and after shows whether the machine was idle
            String before = loadAverage();
            List<String> lines = runChild(THREAD_COUNTS[t], quick);
            System.out.println(THREAD_COUNTS[t] + " thread(s): load average before " + before + ", after "
                    + loadAverage());
            for (String line : lines) {
                String[] f = line.split("\t"); // RESULT, case, median, best
                median.computeIfAbsent(f[1], k -> new double[THREAD_COUNTS.length])[t] = Double.parseDouble(f[2]);
                best.computeIfAbsent(f[1], k -> new double[THREAD_COUNTS.length])[t] = Double.parseDouble(f[3]);
            }
        }
        System.out.println();
        System.out.println("| kernel | 1 thread GFLOP/s (median / best) | 2 threads GFLOP/s (median / best) |");
        System.out.println("|---|---|---|");
        for (var e : median.entrySet()) {
            double[] m = e.getValue(), b = best.get(e.getKey());
            System.out.printf(Locale.ROOT, "| %s | %.1f / %.1f | %.1f / %.1f |%n", e.getKey(), m[0], b[0], m[1], b[1]);
        }
    }

    /** Runs this class in a fresh JVM with the given thread count and returns its RESULT lines. */
    private static List<String> runChild(int threads, boolean quick) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dfluxion.threads=" + threads, "-cp", System.getProperty("java.class.path"),
                MatmulBench.class.getName(), "--child"));
        if (quick) cmd.add("quick");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> results = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT\t")) results.add(line);
                else System.out.println("[" + threads + " thread" + (threads > 1 ? "s" : "") + "] " + line);
            }
        }
        if (p.waitFor() != 0) throw new IllegalStateException("benchmark child failed with exit code " + p.exitValue());
        return results;
    }

    private static void child(boolean quick) {
        // JIT compilation of the vector kernels takes a second or two: warm up well past it
        double warmSeconds = quick ? 1.5 : 3, runSeconds = quick ? 0.1 : 0.3;
        int runs = quick ? 5 : 9;
        Random rnd = new Random(42);
        for (int[] s : new int[][] {{128, 784, 128}, {512, 512, 512}, {2048, 2048, 2048}}) {
            int m = s[0], k = s[1], n = s[2];
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
            report("sgemm " + m + "x" + k + "x" + n, 2.0 * m * n * k,
                    () -> Sgemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false),
                    warmSeconds, runSeconds, runs);
        }
        Object[][] convs = {
            {"CIFAR conv 32x32x3->32 same", same(128, 32, 32, 3, 32)},
            {"CIFAR conv 16x16x32->64 same", same(128, 16, 16, 32, 64)},
            {"CIFAR conv 8x8x64->128 same", same(128, 8, 8, 64, 128)},
            {"MNIST conv 28x28x1->32 valid", valid(128, 28, 28, 1, 32)},
            {"MNIST conv 13x13x32->64 valid", valid(128, 13, 13, 32, 64)},
        };
        for (Object[] cv : convs) {
            String name = (String) cv[0];
            Conv2dGeometry g = (Conv2dGeometry) cv[1];
            float[] x = random(rnd, g.n() * g.h() * g.w() * g.c()), w = random(rnd, g.kh() * g.kw() * g.c() * g.o());
            float[] y = new float[g.n() * g.oh() * g.ow() * g.o()], dy = random(rnd, y.length);
            float[] dx = new float[x.length], dw = new float[w.length];
            double flops = 2.0 * g.n() * g.oh() * g.ow() * g.kh() * g.kw() * g.c() * g.o();
            report(name + " forward", flops, () -> Conv2dKernels.forward(g, x, 0, w, 0, y, 0),
                    warmSeconds, runSeconds, runs);
            report(name + " backprop input", flops, () -> Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 0),
                    warmSeconds, runSeconds, runs);
            report(name + " backprop filter", flops, () -> Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 0),
                    warmSeconds, runSeconds, runs);
        }
    }

    /** Warms up, then times {@code runs} runs of about runSeconds each; prints "RESULT\tname\tmedian\tbest". */
    private static void report(String name, double flopsPerCall, Runnable call, double warmSeconds, double runSeconds,
                               int runs) {
        long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
        long calls = 0, t0 = System.nanoTime();
        while (System.nanoTime() < warmEnd || calls < 3) {
            call.run();
            calls++;
        }
        double secondsPerCall = (System.nanoTime() - t0) / 1e9 / calls;
        int reps = (int) Math.max(1, runSeconds / secondsPerCall);
        double[] gflops = new double[runs];
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) call.run();
            gflops[r] = flopsPerCall * reps / (System.nanoTime() - start);
        }
        Arrays.sort(gflops);
        System.out.printf(Locale.ROOT, "RESULT\t%s\t%.2f\t%.2f%n", name, gflops[runs / 2], gflops[runs - 1]);
    }

    private static Conv2dGeometry same(int n, int h, int w, int c, int o) {
        return new Conv2dGeometry(n, h, w, c, 3, 3, o, h, w, 1, 1, 1, 1, 1, 1);
    }

    private static Conv2dGeometry valid(int n, int h, int w, int c, int o) {
        return new Conv2dGeometry(n, h, w, c, 3, 3, o, h - 2, w - 2, 1, 1, 1, 1, 0, 0);
    }

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    /** The 1-minute load average from /proc/loadavg, or "?" where there is none. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** "model name" from /proc/cpuinfo, with the widest AVX level its flags list. */
    private static String cpuModel() {
        String model = System.getProperty("os.arch"), simd = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) model = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("flags") && simd.isEmpty()) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split(" "));
                    simd = flags.contains("avx512f") ? " (avx512f)"
                            : flags.contains("avx2") ? " (avx2, no avx512)" : "";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep os.arch
        }
        return model + simd;
    }
}
