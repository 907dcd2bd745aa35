package dev.fluxion.nn;

import dev.fluxion.Tensor;
import dev.fluxion.nn.layers.Add;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.MeanSquaredError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Misuse of models and layers raises an exception naming the model or layer and the offending value. */
class ModelErrorsTest {
    @TempDir
    Path dir;

    @Test
    void functionalModelChecksTheNumberOfInputs() {
        KerasTensor a = Input.shape(2), b = Input.shape(2);
        Functional model = new Functional(List.of(a, b), List.of(new Add().apply(a, b)), "pair");
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(Tensor.ones(1, 2)));
        assertMentions(e, "'pair'", "takes 2 inputs, got 1");
        var e3 = assertThrows(IllegalArgumentException.class, () -> model.call(List.of(Tensor.ones(1, 2), Tensor.ones(1, 2), Tensor.ones(1, 2)), false));
        assertMentions(e3, "'pair'", "takes 2 inputs, got 3");
        assertArrayEquals(new float[] {2, 2}, model.call(List.of(Tensor.ones(1, 2), Tensor.ones(1, 2)), false).toFloatArray());
    }

    @Test
    void applyToAnEmptyListIsRejected() {
        Add add = new Add();
        add.setName("merge");
        var e = assertThrows(IllegalArgumentException.class, () -> add.apply(List.of()));
        assertMentions(e, "'merge'", "at least one input");
    }

    @Test
    void anInitializerReturningTheWrongShapeNamesLayerAndWeight() {
        Dense d = new Dense(3).kernelInitializer((shape, dtype) -> Tensor.zeros(2, 2));
        d.setName("head");
        var e = assertThrows(IllegalStateException.class, () -> d.call(Tensor.ones(1, 4)));
        assertMentions(e, "'head'", "'kernel'", "[2,2]", "[4,3]");
    }

    @Test
    void sequentialAcceptsAnInputOnlyFirst() {
        Sequential s = new Sequential("stack").add(new Dense(2));
        var e = assertThrows(IllegalStateException.class, () -> s.add(Input.shape(3)));
        assertMentions(e, "'stack'", "only come first", "after 1 layer");
        Sequential twice = new Sequential("twice").add(Input.shape(3));
        var e2 = assertThrows(IllegalStateException.class, () -> twice.add(Input.shape(4)));
        assertMentions(e2, "'twice'", "another Input");
    }

    @Test
    void fitBeforeCompileSaysToCompile() {
        Sequential model = new Sequential("raw").add(Input.shape(2)).add(new Dense(1));
        var e = assertThrows(IllegalStateException.class, () -> model.fit(Tensor.ones(4, 2), Tensor.ones(4, 1), dev.fluxion.nn.training.Fit.epochs(1).verbose(0)));
        assertMentions(e, "'raw'", "compile");
    }

    @Test
    void saveWeightsFailureNamesTheFile() throws Exception {
        Sequential model = Sequential.of(Input.shape(2), new Dense(1));
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        Path target = blocker.resolve("w.safetensors"); // its parent is a regular file
        var e = assertThrows(UncheckedIOException.class, () -> model.saveWeights(target));
        assertMentions(e, target.toString(), "could not save weights");
    }

    @Test
    void saveWeightsRejectsDuplicateVariableNames() {
        Dense a = new Dense(2), b = new Dense(2);
        a.setName("twin");
        b.setName("twin");
        Sequential model = Sequential.of(Input.shape(2), a, b);
        Path f = dir.resolve("twins.safetensors");
        var e = assertThrows(IllegalArgumentException.class, () -> model.saveWeights(f));
        assertMentions(e, f.toString(), "'twin/kernel'", "unique");
        assertFalse(Files.exists(f), "nothing written");
    }

    @Test
    void loadWeightsIntoAnUnbuiltModelSaysToBuildIt() throws Exception {
        Sequential built = Sequential.of(Input.shape(2), new Dense(1));
        Path f = dir.resolve("w.safetensors");
        built.saveWeights(f);
        Sequential lazy = new Sequential("lazy").add(new Dense(1));
        var e = assertThrows(IllegalStateException.class, () -> lazy.loadWeights(f));
        assertMentions(e, "loadWeights", "'lazy'", "build it first");
    }

    @Test
    void setWeightsChecksCountAndShapesBeforeAssigningAny() {
        Sequential model = new Sequential("sw").add(Input.shape(2)).add(new Dense(1));
        model.compile(null, new MeanSquaredError());
        List<Tensor> before = model.getWeights();
        var e = assertThrows(IllegalArgumentException.class, () -> model.setWeights(List.of(Tensor.ones(2, 1))));
        assertMentions(e, "setWeights", "'sw'", "2 variables", "got 1");
        // the kernel fits, the bias does not: neither is assigned
        var e2 = assertThrows(IllegalArgumentException.class, () -> model.setWeights(List.of(Tensor.ones(2, 1), Tensor.ones(3))));
        assertMentions(e2, "setWeights", "'sw'", "bias", "[3]", "[1]");
        assertArrayEquals(before.get(0).toFloatArray(), model.getWeights().get(0).toFloatArray(), "kernel unchanged");
        model.setWeights(List.of(Tensor.ones(2, 1), Tensor.ones(1)));
        assertArrayEquals(new float[] {1, 1}, model.getWeights().get(0).toFloatArray());
    }
}
