package dev.fluxion.nn.io;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.Variable;
import dev.fluxion.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file laid out by hand per the spec: header length u64 LE, JSON, then data. */
    static byte[] handMade(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static byte[] le(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    @Test
    void roundTripIsExactForEveryDtype() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY, 3.4e38f}, 2, 3));
        m.put("f64", Tensor.of(new double[] {Math.PI, -1e-300, Double.MAX_VALUE}, 3));
        m.put("i32", Tensor.of(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 7}, 2, 2));
        m.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, 42, Long.MAX_VALUE}, 3, 1));
        m.put("bool", Tensor.of(new boolean[] {true, false, true}, 3));
        m.put("scalar", Tensor.scalar(2.5f));
        m.put("empty", Tensor.zeros(DType.FLOAT32, 0, 4));
        Path f = dir.resolve("all.safetensors");
        Safetensors.save(f, m, Map.of("note", "hello"));
        Safetensors.Contents c = Safetensors.load(f);
        assertEquals(Map.of("note", "hello"), c.metadata());
        assertEquals(m.keySet(), c.tensors().keySet());
        for (var e : m.entrySet()) {
            Tensor a = e.getValue(), b = c.tensors().get(e.getKey());
            assertEquals(a.dtype(), b.dtype(), e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            switch (a.dtype()) {
                case FLOAT32 -> {
                    float[] x = a.toFloatArray(), y = b.toFloatArray();
                    for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]));
                }
                case FLOAT64 -> assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
                case INT32 -> assertArrayEquals(a.toIntArray(), b.toIntArray());
                case INT64 -> assertArrayEquals(a.toLongArray(), b.toLongArray());
                case BOOL -> assertArrayEquals(a.toBooleanArray(), b.toBooleanArray());
            }
        }
        // layout rules of the reference writer: header padded to 8 bytes, 8-byte dtypes first
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.indexOf("\"f64\"") < header.indexOf("\"f32\""), header);
        assertTrue(header.contains("\"data_offsets\":[0,24]"), header); // f64 first (sorted by alignment, then name)
    }

    /** Bytes written by Python's safetensors 0.8.0 (safetensors.numpy.save_file with metadata {"k": "v"}). */
    private static final String PYTHON_FILE = "OAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJrIjoidiJ9LCJpNjQiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6WzEsMV0sImRhdGFfb2Zmc2V0cyI6WzAsOF19LCJmNjQiOnsiZHR5cGUiOiJGNjQiLCJzaGFwZSI6WzFdLCJkYXRhX29mZnNldHMiOls4LDE2XX0sImYzMiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpbMTYsNDBdfSwiaTMyIjp7ImR0eXBlIjoiSTMyIiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNDAsNDhdfSwiYiI6eyJkdHlwZSI6IkJPT0wiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOls0OCw1MF19fSAAAAAAAAEAABgtRFT7IQlAAAAAACVJEj4lSZI+t23bPiVJEj9u2zY/+////wcAAAABAA==";

    @Test
    void readsAFileWrittenByPythonSafetensors() throws IOException {
        Safetensors.Contents c = Safetensors.deserialize(java.util.Base64.getDecoder().decode(PYTHON_FILE), "py.safetensors");
        assertEquals(Map.of("k", "v"), c.metadata());
        float[] f = c.tensors().get("f32").toFloatArray();
        for (int i = 0; i < 6; i++) assertEquals((float) i / 7, f[i], 1e-7f);
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("f32").shape());
        assertArrayEquals(new double[] {Math.PI}, c.tensors().get("f64").toDoubleArray());
        assertArrayEquals(new int[] {-5, 7}, c.tensors().get("i32").toIntArray());
        assertArrayEquals(new long[] {1L << 40}, c.tensors().get("i64").toLongArray());
        assertArrayEquals(new int[] {1, 1}, c.tensors().get("i64").shape());
        assertArrayEquals(new boolean[] {true, false}, c.tensors().get("b").toBooleanArray());
        // and what Fluxion writes from these tensors reads back identically
        Safetensors.Contents again = Safetensors.deserialize(Safetensors.serialize(c.tensors(), c.metadata()), "again");
        for (String k : c.tensors().keySet())
            assertEquals(c.tensors().get(k).toString(), again.tensors().get(k).toString(), k);
    }

    @Test
    void readsAHandConstructedFile() throws IOException {
        // what Python's safetensors.numpy.save_file({"b": np.array([[1,2]],np.float32), "a": np.array([3],np.int64)}) lays out
        byte[] data = new byte[8 + 8];
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        d.putLong(3L).putFloat(1f).putFloat(2f);
        String json = "{\"__metadata__\":{\"format\":\"np\"},\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}}   ";
        Safetensors.Contents c = Safetensors.deserialize(handMade(json, data), "hand.safetensors");
        assertArrayEquals(new long[] {3}, c.tensors().get("a").toLongArray());
        assertArrayEquals(new float[] {1, 2}, c.tensors().get("b").toFloatArray());
        assertArrayEquals(new int[] {1, 2}, c.tensors().get("b").shape());
        assertEquals("np", c.metadata().get("format"));
    }

    @Test
    void writesTheBytesTheSpecPrescribes() {
        byte[] bytes = Safetensors.serialize(Map.of("w", Tensor.of(new float[] {1f, 2f}, 2)), null);
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int padded = (json.length() + 7) / 8 * 8;
        byte[] expected = handMade(json + " ".repeat(padded - json.length()), le(1f, 2f));
        assertArrayEquals(expected, bytes);
    }

    private void assertCorrupt(byte[] bytes, String... fragments) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.deserialize(bytes, "/ckpt/bad.safetensors"));
        assertTrue(e.getMessage().contains("/ckpt/bad.safetensors"), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage());
    }

    @Test
    void rejectsCorruptFilesNamingFileAndTensor() {
        byte[] good = Safetensors.serialize(Map.of("w", Tensor.of(new float[] {1f, 2f, 3f}, 3)), null);
        // truncated data
        assertCorrupt(Arrays.copyOf(good, good.length - 1), "truncated");
        // trailing bytes
        assertCorrupt(Arrays.copyOf(good, good.length + 4), "trailing");
        // shorter than the length prefix
        assertCorrupt(new byte[5], "8-byte");
        // header length beyond the cap, and beyond the file
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L);
        assertCorrupt(huge, "exceeds the limit");
        byte[] past = good.clone();
        ByteBuffer.wrap(past).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        assertCorrupt(past, "runs past the end");
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertCorrupt(negative, "header length");
        // bad JSON
        assertCorrupt(handMade("{\"w\":{\"dtype\":\"F32\",}", new byte[0]), "JSON");
        assertCorrupt(handMade("{\"w\":1,\"w\":2}", new byte[0]), "duplicate");
        // overlapping offsets
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "'b'", "contiguous");
        // gap
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "'a'", "contiguous");
        // shape x dtype does not match the byte span
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "'a'", "needs 12 bytes");
        // unknown dtype, negative shape, overflow
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]), "'a'", "unknown dtype");
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "'a'", "shape");
        assertCorrupt(handMade("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", new byte[8]),
                "'a'", "overflows");
        // valid but not held by Fluxion
        assertCorrupt(handMade("{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]), "'h'", "F16");
        // not UTF-8
        assertCorrupt(badUtf8(), "UTF-8");
    }

    private static byte[] badUtf8() {
        byte[] h = {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '};
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void loadErrorNamesTheFile() throws IOException {
        Path f = dir.resolve("torn.safetensors");
        byte[] good = Safetensors.serialize(Map.of("w", Tensor.of(new float[] {1f, 2f, 3f}, 3)), null);
        Files.write(f, Arrays.copyOf(good, good.length - 3));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void weightsMatchByNameAndShape() throws IOException {
        Variable a = new Variable(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "dense/kernel");
        Variable b = new Variable(Tensor.of(new float[] {5, 6}, 2), "dense/bias");
        Path f = dir.resolve("w.safetensors");
        Weights.save(f, List.of(a, b));
        Variable a2 = new Variable(Tensor.zeros(2, 2), "dense/kernel");
        Variable b2 = new Variable(Tensor.zeros(2), "dense/bias");
        Weights.load(f, List.of(a2, b2));
        assertArrayEquals(new float[] {1, 2, 3, 4}, a2.value().toFloatArray());
        assertArrayEquals(new float[] {5, 6}, b2.value().toFloatArray());

        Variable wrong = new Variable(Tensor.zeros(3, 2), "dense/kernel");
        var e1 = assertThrows(SafetensorsException.class, () -> Weights.load(f, List.of(wrong, b2)));
        assertTrue(e1.getMessage().contains("dense/kernel") && e1.getMessage().contains("[3,2]") && e1.getMessage().contains("[2,2]"), e1.getMessage());
        assertEquals(0f, wrong.value().toFloatArray()[0], "nothing assigned on mismatch");
        var e2 = assertThrows(SafetensorsException.class, () -> Weights.load(f, List.of(a2)));
        assertTrue(e2.getMessage().contains("dense/bias") && e2.getMessage().contains("matches no variable"), e2.getMessage());
        Variable extra = new Variable(Tensor.zeros(1), "other");
        var e3 = assertThrows(SafetensorsException.class, () -> Weights.load(f, List.of(a2, b2, extra)));
        assertTrue(e3.getMessage().contains("'other'") && e3.getMessage().contains("missing"), e3.getMessage());
    }

    @Test
    void aWriteKilledMidwayLeavesThePreviousFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Safetensors.save(f, Map.of("w", Tensor.of(new float[] {1f}, 1)), null);
        IOException boom = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", boom.getMessage());
        assertArrayEquals(new float[] {1f}, Safetensors.load(f).tensors().get("w").toFloatArray());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList(), "temp file removed");
        }
        // a leftover from a killed process (a partial temp file) does not disturb loading and is cleaned up
        Files.write(dir.resolve("model.safetensors" + AtomicFiles.TMP_INFIX + "dead"), new byte[] {1, 2, 3});
        assertArrayEquals(new float[] {1f}, Safetensors.load(f).tensors().get("w").toFloatArray());
        assertEquals(1, AtomicFiles.deleteLeftovers(f));
        assertTrue(Files.exists(f));
    }

    @Test
    void strictJson() {
        assertEquals(Map.of("a", List.of(1L, 2.5, true, "x\n")), Json.parse(" {\"a\":[1,2.5,true,\"x\\n\"]} "));
        for (String bad : List.of("{", "[1,]", "{\"a\":01}", "{'a':1}", "{\"a\":1} x", "\"\u0001\"", "{\"a\":1,}", "nul"))
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        assertEquals("{\"k\":[1,\"q\\\"\"]}", Json.write(Map.of("k", List.of(1L, "q\""))));
    }

    @Test
    void anEmptyTensorRoundTripsWithEqualOffsets() throws SafetensorsException {
        // a [0]-shaped tensor spans no bytes: data_offsets [k, k] are valid (the spec allows zero-length tensors)
        byte[] file = handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", le(2.5f));
        Safetensors.Contents c = Safetensors.deserialize(file, "empty.safetensors");
        assertArrayEquals(new int[] {0}, c.tensors().get("a").shape());
        assertArrayEquals(new float[] {2.5f}, c.tensors().get("b").toFloatArray());
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("none", Tensor.zeros(0, 3));
        in.put("one", Tensor.scalar(1f));
        Safetensors.Contents back = Safetensors.deserialize(Safetensors.serialize(in, Map.of()), "round trip");
        assertArrayEquals(new int[] {0, 3}, back.tensors().get("none").shape());
        assertEquals(1f, back.tensors().get("one").item());
    }

    @Test
    void headerLengthsAtTheLimitsGetTheMatchingError() {
        // exactly 8 bytes with a zero header length: long enough to read the length, and the empty header is not JSON
        byte[] eight = new byte[8];
        SafetensorsException zero = assertThrows(SafetensorsException.class, () -> Safetensors.deserialize(eight, "zero.safetensors"));
        assertTrue(zero.getMessage().contains("zero.safetensors: header is not valid JSON"), zero.getMessage());
        // a header length of exactly the limit is allowed by the limit check, then runs past the end of this file
        byte[] atLimit = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Safetensors.MAX_HEADER_SIZE).array();
        SafetensorsException limit = assertThrows(SafetensorsException.class, () -> Safetensors.deserialize(atLimit, "limit.safetensors"));
        assertTrue(limit.getMessage().contains("runs past the end of the file (16 bytes)"), limit.getMessage());
        byte[] over = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Safetensors.MAX_HEADER_SIZE + 1).array();
        SafetensorsException big = assertThrows(SafetensorsException.class, () -> Safetensors.deserialize(over, "over.safetensors"));
        assertTrue(big.getMessage().contains("exceeds the limit"), big.getMessage());
    }

    @Test
    void headerEntriesMayComeInAnyOrderOfOffsets() throws SafetensorsException {
        // the spec ties neither the JSON key order nor the names' order to the offsets: "a" may hold the later bytes
        byte[] file = handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", le(1f, 2f));
        Safetensors.Contents c = Safetensors.deserialize(file, "unordered.safetensors");
        assertArrayEquals(new float[] {1f}, c.tensors().get("z").toFloatArray());
        assertArrayEquals(new float[] {2f}, c.tensors().get("a").toFloatArray());
    }
}
