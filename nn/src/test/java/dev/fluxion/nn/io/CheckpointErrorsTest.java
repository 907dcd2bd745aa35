package dev.fluxion.nn.io;

import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.io.Json;
import dev.fluxion.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;
import static dev.fluxion.nn.ErrorMessages.assertMentions;

/** Mismatched or malformed checkpoint and safetensors files fail naming the file and the offending entry. */
class CheckpointErrorsTest {
    @TempDir
    Path dir;

    /** Replaces {@code from} by {@code to} (same length) in a checkpoint's bytes and stores a matching CRC32C. */
    private static byte[] edited(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertEquals(from.length(), to.length());
        assertTrue(text.contains(from), from);
        byte[] b = text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
        int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("\"crc32c\":\"") + 10;
        System.arraycopy("00000000".getBytes(StandardCharsets.US_ASCII), 0, b, at, 8);
        CRC32C crc = new CRC32C();
        crc.update(b);
        System.arraycopy(String.format("%08x", crc.getValue()).getBytes(StandardCharsets.US_ASCII), 0, b, at, 8);
        return b;
    }

    private static byte[] checkpointBytes() {
        Variable w = new Variable(Tensor.of(new float[] {1, 2}, 2), "w");
        return TrainingCheckpoint.capture(List.of(w), List.of(), 3, 7, Map.of("global", new Rng(1)), null, Map.of()).toBytes();
    }

    @Test
    void captureRejectsDuplicateVariableNames() {
        Variable a = new Variable(Tensor.zeros(1), "dense/kernel"), b = new Variable(Tensor.zeros(2), "dense/kernel");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.capture(List.of(a, b), List.of(), 0, 0, Map.of(), null, Map.of()));
        assertMentions(e, "checkpoint", "'dense/kernel'", "unique");
    }

    @Test
    void aMismatchedOptimizerSlotOrGeneratorRestoresNothing() {
        Variable w = new Variable(Tensor.of(new float[] {1, 2}, 2), "w");
        Variable slot = new Variable(Tensor.of(new float[] {5, 6}, 2), "momentum/w", false);
        TrainingCheckpoint c = TrainingCheckpoint.capture(List.of(w), List.of(slot), 1, 1, Map.of("global", new Rng(1)), null, Map.of());
        Variable w2 = new Variable(Tensor.zeros(2), "w");
        Variable slot3 = new Variable(Tensor.zeros(3), "velocity/w", false);
        var e = assertThrows(IllegalStateException.class, () -> c.restore(List.of(w2), List.of(slot3), Map.of()));
        assertMentions(e, "optimizer variable 0", "'velocity/w'", "[3]", "'momentum/w'", "[2]");
        assertArrayEquals(new float[] {0, 0}, w2.value().toFloatArray(), "model weights untouched");

        Variable slot2 = new Variable(Tensor.zeros(2), "momentum/w", false);
        Rng dropout = new Rng(5);
        long[] state = dropout.state();
        var e2 = assertThrows(IllegalStateException.class, () -> c.restore(List.of(w2), List.of(slot2), Map.of("dropout", dropout)));
        assertMentions(e2, "'dropout'", "global");
        assertArrayEquals(new float[] {0, 0}, w2.value().toFloatArray(), "model weights untouched");
        assertArrayEquals(new float[] {0, 0}, slot2.value().toFloatArray(), "optimizer slot untouched");
        assertArrayEquals(state, dropout.state());

        c.restore(List.of(w2), List.of(slot2), Map.of());
        assertArrayEquals(new float[] {1, 2}, w2.value().toFloatArray());
        assertArrayEquals(new float[] {5, 6}, slot2.value().toFloatArray());
    }

    @Test
    void aCheckpointOfAnotherFormatVersion() throws IOException {
        Path f = dir.resolve("future.fxckpt");
        Files.write(f, edited(checkpointBytes(), TrainingCheckpoint.FORMAT, "fluxion.training-checkpoint/9"));
        var e = assertThrows(SafetensorsException.class, () -> TrainingCheckpoint.read(f));
        assertMentions(e, f.toString(), "fluxion.training-checkpoint/9", TrainingCheckpoint.FORMAT);
    }

    @Test
    void aCheckpointWithAValidChecksumButMalformedState() throws IOException {
        Path f = dir.resolve("odd.fxckpt");
        Files.write(f, edited(checkpointBytes(), "\"epoch\":\"3\"", "\"epoch\":\"x\""));
        var e = assertThrows(SafetensorsException.class, () -> TrainingCheckpoint.read(f));
        assertMentions(e, f.toString(), "malformed training checkpoint", "\"x\"");
        long[] rng = new Rng(1).state(); // a generator state without its separator
        Files.write(f, edited(checkpointBytes(), rng[0] + "," + rng[1], rng[0] + ";" + rng[1]));
        var e2 = assertThrows(SafetensorsException.class, () -> TrainingCheckpoint.read(f));
        assertMentions(e2, f.toString(), "malformed training checkpoint");
    }

    @Test
    void safetensorsHeaderErrorsNameFileAndEntry() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, SafetensorsTest.handMade("{\"__metadata__\":{\"format\":1}}", new byte[0]));
        assertMentions(assertThrows(SafetensorsException.class, () -> Safetensors.load(f)), f.toString(), "__metadata__", "'format'", "not a string");
        Files.write(f, SafetensorsTest.handMade("{\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[] {1, 2}));
        assertMentions(assertThrows(SafetensorsException.class, () -> Safetensors.load(f)), f.toString(), "'b'", "byte 2 at element 1");
        Files.write(f, SafetensorsTest.handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", new byte[4]));
        assertMentions(assertThrows(SafetensorsException.class, () -> Safetensors.load(f)), f.toString(), "'w'", "data_offsets must be [begin, end]");
    }

    @Test
    void jsonWriterRejectsWhatJsonCannotHold() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("lr", Double.NaN))), "JSON", "NaN");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Float.POSITIVE_INFINITY))), "JSON", "Infinity");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new StringBuilder("x")))), "JSON", "java.lang.StringBuilder");
    }
}
