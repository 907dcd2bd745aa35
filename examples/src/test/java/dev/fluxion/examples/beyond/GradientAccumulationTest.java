package dev.fluxion.examples.beyond;

import dev.fluxion.examples.ExampleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Accumulating by hand, the optimizer's accumulation option and one large batch all reach the same weights. */
class GradientAccumulationTest {
    private static GradientAccumulation.Result run(Path dir, ExampleOptions.Mode mode) throws Exception {
        // 3 updates of 4 micro-batches of 32 per epoch, 2 epochs (accumulators must be empty at epoch ends)
        ExampleOptions o = ExampleOptions.defaults().withEpochs(2).withBatchSize(32).withMaxStepsPerEpoch(3 * GradientAccumulation.K)
                .withOutputDir(dir).withMode(mode).withSeed(3);
        return new GradientAccumulation().train(o);
    }

    private static void assertSameWeights(GradientAccumulation.Result r) {
        System.out.printf("max |dW|: built-in %.3g, large batch %.3g, no accumulation %.3g, change %.3g%n",
                r.maxDiffBuiltIn(), r.maxDiffLargeBatch(), r.maxDiffNoAccumulation(), r.maxChange());
        // the weights moved (Adam steps are ~1e-3 each), so equal weights are not equal initial weights
        assertTrue(r.maxChange() > 1e-3, "weights barely changed: " + r.maxChange());
        assertTrue(r.maxDiffBuiltIn() < 1e-5, "manual vs gradientAccumulationSteps: " + r.maxDiffBuiltIn());
        assertTrue(r.maxDiffLargeBatch() < 1e-5, "manual vs large batch: " + r.maxDiffLargeBatch());
        for (Map<String, Double> row : r.log().rows())
            for (var e : row.entrySet()) assertTrue(Double.isFinite(e.getValue()), e.toString());
    }

    @Test
    void compiledManualAccumulationMatchesOptimizerOptionAndLargeBatch(@TempDir Path dir) throws Exception {
        GradientAccumulation.Result r = run(dir, ExampleOptions.Mode.GRAPH);
        assertSameWeights(r);
        // the control: updating on every micro-batch instead ends far away, so the comparison can fail
        assertTrue(r.maxDiffNoAccumulation() > 1e-3, "no accumulation: " + r.maxDiffNoAccumulation());
        assertEquals(2, r.log().rows().size());
        assertTrue(Files.size(dir.resolve("grad_accumulation_manual.safetensors")) > 0);
        assertEquals(3, Files.readAllLines(dir.resolve("grad-accumulation_history.csv")).size());
    }

    @Test
    void eagerManualAccumulationMatchesToo(@TempDir Path dir) throws Exception {
        assertSameWeights(run(dir, ExampleOptions.Mode.EAGER));
    }

}
