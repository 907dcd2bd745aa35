package dev.fluxion.nn.callbacks;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.nn.training.Fit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** File callbacks that cannot open, write or delete their file fail fit with an error naming the callback and file. */
class CallbackErrorsTest {
    @TempDir
    Path dir;

    private static Sequential model() {
        Sequential m = Sequential.of(Input.shape(2), new Dense(1));
        m.compile(new SGD(0.1), new MeanSquaredError());
        return m;
    }

    private static void fit(Sequential m, int epochs, Callback... cbs) {
        m.fit(Tensor.ones(4, 2), Tensor.ones(4, 1), Fit.epochs(epochs).batchSize(4).verbose(0).callbacks(cbs));
    }

    @Test
    void csvLoggerPointedAtADirectory() throws IOException {
        Path target = Files.createDirectory(dir.resolve("log.csv"));
        var e = assertThrows(UncheckedIOException.class, () -> fit(model(), 1, new CSVLogger(target.toString())));
        assertMentions(e, "CSVLogger", "open", target.toString());
    }

    @Test
    void csvLoggerOnAFullDevice() {
        Path full = Path.of("/dev/full"); // Linux: every write fails with ENOSPC
        assumeTrue(Files.isWritable(full));
        var e = assertThrows(UncheckedIOException.class, () -> fit(model(), 1, new CSVLogger(full, ",", false)));
        assertMentions(e, "CSVLogger", "write", full.toString());
    }

    @Test
    void backupAndRestoreWhoseDirectoryDisappears() throws IOException {
        Path backup = dir.resolve("backup");
        BackupAndRestore bar = new BackupAndRestore(backup);
        // after the first epoch's backup, the directory is replaced by a plain file
        var clobber = LambdaCallback.builder().onEpochBegin((epoch, logs) -> {
            if (epoch != 1) return;
            try {
                Files.delete(bar.file());
                Files.delete(backup);
                Files.writeString(backup, "not a directory");
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }).build();
        var e = assertThrows(UncheckedIOException.class, () -> fit(model(), 2, bar, clobber));
        assertMentions(e, "BackupAndRestore", "cannot write", bar.file().toString());
    }

    @Test
    void backupAndRestoreThatCannotDeleteItsBackup() throws IOException {
        Path backup = dir.resolve("backup");
        BackupAndRestore bar = new BackupAndRestore(backup);
        // BackupAndRestore ends after the other callbacks: by then its file is a non-empty directory
        var block = LambdaCallback.builder().onTrainEnd(logs -> {
            try {
                Files.delete(bar.file());
                Files.writeString(Files.createDirectory(bar.file()).resolve("x"), "x");
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }).build();
        var e = assertThrows(UncheckedIOException.class, () -> fit(model(), 1, bar, block));
        assertMentions(e, "BackupAndRestore", "cannot delete", bar.file().toString());
    }

    @Test
    void modelCheckpointSavesWeightsOnly() {
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("w.safetensors").toString());
        assertSame(cb, cb.saveWeightsOnly(true));
        var e = assertThrows(UnsupportedOperationException.class, () -> cb.saveWeightsOnly(false));
        assertMentions(e, "ModelCheckpoint", "only weights");
    }

    @Test
    void modelCheckpointPathWithABadFormatSpec() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.format("w-{epoch:.2f}.safetensors", 0, Map.of()));
        assertMentions(e, "ModelCheckpoint", "w-{epoch:.2f}.safetensors", "'epoch'", "'.2f'");
        var e2 = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.format("w-{loss:q}", 0, Map.of("loss", 0.5)));
        assertMentions(e2, "ModelCheckpoint", "'loss'", "'q'");
        assertEquals("w-03-0.50", ModelCheckpoint.format("w-{epoch:02d}-{loss:.2f}", 2, Map.of("loss", 0.5)));
    }
}
