package dev.fluxion.nn.training;

import dev.fluxion.Tensor;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.Pair;
import dev.fluxion.nn.callbacks.BackupAndRestore;
import dev.fluxion.nn.callbacks.Callback;
import dev.fluxion.nn.callbacks.EarlyStopping;
import dev.fluxion.nn.callbacks.LambdaCallback;
import dev.fluxion.nn.callbacks.ReduceLROnPlateau;
import dev.fluxion.nn.losses.SparseCategoricalCrossentropy;
import dev.fluxion.nn.metrics.Metrics;
import dev.fluxion.nn.optimizers.Adam;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run killed mid-way and resumed from its BackupAndRestore file stops at the same epoch, with the same learning
 * rates and weights, as the run that was never interrupted: EarlyStopping's and ReduceLROnPlateau's counters (wait,
 * best, cooldown) travel in the backup.
 */
class ResumeCallbacksTest {
    @TempDir
    Path dir;

    private static Dataset<Pair> data(Tensor[] d) {
        return Dataset.fromTensorSlices(d[0], d[1]).shuffle(1000, 17).batch(16);
    }

    private static FitTest.Linear model() {
        FitTest.Linear m = new FitTest.Linear(3, true);
        m.compile(new Adam(0.02), new SparseCategoricalCrossentropy(true), Metrics.sparseCategoricalAccuracy());
        return m;
    }

    /**
     * No epoch counts as an improvement after the first (minDelta 10 on a loss near 1), so the counters alone decide:
     * the learning rate halves at the end of epoch 2 (two epochs without improvement), waits out one epoch of cooldown
     * and halves again at the end of epoch 4, where training stops (four epochs without improvement). Killed before
     * epoch 2, the resumed run takes both patience counts from the backup: without them it would count afresh, halve
     * the rate two epochs late and train until epoch 6.
     */
    private static Callback[] plateauCallbacks() {
        return new Callback[] {
            new ReduceLROnPlateau().monitor("loss").minDelta(10).patience(2).factor(0.5).cooldown(1),
            new EarlyStopping().monitor("loss").minDelta(10).patience(4)
        };
    }

    @Test
    void aKilledRunWithPlateauCallbacksResumesToTheSameStop() {
        Tensor[] d = FitTest.problem(80, 21);
        Rng.setGlobalSeed(5);
        FitTest.Linear full = model();
        Callback[] fullCbs = plateauCallbacks();
        History fullHistory = full.fit(data(d), Fit.epochs(20).verbose(0).callbacks(fullCbs));
        int stopped = ((EarlyStopping) fullCbs[1]).stoppedEpoch();
        assertEquals(4, stopped, fullHistory.toString());
        assertEquals(List.of(0.02, 0.02, 0.02, 0.01, 0.01), rounded(fullHistory.get("lr")), "the schedule this test relies on");

        Path backup = dir.resolve("backup");
        Rng.setGlobalSeed(5);
        FitTest.Linear killed = model();
        Callback kill = LambdaCallback.builder().onEpochBegin((e, l) -> {
            if (e == 2) throw new IllegalStateException("killed");
        }).build();
        Callback[] killedCbs = plateauCallbacks();
        assertThrows(IllegalStateException.class, () -> killed.fit(data(d),
                Fit.epochs(20).verbose(0).callbacks(new BackupAndRestore(backup), killedCbs[0], killedCbs[1], kill)));

        Rng.setGlobalSeed(5);
        FitTest.Linear resumed = model();
        Callback[] resumedCbs = plateauCallbacks();
        BackupAndRestore bar = new BackupAndRestore(backup);
        History h = resumed.fit(data(d), Fit.epochs(20).verbose(0).callbacks(bar, resumedCbs[0], resumedCbs[1]));
        assertEquals(2, bar.restoredEpoch());
        assertEquals(List.of(2, 3, 4), h.epochs(), "stops where the uninterrupted run stopped");
        assertEquals(stopped, ((EarlyStopping) resumedCbs[1]).stoppedEpoch());
        assertEquals(fullHistory.get("lr").subList(2, 5), h.get("lr"));
        assertArrayEquals(full.w.value().toFloatArray(), resumed.w.value().toFloatArray(), "bit-identical weights");
        assertEquals(full.optimizer().learningRate().item(), resumed.optimizer().learningRate().item());
    }

    private static List<Double> rounded(List<Double> lrs) {
        return lrs.stream().map(v -> Math.round(v * 1e6) / 1e6).toList();
    }
}
