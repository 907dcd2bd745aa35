package dev.fluxion.bench;

import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.cpu.kernels.Sgemm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * GFLOP/s of float32 sgemm at 128x784x128, 512^3 and 2048^3, on 1 and 2 threads (convolutions: {@link ConvBench}).
 * Each thread count runs in its own JVM ({@code -Dfluxion.threads=N}, read once by KernelConfig); every shape is run
 * once first so that the JIT has seen every path, then each is warmed up and timed several times, and the median (and
 * the best) run is reported as a markdown table.
 *
 * <p>Run: {@code mvn -q -o install -DskipTests && java --add-modules jdk.incubator.vector
 * -cp core/target/classes:bench/target/classes dev.fluxion.bench.MatmulBench [quick] [sgemm]}; {@code sgemm} adds
 * the MLP's awkward shapes and the transposes backprop uses ({@code /usr/bin/python3 bench/sgemm_compare.py} runs them
 * interleaved with numpy/OpenBLAS). {@code --shapes S...} times only the given shapes, written "MxKxN" with an
 * optional "-TN"/"-NT" suffix (for example {@code --shapes 128x784x128 784x128x128-TN}); the numpy side of the same
 * shapes: {@code OPENBLAS_NUM_THREADS=N /usr/bin/python3 bench/sgemm_compare.py --numpy N "784x128x128 TN" ...}.
 */
public final class MatmulBench {
    private MatmulBench() {}

    private static final int[] THREAD_COUNTS = {1, 2};

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("quick"), sgemmOnly = Arrays.asList(args).contains("sgemm");
        int at = Arrays.asList(args).indexOf("--shapes");
        String[] only = at < 0 ? null : Arrays.stream(args, at + 1, args.length).filter(a -> a.matches("\\d+x.*"))
                .map(a -> a.replace('-', ' ')).toArray(String[]::new);
        if (Arrays.asList(args).contains("--child")) {
            child(quick, only != null ? only : sgemmOnly ? SGEMM_SHAPES : SGEMM_SHAPES_DEFAULT);
            return;
        }
        System.out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores; Java "
                + Runtime.version() + "; species " + KernelConfig.FLOATS + (KernelConfig.SIMD ? "" : " (SIMD off)"));
        Map<String, double[]> median = new LinkedHashMap<>(), best = new LinkedHashMap<>();
        for (int t = 0; t < THREAD_COUNTS.length; t++) {
            // other processes skew the numbers: the load average before and after shows whether the machine was idle
            String before = loadAverage();
            List<String> lines = runChild(THREAD_COUNTS[t], quick, sgemmOnly, only);
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
    private static List<String> runChild(int threads, boolean quick, boolean sgemmOnly, String[] only)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dfluxion.threads=" + threads, "-cp", System.getProperty("java.class.path"),
                MatmulBench.class.getName(), "--child"));
        if (quick) cmd.add("quick");
        if (sgemmOnly) cmd.add("sgemm");
        if (only != null) {
            cmd.add("--shapes");
            for (String shape : only) cmd.add(shape.replace(' ', '-'));
        }
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

    /**
     * sgemm shapes "MxKxN" with an optional transpose suffix: "TN" is Aᵀ·B (A stored k x m), "NT" is A·Bᵀ (B stored
     * n x k). The MLP's backprop shapes are here: Dense 784→128 and 128→10 at batch 128, forward and both gradients.
     * bench/sgemm_compare.py times the same list with numpy, interleaved.
     */
    static final String[] SGEMM_SHAPES = {"128x784x128", "784x128x128 TN", "128x128x784 NT", "128x128x10",
        "128x128x10 TN", "128x10x128 NT", "128x10x128", "512x512x512", "2048x2048x2048"};
    private static final String[] SGEMM_SHAPES_DEFAULT = {"128x784x128", "512x512x512", "2048x2048x2048"};

    /** A runnable sgemm of the given shape ("MxKxN" with an optional "TN"/"NT" transpose suffix) on random data. */
    private static Runnable sgemmCall(Random rnd, String shape) {
        String[] f = shape.split("[x ]");
        int m = Integer.parseInt(f[0]), k = Integer.parseInt(f[1]), n = Integer.parseInt(f[2]);
        boolean ta = f.length > 3 && f[3].charAt(0) == 'T', tb = f.length > 3 && f[3].charAt(1) == 'T';
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        return () -> Sgemm.sgemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
    }

    private static double sgemmFlops(String shape) {
        String[] f = shape.split("[x ]");
        return 2.0 * Integer.parseInt(f[0]) * Integer.parseInt(f[1]) * Integer.parseInt(f[2]);
    }

    private static void child(boolean quick, String[] shapes) {
        // JIT compilation of the vector kernels takes a second or two: warm up well past it
        double warmSeconds = quick ? 1.5 : 3, runSeconds = quick ? 0.1 : 0.3;
        int runs = quick ? 5 : 9;
        Random rnd = new Random(42);
        Runnable[] calls = new Runnable[shapes.length];
        for (int i = 0; i < shapes.length; i++) calls[i] = sgemmCall(rnd, shapes[i]);
        // every shape first, so that the JIT's profile has seen every path before anything is timed (a path taken
        // for the first time later recompiles the kernels, and until then they run unoptimized)
        for (int round = 0; round < 2; round++) {
            for (Runnable call : calls) {
                long end = System.nanoTime() + (long) (warmSeconds / 3 * 1e9);
                do call.run(); while (System.nanoTime() < end);
            }
        }
        for (int i = 0; i < shapes.length; i++) {
            report("sgemm " + shapes[i], sgemmFlops(shapes[i]), calls[i], warmSeconds / 2, runSeconds, runs);
        }
    }

    /**
     * Warms up, then times {@code runs} runs of about runSeconds each; prints "RESULT\tname\tmedian\tbest\tcpu", cpu
     * being the median GFLOP/s over the calling thread's CPU time (on one thread it leaves out the time other
     * processes took the core, the shared machine's main noise).
     */
    static void report(String name, double flopsPerCall, Runnable call, double warmSeconds, double runSeconds,
                       int runs) {
        long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
        long calls = 0, t0 = System.nanoTime();
        while (System.nanoTime() < warmEnd || calls < 3) {
            call.run();
            calls++;
        }
        double secondsPerCall = (System.nanoTime() - t0) / 1e9 / calls;
        int reps = (int) Math.max(1, runSeconds / secondsPerCall);
        double[] gflops = new double[runs], cpuGflops = new double[runs];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime(), cpuStart = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) call.run();
            gflops[r] = flopsPerCall * reps / (System.nanoTime() - start);
            cpuGflops[r] = flopsPerCall * reps / Math.max(1, mx.getCurrentThreadCpuTime() - cpuStart);
        }
        Arrays.sort(gflops);
        Arrays.sort(cpuGflops);
        System.out.printf(Locale.ROOT, "RESULT\t%s\t%.2f\t%.2f\t%.2f%n", name, gflops[runs / 2], gflops[runs - 1],
                cpuGflops[runs / 2]);
    }

    static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    /** The 1-minute load average from /proc/loadavg, or "?" where there is none. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** "model name" from /proc/cpuinfo, with the widest AVX level its flags list. */
    static String cpuModel() {
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
