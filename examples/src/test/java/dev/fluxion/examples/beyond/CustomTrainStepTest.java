package dev.fluxion.examples.beyond;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.examples.ExampleOptions;
import dev.fluxion.examples.ExampleRegistry;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CustomTrainStepTest {
    @Test
    void fitWithOverriddenTrainStepKeepsCallbacks(@TempDir Path dir) throws Exception {
        ExampleOptions o = ExampleOptions.defaults().withEpochs(2).withBatchSize(32).withMaxStepsPerEpoch(3).withOutputDir(dir).withSeed(5);
        History h = new CustomTrainStep().train(o);
        for (String key : List.of("loss", "sparse_categorical_accuracy", "input_grad_norm", "val_loss")) {
            List<Double> values = h.get(key);
            assertNotNull(values, key + " missing from " + h);
            assertEquals(2, values.size(), key);
            for (double v : values) assertTrue(Double.isFinite(v), key + " = " + v);
        }
        assertTrue(h.get("input_grad_norm").get(0) > 0);
        List<String> csv = Files.readAllLines(dir.resolve("training_log.csv"));
        assertEquals(3, csv.size(), "CSVLogger: header and 2 epochs: " + csv);
        assertTrue(csv.get(0).contains("input_grad_norm") && csv.get(0).contains("val_loss"), csv.get(0));
        assertTrue(Files.size(dir.resolve("best.safetensors")) > 0, "ModelCheckpoint saved nothing");
    }

    @Test
    void thePenaltyChangesTheUpdate() {
        // same weights, same batch, one SGD step: the second-order term must move the weights differently
        Tensor x = new Rng(1).uniform(new int[] {8, 28, 28, 1}, 0, 1);
        Tensor y = Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
        GradientPenaltyClassifier plain = new GradientPenaltyClassifier(0), penalized = new GradientPenaltyClassifier(10);
        plain.call(x);
        penalized.call(x);
        penalized.setWeights(plain.getWeights());
        for (GradientPenaltyClassifier m : List.of(plain, penalized)) {
            m.compile(new SGD(0.1), new SparseCategoricalCrossentropy(true), List.of(), true);
            m.fit(Dataset.of(new Pair(x, y)), Fit.epochs(1).verbose(0));
        }
        double maxDiff = 0;
        for (int i = 0; i < plain.getWeights().size(); i++)
            maxDiff = Math.max(maxDiff, plain.getWeights().get(i).sub(penalized.getWeights().get(i)).abs().max().item());
        assertTrue(maxDiff > 1e-6, "the penalty had no effect: " + maxDiff);
    }

    @Test
    void registryListsTheBeyondExamples() {
        for (String name : List.of("dcgan", "wgan", "wgan-gp", "grad-accumulation", "custom-train-step", "sequence-rows"))
            assertTrue(ExampleRegistry.find(name).isPresent(), name);
    }
}
