package dev.fluxion.bench;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.random.Rng;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Eager elementwise ops and a reduction on float32 tensors of 1K to 16M elements: microseconds per call (best of 5
 * timed runs), the bandwidth that implies (bytes read + written), the same process's {@code System.arraycopy} of the
 * same bytes as a memory-speed reference, what allocating a new array of n floats costs alone (every eager op's
 * output is one), and PyTorch's time for the same op and size measured right after by
 * {@code bench/torch_elementwise.py} (2 threads, {@code OPENBLAS_NUM_THREADS=1}). Small sizes show the fixed cost of
 * an eager op; large ones whether a pass runs at memory speed.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp core/target/classes:bench/target/classes
 * dev.fluxion.bench.ElementwiseBench [nopython]}
 */
public final class ElementwiseBench {
    private ElementwiseBench() {}

    private static final int[] SIZES = {1 << 10, 1 << 16, 1 << 20, 1 << 24};
    /** name, floats moved per element (reads + writes), the op. */
    private static final List<Object[]> OPS = List.of(
            new Object[] {"add", 3, (BinaryOperator<Tensor>) Tensor::add},
            new Object[] {"mul_scalar", 2, (BinaryOperator<Tensor>) (a, b) -> a.mul(1.5)},
            new Object[] {"exp", 2, (BinaryOperator<Tensor>) (a, b) -> a.exp()},
            new Object[] {"relu", 2, (BinaryOperator<Tensor>) (a, b) -> a.relu()},
            new Object[] {"sum", 1, (BinaryOperator<Tensor>) (a, b) -> a.sum()});

    public static void main(String[] args) throws Exception {
        boolean python = !List.of(args).contains("nopython") && Files.exists(Path.of("/usr/bin/python3"))
                && Files.exists(Path.of("bench/torch_elementwise.py"));
        System.out.println("CPU: " + MatmulBench.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; load average " + MatmulBench.loadAverage());
        Map<String, Double> fluxion = new HashMap<>(), copy = new HashMap<>(), fresh = new HashMap<>();
        Rng rng = new Rng(5);
        // every op and size first, for several seconds: C2 compiles the large Vector API kernels slowly on a busy
        // 2-core machine, and until then they run 50-500x slower (a first timing of exp at 1K gave 2.5 ms a call)
        long warmEnd = System.nanoTime() + 6_000_000_000L;
        while (System.nanoTime() < warmEnd)
            for (int n : SIZES) {
                Tensor a = rng.uniform(new int[] {n}, DType.FLOAT32);
                for (Object[] op : OPS) {
                    @SuppressWarnings("unchecked") BinaryOperator<Tensor> f = (BinaryOperator<Tensor>) op[2];
                    for (int i = 0; i < (n < 1 << 20 ? 50 : 2); i++) f.apply(a, a);
                }
            }
        for (int n : SIZES) {
            Tensor a = rng.uniform(new int[] {n}, DType.FLOAT32), b = rng.uniform(new int[] {n}, DType.FLOAT32);
            float[] src = new float[n], dst = new float[n];
            fresh.put("" + n, micros(() -> sink = new float[n])); // what an eager op's new output costs by itself
            for (Object[] op : OPS) {
                @SuppressWarnings("unchecked") BinaryOperator<Tensor> f = (BinaryOperator<Tensor>) op[2];
                fluxion.put(op[0] + " " + n, micros(() -> f.apply(a, b)));
                int floats = (int) op[1];
                // arraycopy moves 2 floats per element (read + write): scale to this op's traffic
                copy.put(op[0] + " " + n, micros(() -> System.arraycopy(src, 0, dst, 0, n)) * floats / 2);
            }
        }
        Map<String, Double> torch = python ? torch() : Map.of();
        System.out.println("| op | elements | Fluxion µs | GB/s | arraycopy of the same bytes, µs | new float[n], µs | PyTorch µs | PyTorch ÷ Fluxion |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int n : SIZES)
            for (Object[] op : OPS) {
                String key = op[0] + " " + n;
                double us = fluxion.get(key), gbs = (double) n * 4 * (int) op[1] / (us * 1e3);
                Double t = torch.get(key);
                System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.1f | %.2f | %.2f | %s | %s |%n", op[0], n, us, gbs,
                        copy.get(key), fresh.get("" + n), t == null ? "" : String.format(Locale.ROOT, "%.2f", t),
                        t == null ? "" : String.format(Locale.ROOT, "%.2f", t / us));
            }
    }

    /** Keeps the allocation of the {@code new float[n]} timing from being optimized away. */
    static volatile Object sink;

    /** Best of 5 runs of about 50 ms each, after a warm-up: microseconds per call. */
    private static double micros(Runnable call) {
        long end = System.nanoTime() + 300_000_000L;
        int reps = 0;
        while (System.nanoTime() < end) {
            call.run();
            reps++;
        }
        reps = Math.max(1, reps / 6);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) call.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / reps);
        }
        return best;
    }

    private static Map<String, Double> torch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "bench/torch_elementwise.py", "2");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Double> out = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t");
                if (f.length == 3 && f[0].equals("RESULT")) out.put(f[1], Double.parseDouble(f[2]));
            }
        }
        p.waitFor();
        return out;
    }
}
