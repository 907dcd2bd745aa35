package dev.fluxion.bench;

import dev.fluxion.DType;
import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.cpu.kernels.KernelConfig;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Activation;
import dev.fluxion.nn.layers.BatchNormalization;
import dev.fluxion.nn.layers.Conv2D;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.layers.Dropout;
import dev.fluxion.nn.layers.Flatten;
import dev.fluxion.nn.layers.MaxPooling2D;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.Adam;
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
 * for seed). With {@code -Dfluxion.graph.profile=true} it prints the graph profile of the Fluxion step.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp <core, data, nn, bench classes>
 * dev.fluxion.bench.EpochBench [cnn|seed|all] [steps] [nopython]}
 */
public final class EpochBench {
    private EpochBench() {}

    private static final int BATCH = 128;

    /** MNIST cnn: Conv(32, valid) relu, pool, Conv(64, valid) relu, pool, Flatten, Dropout(0.5), Dense(10). */
    static Sequential cnn() {
        return Sequential.of(Input.shape(28, 28, 1), new Conv2D(32, 3).activation("relu"), new MaxPooling2D(2),
                new Conv2D(64, 3).activation("relu"), new MaxPooling2D(2), new Flatten(), new Dropout(0.5, 1L),
                new Dense(10));
    }

    /** The seed article's CIFAR-10 model: 3 x (Conv same no bias, BatchNorm, ELU, pool), Dense(512, elu), Dense(10). */
    static Sequential seed() {
        return Sequential.of(Input.shape(32, 32, 3),
                new Conv2D(32, 3).padding("same").useBias(false), new BatchNormalization(), Activation.elu(),
                new MaxPooling2D(2),
                new Conv2D(64, 3).padding("same").useBias(false), new BatchNormalization(), Activation.elu(),
                new MaxPooling2D(2),
                new Conv2D(128, 3).padding("same").useBias(false), new BatchNormalization(), Activation.elu(),
                new MaxPooling2D(2),
                new Flatten(), new Dense(512, "elu"), new Dense(10));
    }

    /** The custom training loop's step: loss, tape gradients, Adam. */
    private static final class Trainer {
        final Sequential model;
        final SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true);
        final Adam optimizer = new Adam(1e-3);

        Trainer(Sequential model) {
            this.model = model;
        }

        Tensor trainOnBatch(Tensor x, Tensor y) {
            try (var tape = new GradientTape()) {
                Tensor value = loss.call(y, model.call(x, true));
                optimizer.applyGradients(tape.gradient(value, model.trainableVariables()), model.trainableVariables());
                return value;
            }
        }
    }

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
            int[] shape = isCnn ? new int[] {28, 28, 1} : new int[] {32, 32, 3};
            Trainer trainer = new Trainer(isCnn ? cnn() : seed());
            GraphFunction<Tensor> step = Fx.function(workload + "_step", trainer::trainOnBatch);
            Rng data = new Rng(7);
            // a few distinct synthetic batches, cycled (the data pipeline is timed by PipelineBench)
            Tensor[] xs = new Tensor[4], ys = new Tensor[4];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = data.uniform(new int[] {BATCH, shape[0], shape[1], shape[2]}, DType.FLOAT32);
                ys[i] = data.uniform(new int[] {BATCH}, 0, 10).cast(DType.INT32);
            }
            Runnable round = () -> {
                for (int i = 0; i < steps; i++) step.call(xs[i % xs.length], ys[i % ys.length]).item();
            };
            round.run(); // trace and warm up
            double[] fluxion = new double[4];
            for (int r = 0; r < 2; r++) fluxion[r] = timeSeconds(round) / steps;
            double torchMs = python ? torch(workload, steps) : Double.NaN;
            for (int r = 2; r < 4; r++) fluxion[r] = timeSeconds(round) / steps;
            Arrays.sort(fluxion);
            double fluxionMs = (fluxion[1] + fluxion[2]) / 2 * 1e3;
            if (Boolean.getBoolean("fluxion.graph.profile")) System.out.println(step.profile());
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
