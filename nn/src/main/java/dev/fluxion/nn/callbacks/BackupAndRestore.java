package dev.fluxion.nn.callbacks;

import dev.fluxion.nn.io.AtomicFiles;
import dev.fluxion.nn.io.TrainingCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fault tolerance for {@code fit} (Keras' BackupAndRestore, made exact): at the end of every epoch it writes a
 * {@link TrainingCheckpoint} — weights, optimizer variables (slots, iterations, learning rate), epoch and step, the
 * states of {@code Rng.global()} and of the generators given to {@code Fit.checkpointRng}, and the training data
 * iterator's position, and the counters of {@link StatefulCallback}s (ModelCheckpoint's best, EarlyStopping's patience,
 * ReduceLROnPlateau's cooldown) — atomically to {@code backupDir/latest.fxckpt}. {@code fit} runs it after the other
 * callbacks so that the checkpoint includes their end-of-epoch updates. When {@code fit} starts and a backup exists, the
 * run resumes at the next epoch with everything restored, so a killed run that is restarted ends with the same weights
 * as an uninterrupted one (given the same seeds and pipeline). Temporary files of killed writes are removed; a
 * corrupt backup fails loudly (CRC32C) rather than being silently ignored. The backup is deleted when {@code fit}
 * completes, unless {@code deleteCheckpoint(false)}.
 */
public final class BackupAndRestore extends Callback {
    public static final String FILE_NAME = "latest.fxckpt";

    private final Path dir;
    private boolean deleteCheckpoint = true;
    private int restoredEpoch = -1;

    public BackupAndRestore(Path backupDir) {
        this.dir = backupDir;
    }

    public BackupAndRestore deleteCheckpoint(boolean on) {
        deleteCheckpoint = on;
        return this;
    }

    /** The checkpoint file. */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** The epoch training resumed at in the last fit, or -1 if it started fresh. */
    public int restoredEpoch() {
        return restoredEpoch;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        restoredEpoch = -1;
        try {
            Files.createDirectories(dir);
            AtomicFiles.deleteLeftovers(file());
            if (Files.exists(file())) {
                TrainingCheckpoint c = TrainingCheckpoint.read(file());
                model().trainer().resumeFrom(c);
                restoredEpoch = c.epoch();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot restore from " + file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            model().trainer().checkpoint(epoch + 1, Map.of()).write(file());
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot write " + file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (!deleteCheckpoint) return;
        try {
            Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot delete " + file(), e);
        }
    }
}
