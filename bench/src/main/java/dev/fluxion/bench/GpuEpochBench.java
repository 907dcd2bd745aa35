package dev.fluxion.bench;

import dev.fluxion.ArrayOps;
import dev.fluxion.DType;
import dev.fluxion.Device;
import dev.fluxion.Fx;
import dev.fluxion.Ops;
import dev.fluxion.Tensor;
import dev.fluxion.backend.Backends;
import dev.fluxion.cuda.CudaBackend;
import dev.fluxion.cuda.CudaRuntime;
import dev.fluxion.cuda.memory.CachingAllocator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Datasets;
import dev.fluxion.data.TrainTest;
import dev.fluxion.graph.GraphFunction;
import dev.fluxion.nn.callbacks.ModelCheckpoint;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.SparseCategoricalAccuracy;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.random.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * One training epoch of each reference workload (../shared/bench/README.md) on a GPU, eagerly and as a graph
 * function (the seed article's custom loop: a tape step, compiled with {@code Fx.function}) called per batch and
 * with {@code callEach} over the whole epoch's batches, printed beside the
 * reference timings measured on an H200 (../shared/gpu/README.md). Both modes time a fixed number of steps on
 * synthetic data of the real shapes, already on the GPU (batch 128), after a warm-up, and scale to an epoch; every
 * step runs in an allocation scope, and the device is synchronized only at the end of a round, as a PyTorch loop
 * that never reads its loss would be.
 *
 * <p>Other modes: {@code mnist} trains the cnn on real MNIST for one epoch as a graph function on the GPU and
 * checks the test accuracy (exit code 1 below 97%), the convergence check of the GPU suite ({@code mnist-each}: the
 * same epoch as one {@code callEach} over the stacked batches); {@code fit} ({@code fit-grouped}: 8 batches per call
 * of the train step) does the
 * same through {@code compile}/{@code fit}/{@code evaluate}/{@code predict} with validation and a best-model
 * checkpoint; {@code ops} measures the host cost of one eager op. {@code -Dfluxion.bench.device=cpu} runs any mode
 * on the CPU instead, to check this program without a GPU.
 *
 * <p>Run on a machine with an NVIDIA driver: {@code java --add-modules jdk.incubator.vector
 * --enable-native-access=ALL-UNNAMED -cp <jars> dev.fluxion.bench.GpuEpochBench [mlp,cnn,seed|mnist|fit|ops] [steps]
 * [graph]}
 * ({@code graph}: the graph functions alone). {@code FLUXION_TORCH_LOG} names the output of
 * {@code bench/gpu/torch_gpu_reference.py} from the same machine, for the speed-up column; with
 * {@code -Dfluxion.graph.profile=true} each graph function prints where its step spends the time.
 */
public final class GpuEpochBench {
    private GpuEpochBench() {}

    /** The device to train on: cuda:0, or {@code -Dfluxion.bench.device=cpu} for a dry run of this program. */
    private static final Device GPU = Device.parse(System.getProperty("fluxion.bench.device", "cuda:0"));
    private static final int BATCH = 128;
    /** ../shared/gpu/README.md, H200: PyTorch eager, PyTorch whole-step CUDA graph, JAX whole-epoch jit (ms/epoch). */
    private static final Map<String, double[]> REFERENCE_MS = Map.of(
            "mlp", new double[] {719, 108, 15.7}, "cnn", new double[] {1016, 226, 111}, "seed", new double[] {1108, 432, 200});

    public static void main(String[] args) throws Exception {
        if (!GPU.equals(Device.CPU) && !CudaRuntime.isAvailable()) {
            System.out.println("no CUDA driver or device: nothing to measure");
            System.exit(2);
        }
        String which = args.length > 0 ? args[0] : "mlp,cnn,seed";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        boolean graphOnly = args.length > 2 && args[2].equals("graph");
        Map<String, Double> torch = torchMsPerStep(System.getenv("FLUXION_TORCH_LOG"));
        if (which.equals("mnist") || which.equals("mnist-each")) {
            System.exit(trainMnist(which.equals("mnist-each")) >= 0.97 ? 0 : 1);
        }
        if (which.equals("fit") || which.equals("fit-grouped")) {
            System.exit(fitMnist(which.equals("fit-grouped") ? 8 : 1) >= 0.97 ? 0 : 1);
        }
        if (which.equals("ops")) {
            eagerOpCost();
            return;
        }
        List<String> rows = new ArrayList<>();
        boolean failed = false;
        for (String workload : which.split(",")) {
            double[] ms = {Double.NaN, Double.NaN, Double.NaN};
            for (int mode = graphOnly ? 1 : 0; mode < 3; mode++) {
                try {
                    ms[mode] = mode == 2 ? epochEachMs(workload) : epochMs(workload, mode == 1, steps);
                } catch (Exception | Error e) {
                    System.out.println(workload + (mode == 2 ? " callEach" : mode == 1 ? " graph" : " eager") + " failed:");
                    e.printStackTrace(System.out);
                    ms[mode] = Double.NaN;
                    failed = true;
                }
            }
            double[] ref = REFERENCE_MS.get(workload);
            double torchEpoch = torch.getOrDefault(workload, Double.NaN) * epochSteps(workload);
            rows.add(String.format("| %s | %.0f | %.0f | %.1f | %.0f | %.2fx | %.0f | %.0f | %.1f |", workload, ms[0], ms[1], ms[2], torchEpoch,
                    torchEpoch / ms[0], ref[0], ref[1], ref[2]));
        }
        System.out.println("GPU: " + new Scopes().describe() + "; ms per epoch, " + steps + " steps timed and scaled");
        System.out.println("| workload | Fluxion eager | Fluxion graph function | graph function, callEach over the epoch | PyTorch eager, same run "
                + "| Fluxion eager speed-up | PyTorch eager (ref) | PyTorch CUDA graph (ref) | JAX whole-epoch jit (ref) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.exit(failed ? 1 : 0);
    }

    /** Milliseconds per epoch of {@code workload}, eagerly or as a graph function. */
    private static double epochMs(String workload, boolean graph, int steps) throws Exception {
        int epochSteps = epochSteps(workload);
        FitBench.CustomLoop trainer = new FitBench.CustomLoop(workload);
        trainer.model.moveTo(GPU);
        BiFunction<Tensor, Tensor, Tensor> step;
        GraphFunction<Tensor> compiled = null;
        if (graph) {
            compiled = Fx.function(workload + "_step", trainer::trainOnBatch);
            step = compiled::call;
        } else {
            step = trainer::trainOnBatch;
        }
        Rng data = new Rng(7);
        Tensor[] xs = new Tensor[4], ys = new Tensor[4];
        for (int i = 0; i < xs.length; i++) {
            Tensor[] batch = FitBench.CustomLoop.syntheticBatch(workload, data);
            xs[i] = batch[0].to(GPU);
            ys[i] = batch[1].to(GPU);
        }
        Scopes allocator = new Scopes();
        float first = round(step, xs, ys, allocator, 10); // traces, captures and warms up
        if (compiled != null) compiled.resetProfile();
        long t0 = System.nanoTime();
        round(step, xs, ys, allocator, steps);
        double msPerStep = (System.nanoTime() - t0) / 1e6 / steps;
        long t1 = System.nanoTime();
        float last = round(step, xs, ys, allocator, steps);
        msPerStep = Math.min(msPerStep, (System.nanoTime() - t1) / 1e6 / steps);
        System.out.printf("%s %s: %.3f ms/step; loss %.4f after warm-up, %.4f at the end; %s%n", workload,
                graph ? "graph" : "eager", msPerStep, first, last, allocator.stats());
        if (compiled != null) {
            compiled.describe().lines().filter(l -> !l.startsWith("  ")).forEach(System.out::println);
            if (Boolean.getBoolean("fluxion.graph.profile")) System.out.print(compiled.profile());
        }
        return msPerStep * epochSteps;
    }

    /**
     * Milliseconds per epoch of {@code workload} as a graph function called once per epoch with {@code callEach} over
     * the whole epoch's batches stacked on the GPU (JAX's whole-epoch {@code lax.scan}, Keras' steps_per_execution):
     * an untimed epoch captures the chunks, then the faster of two timed epochs, each ended by reading the last loss.
     */
    private static double epochEachMs(String workload) throws Exception {
        FitBench.CustomLoop trainer = new FitBench.CustomLoop(workload);
        trainer.model.moveTo(GPU);
        GraphFunction<Tensor> compiled = Fx.function(workload + "_step", trainer::trainOnBatch);
        int epochSteps = epochSteps(workload);
        Rng data = new Rng(7);
        int[] image = FitBench.CustomLoop.imageShape(workload), shape = {epochSteps, BATCH, image[0], image[1], image[2]};
        Tensor xs = data.uniform(shape, DType.FLOAT32).to(GPU);
        Tensor ys = data.uniform(new int[] {epochSteps, BATCH}, 0, 10).cast(DType.INT32).to(GPU);
        Scopes allocator = new Scopes();
        double best = Double.POSITIVE_INFINITY;
        float first = Float.NaN, last = Float.NaN;
        for (int round = 0; round < 3; round++)
            try (AutoCloseable scope = allocator.openScope()) {
                long t0 = System.nanoTime();
                Tensor losses = compiled.callEach(xs, ys);
                last = (float) losses.get(epochSteps - 1).item();
                if (round == 0) first = (float) losses.get(0).item();
                else best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
        System.out.printf("%s callEach over %d stacked batches: %.1f ms/epoch (%.3f ms/step); loss %.4f at the first step, %.4f at the end; %s%n",
                workload, epochSteps, best, best / epochSteps, first, last, allocator.stats());
        return best;
    }

    private static int epochSteps(String workload) {
        return workload.equals("seed") ? 391 : 469;
    }

    private static final Pattern TORCH_LINE = Pattern.compile("torch eager (\\w+): ([0-9.]+) ms/step");

    /** PyTorch eager's ms/step per workload from {@code torch_gpu_reference.py}'s output, if that file is given. */
    private static Map<String, Double> torchMsPerStep(String log) throws IOException {
        Map<String, Double> ms = new HashMap<>();
        if (log == null || !Files.exists(Path.of(log))) return ms;
        for (String line : Files.readAllLines(Path.of(log))) {
            var m = TORCH_LINE.matcher(line);
            if (m.find()) ms.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return ms;
    }

    /** Runs {@code n} steps, each in its own allocation scope, and returns the last loss (synchronizing once). */
    private static float round(BiFunction<Tensor, Tensor, Tensor> step, Tensor[] xs, Tensor[] ys, Scopes allocator, int n) throws Exception {
        float last = Float.NaN;
        for (int i = 0; i < n; i++)
            try (AutoCloseable scope = allocator.openScope()) {
                Tensor loss = step.apply(xs[i % xs.length], ys[i % ys.length]);
                if (i == n - 1) last = (float) loss.item();
            }
        return last;
    }

    /** The GPU's allocation scopes, or nothing on the CPU. */
    private static final class Scopes {
        final CachingAllocator allocator = GPU.equals(Device.CPU) ? null : ((CudaBackend) Backends.get(GPU)).context().allocator();

        AutoCloseable openScope() {
            return allocator == null ? () -> {} : allocator.openScope();
        }

        String stats() {
            return allocator == null ? "host memory" : allocator.stats().toString();
        }

        String describe() {
            if (allocator == null) return "none (cpu dry run)";
            var context = ((CudaBackend) Backends.get(GPU)).context();
            return context + "; convolutions: " + context.convolutions();
        }
    }

    /** Host cost of one eager op: 20,000 small elementwise ops and matmuls in scopes, one synchronization at the end. */
    private static void eagerOpCost() throws Exception {
        Scopes allocator = new Scopes();
        Tensor a = new Rng(1).normal(new int[] {128, 128}, 0, 1).to(GPU), b = new Rng(2).normal(new int[] {128, 128}, 0, 1).to(GPU);
        for (String op : new String[] {"add", "matmul", "add", "matmul"}) { // the first two warm up
            long t0 = System.nanoTime();
            Tensor last = null;
            for (int i = 0; i < 20_000; i++)
                try (AutoCloseable scope = allocator.openScope()) {
                    Tensor r = op.equals("add") ? a.add(b) : a.matmul(b);
                    if (i == 19_999) last = r.sum().to(Device.CPU);
                }
            System.out.printf("eager %s of [128,128]: %.2f us per op (host side, including the final wait)%n", op, (System.nanoTime() - t0) / 1e3 / 20_000);
        }
    }

    /**
     * Keras-style {@code compile} / {@code fit} / {@code evaluate} / {@code predict} of the cnn on MNIST with its
     * weights on the GPU: one epoch with validation and a best-model checkpoint, {@code stepsPerExecution} batches per
     * call of the train step; returns the accuracy of predict.
     */
    private static double fitMnist(int stepsPerExecution) throws Exception {
        TrainTest mnist = Datasets.mnist();
        var model = FitBench.model("cnn");
        model.moveTo(GPU);
        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(true),
                new SparseCategoricalAccuracy());
        model.setStepsPerExecution(stepsPerExecution);
        var train = Dataset.fromTensorSlices(mnist.train().x(), mnist.train().y()).shuffle(60_000, 42).batch(BATCH).prefetch(2);
        var test = Dataset.fromTensorSlices(mnist.test().x(), mnist.test().y()).batch(1000);
        Path best = Files.createTempDirectory("fluxion-gpu-fit").resolve("best.safetensors");
        long t0 = System.nanoTime();
        var history = model.fit(train, Fit.epochs(1).verbose(0).validationData(test)
                .callbacks(ModelCheckpoint.bestOnly(best.toString())));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> evaluated = model.evaluate(test);
        Tensor predicted = model.predict(mnist.test().x(), 1000);
        long[] classes = Ops.argmax(predicted, 1, false).toLongArray(), labels = mnist.test().y().cast(DType.INT64).toLongArray();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (classes[i] == labels[i]) correct++;
        double accuracy = (double) correct / labels.length;
        System.out.printf("fit on %s (%d batches per call): one epoch with validation in %.1f s; history %s; evaluate %s; predict accuracy %.4f on %s; "
                + "checkpoint %d bytes%n", GPU, stepsPerExecution, seconds, history, evaluated, accuracy, predicted.device(), Files.size(best));
        return accuracy;
    }

    /**
     * Trains the cnn on MNIST for one epoch on the GPU (graph function) and returns its test accuracy: a call per
     * batch, or with {@code each} one {@code callEach} over the epoch's batches stacked on the GPU.
     */
    private static double trainMnist(boolean each) throws Exception {
        TrainTest mnist = Datasets.mnist();
        FitBench.CustomLoop trainer = new FitBench.CustomLoop("cnn");
        trainer.model.moveTo(GPU);
        GraphFunction<Tensor> step = Fx.function("cnn_step", trainer::trainOnBatch);
        Scopes allocator = new Scopes();
        Tensor x = mnist.train().x(), y = mnist.train().y();
        int n = x.shape()[0];
        Tensor order = new Rng(42).permutation(n);
        long t0 = System.nanoTime();
        float loss = Float.NaN;
        if (each) {
            int batches = n / BATCH; // whole batches: one input signature
            Tensor idx = order.slice(0, batches * BATCH);
            Tensor xs = ArrayOps.gather(x, idx, 0).to(GPU), ys = ArrayOps.gather(y, idx, 0).to(GPU);
            int[] perBatch = x.shape().clone();
            perBatch[0] = BATCH;
            int[] stacked = new int[perBatch.length + 1];
            stacked[0] = batches;
            System.arraycopy(perBatch, 0, stacked, 1, perBatch.length);
            try (AutoCloseable scope = allocator.openScope()) {
                Tensor losses = step.callEach(xs.reshape(stacked), ys.reshape(batches, BATCH)).to(Device.CPU);
                for (int i = 0; i < batches; i += 100) System.out.printf("step %d loss %.4f%n", i, losses.get(i).item());
                loss = (float) losses.get(batches - 1).item();
            }
        }
        for (int start = 0; !each && start + BATCH <= n; start += BATCH) { // whole batches: one input signature
            Tensor idx = order.slice(start, start + BATCH);
            try (AutoCloseable scope = allocator.openScope()) {
                Tensor l = step.call(ArrayOps.gather(x, idx, 0).to(GPU), ArrayOps.gather(y, idx, 0).to(GPU));
                if (start / BATCH % 100 == 0) System.out.printf("step %d loss %.4f%n", start / BATCH, loss = (float) l.item());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Tensor tx = mnist.test().x(), ty = mnist.test().y();
        int correct = 0, total = tx.shape()[0];
        for (int start = 0; start < total; start += 1000) {
            int end = Math.min(total, start + 1000);
            try (AutoCloseable scope = allocator.openScope()) {
                Tensor logits = trainer.model.call(tx.slice(start, end).to(GPU), false).to(Device.CPU);
                long[] predicted = Ops.argmax(logits, 1, false).toLongArray();
                long[] labels = ty.slice(start, end).cast(DType.INT64).toLongArray();
                for (int i = 0; i < predicted.length; i++) if (predicted[i] == labels[i]) correct++;
            }
        }
        double accuracy = (double) correct / total;
        System.out.printf("MNIST cnn on %s, one epoch as a graph function%s: %.1f s, last logged loss %.4f, test accuracy %.4f (%s)%n",
                GPU, each ? " (callEach over the stacked epoch)" : "", seconds, loss, accuracy, accuracy >= 0.97 ? "converged" : "NOT CONVERGED: below 0.97");
        System.out.println("device memory: " + allocator.stats());
        return accuracy;
    }
}
