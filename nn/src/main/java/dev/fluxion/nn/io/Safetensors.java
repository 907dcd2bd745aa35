package dev.fluxion.nn.io;

import dev.fluxion.DType;
import dev.fluxion.Tensor;
import dev.fluxion.io.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader and writer of the safetensors format (Hugging Face), so weights move to and from PyTorch/JAX tooling:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}}, then the
 * raw little-endian, row-major tensor bytes with offsets relative to the end of the header.
 *
 * <p>Writing follows the reference implementation: tensors sorted by descending dtype alignment then name, header
 * padded with spaces to a multiple of 8 bytes. Reading validates like the reference: the header length (at most
 * 100 MB, within the file), UTF-8 and strict JSON, known dtypes, shapes of non-negative integers, offsets contiguous
 * from 0 without gaps or overlaps, each tensor's byte size equal to shape × dtype size (checked arithmetic) and the
 * data covering the rest of the file exactly. Every error names the file and, where it applies, the tensor.
 * Fluxion holds F32, F64, I32, I64 and BOOL; other valid dtypes (F16, BF16, U8, ...) are reported as unsupported.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The header size limit of the reference implementation. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;
    private static final String METADATA = "__metadata__";

    /** The tensors of a file, in file order, and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Writes tensors and metadata to {@code file} atomically (temporary file, fsync, rename). */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, serialize(tensors, metadata));
    }

    /** Reads and validates a file. */
    public static Contents load(Path file) throws IOException {
        return deserialize(AtomicFiles.readAll(file), file.toString());
    }

    // ------------------------------------------------------------------ writing

    /** The file bytes for tensors (any order; written sorted by alignment, then name) and optional metadata. */
    public static byte[] serialize(Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.entrySet());
        for (var e : entries) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("safetensors: a tensor name is empty");
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("safetensors: '" + METADATA + "' is reserved, not a tensor name");
            if (e.getValue() == null) throw new IllegalArgumentException("safetensors: tensor '" + e.getKey() + "' is null");
            if (e.getValue().isSymbolic()) throw new IllegalArgumentException("safetensors: tensor '" + e.getKey() + "' is symbolic (inside a graph function)");
        }
        entries.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().byteSize()).thenComparing(Map.Entry::getKey));
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        long offset = 0;
        for (var e : entries) {
            Tensor t = e.getValue();
            long n = (long) t.size() * t.dtype().byteSize();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", code(t.dtype()));
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, offset + n));
            header.put(e.getKey(), info);
            offset += n;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("safetensors: " + total + " bytes exceed the 2 GiB limit of one file");
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        for (var e : entries) putData(out, e.getValue());
        return out.array();
    }

    private static String code(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static void putData(ByteBuffer out, Tensor t) {
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] a = t.toFloatArray();
                out.asFloatBuffer().put(a);
                out.position(out.position() + a.length * 4);
            }
            case FLOAT64 -> {
                double[] a = t.toDoubleArray();
                out.asDoubleBuffer().put(a);
                out.position(out.position() + a.length * 8);
            }
            case INT32 -> {
                int[] a = t.toIntArray();
                out.asIntBuffer().put(a);
                out.position(out.position() + a.length * 4);
            }
            case INT64 -> {
                long[] a = t.toLongArray();
                out.asLongBuffer().put(a);
                out.position(out.position() + a.length * 8);
            }
            case BOOL -> {
                for (boolean b : t.toBooleanArray()) out.put((byte) (b ? 1 : 0));
            }
        }
    }

    // ------------------------------------------------------------------ reading

    private static int elementSize(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64" -> 8;
            default -> -1;
        };
    }

    private record Info(String name, String dtype, int[] shape, long begin, long end) {}

    /** Parses and validates file bytes; {@code source} names the file in errors. */
    public static Contents deserialize(byte[] bytes, String source) throws SafetensorsException {
        if (bytes.length < 8)
            throw new SafetensorsException(source + ": not a safetensors file: " + bytes.length + " bytes, shorter than the 8-byte header length");
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = in.getLong(0);
        if (n < 0 || n > MAX_HEADER_SIZE)
            throw new SafetensorsException(source + ": header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes");
        if (8 + n > bytes.length)
            throw new SafetensorsException(source + ": header length " + n + " runs past the end of the file (" + bytes.length + " bytes): truncated or not safetensors");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(source + ": header is not valid UTF-8", e);
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(source + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) throw new SafetensorsException(source + ": header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Info> infos = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new SafetensorsException(source + ": " + METADATA + " must be an object of strings");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v))
                        throw new SafetensorsException(source + ": " + METADATA + " value of '" + me.getKey() + "' is not a string");
                    metadata.put((String) me.getKey(), v);
                }
                continue;
            }
            infos.add(info(source, name, e.getValue()));
        }
        // offsets: sorted, contiguous from 0, sizes matching shape x dtype, covering the buffer exactly
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expected = 0;
        for (Info i : byOffset) {
            if (i.begin != expected || i.end < i.begin)
                throw new SafetensorsException(source + ": tensor '" + i.name + "' has data_offsets [" + i.begin + ", " + i.end + "], expected to start at "
                        + expected + " (offsets must be contiguous, without gaps or overlaps)");
            long count = 1;
            try {
                for (int d : i.shape) count = Math.multiplyExact(count, d);
                long nbytes = Math.multiplyExact(count, elementSize(i.dtype));
                if (nbytes != i.end - i.begin)
                    throw new SafetensorsException(source + ": tensor '" + i.name + "' of dtype " + i.dtype + " and shape " + java.util.Arrays.toString(i.shape)
                            + " needs " + nbytes + " bytes but its data_offsets span " + (i.end - i.begin));
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(source + ": tensor '" + i.name + "': size of shape " + java.util.Arrays.toString(i.shape) + " overflows");
            }
            expected = i.end;
        }
        long dataLen = bytes.length - 8 - n;
        if (expected != dataLen)
            throw new SafetensorsException(source + ": the tensors cover " + expected + " data bytes but the file holds " + dataLen
                    + (expected > dataLen ? " (truncated)" : " (trailing bytes)"));

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long base = 8 + n;
        for (Info i : byOffset) {
            if (elementSize(i.dtype) < 0 || !List.of("F32", "F64", "I32", "I64", "BOOL").contains(i.dtype))
                throw new SafetensorsException(source + ": tensor '" + i.name + "' has dtype " + i.dtype
                        + ", which Fluxion does not hold (supported: F32, F64, I32, I64, BOOL)");
            ByteBuffer b = ByteBuffer.wrap(bytes, (int) (base + i.begin), (int) (i.end - i.begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            int count = (int) ((i.end - i.begin) / elementSize(i.dtype));
            Tensor t = switch (i.dtype) {
                case "F32" -> {
                    float[] a = new float[count];
                    b.asFloatBuffer().get(a);
                    yield Tensor.of(a, i.shape);
                }
                case "F64" -> {
                    double[] a = new double[count];
                    b.asDoubleBuffer().get(a);
                    yield Tensor.of(a, i.shape);
                }
                case "I32" -> {
                    int[] a = new int[count];
                    b.asIntBuffer().get(a);
                    yield Tensor.of(a, i.shape);
                }
                case "I64" -> {
                    long[] a = new long[count];
                    b.asLongBuffer().get(a);
                    yield Tensor.of(a, i.shape);
                }
                default -> {
                    boolean[] a = new boolean[count];
                    for (int k = 0; k < count; k++) {
                        byte v = b.get(k);
                        if (v != 0 && v != 1)
                            throw new SafetensorsException(source + ": tensor '" + i.name + "' (BOOL) holds byte " + v + " at element " + k + ", not 0 or 1");
                        a[k] = v == 1;
                    }
                    yield Tensor.of(a, i.shape);
                }
            };
            tensors.put(i.name, t);
        }
        return new Contents(tensors, metadata);
    }

    private static Info info(String source, String name, Object value) throws SafetensorsException {
        String where = source + ": tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> m)) throw new SafetensorsException(where + ": entry is not an object");
        for (Object k : m.keySet())
            if (!List.of("dtype", "shape", "data_offsets").contains(k)) throw new SafetensorsException(where + ": unknown field '" + k + "'");
        if (!(m.get("dtype") instanceof String dtype)) throw new SafetensorsException(where + ": missing or non-string dtype");
        if (elementSize(dtype) < 0) throw new SafetensorsException(where + ": unknown dtype '" + dtype + "'");
        if (!(m.get("shape") instanceof List<?> shapeList)) throw new SafetensorsException(where + ": missing shape");
        int[] shape = new int[shapeList.size()];
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE)
                throw new SafetensorsException(where + ": shape " + shapeList + " must hold non-negative integers");
            shape[k] = (int) (long) d;
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2)
            throw new SafetensorsException(where + ": data_offsets must be [begin, end]");
        long[] be = new long[2];
        for (int k = 0; k < 2; k++) {
            Object o = off.get(k);
            if (o instanceof BigInteger) throw new SafetensorsException(where + ": data_offsets " + off + " are too large");
            if (!(o instanceof Long v) || v < 0) throw new SafetensorsException(where + ": data_offsets " + off + " must be non-negative integers");
            be[k] = v;
        }
        return new Info(name, dtype, shape, be[0], be[1]);
    }
}
