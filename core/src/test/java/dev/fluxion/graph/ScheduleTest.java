package dev.fluxion.graph;

import dev.fluxion.Fx;
import dev.fluxion.GradientTape;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Independent mid-sized branches run as parallel stages and compute exactly what they compute one by one. */
class ScheduleTest {
    @Test
    void independentMatmulsShareAStageAndGiveTheEagerBits() {
        Rng rng = new Rng(11);
        Tensor w1 = rng.normal(new int[] {32, 32}, 0, 0.3), w2 = rng.normal(new int[] {32, 32}, 0, 0.3);
        Fx.Fn2<Tensor> body = (a, b) -> a.matmul(w1).add(b.matmul(w2));
        var f = Fx.function("two_branches", body);
        Tensor a = rng.normal(new int[] {32, 32}, 0, 1), b = rng.normal(new int[] {32, 32}, 0, 1);
        Tensor eager = body.apply(a, b);
        for (int call = 0; call < 3; call++) assertArrayEquals(eager.toFloatArray(), f.call(a, b).toFloatArray(), 0f);
        assertTrue(parallelStages(f.describe()) >= 1, f.describe());
    }

    @Test
    void trainingStepWithParallelUpdatesMatchesEager() {
        float[][] eager = train(false), traced = train(true);
        for (int i = 0; i < eager.length; i++) assertArrayEquals(eager[i], traced[i], 1e-5f, "variable " + i);
    }

    private static float[][] train(boolean graph) {
        Rng rng = new Rng(5);
        Variable w1 = new Variable(rng.normal(new int[] {64, 96}, 0, 0.1), "w1");
        Variable w2 = new Variable(rng.normal(new int[] {96, 64}, 0, 0.1), "w2");
        Tensor x = rng.normal(new int[] {64, 64}, 0, 1), y = rng.normal(new int[] {64, 64}, 0, 1);
        Fx.Fn2<Tensor> step = (xs, ys) -> {
            try (var tape = new GradientTape()) {
                Tensor loss = xs.matmul(w1.value()).tanh().matmul(w2.value()).sub(ys).square().mean();
                List<Tensor> g = tape.gradient(loss, List.of(w1, w2));
                w1.assignSub(g.get(0).mul(0.1));
                w2.assignSub(g.get(1).mul(0.1));
                return loss;
            }
        };
        var compiled = Fx.function("step", step);
        for (int i = 0; i < 5; i++) {
            if (graph) compiled.call(x, y);
            else step.apply(x, y);
        }
        if (graph) assertTrue(parallelStages(compiled.describe()) >= 1, compiled.describe());
        return new float[][] {w1.value().toFloatArray(), w2.value().toFloatArray()};
    }

    @Test
    void noStageRunsAStepWithWhatItReadsOrAPrintAlongsideOthers() {
        Rng rng = new Rng(5);
        Variable w1 = new Variable(rng.normal(new int[] {64, 96}, 0, 0.1), "w1");
        Variable w2 = new Variable(rng.normal(new int[] {96, 64}, 0, 0.1), "w2");
        var step = Fx.function("step", (Tensor xs, Tensor ys) -> {
            try (var tape = new GradientTape()) {
                Tensor h = Fx.print("h", xs.matmul(w1.value()).tanh());
                Tensor loss = Fx.print("out", h.matmul(w2.value())).sub(ys).square().mean();
                List<Tensor> g = tape.gradient(loss, List.of(w1, w2));
                w1.assignSub(g.get(0).mul(0.1));
                w2.assignSub(g.get(1).mul(0.1));
                return loss;
            }
        });
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            step.call(rng.normal(new int[] {64, 64}, 0, 1), rng.normal(new int[] {64, 64}, 0, 1));
        } finally {
            System.setOut(original);
        }
        Graph g = CpuFusion.recomputeBroadcastOperands(step.lastGraph());
        Node[] nodes = g.nodes.toArray(Node[]::new);
        boolean[] pinned = new boolean[nodes.length];
        for (Node n : g.results()) pinned[n.id] = true;
        List<CpuFusion.Step> steps = CpuFusion.plan(nodes, pinned);
        int[][] stages = CpuSchedule.stages(steps);

        java.util.Set<Node> done = new java.util.HashSet<>();
        int[] runs = new int[steps.size()];
        int parallel = 0;
        for (int[] stage : stages) {
            if (stage.length > 1) parallel++;
            java.util.Set<Node> thisStage = new java.util.HashSet<>();
            for (int s : stage) thisStage.addAll(CpuSchedule.members(steps.get(s)));
            for (int s : stage) {
                runs[s]++;
                List<Node> own = CpuSchedule.members(steps.get(s));
                for (Node in : CpuSchedule.inputs(steps.get(s)))
                    assertTrue(done.contains(in) || own.contains(in),
                            "step " + s + " reads %" + in.id + " before its stage; stages " + java.util.Arrays.deepToString(stages));
                if (stage.length > 1)
                    for (Node m : own)
                        assertFalse(m.kind == Node.Kind.OP && m.op.hasSideEffects(), "a print shares stage " + java.util.Arrays.toString(stage));
            }
            done.addAll(thisStage);
        }
        for (int s = 0; s < runs.length; s++) assertEquals(1, runs[s], "step " + s + " runs once");
        assertTrue(parallel >= 1, "the update branches overlap: " + java.util.Arrays.deepToString(stages));
    }

    private static int parallelStages(String describe) {
        Matcher m = Pattern.compile("(\\d+) parallel stages").matcher(describe);
        assertTrue(m.find(), "describe() shows the CPU plan: " + describe);
        return Integer.parseInt(m.group(1));
    }
}
