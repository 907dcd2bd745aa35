package dev.fluxion.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.callbacks.BackupAndRestore;
import dev.fluxion.nn.callbacks.Callback;
import dev.fluxion.nn.callbacks.LambdaCallback;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume from BackupAndRestore on the loop's less travelled paths: groups of steps (stepsPerExecution), an
 * endless dataset read across epochs (stepsPerEpoch), and a run killed after its last epoch's backup. Each resumed
 * run, on a fresh model and pipeline with the same seeds, ends with the uninterrupted run's weights bit for bit.
 */
class ResumePathsTest {
    @TempDir
    Path dir;

    static final Tensor[] DATA = FitTest.problem(80, 21);

    /** A model built lazily on its first batch, drawing training noise from Rng.global(). */
    private static FitTest.Linear model(int stepsPerExecution) {
        FitTest.Linear m = new FitTest.Linear(3, true);
        m.compile(new Adam(0.02), new SparseCategoricalCrossentropy(true), Metrics.sparseCategoricalAccuracy());
        if (stepsPerExecution > 1) m.setStepsPerExecution(stepsPerExecution);
        return m;
    }

    private static Dataset<Pair> shuffled() {
        return Dataset.fromTensorSlices(DATA[0], DATA[1]).shuffle(1000, 17).batch(16); // 5 batches per epoch
    }

    private static Callback killAtEpoch(int epoch) {
        return LambdaCallback.builder().onEpochBegin((e, l) -> {
            if (e == epoch) throw new IllegalStateException("killed");
        }).build();
    }

    /**
     * Runs {@code fit} uninterrupted, then killed by {@code kill} with a backup, then resumed from it; checks the
     * resumed weights and returns the resumed run's history and callback.
     */
    private History killAndResume(int stepsPerExecution, BiFunction<FitTest.Linear, Callback[], History> fit, Callback kill, int resumeEpoch) {
        Rng.setGlobalSeed(7);
        FitTest.Linear full = model(stepsPerExecution);
        fit.apply(full, new Callback[0]);
        Path backup = dir.resolve("backup");
        Rng.setGlobalSeed(7);
        FitTest.Linear killed = model(stepsPerExecution);
        assertThrows(IllegalStateException.class, () -> fit.apply(killed, new Callback[] {new BackupAndRestore(backup), kill}));
        assertTrue(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)), "the backup outlived the kill");
        Rng.setGlobalSeed(7);
        FitTest.Linear resumed = model(stepsPerExecution);
        BackupAndRestore bar = new BackupAndRestore(backup);
        History h = fit.apply(resumed, new Callback[] {bar});
        assertEquals(resumeEpoch, bar.restoredEpoch());
        assertArrayEquals(full.w.value().toFloatArray(), resumed.w.value().toFloatArray(), "bit-identical weights");
        assertArrayEquals(full.b.value().toFloatArray(), resumed.b.value().toFloatArray());
        return h;
    }

    @Test
    void groupsOfStepsResumeExactly() {
        // groups of 3 steps over 5 batches: a group of 3 and one of 2 per epoch
        History h = killAndResume(3, (m, cbs) -> m.fit(shuffled(), Fit.epochs(4).verbose(0).callbacks(cbs)), killAtEpoch(2), 2);
        assertEquals(List.of(2, 3), h.epochs());
    }

    @Test
    void anEndlessDatasetReadAcrossEpochsResumesExactly() {
        // one iterator over a repeated dataset for the whole run: epochs of 3 batches cut across its passes of 5
        History h = killAndResume(1, (m, cbs) -> m.fit(shuffled().repeat(), Fit.epochs(4).stepsPerEpoch(3).verbose(0).callbacks(cbs)),
                killAtEpoch(2), 2);
        assertEquals(List.of(2, 3), h.epochs());
    }

    @Test
    void aRunKilledAfterItsLastEpochRestoresTheFinalState() {
        // killed in onTrainEnd, before BackupAndRestore (last in line) deletes its backup of the final epoch
        Callback killAtEnd = LambdaCallback.builder().onTrainEnd(l -> {
            throw new IllegalStateException("killed");
        }).build();
        History h = killAndResume(1, (m, cbs) -> m.fit(shuffled(), Fit.epochs(3).verbose(0).callbacks(cbs)), killAtEnd, 3);
        assertEquals(List.of(), h.epochs(), "nothing left to train; the weights come from the backup");
    }

    @Test
    void validationTensorsWithADatasetFit() {
        Rng.setGlobalSeed(3);
        FitTest.Linear m = model(1);
        History h = m.fit(shuffled(), Fit.epochs(1).verbose(0).validationData(DATA[0], DATA[1]).validationBatchSize(32));
        assertEquals(m.evaluate(DATA[0], DATA[1], 32).get("loss"), h.get("val_loss").getFirst(), 1e-9);
    }
}
