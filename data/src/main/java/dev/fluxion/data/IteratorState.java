package dev.fluxion.data;

import dev.fluxion.io.Json;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The saved position of a {@link DataIterator}: a small immutable tree with one node per pipeline stage, each node
 * a kind name (such as {@code "shuffle"}), named arrays of longs and the states of the stages it reads from.
 *
 * <p>It holds positions, counters, random-generator states and the upstream ordinals of buffered elements, never
 * element values, so it stays small (a full shuffle buffer of 60,000 elements saves as about 160 KB) and needs no Java
 * serialization. Write it with {@link #toBytes()} (compact, CRC-checked) or {@link #toJson()} (readable), and restore
 * it with {@link Dataset#iterator(IteratorState)} on the same pipeline built the same way.
 */
public final class IteratorState {
    private static final byte[] MAGIC = {'F', 'X', 'I', 'S'};
    private static final int VERSION = 1;
    private static final int MAX_DEPTH = 256;

    private final String kind;
    private final Map<String, long[]> values;
    private final List<IteratorState> children;

    private IteratorState(String kind, Map<String, long[]> values, List<IteratorState> children) {
        this.kind = kind;
        this.values = values;
        this.children = children;
    }

    /** Starts a state node of the given stage kind. */
    public static Builder builder(String kind) {
        return new Builder(kind);
    }

    /** Builds one state node. */
    public static final class Builder {
        private final String kind;
        private final Map<String, long[]> values = new LinkedHashMap<>();
        private final List<IteratorState> children = new ArrayList<>();

        private Builder(String kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public Builder put(String key, long value) {
            return put(key, new long[] {value});
        }

        public Builder put(String key, long[] array) {
            if (values.put(Objects.requireNonNull(key, "key"), array.clone()) != null)
                throw new IllegalArgumentException("duplicate key '" + key + "' in iterator state '" + kind + "'");
            return this;
        }

        public Builder child(IteratorState child) {
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        public IteratorState build() {
            return new IteratorState(kind, Collections.unmodifiableMap(new LinkedHashMap<>(values)), List.copyOf(children));
        }
    }

    public String kind() {
        return kind;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    /** The single value stored under {@code key}. */
    public long get(String key) {
        long[] a = getArray(key);
        if (a.length != 1) throw new IllegalArgumentException("iterator state '" + kind + "': '" + key + "' holds " + a.length + " values, not 1");
        return a[0];
    }

    /** A copy of the values stored under {@code key}. */
    public long[] getArray(String key) {
        long[] a = values.get(key);
        if (a == null) throw new IllegalArgumentException("iterator state '" + kind + "' has no '" + key + "' (has " + values.keySet() + ")");
        return a.clone();
    }

    public List<IteratorState> children() {
        return children;
    }

    public IteratorState child(int i) {
        if (i < 0 || i >= children.size())
            throw new IllegalArgumentException("iterator state '" + kind + "' has " + children.size() + " children, no child " + i);
        return children.get(i);
    }

    /** Checks that this node was saved by a stage of the given kind: restoring onto another pipeline is an error. */
    IteratorState expect(String expectedKind) {
        if (!kind.equals(expectedKind))
            throw new IllegalArgumentException("iterator state does not match the pipeline: expected a '" + expectedKind
                    + "' stage, found '" + kind + "'; restore on the same pipeline, built the same way");
        return this;
    }

    // ------------------------------------------------------------------ binary form

    /** A compact binary form: magic "FXIS", version, the tree with variable-length longs, then a CRC32. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(VERSION);
        writeNode(out, this);
        CRC32 crc = new CRC32();
        byte[] body = out.toByteArray();
        crc.update(body);
        ByteBuffer tail = ByteBuffer.allocate(4).putInt((int) crc.getValue());
        out.writeBytes(tail.array());
        return out.toByteArray();
    }

    /** Reads {@link #toBytes()} output; a damaged or foreign input raises IllegalArgumentException. */
    public static IteratorState fromBytes(byte[] bytes) {
        if (bytes.length < 9 || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC))
            throw new IllegalArgumentException("not a Fluxion iterator state (missing 'FXIS' magic)");
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue())
            throw new IllegalArgumentException("iterator state is corrupt: CRC32 expected " + Integer.toHexString(stored)
                    + ", found " + Integer.toHexString((int) crc.getValue()));
        if (bytes[4] != VERSION) throw new IllegalArgumentException("iterator state version " + bytes[4] + " is not supported (expected " + VERSION + ")");
        ByteBuffer in = ByteBuffer.wrap(bytes, 5, bytes.length - 9);
        try {
            IteratorState s = readNode(in, 0);
            if (in.hasRemaining()) throw new IllegalArgumentException("iterator state has " + in.remaining() + " trailing bytes");
            return s;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("iterator state is truncated: its " + bytes.length + " bytes end inside a value", e);
        }
    }

    private static void writeNode(ByteArrayOutputStream out, IteratorState s) {
        writeString(out, s.kind);
        writeVar(out, s.values.size());
        for (Map.Entry<String, long[]> e : s.values.entrySet()) {
            writeString(out, e.getKey());
            writeVar(out, e.getValue().length);
            for (long v : e.getValue()) writeVar(out, (v << 1) ^ (v >> 63)); // zigzag
        }
        writeVar(out, s.children.size());
        for (IteratorState c : s.children) writeNode(out, c);
    }

    private static IteratorState readNode(ByteBuffer in, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("iterator state nests deeper than " + MAX_DEPTH);
        Builder b = builder(readString(in));
        int nValues = readCount(in);
        for (int i = 0; i < nValues; i++) {
            String key = readString(in);
            long[] a = new long[readCount(in)];
            for (int j = 0; j < a.length; j++) {
                long z = readVar(in);
                a[j] = (z >>> 1) ^ -(z & 1);
            }
            b.put(key, a);
        }
        int nChildren = readCount(in);
        for (int i = 0; i < nChildren; i++) b.child(readNode(in, depth + 1));
        return b.build();
    }

    private static void writeVar(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVar(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
        throw new IllegalArgumentException("iterator state holds a malformed number at byte " + (in.position() - 10));
    }

    private static int readCount(ByteBuffer in) {
        long n = readVar(in);
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("iterator state holds an impossible count " + n);
        return (int) n;
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVar(out, b.length);
        out.writeBytes(b);
    }

    private static String readString(ByteBuffer in) {
        byte[] b = new byte[readCount(in)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ JSON form

    /** A JSON form: {@code {"kind":"batch","values":{"k":[1,2]},"children":[...]}}. */
    public String toJson() {
        return Json.write(jsonTree(this));
    }

    /** Reads {@link #toJson()} output; malformed input raises IllegalArgumentException naming what is wrong. */
    public static IteratorState fromJson(String json) {
        Object tree;
        try {
            tree = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed iterator state JSON: " + e.getMessage(), e);
        }
        return fromJsonTree(tree, "state");
    }

    private static Map<String, Object> jsonTree(IteratorState s) {
        Map<String, Object> values = new LinkedHashMap<>();
        s.values.forEach((k, v) -> values.put(k, Arrays.stream(v).boxed().toList()));
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("kind", s.kind);
        node.put("values", values);
        node.put("children", s.children.stream().map(IteratorState::jsonTree).toList());
        return node;
    }

    /** One node of a parsed JSON form; {@code at} names its place ("state", "state.children[1]") in errors. */
    private static IteratorState fromJsonTree(Object tree, String at) {
        if (!(tree instanceof Map<?, ?> node)) throw malformed(at, "expected an object, got " + tree);
        for (Object field : node.keySet())
            if (!List.of("kind", "values", "children").contains(field)) throw malformed(at, "unexpected field \"" + field + "\"");
        if (!(node.get("kind") instanceof String kind)) throw malformed(at, "missing \"kind\" string");
        Map<String, long[]> values = new LinkedHashMap<>();
        Object vs = node.get("values");
        if (vs != null) {
            if (!(vs instanceof Map<?, ?> m)) throw malformed(at, "\"values\" must be an object");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof List<?> list)) throw malformed(at, "value \"" + e.getKey() + "\" must be an array of integers");
                long[] a = new long[list.size()];
                for (int i = 0; i < a.length; i++) {
                    if (!(list.get(i) instanceof Long x)) throw malformed(at, "value \"" + e.getKey() + "\" holds " + list.get(i) + ", not a 64-bit integer");
                    a[i] = x;
                }
                values.put((String) e.getKey(), a);
            }
        }
        List<IteratorState> children = new ArrayList<>();
        Object cs = node.get("children");
        if (cs != null) {
            if (!(cs instanceof List<?> list)) throw malformed(at, "\"children\" must be an array");
            for (int i = 0; i < list.size(); i++) children.add(fromJsonTree(list.get(i), at + ".children[" + i + "]"));
        }
        return fromParts(kind, values, children);
    }

    private static IllegalArgumentException malformed(String at, String what) {
        return new IllegalArgumentException("malformed iterator state JSON at " + at + ": " + what);
    }

    static IteratorState fromParts(String kind, Map<String, long[]> values, List<IteratorState> children) {
        Builder b = builder(kind);
        values.forEach(b::put);
        children.forEach(b::child);
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IteratorState other) || !kind.equals(other.kind) || !children.equals(other.children)) return false;
        if (!values.keySet().equals(other.values.keySet())) return false;
        for (Map.Entry<String, long[]> e : values.entrySet())
            if (!Arrays.equals(e.getValue(), other.values.get(e.getKey()))) return false;
        return true;
    }

    @Override
    public int hashCode() {
        int h = kind.hashCode() * 31 + children.hashCode();
        for (Map.Entry<String, long[]> e : values.entrySet()) h = h * 31 + e.getKey().hashCode() * 17 + Arrays.hashCode(e.getValue());
        return h;
    }

    @Override
    public String toString() {
        String json = toJson();
        return json.length() <= 2000 ? json : json.substring(0, 2000) + "...(" + json.length() + " chars)";
    }
}
