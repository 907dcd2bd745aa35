package dev.fluxion.nn.callbacks;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file: TFRecord framing (length, masked CRC-32C of the length, the payload, masked CRC-32C of
 * the payload) around {@code Event} protocol buffers, the first one announcing {@code brain.Event:2}, then one per
 * scalar ({@code Summary.Value} with {@code simple_value}). The few protobuf fields are encoded here by hand, so
 * writing logs needs no protobuf library.
 */
final class EventFile implements Closeable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final Path path;
    private final OutputStream out;

    private EventFile(Path path) throws IOException {
        this.path = path;
        this.out = new java.io.BufferedOutputStream(Files.newOutputStream(path));
        write(event(System.currentTimeMillis() / 1000.0, 0, fields -> string(fields, 3, "brain.Event:2")));
    }

    /** A new event file in {@code dir} (created if missing), named as TensorBoard looks for them. */
    static EventFile create(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost").replaceAll("[^A-Za-z0-9_.-]", "_");
        String name = "events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + host + "."
                + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet() + ".v2";
        return new EventFile(dir.resolve(name));
    }

    Path path() {
        return path;
    }

    /** Appends one scalar at {@code step}. */
    void scalar(String tag, double value, long step) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, 1, tag);
        v.write(2 << 3 | 5); // simple_value: float, fixed32
        v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array());
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytes(summary, 1, v.toByteArray()); // Summary.value
        write(event(System.currentTimeMillis() / 1000.0, step, fields -> bytes(fields, 5, summary.toByteArray())));
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    // ---- protobuf: Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }

    private static byte[] event(double wallTime, long step, java.util.function.Consumer<ByteArrayOutputStream> rest) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.write(1 << 3 | 1); // wall_time: double, fixed64
        e.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
        if (step != 0) {
            e.write(2 << 3); // step: varint
            varint(e, step);
        }
        rest.accept(e);
        return e.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, int field, String s) {
        bytes(out, field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(ByteArrayOutputStream out, int field, byte[] b) {
        out.write(field << 3 | 2); // length-delimited
        varint(out, b.length);
        out.writeBytes(b);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    // ---- TFRecord framing

    private void write(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(maskedCrc(length));
        out.write(data);
        out.write(maskedCrc(data));
    }

    /** TFRecord's masked CRC-32C, little-endian: a CRC rotated right by 15 bits plus a constant. */
    static byte[] maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        int masked = ((c >>> 15) | (c << 17)) + 0xa282ead8;
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array();
    }
}
