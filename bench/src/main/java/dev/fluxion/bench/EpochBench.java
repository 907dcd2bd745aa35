package dev.fluxion.bench;

import dev.fluxion.Fx;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.random.Rng;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seconds per training epoch of the cnn and seed reference workloads (see ../shared/bench/README.md) as a Fluxion
 * graph function (the seed article's custom loop: a tape step compiled with {@code Fx.function}), next to PyTorch
 * eager at its best setting ({@code torch_baseline.py --threads 2}, {@code OPENBLAS_NUM_THREADS=1}) run by this
 * program in between two Fluxion rounds. PyTorch gets Fluxion's thread count ({@code -Dfluxion.threads}, 2 on the
 * development VM by default), so {@code -Dfluxion.threads=1} compares both on one thread. Both time a fixed number
 * of steps on synthetic uniform data of the real shapes (batch 128) and scale to an epoch (469 steps for cnn, 391
 * for seed), and the bytes a Fluxion step allocates. With {@code -Dfluxion.graph.profile=true} it prints the graph
 * profile of the Fluxion step.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes>
 * dev.fluxion.bench.EpochBench [cnn|seed|all] [steps] [nopython]}
 */
public final class EpochBench {
    private EpochBench() {}


    public static void main(String[] args) throws Exception {
        List<String> flags = Arrays.asList(args);
        String which = args.length > 0 && !args[0].matches("\\d+") ? args[0] : "all";
        int steps = flags.stream().filter(a -> a.matches("\\d+")).findFirst().map(Integer::parseInt).orElse(60);
        boolean python = !flags.contains("nopython") && Files.exists(Path.of("/usr/bin/python3"));
        System.out.println("CPU: " + MatmulBench.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; load average " + MatmulBench.loadAverage());
        List<String> rows = new ArrayList<>();
        for (String workload : which.equals("all") ? List.of("cnn", "seed") : List.of(which)) {
            boolean isCnn = workload.equals("cnn");
            int epochSteps = isCnn ? 469 : 391;
            FitBench.CustomLoop trainer = new FitBench.CustomLoop(workload); // the models of FitBench, same step
            GraphFunction<Tensor> step = Fx.function(workload + "_step", trainer::trainOnBatch);
            Rng data = new Rng(7);
            // a few distinct synthetic batches, cycled (the data pipeline is timed by PipelineBench)
            Tensor[] xs = new Tensor[4], ys = new Tensor[4];
            for (int i = 0; i < xs.length; i++) {
                Tensor[] batch = FitBench.CustomLoop.syntheticBatch(workload, data);
                xs[i] = batch[0];
                ys[i] = batch[1];
            }
            Runnable round = () -> {
                for (int i = 0; i < steps; i++) step.call(xs[i % xs.length], ys[i % ys.length]).item();
            };
            round.run(); // trace and warm up
            step.resetProfile(); // the profile covers the timed rounds only
            double[] fluxion = new double[4];
            long bytes0 = EagerAbBench.allocatedBytes();
            for (int r = 0; r < 2; r++) fluxion[r] = timeSeconds(round) / steps;
            double megabytes = (EagerAbBench.allocatedBytes() - bytes0) / 1e6 / (2.0 * steps);
            double torchMs = python ? torch(workload, steps) : Double.NaN;
            for (int r = 2; r < 4; r++) fluxion[r] = timeSeconds(round) / steps;
            Arrays.sort(fluxion);
            double fluxionMs = (fluxion[1] + fluxion[2]) / 2 * 1e3;
            if (Boolean.getBoolean("fluxion.graph.profile")) System.out.println(step.profile());
            System.out.printf("%s: %.1f MB allocated per graph step (all threads)%n", workload, megabytes);
            rows.add(String.format("| %s | %d | %.2f ms (%.1f s) | %.2f ms (%.1f s) | %.2fx |", workload, steps,
                    fluxionMs, fluxionMs * epochSteps / 1e3, torchMs, torchMs * epochSteps / 1e3, torchMs / fluxionMs));
        }
        System.out.println("| workload | steps timed | Fluxion graph step (epoch) | PyTorch eager step (epoch) "
                + "| speed-up |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static double timeSeconds(Runnable body) {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static final Pattern TORCH_MS = Pattern.compile("\\(([0-9.]+) ms/step");

    /** PyTorch eager's median ms/step on the same workload and thread count, or NaN if it did not run. */
    private static double torch(String workload, int steps) throws Exception {
        String script = Files.exists(Path.of("../shared/bench/torch_baseline.py")) ? "../shared/bench/torch_baseline.py"
                : "/work/shared/bench/torch_baseline.py";
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script, workload, "--threads",
                String.valueOf(KernelConfig.THREADS), "--modes",
                "eager", "--steps", String.valueOf(steps)).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        double ms = Double.NaN;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[torch] " + line);
                Matcher m = TORCH_MS.matcher(line);
                if (m.find()) ms = Double.parseDouble(m.group(1));
            }
        }
        p.waitFor();
        return ms;
    }
}
