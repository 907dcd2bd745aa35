package dev.fluxion.nn.callbacks;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static dev.fluxion.nn.callbacks.CallbacksTest.logs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fluxion.Tensor;
import dev.fluxion.nn.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint's saveFreq: saves every N training batches, counted across epochs, named by epoch and batch. */
class ModelCheckpointSaveFreqTest {
    @TempDir
    Path dir;

    /** {@code cb} on a fresh one-weight model, with training begun; returns the model. */
    private static CallbacksTest.OneVar begin(ModelCheckpoint cb) {
        CallbacksTest.OneVar m = CallbacksTest.model();
        cb.setModel(m);
        cb.onTrainBegin(logs());
        return m;
    }

    private List<String> saved() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void savesEveryNBatchesAcrossEpochs() throws IOException {
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("e{epoch}-b{batch:02d}.safetensors").toString()).saveFreq(3);
        CallbacksTest.OneVar m = begin(cb);
        for (int epoch = 0; epoch < 2; epoch++) { // 4 batches per epoch: saves after batches 3, 6 (epoch 2, batch 2)
            cb.onEpochBegin(epoch, logs());
            for (int batch = 0; batch < 4; batch++) {
                m.w.assign(Tensor.of(new float[] {10 * epoch + batch}, 1));
                cb.onTrainBatchEnd(batch, logs("loss", 1));
            }
            cb.onEpochEnd(epoch, logs("loss", 1, "val_loss", 1));
        }
        assertEquals(List.of("e1-b03.safetensors", "e2-b02.safetensors"), saved(), "no saves at epoch ends with saveFreq");
        assertArrayEquals(new float[] {11}, Safetensors.load(dir.resolve("e2-b02.safetensors")).tensors().get(m.w.name()).toFloatArray());
        assertEquals(2, cb.saveCount());
        assertEquals("2", cb.saveState().get("batches_since_save"), "batches 7 and 8 wait for the next save");
    }

    @Test
    void bestOnlyBetweenEpochsMonitorsTheBatchLogs() throws IOException {
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("best.safetensors").toString()).monitor("loss").saveBestOnly(true).saveFreq(1);
        CallbacksTest.OneVar m = begin(cb);
        cb.onEpochBegin(0, logs());
        double[] losses = {0.9, 0.5, 0.7};
        for (int b = 0; b < losses.length; b++) {
            m.w.assign(Tensor.of(new float[] {b}, 1));
            cb.onTrainBatchEnd(b, logs("loss", losses[b]));
        }
        assertEquals(2, cb.saveCount());
        assertEquals(0.5, cb.best());
        assertArrayEquals(new float[] {1}, Safetensors.load(dir.resolve("best.safetensors")).tensors().get(m.w.name()).toFloatArray());
        // a resumed run continues the batch count
        ModelCheckpoint resumed = new ModelCheckpoint(dir.resolve("r{batch}.safetensors").toString()).saveFreq(2);
        resumed.restoreState(java.util.Map.of("best", "NaN", "saves", "0", "batches_since_save", "1", "last_batch_seen", "3"));
        resumed.setModel(m);
        resumed.onTrainBatchEnd(4, logs("loss", 1));
        assertEquals(1, resumed.saveCount(), "the restored count reached 2");
    }

    @Test
    void groupedStepsCountEveryBatchOfTheGroup() throws IOException {
        // with stepsPerExecution 4, batch callbacks come after batches 3, 7, 11 of each epoch
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("e{epoch}-b{batch}.safetensors").toString()).saveFreq(6);
        begin(cb);
        for (int epoch = 0; epoch < 2; epoch++) {
            cb.onEpochBegin(epoch, logs());
            for (int batch : new int[] {3, 7, 11}) cb.onTrainBatchEnd(batch, logs("loss", 1));
        }
        // batches since the last save: 4, 8 (save), 4 | 8 (save), 4, 8 (save)
        assertEquals(List.of("e1-b8.safetensors", "e2-b12.safetensors", "e2-b4.safetensors"), saved());
    }

    @Test
    void epochsOfOneBatchCountOneEach() throws IOException {
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("e{epoch}-b{batch}.safetensors").toString()).saveFreq(2);
        begin(cb);
        for (int epoch = 0; epoch < 4; epoch++) {
            cb.onEpochBegin(epoch, logs());
            cb.onTrainBatchEnd(0, logs("loss", 1)); // the same index every epoch
        }
        assertEquals(List.of("e2-b1.safetensors", "e4-b1.safetensors"), saved());
    }

    @Test
    void badFrequencyIsRefused() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("w.safetensors").saveFreq(0)),
                "ModelCheckpoint", "saveFreq must be >= 1 batch, got 0");
    }
}
