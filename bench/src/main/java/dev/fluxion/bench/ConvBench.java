package dev.fluxion.bench;

import dev.fluxion.cpu.kernels.Conv2dGeometry;
import dev.fluxion.cpu.kernels.Conv2dKernels;
import dev.fluxion.cpu.kernels.KernelConfig;

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
 * GFLOP/s of the float32 conv2d kernels (forward, input gradient, filter gradient) at the seed CIFAR model's and the
 * MNIST cnn's shapes plus one stride-2 layer (batch 128, 3x3 filters), on 1 and 2 threads, next to PyTorch's figures
 * for the same shapes measured right after in the same run ({@code bench/torch_conv.py}, best of NCHW and
 * channels-last, {@code OPENBLAS_NUM_THREADS=1}). Each Fluxion thread count runs in its own JVM
 * ({@code -Dfluxion.threads=N}); medians of several timed runs after a warm-up. One-thread runs (both libraries) are
 * timed by the thread's CPU time, which other processes on a shared machine disturb far less than wall time;
 * two-thread runs by wall time.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp core/target/classes:bench/target/classes
 * dev.fluxion.bench.ConvBench [quick] [nopython]}; {@code -Dfluxion.*} kernel switches given to it (such as
 * {@code -Dfluxion.conv.winograd=false}) are passed on to the timed JVMs.
 */
public final class ConvBench {
    private ConvBench() {}

    private static final int[] THREAD_COUNTS = {1, 2};

    /** name, then n, h, w, c, o, padding (1 same, 0 valid), stride: the list torch_conv.py times too. */
    private static final Object[][] SHAPES = {
        {"CIFAR conv 32x32x3->32 same", new int[] {128, 32, 32, 3, 32, 1, 1}},
        {"CIFAR conv 16x16x32->64 same", new int[] {128, 16, 16, 32, 64, 1, 1}},
        {"CIFAR conv 8x8x64->128 same", new int[] {128, 8, 8, 64, 128, 1, 1}},
        {"MNIST conv 28x28x1->32 valid", new int[] {128, 28, 28, 1, 32, 0, 1}},
        {"MNIST conv 13x13x32->64 valid", new int[] {128, 13, 13, 32, 64, 0, 1}},
        {"stride 2 conv 32x32x32->64 same", new int[] {128, 32, 32, 32, 64, 1, 2}},
    };

    public static void main(String[] args) throws Exception {
        List<String> flags = Arrays.asList(args);
        boolean quick = flags.contains("quick");
        if (flags.contains("--child")) {
            child(quick);
            return;
        }
        boolean python = !flags.contains("nopython") && Files.exists(Path.of("/usr/bin/python3"))
                && Files.exists(Path.of("bench/torch_conv.py"));
        System.out.println("CPU: " + MatmulBench.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; Java " + Runtime.version() + "; species " + KernelConfig.FLOATS);
        Map<String, double[]> fluxion = new LinkedHashMap<>(), torch = new LinkedHashMap<>();
        for (int t = 0; t < THREAD_COUNTS.length; t++) {
            int threads = THREAD_COUNTS[t];
            String before = MatmulBench.loadAverage();
            collect(run(javaChild(threads, quick), "fluxion " + threads), fluxion, t);
            if (python) {
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "bench/torch_conv.py", "--threads",
                        String.valueOf(threads)));
                if (quick) cmd.add("--quick");
                collect(run(cmd, "torch " + threads), torch, t);
            }
            System.out.println(threads + " thread(s): load average before " + before + ", after "
                    + MatmulBench.loadAverage());
        }
        System.out.println();
        System.out.println("| conv (batch 128) | Fluxion 1 thread | PyTorch 1 thread | ratio | Fluxion 2 threads "
                + "| PyTorch 2 threads | ratio |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (var e : fluxion.entrySet()) {
            double[] f = e.getValue(), p = torch.getOrDefault(e.getKey(), new double[THREAD_COUNTS.length]);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |%n", e.getKey(),
                    f[0], p[0], p[0] > 0 ? f[0] / p[0] : Double.NaN, f[1], p[1], p[1] > 0 ? f[1] / p[1] : Double.NaN);
        }
    }

    private static List<String> javaChild(int threads, boolean quick) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dfluxion.threads=" + threads));
        // the kernel switches given to this JVM (e.g. -Dfluxion.conv.winograd=false) reach the children
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("fluxion.") && !key.equals("fluxion.threads")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ConvBench.class.getName(), "--child"));
        if (quick) cmd.add("quick");
        return cmd;
    }

    /** Median GFLOP/s of each RESULT line into column {@code column}. */
    private static void collect(List<String> lines, Map<String, double[]> into, int column) {
        for (String line : lines) {
            String[] f = line.split("\t"); // RESULT, case, median, best[, note]
            into.computeIfAbsent(f[1], k -> new double[THREAD_COUNTS.length])[column] = Double.parseDouble(f[2]);
        }
    }

    /** Runs a command (the children print RESULT lines), echoing its other lines; returns the RESULT lines. */
    private static List<String> run(List<String> cmd, String label) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        List<String> results = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[" + label + "] " + line);
                if (line.startsWith("RESULT\t")) results.add(line);
            }
        }
        if (p.waitFor() != 0) throw new IllegalStateException(label + " failed with exit code " + p.exitValue());
        return results;
    }

    private static void child(boolean quick) {
        double warmSeconds = quick ? 1.5 : 3, runSeconds = quick ? 0.1 : 0.3;
        int runs = quick ? 5 : 9;
        Random rnd = new Random(42);
        for (Object[] shape : SHAPES) {
            String name = (String) shape[0];
            Conv2dGeometry g = geometry((int[]) shape[1]);
            float[] x = MatmulBench.random(rnd, (int) (g.n() * (long) g.h() * g.w() * g.c()));
            float[] w = MatmulBench.random(rnd, g.kh() * g.kw() * g.c() * g.o());
            float[] y = new float[g.n() * g.oh() * g.ow() * g.o()], dy = MatmulBench.random(rnd, y.length);
            float[] dx = new float[x.length], dw = new float[w.length];
            double flops = 2.0 * g.n() * g.oh() * g.ow() * g.kh() * g.kw() * g.c() * g.o();
            report(name + " forward", flops, () -> Conv2dKernels.forward(g, x, 0, w, 0, y, 0),
                    warmSeconds, runSeconds, runs);
            report(name + " backprop input", flops,
                    () -> Conv2dKernels.backpropInput(g, dy, 0, w, 0, dx, 0), warmSeconds, runSeconds, runs);
            report(name + " backprop filter", flops,
                    () -> Conv2dKernels.backpropFilter(g, x, 0, dy, 0, dw, 0), warmSeconds, runSeconds, runs);
        }
    }

    private static final ThreadMXBean THREAD_CLOCK = ManagementFactory.getThreadMXBean();

    /**
     * Nanoseconds of the clock a run is timed by: on one thread this thread's CPU time, so that other processes on a
     * shared machine do not count against the kernel (torch_conv.py does the same); on more, wall time.
     */
    private static long now() {
        return KernelConfig.THREADS == 1 ? THREAD_CLOCK.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Warms up, then times {@code runs} runs of about runSeconds each; prints "RESULT\tname\tmedian\tbest". */
    private static void report(String name, double flopsPerCall, Runnable call, double warmSeconds, double runSeconds,
                               int runs) {
        long warmEnd = now() + (long) (warmSeconds * 1e9), calls = 0, t0 = now();
        while (now() < warmEnd || calls < 3) {
            call.run();
            calls++;
        }
        int reps = (int) Math.max(1, runSeconds / ((now() - t0) / 1e9 / calls));
        double[] gflops = new double[runs];
        for (int r = 0; r < runs; r++) {
            long start = now();
            for (int i = 0; i < reps; i++) call.run();
            gflops[r] = flopsPerCall * reps / (now() - start);
        }
        Arrays.sort(gflops);
        System.out.printf(Locale.ROOT, "RESULT\t%s\t%.2f\t%.2f%n", name, gflops[runs / 2], gflops[runs - 1]);
    }

    /** A 3x3 convolution from {n, h, w, c, o, padding, stride}; padding 1 is SAME, 0 VALID. */
    private static Conv2dGeometry geometry(int[] s) {
        int n = s[0], h = s[1], w = s[2], c = s[3], o = s[4], pad = s[5], stride = s[6];
        int oh = (h + 2 * pad - 3) / stride + 1, ow = (w + 2 * pad - 3) / stride + 1;
        return new Conv2dGeometry(n, h, w, c, 3, 3, o, oh, ow, stride, stride, 1, 1, pad, pad);
    }
}
