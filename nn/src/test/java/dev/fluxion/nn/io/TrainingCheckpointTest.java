package dev.fluxion.nn.io;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.data.DataIterator;
import dev.fluxion.data.Dataset;
import dev.fluxion.data.IteratorState;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainingCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void roundTripRestoresEverything() throws IOException {
        Variable w = new Variable(Tensor.of(new float[] {1, 2}, 2), "w");
        Variable it = new Variable(Tensor.of(new long[] {7}), "iterations", false);
        Variable m = new Variable(Tensor.of(new float[] {0.5f, 0.25f}, 2), "m", false);
        Rng rng = new Rng(11);
        rng.take(5);
        Dataset<Long> data = Dataset.range(10).shuffle(10, 3);
        DataIterator<Long> iter = data.iterator();
        iter.next();
        iter.next();
        IteratorState state = iter.save();
        long third = iter.next();
        iter.close();

        TrainingCheckpoint c = TrainingCheckpoint.capture(List.of(w), List.of(it, m), 3, 42, Map.of("dropout", rng), state, Map.of("best", "0.5"));
        Path f = dir.resolve("ckpt");
        c.write(f);

        w.assign(Tensor.zeros(2));
        it.assign(Tensor.of(new long[] {0}));
        m.assign(Tensor.zeros(2));
        Rng other = new Rng(99);
        TrainingCheckpoint r = TrainingCheckpoint.read(f);
        r.restore(List.of(w), List.of(it, m), Map.of("dropout", other));
        assertArrayEquals(new float[] {1, 2}, w.value().toFloatArray());
        assertArrayEquals(new long[] {7}, it.value().toLongArray());
        assertArrayEquals(new float[] {0.5f, 0.25f}, m.value().toFloatArray());
        assertArrayEquals(rng.state(), other.state());
        assertEquals(3, r.epoch());
        assertEquals(42, r.step());
        assertEquals("0.5", r.extra().get("best"));
        try (DataIterator<Long> resumed = data.iterator(r.iteratorState())) {
            assertEquals(third, resumed.next());
        }
        // still a valid safetensors file for other tools
        assertTrue(Safetensors.load(f).tensors().containsKey("model/w"));
    }

    @Test
    void corruptionIsDetectedByChecksum() throws IOException {
        Variable w = new Variable(Tensor.of(new float[] {1, 2, 3}, 3), "w");
        Path f = dir.resolve("ckpt");
        TrainingCheckpoint.capture(List.of(w), List.of(), 1, 1, Map.of(), null, Map.of()).write(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 2] ^= 0x10; // flip one bit in the tensor data: still a well-formed safetensors file
        Files.write(f, b);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> TrainingCheckpoint.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("CRC32C"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(b, 20));
        e = assertThrows(SafetensorsException.class, () -> TrainingCheckpoint.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void aCrashMidSaveKeepsThePreviousCheckpoint() throws IOException {
        Variable w = new Variable(Tensor.of(new float[] {1}, 1), "w");
        Path f = dir.resolve("latest.fxckpt");
        TrainingCheckpoint.capture(List.of(w), List.of(), 1, 10, Map.of(), null, Map.of()).write(f);
        w.assign(Tensor.of(new float[] {2}, 1));
        byte[] next = TrainingCheckpoint.capture(List.of(w), List.of(), 2, 20, Map.of(), null, Map.of()).toBytes();
        // the process dies after half the bytes: simulated by a writer that fails midway ...
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(next, 0, next.length / 2);
            throw new IOException("killed");
        }));
        // ... and by a partial temp file left behind, as a SIGKILL would
        Files.write(dir.resolve("latest.fxckpt" + AtomicFiles.TMP_INFIX + "1234"), java.util.Arrays.copyOf(next, next.length / 2));
        TrainingCheckpoint r = TrainingCheckpoint.read(f);
        assertEquals(1, r.epoch());
        assertArrayEquals(new float[] {1}, r.weights().get("w").toFloatArray());
    }

    @Test
    void restoreRejectsMismatches() throws IOException {
        Variable w = new Variable(Tensor.of(new float[] {1, 2}, 2), "w");
        TrainingCheckpoint c = TrainingCheckpoint.capture(List.of(w), List.of(), 1, 1, Map.of("global", new Rng(1)), null, Map.of());
        Variable w3 = new Variable(Tensor.zeros(3), "w");
        var e = assertThrows(IllegalStateException.class, () -> c.restore(List.of(w3), List.of(), Map.of()));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        Variable o = new Variable(Tensor.zeros(1), "slot");
        assertThrows(IllegalStateException.class, () -> c.restore(List.of(w), List.of(o), Map.of()));
        assertThrows(IllegalStateException.class, () -> c.restore(List.of(w), List.of(), Map.of("missing", new Rng(2))));
    }
}
