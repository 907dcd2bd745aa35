package dev.fluxion.nn.callbacks;

import static dev.fluxion.nn.ErrorMessages.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fluxion.Tensor;
import dev.fluxion.nn.Input;
import dev.fluxion.nn.Sequential;
import dev.fluxion.nn.layers.Dense;
import dev.fluxion.nn.losses.MeanSquaredError;
import dev.fluxion.nn.optimizers.SGD;
import dev.fluxion.nn.training.Fit;
import dev.fluxion.nn.training.History;
import dev.fluxion.random.Rng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorBoard event files, read back by a TFRecord and protobuf decoder written out here. */
class TensorBoardTest {
    @TempDir
    Path dir;

    /** One decoded event: its step, and its scalar's tag and value (null for the file-version event). */
    record Scalar(long step, String tag, float value) {}

    /** The masked CRC-32C of TFRecord, from the CRC's definition (polynomial 0x82F63B78, reflected), bit by bit. */
    private static int maskedCrc(byte[] data, int off, int len) {
        int crc = ~0;
        for (int i = off; i < off + len; i++) {
            crc ^= data[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
        }
        crc = ~crc;
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }

    /** Every record of an event file, its CRCs checked, its Event decoded (fields 1, 2, 3 and 5 only). */
    static List<Scalar> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<Scalar> out = new ArrayList<>();
        String version = null;
        while (in.hasRemaining()) {
            int start = in.position();
            long length = in.getLong();
            assertEquals(maskedCrc(all, start, 8), in.getInt(), "length CRC at " + start);
            int dataStart = in.position();
            ByteBuffer event = ByteBuffer.wrap(all, dataStart, (int) length).order(ByteOrder.LITTLE_ENDIAN);
            in.position(dataStart + (int) length);
            assertEquals(maskedCrc(all, dataStart, (int) length), in.getInt(), "data CRC at " + start);
            long step = 0;
            String tag = null;
            float value = Float.NaN;
            while (event.hasRemaining()) {
                int key = (int) varint(event);
                switch (key) {
                    case 1 << 3 | 1 -> assertTrue(event.getDouble() > 1.7e9, "wall time in seconds");
                    case 2 << 3 -> step = varint(event);
                    case 3 << 3 | 2 -> {
                        byte[] s = new byte[(int) varint(event)];
                        event.get(s);
                        version = new String(s, StandardCharsets.UTF_8);
                    }
                    case 5 << 3 | 2 -> { // Summary { Value value = 1 { string tag = 1; float simple_value = 2; } }
                        int summaryEnd = (int) varint(event) + event.position();
                        assertEquals(1 << 3 | 2, varint(event));
                        varint(event); // the value's length
                        assertEquals(1 << 3 | 2, varint(event));
                        byte[] t = new byte[(int) varint(event)];
                        event.get(t);
                        tag = new String(t, StandardCharsets.UTF_8);
                        assertEquals(2 << 3 | 5, varint(event));
                        value = event.getFloat();
                        assertEquals(summaryEnd, event.position(), "one value per summary");
                    }
                    default -> throw new AssertionError("unexpected field key " + key);
                }
            }
            if (tag != null) out.add(new Scalar(step, tag, value));
            else assertEquals(0, out.size(), "the version event comes first");
        }
        assertEquals("brain.Event:2", version);
        return out;
    }

    private static Path onlyFile(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            assertTrue(files.getFirst().getFileName().toString().startsWith("events.out.tfevents."), files.toString());
            return files.getFirst();
        }
    }

    @Test
    void crcMatchesTheStandardCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        int masked = Integer.rotateRight(0xE3069283, 15) + 0xa282ead8; // CRC-32C("123456789") = 0xE3069283
        assertEquals(masked, maskedCrc(check, 0, check.length));
        assertArrayEquals(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array(), EventFile.maskedCrc(check));
    }

    @Test
    void fitWritesEpochAndBatchScalars() throws IOException {
        var model = Sequential.of(Input.shape(3), new Dense(2));
        model.compile(new SGD(0.05), new MeanSquaredError());
        Tensor x = new Rng(1).normal(new int[] {24, 3}, 0, 1), y = new Rng(2).normal(new int[] {24, 2}, 0, 1);
        History h = model.fit(x, y, Fit.epochs(3).batchSize(8).validationData(x, y).verbose(0)
                .callbacks(new TensorBoard(dir).updateFreq(2)));
        List<Scalar> train = read(onlyFile(dir.resolve("train")));
        List<Scalar> val = read(onlyFile(dir.resolve("validation")));
        List<Scalar> epochLoss = train.stream().filter(s -> s.tag().equals("epoch_loss")).toList();
        assertEquals(3, epochLoss.size());
        for (int e = 0; e < 3; e++) {
            assertEquals(e, epochLoss.get(e).step());
            assertEquals(h.history().get("loss").get(e).floatValue(), epochLoss.get(e).value());
            assertEquals(new Scalar(e, "epoch_loss", h.history().get("val_loss").get(e).floatValue()), val.get(e));
            assertTrue(train.contains(new Scalar(e, "epoch_learning_rate", 0.05f)), train.toString());
        }
        assertEquals(3, val.size(), "validation holds the val_ values only");
        // 3 batches per epoch, 9 in all: batch logs at batches 2, 4, 6, 8
        assertEquals(List.of(2L, 4L, 6L, 8L), train.stream().filter(s -> s.tag().equals("batch_loss")).map(Scalar::step).toList());
    }

    @Test
    void largeStepsAndNegativeValuesRoundTrip() throws IOException {
        Path file;
        try (EventFile events = EventFile.create(dir.resolve("direct"))) {
            events.scalar("a", -2.5, 300); // a two-byte varint
            events.scalar("b", 1e-3, 5_000_000_000L); // five bytes
            file = events.path();
        }
        assertEquals(List.of(new Scalar(300, "a", -2.5f), new Scalar(5_000_000_000L, "b", 1e-3f)), read(file));
        new TensorBoard(dir).updateFreq(0); // per epoch only: accepted
    }

    @Test
    void anUnwritableLogDirIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "not a directory");
        TensorBoard tb = new TensorBoard(file);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> tb.onTrainBegin(java.util.Map.of()));
        assertMentions(e, "TensorBoard", "cannot create event files under", file.toString());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new TensorBoard(dir).updateFreq(-1)),
                "TensorBoard", "updateFreq must be >= 0", "got -1");
    }
}
